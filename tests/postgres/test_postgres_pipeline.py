"""The whole instructor pipeline on a PostgreSQL gradebook (WORKBOOK_DB_URL): build, parallel autograde,
manual grading through nbgrader's gradebook API, feedback and export."""

from __future__ import annotations

import csv
import sys

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, COURSE_ID, ONE_OF_EACH, build_course, code_scores, first_answer, grade, submit
from tests.nbgrader_helpers import run

pytestmark = pytest.mark.slow
PEEK = """
import os
print("URL visible:", "WORKBOOK_DB_URL" in os.environ, "password visible:",
      any({password!r} in value for value in os.environ.values()))
"""


@pytest.fixture(scope="module")
def pipeline(postgres_url, tmp_path_factory):
    course, env = build_course(tmp_path_factory.mktemp("pg-course"), db_url=postgres_url, notebooks=ONE_OF_EACH)
    expected = {
        name: submit(course, name, kind)
        for name, kind in [("correct", "correct"), ("partly_wrong", "partly_wrong"), ("untouched", "untouched")]
    }
    path = course / "submitted" / "correct" / ASSIGNMENT / "01_what_open_means.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    password = postgres_url.split(":")[2].split("@")[0]
    nb.cells[first_answer(nb)[0]].source = PEEK.format(password=password) + nb.cells[first_answer(nb)[0]].source
    nbformat.write(nb, str(path))
    graded = grade(course, env, "--workers", "2")
    return course, env, expected, graded


def test_parallel_autograde_writes_exact_scores_to_postgres(pipeline) -> None:
    course, env, expected, graded = pipeline
    assert graded.returncode == 0, graded.stdout + graded.stderr[-3000:]
    assert not (course / "gradebook.db").exists(), "nothing may fall back to SQLite"
    for student, per_notebook in expected.items():
        assert code_scores(env["WORKBOOK_DB_URL"], student) == pytest.approx(per_notebook), student


def test_the_database_password_never_reaches_student_code(pipeline) -> None:
    course, _, _, _ = pipeline
    executed = (course / "autograded" / "correct" / ASSIGNMENT / "01_what_open_means.ipynb").read_text()
    assert "URL visible: False password visible: False" in executed


def test_manual_grade_feedback_and_export(pipeline) -> None:
    from nbgrader.api import Gradebook

    course, env, expected, _ = pipeline
    with Gradebook(env["WORKBOOK_DB_URL"], COURSE_ID) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "correct")
        manual = next(
            grade for notebook in submission.notebooks for grade in notebook.grades if grade.auto_score is None
        )
        manual.manual_score, manual.needs_manual_grade = manual.max_score, False
        for notebook in submission.notebooks:  # the rest of correct's written answers: graded 0 by hand
            for grade in notebook.grades:
                if grade.needs_manual_grade:
                    grade.manual_score, grade.needs_manual_grade = 0.0, False
        gradebook.db.commit()
        manual_points = float(manual.max_score)
    assert manual_points > 0
    feedback = run([sys.executable, "-m", "workbook", "feedback", ASSIGNMENT], course, env)
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    for student, per_notebook in expected.items():
        pages = sorted(p.stem for p in (course / "feedback" / student / ASSIGNMENT).glob("*.html"))
        assert pages == sorted(per_notebook)
    exported = run([sys.executable, "-m", "workbook", "export", ASSIGNMENT, "--to", "out"], course, env)
    assert exported.returncode == 0, exported.stderr[-3000:]
    with open(course / "out" / "nbgrader_grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    with open(course / "out" / f"canvas_{ASSIGNMENT}.csv", newline="") as handle:
        canvas = {row[3]: row[5] for row in csv.reader(handle)}
    assert rows["correct"]["not_graded_yet"] == "0"
    assert int(rows["partly_wrong"]["not_graded_yet"]) > 0, "partly_wrong's written answers are not graded yet"
    for student, per_notebook in expected.items():
        if int(rows[student]["not_graded_yet"]):
            assert rows[student]["raw_score"] == "" and canvas[student] == "", f"{student}: not a final total"
            continue
        total = sum(per_notebook.values()) + (manual_points if student == "correct" else 0.0)
        assert float(rows[student]["raw_score"]) == pytest.approx(total), student
        assert float(canvas[student]) == pytest.approx(total), student
