"""A student's walk through one notebook of each kind of the student edition, in Debian's chromium, in the
JupyterLab a class uses (nbgrader's tools on).

Kinds: quizzes with a code exercise (01), the cost panel (04), matching (05), the written exercise (07).
For each: Run All, then no answer key on screen or in a collapsed cell, no MathJax inside prose with prices, every
widget inside a 1024 px window; and the friendly moments: a quiz before the setup cell, a test before its exercise,
the note on `raise NotImplementedError()`, Validate listing unanswered graded questions, and `make lab` settings
without nbgrader's tools. The self-learner edition gets the same page checks, its screenshots and the save time in
the learner's time zone in the Binder walk (tests/binder/test_new_user.py), which runs every one of its notebooks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import labkit
from tests.conftest import REPO
from tests.labkit import (
    close_documents,
    open_notebook,
    private_env,
    start_server,
    stop_server,
    wait_for_kernel,
    wait_until,
)
from tests.learner_view import STUB_NOTE, assert_no_maths_in_prices, assert_widgets_fit, text_of_notebook
from workbook.editions.bank import notebook_bank
from workbook.learnerlab import NBGRADER_LAB_EXTENSION, prepare

pytestmark = pytest.mark.browser

ASSIGNMENT = "open_vs_closed"
KINDS = ["01_what_open_means", "04_cost_crossover", "05_match_use_cases", "07_decision_framework"]
PANEL = labkit.VISIBLE_NOTEBOOK


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab (nbgrader's tools on, friendly kernels) serving a copy of the student edition."""
    base = tmp_path_factory.mktemp("learner-walk")
    work = base / "work"
    shutil.copytree(REPO / "release" / ASSIGNMENT, work / "student", ignore=shutil.ignore_patterns("*.answers.json"))
    # Positive control for the maths check: MathJax does typeset here when $ pairs are written.
    control = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("It costs $3 in and $15 out.")])
    control.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(control, str(work / "control.ipynb"))
    env = private_env(base)
    # Every cell rendered (no windowing), so what the page holds is what a learner can scroll to.
    tracker = base / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env["IPYTHONDIR"] = prepare(base / "learner-lab")["IPYTHONDIR"]  # kernels load workbook.friendly
    server = start_server(base, root=work, env=env)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def page(chromium, lab):
    """One student's page for the module: each test opens its notebook inside the JupyterLab already loaded."""
    context = chromium.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def run_all(page) -> None:
    labkit.run_all(page)
    page.wait_for_timeout(300)  # the last widget views render after the kernel's final message


def bank_texts(stem: str) -> tuple[list[str], list[str]]:
    """(explanations, right answers as text) of every question of the notebook, from the bank."""
    items = notebook_bank(REPO / "source" / ASSIGNMENT / f"{stem}.ipynb")
    explanations = [text for item in items for text in item.key.explanations.values()]
    return explanations, [item.id for item in items]


@pytest.mark.parametrize("stem", KINDS)
def test_a_student_runs_the_notebook(page, lab, stem: str) -> None:
    open_notebook(page, lab, f"student/{stem}.ipynb")
    run_all(page)
    page.locator(f"{PANEL} .wb-quiz").first.wait_for(timeout=60_000)
    text = text_of_notebook(page)
    explanations, _ = bank_texts(stem)
    shown = [e for e in explanations if " ".join(e.split()) in text]
    assert shown == [], "an explanation is on screen before any answer"
    assert page.locator(f"{PANEL} .wb-quiz-explanations").count() == 0
    hidden_inputs = page.locator(f"{PANEL} .jp-Cell .jp-InputPlaceholder").count()
    assert hidden_inputs == 0, "a collapsed cell could hide a key"
    assert "quiz.key" not in text and "quiz.grade" not in text
    if stem in ("04_cost_crossover", "05_match_use_cases", "07_decision_framework"):
        assert assert_no_maths_in_prices(page) > 0, "the notebook has prices to check"
    assert assert_widgets_fit(page, 1024) > 0, "the notebook has widgets to measure"
    if stem in ("01_what_open_means", "04_cost_crossover"):
        assert STUB_NOTE in text


def test_mathjax_runs_here_so_the_price_check_means_something(page, lab) -> None:
    open_notebook(page, lab, "control.ipynb")
    page.locator(f"{PANEL} mjx-container, {PANEL} .MathJax").first.wait_for(timeout=30_000)


def _run_cell(page, index: int) -> None:
    """Run one cell and wait until it has run (its prompt shows an execution number).

    On a loaded machine the first Shift+Enter can reach the notebook before its kernel session is attached and is
    dropped without a trace; then it is pressed once more.
    """
    cell = page.locator(f"{PANEL} .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in (1, 2):
        cell.scroll_into_view_if_needed()
        prompt.click()
        page.keyboard.press("Shift+Enter")
        try:
            wait_until(page, "(el) => /\\[\\d+\\]/.test(el.textContent)", arg=prompt.element_handle(), timeout=60_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_for_kernel(page)


def _cell_index(path: Path, predicate) -> int:
    cells = nbformat.read(str(path), as_version=4).cells
    return next(i for i, cell in enumerate(cells) if predicate(cell))


def test_a_quiz_before_the_setup_cell_and_a_test_before_its_exercise_say_what_to_do(page, lab) -> None:
    path = lab.root / "student" / "01_what_open_means.ipynb"
    close_documents(page)
    lab.stop_kernels()  # an earlier test ran this notebook's setup cell in a kernel that would still be running
    open_notebook(page, lab, "student/01_what_open_means.ipynb")
    quiz = _cell_index(path, lambda c: c.cell_type == "code" and "quiz.show(" in c.source)
    _run_cell(page, quiz)
    note = page.locator(f"{PANEL} .wb-name-error").first
    note.wait_for(timeout=45_000)
    assert "run the notebook's setup cell first" in note.inner_text()
    test = _cell_index(
        path,
        lambda c: (
            c.cell_type == "code"
            and c.metadata.get("nbgrader", {}).get("grade")
            and "quiz.show(" not in c.source
            and "assert" in c.source
        ),
    )
    _run_cell(page, _cell_index(path, lambda c: c.metadata.get("nbgrader", {}).get("grade_id") == "setup"))
    _run_cell(page, test)
    notes = page.locator(f"{PANEL} .wb-name-error")
    wait_until(
        page, "(sel) => document.querySelectorAll(sel).length >= 2", arg=f"{PANEL} .wb-name-error", timeout=90_000
    )
    assert "replace raise NotImplementedError()" in notes.nth(1).inner_text()


def test_validate_lists_unanswered_graded_questions(page, lab) -> None:
    open_notebook(page, lab, "student/01_what_open_means.ipynb")
    page.locator(f"{PANEL} button:has-text('Validate'), {PANEL} [title*='Validate']").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    wait_until(
        page,
        "() => /not answered yet|Success|failed/i.test(document.querySelector('.jp-Dialog').textContent)",
        timeout=180_000,
    )
    words = dialog.inner_text()
    assert "Success" not in words
    source = REPO / "source" / ASSIGNMENT / "01_what_open_means.ipynb"
    graded = [item.id for item in notebook_bank(source) if item.graded]
    assert graded
    for question_id in graded:
        assert f"Graded question '{question_id}' is not answered yet" in words, words[-2000:]


def test_make_lab_settings_hide_nbgrader_tools(tmp_path) -> None:
    """What `make lab` starts JupyterLab with, as its page receives it: nbgrader's lab extension (its menus, panels
    and Validate button) off, no build check, no formgrader. That a lab extension switched off this way is gone from
    the page in a real browser is the Binder walk's check (tests/binder: the same page setting, from postBuild)."""
    env = private_env(tmp_path)
    env.update(prepare(tmp_path / "learner-lab"))
    work = tmp_path / "work"
    shutil.copytree(REPO / "notebooks", work, ignore=shutil.ignore_patterns("*.answers.json"))
    server = start_server(tmp_path, root=work, env=env)
    try:
        assert server.get("formgrader") == 404
        config = server.page_config("lab/tree/00_start.ipynb")
        assert NBGRADER_LAB_EXTENSION in config["disabledExtensions"]
        installed = [extension["name"] for extension in config["federated_extensions"]]
        assert NBGRADER_LAB_EXTENSION in installed, "the check means nothing"
        assert config["buildCheck"] is False and config["buildAvailable"] is False
    finally:
        stop_server(server)
