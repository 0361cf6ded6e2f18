"""A class on the real hub, in Debian's chromium: release, two students work and submit in JupyterLab, one
resubmits, the instructor collects, autogrades, grades a written answer in the formgrader and returns feedback,
and each student fetches it in the Assignments tab.

Expected scores are worked out from the instructor's files and the rules in ``course_answers`` (never from the
grader's output): student 1 ends with the MC keys, the model code and one right pair; student 2 with one right
and one wrong MC answer, wrong code and one wrong pair.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.hub import course_answers as ca
from tests.hubkit import COURSE_ID, CourseHub
from tests.labkit import (
    QUIET_SETTINGS,
    click_until,
    menu_command,
    open_in_lab,
    record_build_checks,
    run_all,
    save_evidence,
    wait_until,
)

pytestmark = [pytest.mark.hub, pytest.mark.browser]

ASSIGNMENT = ca.ASSIGNMENT
# Windowed notebooks leave far cells out of the page; a person scrolls, a test wants every cell in the DOM.
TEST_SETTINGS = {
    **QUIET_SETTINGS,
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
SUBMITTED_AT = re.compile(r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC\s*$")  # one row per submission
MANUAL_SCORES = {1: 2.0, 2: 1.0}  # what the instructor gives each student's written recommendation (of 3)


def prepare_settings(hub: CourseHub, user: str) -> None:
    """The student's own JupyterLab settings: no news popup, every cell rendered, the app exposed to the test."""
    folder = hub.home(user) / ".jupyter" / "lab" / "user-settings"
    for name, values in TEST_SETTINGS.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    page_config = hub.home(user) / ".jupyter" / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True, exist_ok=True)
    page_config.write_text(json.dumps({"exposeAppInBrowser": True}))
    shutil.chown(hub.home(user) / ".jupyter", user, user)
    for path in (hub.home(user) / ".jupyter").rglob("*"):
        shutil.chown(path, user, user)


def login(page: Page, hub: CourseHub, user: str, password: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=120_000)
    page.wait_for_selector(".jp-LabShell", timeout=60_000)


def assignments_tab(page: Page) -> None:
    menu_command(page, "Nbgrader", "nbgrader:open-assignment-list")
    page.wait_for_selector("#nbgrader-assignment-list", timeout=30_000)


def wait_for(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def fully_written(feedback: Path, stem: str) -> bool:
    """Whether the feedback page of one notebook has arrived in the student's folder, to its last line."""
    return any(
        page.read_text(errors="replace").rstrip().endswith("</html>") for page in feedback.glob(f"*/{stem}.html")
    )


def open_notebook(page: Page, stem: str) -> None:
    """Open the notebook inside the student's JupyterLab (loaded at log-in) and run it."""
    open_in_lab(page, f"{ASSIGNMENT}/{stem}.ipynb")
    run_all(page)
    page.wait_for_selector(".wb-quiz", timeout=60_000)


def save(page: Page) -> None:
    page.keyboard.press("Control+s")
    # the tab loses its dirty mark (edited cells keep theirs until they run again)
    wait_until(page, "() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=30_000)


def stored(hub: CourseHub, user: str, stem: str) -> dict:
    path = hub.home(user) / ASSIGNMENT / f"{stem}.answers.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return {}
    answers = data.get("answers", data)
    return {key: value.get("value", value) if isinstance(value, dict) else value for key, value in answers.items()}


def choose(page: Page, hub: CourseHub, user: str, question: ca.Question, option: str) -> None:
    box = page.locator(f".wb-quiz-id-{question.question_id}")
    by_class = box.locator(f".wb-quiz-option-{option}")
    label = by_class if by_class.count() else box.locator("label", has_text=question.options[option][:50])
    click_until(label.first, label.locator("input:checked"))
    wait_for(lambda: stored(hub, user, ca.QUIZ_NB).get(question.question_id) == option, f"{user} saves {option}")


def match(page: Page, hub: CourseHub, user: str, term: str, definition: str) -> None:
    chosen = page.locator(f".wb-quiz-term-{term}")
    click_until(chosen, page.locator(f".wb-quiz-term-{term}.wb-quiz-selected"))
    page.locator(f".wb-quiz-definition-{definition}").click()
    wait_for(
        lambda: (stored(hub, user, ca.MATCH_NB).get(ca.MATCH_QUESTION) or {}).get(term) == definition,
        f"{user} saves the pair {term}",
    )


def replace_cell_text(page: Page, index: int, text: str, markdown: bool = False) -> None:
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    if markdown:
        cell.dblclick()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")


def submit(page: Page, submissions_before: int) -> None:
    assignments_tab(page)
    row = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT)
    row.locator("button", has_text="Submit").click()
    stamps = page.locator("#submitted_assignments_list").get_by_text(SUBMITTED_AT)
    expect(stamps).to_have_count(submissions_before + 1, timeout=60_000)


def student_works(page: Page, hub: CourseHub, course: Path, user: str, number: int) -> None:
    """Fetch, answer quizzes, a matching pair, the code exercise and a written answer; save; submit."""
    login(page, hub, user, hub.students[user])
    assignments_tab(page)
    page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT).locator(
        "button", has_text="Fetch"
    ).click()
    expect(page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT)).to_be_visible(timeout=60_000)

    first_choice, second_choice = (ca.question(course, ca.QUIZ_NB, q) for q in ca.graded_choices(course))
    open_notebook(page, ca.QUIZ_NB)
    if number == 1:  # right, then wrong (changed before the resubmission)
        choose(page, hub, user, first_choice, first_choice.answer)
        choose(page, hub, user, second_choice, ca.wrong_option(second_choice))
        code = ca.model_solution(course, ca.QUIZ_NB, ca.CODE_CELL)
    else:  # wrong, right
        choose(page, hub, user, first_choice, ca.wrong_option(first_choice))
        choose(page, hub, user, second_choice, second_choice.answer)
        code = 'free_at_800m_users = ["Mistral 7B"]'
    notebook = hub.home(user) / ASSIGNMENT / f"{ca.QUIZ_NB}.ipynb"
    replace_cell_text(page, ca.cell_index(notebook, ca.CODE_CELL), code)
    save(page)
    assert ca.cell_source(notebook, ca.CODE_CELL) == code

    matching = ca.question(course, ca.MATCH_NB, ca.MATCH_QUESTION)
    open_notebook(page, ca.MATCH_NB)
    term, definition = sorted(matching.answer.items())[0]
    if number == 2:  # a wrong pair: the definition of another term
        definition = next(d for t, d in sorted(matching.answer.items()) if d != definition)
    match(page, hub, user, term, definition)

    open_notebook(page, ca.WRITING_NB)
    writing = hub.home(user) / ASSIGNMENT / f"{ca.WRITING_NB}.ipynb"
    text = f"Student {number} recommends an open-weights model for project A, hosted in-house."
    replace_cell_text(page, ca.cell_index(writing, ca.WRITTEN_CELL), text, markdown=True)
    save(page)
    assert ca.cell_source(writing, ca.WRITTEN_CELL) == text
    submit(page, 0)


def resubmit_with_changed_answer(page: Page, hub: CourseHub, course: Path, user: str) -> None:
    second_choice = ca.question(course, ca.QUIZ_NB, ca.graded_choices(course)[1])
    open_notebook(page, ca.QUIZ_NB)
    choose(page, hub, user, second_choice, second_choice.answer)
    save(page)
    submit(page, 1)


def grader_python(hub: CourseHub, code: str) -> object:
    """Run Python as the grader in the course folder; it prints one JSON value."""
    done = hub.as_user(hub.grader, [hub.python, "-c", code], cwd=hub.course_root)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


GRADEBOOK = """
import json
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader
cfg = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()
with Gradebook(cfg.CourseDirectory.db_url) as gb:
    {body}
"""


def scores(hub: CourseHub, students: list[str]) -> dict[str, dict[str, float]]:
    """Each student's score per notebook, from the gradebook (one grader Python for all: each costs seconds)."""
    body = (
        f"print(json.dumps({{s: {{nb.name: nb.score for nb in gb.find_submission({ASSIGNMENT!r}, s).notebooks}} "
        f"for s in {students!r}}}))"
    )
    return grader_python(hub, GRADEBOOK.format(body=body))


def submission_ids(hub: CourseHub, students: list[str], notebook: str) -> dict[str, str]:
    """The formgrader's id of each student's submitted ``notebook``."""
    body = (
        f"print(json.dumps({{s: gb.find_submission_notebook({notebook!r}, {ASSIGNMENT!r}, s).id "
        f"for s in {students!r}}}))"
    )
    return grader_python(hub, GRADEBOOK.format(body=body))


def enter_manual_grade(page: Page, hub: CourseHub, submission: str, score: float) -> None:
    page.goto(f"{hub.url}/services/{COURSE_ID}/formgrader/submissions/{submission}/")
    field = page.locator(f"input.score#{ca.WRITTEN_CELL}")
    expect(field).to_be_visible(timeout=60_000)
    page.wait_for_load_state("networkidle")  # the page's scripts have fetched the grades and bound their handlers
    saved = lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT"  # noqa: E731
    with page.expect_response(saved, timeout=60_000) as answer:
        field.fill(str(score))
        field.press("Tab")  # the formgrader saves on change
    assert answer.value.ok


def expected_scores(course: Path) -> dict[str, dict[str, float]]:
    first_choice, second_choice = (ca.question(course, ca.QUIZ_NB, q) for q in ca.graded_choices(course))
    matching = ca.question(course, ca.MATCH_NB, ca.MATCH_QUESTION)
    code = ca.points_of(course, ca.QUIZ_NB, ca.CODE_TESTS)
    one_pair = matching.points / len(matching.answer)
    return {
        "1": {
            ca.QUIZ_NB: first_choice.points + second_choice.points + code,
            ca.MATCH_NB: one_pair,
            ca.WRITING_NB: MANUAL_SCORES[1],
        },
        "2": {ca.QUIZ_NB: second_choice.points, ca.MATCH_NB: 0.0, ca.WRITING_NB: MANUAL_SCORES[2]},
    }


def test_a_class_on_the_hub(released: CourseHub, chromium):
    hub = released
    course = hub.base / "checkout"
    first, second = sorted(hub.students)[:2]
    for user in (first, second):
        prepare_settings(hub, user)
    started = time.monotonic()

    contexts = {user: chromium.new_context(viewport={"width": 1280, "height": 1000}) for user in (first, second)}
    pages = {user: contexts[user].new_page() for user in contexts}
    build_checks = {user: record_build_checks(page) for user, page in pages.items()}  # the hub turns it off
    try:
        student_works(pages[first], hub, course, first, 1)
        student_works(pages[second], hub, course, second, 2)
        resubmit_with_changed_answer(pages[first], hub, course, first)

        # Student 1 cannot read student 2's work: not in the exchange, not on disk.
        for folder in (hub.exchange / COURSE_ID / "inbound", hub.home(second), hub.home(second) / ASSIGNMENT):
            done = hub.as_user(first, ["ls", str(folder)])
            assert done.returncode != 0 and "Permission denied" in done.stderr, folder
        done = hub.as_user(first, ["cat", str(hub.home(second) / ASSIGNMENT / f"{ca.QUIZ_NB}.answers.json")])
        assert done.returncode != 0

        # The instructor collects and autogrades (the command an instructor types, as the grader).
        collected = hub.nbgrader(hub.grader, "collect", ASSIGNMENT)
        assert collected.returncode == 0, collected.stderr
        store = json.loads(
            (hub.course_root / "submitted" / first / ASSIGNMENT / f"{ca.QUIZ_NB}.answers.json").read_text()
        )
        assert json.dumps(store).count(ca.question(course, ca.QUIZ_NB, ca.graded_choices(course)[1]).answer), (
            "resubmission"
        )
        grading_started = time.monotonic()
        graded = hub.workbook("grade", ASSIGNMENT)
        assert graded.returncode == 0, graded.stdout + graded.stderr
        print(f"\nworkbook grade: 2 students x 3 notebooks in {time.monotonic() - grading_started:.0f} s")

        # ... grades the written answers in the formgrader, logged in to the hub as the grader.
        instructor = chromium.new_context(viewport={"width": 1280, "height": 1000})
        try:
            page = instructor.new_page()
            page.goto(f"{hub.url}/hub/login?next=/services/{COURSE_ID}/formgrader")
            page.fill("#username_input", hub.grader)
            page.fill("#password_input", hub.grader_password)
            page.click("#login_submit")
            page.wait_for_url(re.compile(r"/formgrader/manage_assignments"), timeout=60_000)
            expect(page.locator("body")).to_contain_text(ASSIGNMENT, timeout=30_000)
            ids = submission_ids(hub, [first, second], ca.WRITING_NB)
            for number, student in ((1, first), (2, second)):
                enter_manual_grade(page, hub, ids[student], MANUAL_SCORES[number])
        finally:
            instructor.close()

        expected = expected_scores(course)
        graded_scores = scores(hub, [first, second])
        for number, student in ((1, first), (2, second)):
            got = graded_scores[student]
            assert {nb: got[nb] for nb in expected[str(number)]} == pytest.approx(expected[str(number)]), student

        # ... and returns feedback without hidden tests.
        feedback = hub.workbook("feedback", ASSIGNMENT)
        assert feedback.returncode == 0, feedback.stdout + feedback.stderr
        assert hub.nbgrader(hub.grader, "release_feedback", ASSIGNMENT).returncode == 0

        # Each student fetches feedback in the Assignments tab and reads their own score.
        for number, student in ((1, first), (2, second)):
            page = pages[student]
            assignments_tab(page)
            page.locator("#submitted_assignments_list button", has_text="Fetch Feedback").first.click()
            folder = hub.home(student) / ASSIGNMENT / "feedback"
            # nbgrader copies the pages one by one: wait for the whole page this check reads, not the first file.
            wait_for(lambda folder=folder: fully_written(folder, ca.QUIZ_NB), f"{student}'s feedback")
            page_file = sorted(folder.glob(f"*/{ca.QUIZ_NB}.html"))[-1]
            page.goto(f"{hub.url}/user/{student}/files/{quote(str(page_file.relative_to(hub.home(student))))}")
            text = page.locator("body").inner_text()
            total = expected[str(number)][ca.QUIZ_NB]
            assert re.search(rf"Score:\s*{total:g}(\.0+)?\s*/", text), text[:500]
            assert "HIDDEN TESTS" not in text and "expected = {" not in text
            assert page_file.stat().st_uid == __import__("pwd").getpwnam(student).pw_uid
        assert build_checks == {first: [], second: []}
    except BaseException:
        for user, page in pages.items():
            save_evidence(page, f"hub-{'first' if user == first else 'second'}-student")
        raise
    finally:
        for context in contexts.values():
            context.close()
    print(f"\nhub end-to-end: {time.monotonic() - started:.0f} s in the browser and grading")
