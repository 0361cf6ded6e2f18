"""Every way of making feedback is leak-free: formgrader's "Generate Feedback" button (clicked in a real
JupyterLab + formgrader in Debian's chromium), ``nbgrader generate_feedback``, and ``python -m workbook feedback``.

nbgrader's own default shows hidden tests, graded quiz keys with their explanations and test tracebacks; the
course's nbgrader_config.py names the preprocessors that remove them, so all three paths share one rule.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, grade, notebooks, one_of_each_course, submit
from tests.labkit import private_env, start_server, stop_server
from tests.nbgrader_helpers import nbgrader, run
from tests.test_grading_parallel import _secrets, page_text

pytestmark = pytest.mark.slow
STUDENT = "bo"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    course, env = one_of_each_course(tmp_path_factory, tmp_path_factory.mktemp("formgrader"))
    submit(course, STUDENT, "partly_wrong")  # failing hidden tests: tracebacks that would quote them
    graded = grade(course, env)
    assert graded.returncode == 0, graded.stdout + graded.stderr[-3000:]
    return course, env


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failed_test_lines(autograded_nb) -> list[str]:
    """The "---->" lines of failed test cells' tracebacks that quote the test cell's own code."""
    lines = []
    for cell in autograded_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                text = ANSI.sub("", "\n".join(output.get("traceback", [])))
                for line in text.splitlines():
                    quoted = line.partition("---->")[2].split(maxsplit=1)[1:]  # "----> 4 assert ..." -> code
                    if quoted and quoted[0].strip() in cell.source:  # a line of this test, not of a student's cell
                        lines.append(" ".join(line.split()))
    return lines


def leaks(course: Path) -> tuple[int, list[str]]:
    """(pages read, hidden lines, key explanations or test tracebacks found in them).

    Fails if the autograded notebooks did not hold such material in the first place (the check would be empty).
    """
    found, pages, seeded, traced = [], 0, 0, 0
    for stem, source_nb, release_nb in notebooks(course):
        secrets = _secrets(source_nb, release_nb)
        path = course / "autograded" / STUDENT / ASSIGNMENT / f"{stem}.ipynb"
        autograded = path.read_text()
        seeded += any(json.dumps(secret)[1:-1] in autograded for secret in secrets)
        tracebacks = failed_test_lines(nbformat.read(str(path), as_version=4))
        traced += len(tracebacks)
        text = " ".join(page_text(course / "feedback" / STUDENT / ASSIGNMENT / f"{stem}.html").split())
        pages += 1
        found += [f"{stem}: {secret[:60]}" for secret in secrets if secret in text]
        found += [f"{stem} traceback: {line[:60]}" for line in tracebacks if line in text]
    assert seeded >= 2, "not a real check: the autograded notebooks (01, 05) should hold hidden tests and keys"
    assert traced >= 1, "not a real check: some test of this student should have failed with a traceback"
    return pages, found


def test_formgrader_generate_feedback_button_writes_pages_without_hidden_tests_or_keys(graded_course, chromium):
    course, _ = graded_course
    shutil.rmtree(course / "feedback", ignore_errors=True)
    base = course.parent / "lab"
    base.mkdir(exist_ok=True)
    env = private_env(base)
    env.pop("WORKBOOK_DB_URL", None)  # formgrader finds the course's gradebook through gradebook.url
    server = start_server(base, "lab", root=course, env=env)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/formgrader/manage_assignments?token={server.token}")
        button = page.locator(".generate-feedback a").first
        button.wait_for(timeout=60_000)
        button.click()
        page.locator("#success-modal").wait_for(timeout=240_000)
        assert "Successfully generated feedback" in page.locator("#success-modal").inner_text()
    finally:
        context.close()
        stop_server(server)
    pages, found = leaks(course)
    assert pages == len(notebooks(course))
    assert not found, found[:5]
    written = page_text(course / "feedback" / STUDENT / ASSIGNMENT / "07_decision_framework.html")
    assert "Not graded yet." in written, "the button's pages also say which answers wait for hand grading"


def test_nbgrader_generate_feedback_command_is_leak_free_too(graded_course) -> None:
    course, env = graded_course
    shutil.rmtree(course / "feedback", ignore_errors=True)
    made = nbgrader(["generate_feedback", ASSIGNMENT, "--force"], course, env)
    assert made.returncode == 0, made.stderr[-3000:]
    pages, found = leaks(course)
    assert pages and not found, found[:5]


def test_workbook_feedback_refuses_a_config_that_would_leak(graded_course) -> None:
    course, env = graded_course
    config = course / "nbgrader_config.py"
    original = config.read_text()
    try:
        config.write_text(original.replace('"workbook.grading.feedback.HideHiddenTests",', ""))
        refused = run([sys.executable, "-m", "workbook", "feedback", ASSIGNMENT], course, env)
    finally:
        config.write_text(original)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "HideHiddenTests" in refused.stderr and "Traceback" not in refused.stderr
