"""A new self-learner on Binder, as a test: a fresh venv with exactly requirements.txt, postBuild applied,
JupyterLab started as Binder starts it, and Debian's chromium opening the launch link.

The learner lands on the start page, tries its practice check, saves their work as a zip (and downloads it),
restores a bundle (a wrong file first), then follows the start page's links to every notebook and runs each in a
1024 px window: no error output anywhere, every widget drawn and inside the window, no price typeset as maths,
practice feedback on a click, the model answers open, the save time in the learner's time zone; the cost panel and
the matching quiz are photographed in the light theme and, at 1400 px, the dark one (``.screenshots/learners/``).
Slow: it installs the requirements once (cached by their hash) and drives a real browser.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest
from playwright.sync_api import expect

from tests.binder.binder_env import BinderEnv, clean_env
from tests.binder.binder_lab import launch_url
from tests.labkit import (
    VISIBLE_NOTEBOOK,
    JupyterServer,
    click_until,
    run_all,
    save_evidence,
    wait_for_kernel,
    wait_until,
)
from tests.learner_view import (
    SHOWCASE_WIDGETS,
    STUB_NOTE,
    assert_no_maths_in_prices,
    assert_widgets_fit,
    showcase_light_and_dark,
    text_of_notebook,
)
from workbook.core.answer_store import AnswerStore

pytestmark = pytest.mark.browser

START = "00_start.ipynb"
PANEL = VISIBLE_NOTEBOOK
NBGRADER_SERVER_EXTENSIONS = ("formgrader", "assignment_list", "course_list", "validate_assignment")
BROKEN_WIDGET_TEXTS = ("Error displaying widget", "Loading widget", "Failed to load model")
LEARNER_ZONE = "Pacific/Auckland"  # far from the server's clock, whatever it is
PRICED = ("04_cost_crossover.ipynb", "05_match_use_cases.ipynb", "07_decision_framework.ipynb")


@dataclass(frozen=True)
class Question:
    """A quiz question as the notebook declares it."""

    id: str
    kind: str  # MultipleChoice or Matching
    options: dict[str, str]
    several: bool


def questions_of(path: Path) -> list[Question]:
    """Every quiz question a notebook shows (``quiz.show(id)`` cells), from the question file beside it."""
    data = json.loads(path.with_name(f"{path.stem}.quiz.json").read_text(encoding="utf-8"))
    by_id = {entry["id"]: entry for entry in data["questions"]}
    found = []
    for cell in nbformat.read(str(path), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for question_id in re.findall(r"""quiz\.show\(["']([a-z0-9_]+)["']\)""", cell.source):
            entry = by_id[question_id]
            kind = "Matching" if entry["type"] == "matching" else "MultipleChoice"
            found.append(Question(question_id, kind, entry.get("options", {}), bool(entry.get("several"))))
    return found


STUB = re.compile(r"^([ \t]*)# YOUR CODE HERE\n\1raise NotImplementedError\(\)", re.M)


def model_answers(path: Path) -> list[str]:
    """For each code exercise, its cell with the model answer in place of the stub, as a learner who opened the
    answer and pasted it in would have it."""
    cells = nbformat.read(str(path), as_version=4).cells
    filled = []
    for cell, below in zip(cells, cells[1:], strict=False):
        stub = STUB.search(cell.source) if cell.cell_type == "code" else None
        if stub and "<details>" in below.source:
            answer = re.search(r"```python\n(.*?)\n```", below.source, re.S)
            assert answer, f"{path.name}: a model answer without code"
            indented = "\n".join(stub.group(1) + line for line in answer.group(1).splitlines())
            filled.append(cell.source[: stub.start()] + indented + cell.source[stub.end() :])
    return filled


def linked_notebooks(path: Path) -> list[str]:
    """The notebooks the start page links to, in the order of its table."""
    text = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "markdown")
    names = re.findall(r"^\|\s*\d\d\s*\|\s*\[[^\]]+\]\((\d\d_[a-z_]+\.ipynb)\)", text, re.M)
    return list(dict.fromkeys(names))


# -- what a person waits for ---------------------------------------------------------------------------------


def active_tab_is(page, name: str) -> None:
    wait_until(
        page,
        """(name) => { const t = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
                       return !!t && t.textContent.trim() === name; }""",
        arg=name,
        timeout=60_000,
    )


# Scroll the notebook on screen down to its end, a screen at a time, as a learner reading it does: JupyterLab's
# default windowing draws off-screen cells only when idle or scrolled to, and a loaded machine is seldom idle.
READ_THROUGH = """async (panel) => {
    const scroller = document.querySelector(panel + ' .jp-WindowedPanel-outer');
    if (!scroller) return false;
    const frame = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    scroller.scrollTop = 0;
    for (let step = 0; step < 200; step++) {
        await frame();
        if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2) return true;
        scroller.scrollTop += scroller.clientHeight * 0.9;
    }
    return false;
}"""


def read_through(page, name: str) -> None:
    assert page.evaluate(READ_THROUGH, PANEL), f"{name}: could not scroll to the end of the notebook"


def check_clean_and_drawn(page, name: str, questions: list[Question]) -> None:
    """No error or warning output; every quiz widget and every other widget drawn."""
    panel = page.locator(PANEL)
    for question in questions:
        panel.locator(f".wb-quiz-id-{question.id} .wb-quiz-status").first.wait_for(state="attached", timeout=60_000)
    wait_until(
        page,
        """([sel, texts]) => { const p = document.querySelector(sel);
                              return !!p && texts.every(t => !p.textContent.includes(t)); }""",
        arg=[PANEL, list(BROKEN_WIDGET_TEXTS)],
        timeout=30_000,
    )
    errors = panel.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"{name}: error or warning output: {errors.first.text_content()[:500]}"
    widget_outputs = panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')
    for index in range(widget_outputs.count()):
        assert widget_outputs.nth(index).locator(".lm-Widget, .jupyter-widgets").count() > 0, (
            f"{name}: widget output {index} is empty"
        )


def paste_model_answers(page, path: Path) -> int:
    """Open each exercise's model answer, check it shows code, and paste that code over the stub."""
    panel = page.locator(PANEL)
    answers = model_answers(path)
    for number, filled in enumerate(answers):
        details = panel.locator(".jp-RenderedMarkdown details").nth(number)
        details.locator("summary").click()
        shown = details.locator("pre").first
        shown.wait_for(state="visible", timeout=10_000)
        lines = [line.strip() for line in shown.inner_text().splitlines() if line.strip()]
        assert lines and all(line in filled for line in lines), f"{path.name}: the model answer shows other code"
        cells = panel.locator(".jp-CodeCell")
        stub = cells.nth(
            next(i for i in range(cells.count()) if "raise NotImplementedError()" in cells.nth(i).text_content())
        )
        stub.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(filled)
        page.keyboard.press("Escape")
        assert "raise NotImplementedError()" not in stub.locator(".cm-content").text_content()
    assert panel.locator(".jp-CodeCell", has_text="raise NotImplementedError()").count() == 0
    return len(answers)


def check_saved_time_is_local(page, question: Question) -> None:
    """Make one pair of a matching question: the time it says the answer was saved is the learner's own."""
    quiz = page.locator(PANEL).locator(f".wb-quiz-id-{question.id}")
    click_until(quiz.locator(".wb-quiz-term").first, quiz.locator(".wb-quiz-term.wb-quiz-selected"))
    clock = quiz.locator(".wb-quiz-saved-time input")
    click_until(quiz.locator(".wb-quiz-definition").first, clock)
    shown = dt.datetime.fromisoformat(clock.input_value())
    there = dt.datetime.now(ZoneInfo(LEARNER_ZONE)).replace(tzinfo=None)
    assert abs((there - shown).total_seconds()) < 180, (shown, there)


def click_option(page, question: Question, option_id: str) -> None:
    """Choose an option of a multiple-choice question by clicking its text, until its button shows as chosen."""
    label = (
        page.locator(PANEL).locator(f".wb-quiz-id-{question.id}").locator("label", has_text=question.options[option_id])
    )
    click_until(label.first, label.locator("input:checked"))


# -- the tests -----------------------------------------------------------------------------------------------


def test_postbuild_ran_and_switched_off_nbgrader_tools(binder: BinderEnv, lab: JupyterServer, tmp_path: Path) -> None:
    env = clean_env(tmp_path, binder.venv)
    # What the running JupyterLab tells the page (`jupyter labextension list` says the same, but starts node).
    config = lab.page_config()
    assert "@jupyter/nbgrader" in config["disabledExtensions"], "nbgrader's lab extension is still on"
    assert any(e["name"] == "@jupyter/nbgrader" for e in config["federated_extensions"]), "the check means nothing"
    servers = subprocess.run(
        [str(binder.bin / "jupyter"), "server", "extension", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = servers.stdout + servers.stderr
    for extension in NBGRADER_SERVER_EXTENSIONS:
        states = re.findall(rf"nbgrader\.server_extensions\.{extension}\s+\S*(enabled|disabled)", output)
        assert states and states[-1] == "disabled", f"{extension} is not disabled:\n{output}"
    assert lab.get("formgrader") == 404, "the formgrader is still served"
    overrides = binder.venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    notification = json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}


def test_a_new_learner_works_through_the_course(lab: JupyterServer, browser, tmp_path: Path) -> None:
    notebooks = lab.root / "notebooks"
    links = linked_notebooks(notebooks / START)
    assert sorted(links) == sorted(p.name for p in notebooks.glob("*.ipynb")), "the start page misses notebooks"
    context = browser.new_context(
        viewport={"width": 1024, "height": 900}, accept_downloads=True, timezone_id=LEARNER_ZONE
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    timings: dict[str, float] = {}
    prices: dict[str, int] = {}
    try:
        started = time.perf_counter()
        page.goto(launch_url(lab))
        page.wait_for_selector(PANEL, timeout=90_000)
        active_tab_is(page, START)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "Run" in menus and not any("grader" in m.lower() for m in menus), menus

        # -- the start page: run it, practice check, save, restore ----------------------------------------
        run_all(page, timeout=120_000)
        read_through(page, START)
        start_questions = questions_of(notebooks / START)
        check_clean_and_drawn(page, START, start_questions)
        assert "official Jupyter news" not in page.inner_text("body"), "the news popup covers the start page"
        practice = start_questions[0]
        feedback = page.locator(PANEL).locator(f".wb-quiz-id-{practice.id} .wb-quiz-feedback")
        click_option(page, practice, "nothing_needed")
        page.locator(PANEL).locator(f".wb-quiz-id-{practice.id} .wb-quiz-incorrect").first.wait_for()
        expect(feedback).to_contain_text("every file in it is deleted")  # the text follows the mark
        click_option(page, practice, "save_and_restore")
        page.locator(PANEL).locator(f".wb-quiz-id-{practice.id} .wb-quiz-correct").first.wait_for()

        page.locator(PANEL).locator(".wb-session-save").click()
        link = page.locator(PANEL).locator("a.wb-session-download")
        link.wait_for(timeout=30_000)
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert re.fullmatch(r"my-work-\d{4}-\d\d-\d\d-\d{6}\.zip", saved.name)
        with zipfile.ZipFile(saved) as archive:
            assert set(links) <= set(archive.namelist())
            store = json.loads(archive.read("00_start.answers.json"))
        assert store["answers"][practice.id]["value"] == "save_and_restore"

        upload_button = page.locator(PANEL).locator(".wb-session-upload")

        def choose(path: Path) -> None:
            with page.expect_file_chooser() as chooser:
                upload_button.click()
            chooser.value.set_files(str(path))

        result = page.locator(PANEL).locator(".wb-session-restore-result")
        holiday = tmp_path / "holiday.zip"
        with zipfile.ZipFile(holiday, "w") as archive:
            archive.writestr("beach.jpg", b"\xff\xd8\xff")
        before = sorted(p.name for p in notebooks.iterdir())
        choose(holiday)
        page.locator(PANEL).locator(".wb-session-restore:not([disabled])").click()
        wait_until(
            page,
            "(sel) => document.querySelector(sel)?.textContent.includes('nothing was changed')",
            arg=f"{PANEL} .wb-session-restore-result",
            timeout=30_000,
        )
        assert sorted(p.name for p in notebooks.iterdir()) == before

        # last week's answer to lesson 1's first question comes back with a restore
        lesson1 = links[1]
        first = next(q for q in questions_of(notebooks / lesson1) if q.kind == "MultipleChoice" and not q.several)
        wrong_then = list(first.options)[0]
        last_week = tmp_path / "last_week"
        last_week.mkdir()
        AnswerStore(last_week / lesson1.replace(".ipynb", ".answers.json")).save(first.id, wrong_then)
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w") as archive:
            for path in last_week.iterdir():
                archive.write(path, path.name)
        (tmp_path / "my-work-last-week.zip").write_bytes(bundle.getvalue())
        choose(tmp_path / "my-work-last-week.zip")
        page.locator(PANEL).locator(".wb-session-restore:not([disabled])").click()
        wait_until(
            page,
            "(sel) => document.querySelector(sel)?.textContent.includes('Restored')",
            arg=f"{PANEL} .wb-session-restore-result",
            timeout=30_000,
        )
        assert "Added 1 file(s)" in result.text_content()
        timings[START] = time.perf_counter() - started

        # -- follow every link of the start page ------------------------------------------------------------
        for name in links[1:]:
            started = time.perf_counter()
            page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=START).first.click()
            active_tab_is(page, START)
            page.locator(PANEL).locator(f'.jp-RenderedMarkdown a[href*="{name}"]').first.click()
            active_tab_is(page, name)
            wait_for_kernel(page, timeout=90_000)
            pasted = paste_model_answers(page, notebooks / name)
            run_all(page, timeout=120_000)
            read_through(page, name)
            questions = questions_of(notebooks / name)
            check_clean_and_drawn(page, name, questions)
            assert assert_widgets_fit(page, 1024) > 0, f"{name}: no widget to measure"
            prices[name] = assert_no_maths_in_prices(page)
            if pasted:
                assert STUB_NOTE in text_of_notebook(page), f"{name}: no note on how to answer a code exercise"
            panel = page.locator(PANEL)
            if name == lesson1:  # the restored answer is back, with its feedback
                box = panel.locator(f".wb-quiz-id-{first.id}")
                checked = box.first.evaluate("b => b.querySelector('input:checked')?.closest('label')?.textContent")
                assert (checked or "").strip() == first.options[wrong_then]
                box.locator(".wb-quiz-incorrect").first.wait_for(state="attached")
            choice = next(
                (q for q in questions if q.kind == "MultipleChoice" and not q.several and q.id != first.id), None
            )
            if choice is not None:  # practice feedback on a click
                click_option(page, choice, list(choice.options)[-1])
                panel.locator(f".wb-quiz-id-{choice.id} .wb-quiz-verdict strong").first.wait_for(timeout=15_000)
                # (the verdict and the explanations are two widgets: the second can be drawn a moment later)
                explained = panel.locator(f".wb-quiz-id-{choice.id} .wb-quiz-explanations li")
                expect(explained, f"{name}: not every option is explained").to_have_count(len(choice.options))
            details = panel.locator(".jp-RenderedMarkdown details")
            if not pasted and details.count():  # a written exercise's model answer opens too
                details.first.locator("summary").click()
                body = details.first.evaluate(
                    "d => d.open && d.textContent.length - d.querySelector('summary').textContent.length"
                )
                assert body and body > 20, f"{name}: the model answer is empty"
            matching = next((q for q in questions if q.kind == "Matching"), None)
            if matching is not None:
                check_saved_time_is_local(page, matching)
            if Path(name).stem in SHOWCASE_WIDGETS:
                showcase_light_and_dark(page, Path(name).stem)
            timings[name] = time.perf_counter() - started
        assert all(prices[name] > 0 for name in PRICED), f"no price to check in some of {PRICED}: {prices}"
    except BaseException:
        save_evidence(page, "binder-walk")
        raise
    finally:
        print("\nseconds per notebook: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
        context.close()
