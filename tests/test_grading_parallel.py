"""``python -m workbook grade`` / ``feedback`` / ``export`` and the analytics notebook, on a copy of the course.

Four students: `correct`, `untouched`, `partly_wrong` (three answers spoiled, see test_nbgrader_end_to_end) and
`linker`, a correct submission that also holds a symbolic link to the gradebook. Expected scores come from the
notebooks' metadata.
"""

from __future__ import annotations

import csv
import html
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, code_scores, grade, notebooks, one_of_each_course, submit
from tests.kernels import execute
from tests.nbgrader_helpers import run, without_markers
from workbook.core.hidden import region_texts
from workbook.core.quiz_keys import quiz_keys

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course, env = one_of_each_course(tmp_path_factory, tmp_path_factory.mktemp("course"))
    expected = {
        name: submit(course, name, kind)
        for name, kind in [
            ("correct", "correct"),
            ("untouched", "untouched"),
            ("partly_wrong", "partly_wrong"),
            ("linker", "correct"),
        ]
    }
    (course / "submitted" / "linker" / ASSIGNMENT / "notes.txt").symlink_to(course / "gradebook.db")
    before = {p: p.read_bytes() for p in (course / "submitted").rglob("*") if p.is_file() and not p.is_symlink()}
    result = grade(course, env, "--workers", "2")
    return course, env, expected, result, before


def test_every_student_gets_exactly_the_metadata_score(graded) -> None:
    course, env, expected, result, _ = graded
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for student, per_notebook in expected.items():
        assert code_scores(env["WORKBOOK_DB_URL"], student) == pytest.approx(per_notebook), student
    assert sum(expected["partly_wrong"].values()) < sum(expected["correct"].values())


def test_summary_table_names_every_student_and_the_left_out_link(graded) -> None:
    _, _, expected, result, _ = graded
    rows = {
        line.split()[0]: line for line in result.stdout.splitlines() if line.split() and line.split()[0] in expected
    }
    assert set(rows) == set(expected)
    for student in ("correct", "untouched", "partly_wrong"):
        assert rows[student].split()[1] == "graded", rows[student]
    assert "graded with problems" in rows["linker"] and "notes.txt" in rows["linker"]
    assert "graded: 3, graded with problems: 1, timed out: 0, failed: 0" in result.stdout
    assert "4/4 students" in result.stderr  # the progress bar reached the end


def test_autograded_folder_holds_the_run_notebooks_and_the_submitted_answers(graded) -> None:
    course, _, expected, _, before = graded
    for student in expected:
        folder = course / "autograded" / student / ASSIGNMENT
        for stem, _, _ in notebooks(course):
            executed = nbformat.read(str(folder / f"{stem}.ipynb"), as_version=4)
            # executed: every code cell has an execution count (quiz cells print nothing under the grader)
            code = [c for c in executed.cells if c.cell_type == "code"]
            assert code and all(c.get("execution_count") for c in code), (student, stem)
            store = course / "submitted" / student / ASSIGNMENT / f"{stem}.answers.json"
            if store.exists():
                assert (folder / store.name).read_bytes() == store.read_bytes()
    assert not (course / "autograded" / "linker" / ASSIGNMENT / "notes.txt").exists()
    after = {p: p.read_bytes() for p in (course / "submitted").rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before, "grading changed a submission"


def test_second_run_skips_graded_students_unless_forced(graded) -> None:
    course, env, expected, _, _ = graded
    again = grade(course, env, "--workers", "2", "--student", "correct")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "skipped (already in the gradebook" in again.stdout and "correct" in again.stdout
    forced = grade(course, env, "--workers", "1", "--student", "untouched", "--force")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert "untouched" in forced.stdout and "graded: 1" in forced.stdout
    assert code_scores(env["WORKBOOK_DB_URL"], "untouched") == pytest.approx(expected["untouched"])


def test_without_bubblewrap_grading_goes_on_and_says_what_is_not_protected(graded) -> None:
    course, env, expected, _, _ = graded
    unsandboxed = grade(
        course, {**env, "WORKBOOK_BWRAP": "/nonexistent/bwrap"}, "--workers", "1", "--student", "correct", "--force"
    )
    assert unsandboxed.returncode == 0, unsandboxed.stderr[-3000:]
    block = unsandboxed.stderr[unsandboxed.stderr.index("GRADING WITHOUT A SANDBOX") :]
    assert block.startswith("GRADING WITHOUT A SANDBOX: bubblewrap is not installed"), block[:300]
    exposures = ("the gradebook", "the network", "the shared /tmp", "leaving processes running", "filling the disk")
    for exposure in exposures:
        assert exposure in block, exposure
    assert code_scores(env["WORKBOOK_DB_URL"], "correct") == pytest.approx(expected["correct"])


def page_text(path: Path) -> str:
    """The text a student reads on a feedback page: tags removed (code is split by highlighting spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def _secrets(source_nb, release_nb) -> set[str]:
    """Hidden-test lines not visible in the release, and the explanations of graded quiz keys."""
    visible = "\n".join(cell.source for cell in release_nb.cells)  # what every student already has
    secrets = {
        line.strip()
        for cell in source_nb.cells
        for region in region_texts(cell.source)
        for line in region.splitlines()
        if len(line.strip()) >= 8 and line.strip() not in visible
    }
    for key in quiz_keys(source_nb):
        if key.hidden:
            secrets |= set(key.explanations.values())
            secrets.add(f'quiz.key(\n    "{key.question_id}"')
    return secrets


@pytest.fixture(scope="module")
def feedback(graded):
    course, env, _, _, _ = graded
    return run([sys.executable, "-m", "workbook", "feedback", ASSIGNMENT], course, env)


def test_feedback_shows_no_hidden_test_line_and_no_key(graded, feedback) -> None:
    course, env, expected, _, _ = graded
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    checked, with_secrets = 0, 0
    for stem, source_nb, release_nb in notebooks(course):
        secrets = _secrets(source_nb, release_nb)
        if secrets:
            with_secrets += 1
            # Not vacuous: the autograded notebook (what nbgrader's feedback shows) holds these secrets.
            autograded = (course / "autograded" / "untouched" / ASSIGNMENT / f"{stem}.ipynb").read_text()
            assert any(json.dumps(secret)[1:-1] in autograded for secret in secrets), stem
        for student in expected:
            page = page_text(course / "feedback" / student / ASSIGNMENT / f"{stem}.html")
            leaked = sorted(secret for secret in secrets if secret in page)
            assert not leaked, f"{student}/{stem} shows hidden material: {leaked[:3]}"
            checked += 1
    assert checked == len(expected) * len(notebooks(course))
    assert with_secrets >= 2, "notebooks 01 and 05 have hidden tests or graded keys"


def test_feedback_keeps_the_students_work_and_score(graded, feedback) -> None:
    course, _, expected, _, _ = graded
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    for stem, source_nb, _ in notebooks(course):
        page = page_text(course / "feedback" / "correct" / ASSIGNMENT / f"{stem}.html")
        total = expected["correct"][stem]
        assert f"{total:g}" in page, stem
        for cell in source_nb.cells:
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                first_line = without_markers(cell.source).strip().splitlines()[0]
                assert first_line in page, f"{stem}: the student's answer {first_line!r} is missing"


def _export(course: Path, env: dict[str, str]) -> tuple[dict[str, dict], list[list[str]]]:
    result = run([sys.executable, "-m", "workbook", "export", ASSIGNMENT, "--to", "out"], course, env)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(course / "out" / "nbgrader_grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    with open(course / "out" / f"canvas_{ASSIGNMENT}.csv", newline="") as handle:
        canvas = list(csv.reader(handle))
    return rows, canvas


def test_exports_nbgrader_csv_and_canvas_csv_with_no_total_while_answers_wait(graded) -> None:
    from nbgrader.api import Gradebook

    course, env, expected, _, _ = graded
    rows, canvas = _export(course, env)
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert canvas[1][0] == "Points Possible" and float(canvas[1][5]) == float(rows["correct"]["max_score"])
    by_login = {row[3]: row[5] for row in canvas[2:]}
    assert set(by_login) == set(expected) == set(rows)
    written = sum(
        1
        for _, source_nb, _ in notebooks(course)
        for cell in source_nb.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")
    )
    assert written >= 3, "the course has written answers graded by hand"
    # untouched submitted the release as it was: nothing to grade by hand, so its total is final.
    assert rows["untouched"]["not_graded_yet"] == "0" and float(by_login["untouched"]) == 0
    for student in ("correct", "partly_wrong", "linker"):
        assert rows[student]["not_graded_yet"] == str(written), student
        assert by_login[student] == "" and rows[student]["score"] == "", f"{student}: a total counted ungraded as 0"

    with Gradebook(env["WORKBOOK_DB_URL"], "open-vs-closed-ai") as gradebook:  # what formgrader does
        for student in ("correct", "partly_wrong", "linker"):
            for notebook in gradebook.find_submission(ASSIGNMENT, student).notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade:
                        grade.manual_score, grade.needs_manual_grade = 0.0, False
        gradebook.db.commit()
    rows, canvas = _export(course, env)
    by_login = {row[3]: float(row[5]) for row in canvas[2:]}
    for student, per_notebook in expected.items():
        assert by_login[student] == pytest.approx(sum(per_notebook.values()))
        assert float(rows[student]["raw_score"]) == pytest.approx(sum(per_notebook.values()))
        assert rows[student]["not_graded_yet"] == "0"


def test_analytics_notebook_plots_and_finds_the_wrong_options(graded, monkeypatch) -> None:
    course, env, _, _, _ = graded
    nb = nbformat.read(str(REPO / "instructor" / "analytics.ipynb"), as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "committed with outputs"
    for key, value in {**env, "WORKBOOK_COURSE_ROOT": str(course)}.items():  # the kernel inherits them; undone after
        monkeypatch.setenv(key, value)
    execute(nb, course, timeout=120)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2, "two distribution plots"
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    # partly_wrong chose a wrong option in one graded multiple-choice question and swapped a matching pair.
    assert "->" in text, "the swapped matching pair is listed among the wrong options"
