"""A learner's walk through one notebook of each kind, in both editions, in Debian's chromium.

Kinds: quizzes with a code exercise (01), the cost panel (04), matching (05), the written exercise (07).
For each: Run All, then no answer key on screen or in a collapsed cell of the student edition, no MathJax inside
prose with prices, every widget inside a 1024 px window; and the friendly moments: a quiz before the setup cell,
a test before its exercise, the note on `raise NotImplementedError()`, Validate listing unanswered graded
questions, `make lab` settings without nbgrader's tools, the save time in the learner's time zone.

Screenshots (matching quiz and cost panel at 1024 px light and 1400 px dark) go to ``.screenshots/learners/``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import labkit
from tests.conftest import REPO
from tests.labkit import (
    change_theme,
    close_documents,
    open_notebook,
    private_env,
    start_server,
    stop_server,
    wait_for_kernel,
)
from workbook.editions.bank import notebook_bank
from workbook.learnerlab import NBGRADER_LAB_EXTENSION, prepare

pytestmark = pytest.mark.browser

ASSIGNMENT = "open_vs_closed"
KINDS = ["01_what_open_means", "04_cost_crossover", "05_match_use_cases", "07_decision_framework"]
EDITIONS = {"student": f"release/{ASSIGNMENT}", "learner": "notebooks"}
SHOTS = REPO / ".screenshots" / "learners"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
LEARNER_ZONE = "Pacific/Auckland"  # far from the server's clock, whatever it is
# notebook -> (its showcase widget, the screenshot's name)
SHOT_WIDGETS = {
    "05_match_use_cases": (".wb-quiz-matching", "matching"),
    "04_cost_crossover": (".costs-panel", "cost-panel"),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab (nbgrader's tools on, friendly kernels) serving copies of both editions."""
    base = tmp_path_factory.mktemp("learner-walk")
    work = base / "work"
    for edition, folder in EDITIONS.items():
        shutil.copytree(REPO / folder, work / edition, ignore=shutil.ignore_patterns("*.answers.json"))
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
    """One learner's page for the module: each test opens its notebook inside the JupyterLab already loaded."""
    context = chromium.new_context(viewport={"width": 1024, "height": 900}, timezone_id=LEARNER_ZONE)
    page = context.new_page()
    yield page
    context.close()


def run_all(page) -> None:
    labkit.run_all(page)
    page.wait_for_timeout(300)  # the last widget views render after the kernel's final message


def visible_text(page) -> str:
    return page.locator(PANEL).inner_text()


def bank_texts(stem: str) -> tuple[list[str], list[str]]:
    """(explanations, right answers as text) of every question of the notebook, from the bank."""
    items = notebook_bank(REPO / "source" / ASSIGNMENT / f"{stem}.ipynb")
    explanations = [text for item in items for text in item.key.explanations.values()]
    return explanations, [item.id for item in items]


def assert_widgets_fit(page, width: int) -> None:
    boxes = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent).map(e => {
            const r = e.getBoundingClientRect();
            const parts = [...e.querySelectorAll('*')].filter(c => c.offsetParent).map(c => c.getBoundingClientRect());
            return [e.className.split(' ')[0], Math.min(r.left, ...parts.map(p => p.left)),
                    Math.max(r.right, ...parts.map(p => p.right))]; })""",
        ".jp-NotebookPanel:not(.lm-mod-hidden) .wb-quiz, .jp-NotebookPanel:not(.lm-mod-hidden) .costs-panel, "
        ".jp-NotebookPanel:not(.lm-mod-hidden) .wb-writing-check, .jp-NotebookPanel:not(.lm-mod-hidden) "
        ".wb-rubric",
    )
    for name, left, right in boxes:
        assert left >= 0 and right <= width, f"{name} spans {left:.0f}-{right:.0f} px in a {width} px window"
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')]
            .filter(e => e.querySelector('.wb-quiz, .costs-panel, .wb-writing-check, .wb-rubric'))
            .filter(e => e.scrollWidth > e.clientWidth + 2).length"""
    )
    assert overflow == 0, f"{overflow} widget outputs scroll sideways"


def assert_no_maths_in_prices(page) -> int:
    """No MathJax element inside a prose paragraph or list item that has a price; returns how many were checked."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown p,'
              + '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown li')]
            .filter(e => /USD|\\$/.test(e.textContent))
            .map(e => e.querySelectorAll('.MathJax, mjx-container').length)"""
    )
    assert all(count == 0 for count in found), "a price paragraph was typeset as maths"
    return len(found)


@pytest.mark.parametrize("stem", KINDS)
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_a_learner_runs_the_notebook(page, lab, edition: str, stem: str) -> None:
    open_notebook(page, lab, f"{edition}/{stem}.ipynb")
    run_all(page)
    page.locator(f"{PANEL} .wb-quiz").first.wait_for(timeout=60_000)
    text = visible_text(page)
    explanations, _ = bank_texts(stem)
    if edition == "student":
        flat = " ".join(text.split())
        shown = [e for e in explanations if " ".join(e.split()) in flat]
        assert shown == [], "an explanation is on screen before any answer"
        hidden_inputs = page.locator(f"{PANEL} .jp-Cell .jp-InputPlaceholder").count()
        assert hidden_inputs == 0, "a collapsed cell could hide a key"
        assert "quiz.key" not in text and "quiz.grade" not in text
    for quiz in page.locator(f"{PANEL} .wb-quiz").all():
        assert quiz.locator(".wb-quiz-explanations").count() == 0 or edition == "learner"
    if stem in ("04_cost_crossover", "05_match_use_cases", "07_decision_framework"):
        assert assert_no_maths_in_prices(page) > 0, "the notebook has prices to check"
    assert_widgets_fit(page, 1024)
    if edition == "learner" and stem in SHOT_WIDGETS:
        screenshot(page, stem, 1024, "JupyterLab Light")
        dark_and_wide(page, stem)
    if stem in ("01_what_open_means", "04_cost_crossover"):
        assert "replace the lines # YOUR CODE HERE and raise NotImplementedError()" in " ".join(text.split())


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
            page.wait_for_function(
                "(el) => /\\[\\d+\\]/.test(el.textContent)", arg=prompt.element_handle(), timeout=60_000
            )
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
    page.wait_for_function(
        "(sel) => document.querySelectorAll(sel).length >= 2", arg=f"{PANEL} .wb-name-error", timeout=90_000
    )
    assert "replace raise NotImplementedError()" in notes.nth(1).inner_text()


def test_validate_lists_unanswered_graded_questions(page, lab) -> None:
    open_notebook(page, lab, "student/01_what_open_means.ipynb")
    page.locator(f"{PANEL} button:has-text('Validate'), {PANEL} [title*='Validate']").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    page.wait_for_function(
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


def test_the_save_time_is_in_the_learners_time_zone(page, lab) -> None:
    open_notebook(page, lab, "learner/05_match_use_cases.ipynb")
    run_all(page)
    quiz = page.locator(f"{PANEL} .wb-quiz-matching").first
    quiz.locator(".wb-quiz-term").first.click()
    quiz.locator(".wb-quiz-definition").first.click()
    clock = quiz.locator(".wb-quiz-saved-time input")
    clock.wait_for(state="visible", timeout=30_000)
    shown = dt.datetime.fromisoformat(clock.input_value())
    there = dt.datetime.now(ZoneInfo(LEARNER_ZONE)).replace(tzinfo=None)
    assert abs((there - shown).total_seconds()) < 180, (shown, there)


def screenshot(page, stem: str, width: int, theme: str) -> None:
    """The notebook's showcase widget (see SHOT_WIDGETS), as a learner sees it after Run All."""
    selector, name = SHOT_WIDGETS[stem]
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": 1800})  # tall enough to hold the whole cost panel
    widget = page.locator(f"{PANEL} {selector}").first
    widget.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    widget.screenshot(path=str(SHOTS / f"{name}-{width}-{theme.split()[-1].lower()}.png"))
    page.set_viewport_size(before)


def dark_and_wide(page, stem: str) -> None:
    """The notebook just run, again in the dark theme at 1400 px: its screenshot, and every widget fits.

    (Switched on the page as it is: running the notebook again would cost a kernel and seconds of drawing.)
    """
    size = page.viewport_size
    change_theme(page, "JupyterLab Dark")
    page.set_viewport_size({"width": 1400, "height": 1800})
    try:
        screenshot(page, stem, 1400, "JupyterLab Dark")
        assert_widgets_fit(page, 1400)
    finally:
        change_theme(page, "JupyterLab Light")
        page.set_viewport_size(size)


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
