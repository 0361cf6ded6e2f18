"""The whole instructor flow on a copy of the real course: build, two submissions, autograde, feedback, export.

Students: `correct` answers everything with the model answers; `partly_wrong` answers everything right except one
graded multiple-choice question (wrong option), one matching question (two definitions swapped) and one code
exercise (left as the stub). Expected scores come from the points written in the notebooks' metadata, not from
the grader. That an untouched release earns no point is checked on every notebook by
`test_course_notebooks.py::test_release_runs_and_gives_nothing_away` (the build's own check), and in the gradebook
by the grading suites (`untouched` in test_grading_parallel, `cy` in test_instructor_safety).
"""

from __future__ import annotations

import csv
import html
import re

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, build_course, submit
from tests.nbgrader_helpers import autograded_points, nbgrader, without_markers
from workbook.core.layout import Course

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """Build the course, submit two students, autograde them with plain nbgrader; shared by the tests below."""
    course, env = build_course(tmp_path_factory.mktemp("course"))
    expected = {student: submit(course, student, student) for student in ("correct", "partly_wrong")}
    graded = nbgrader(["autograde", ASSIGNMENT], course, env)
    return course, env, expected, graded


def test_autograde_gives_exact_scores(graded_course) -> None:
    from nbgrader.api import Gradebook

    course, env, expected, graded = graded_course
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert expected["correct"], "the course has notebooks"
    with Gradebook(env["WORKBOOK_DB_URL"], "open-vs-closed-ai") as gradebook:
        for student, per_notebook in expected.items():
            for stem, score in per_notebook.items():
                submission = gradebook.find_submission_notebook(stem, ASSIGNMENT, student)
                assert submission.code_score == pytest.approx(score), (
                    student,
                    stem,
                    [(g.name, g.score) for g in submission.grades],
                )
    full = {stem: score for stem, score in expected["correct"].items()}
    assert sum(full.values()) > 0
    assert sum(expected["partly_wrong"].values()) < sum(full.values())


def test_feedback_is_generated_for_every_student(graded_course) -> None:
    course, env, expected, _ = graded_course
    result = nbgrader(["generate_feedback", ASSIGNMENT], course, env)
    assert result.returncode == 0, result.stderr[-3000:]
    for student in expected:
        pages = sorted((course / "feedback" / student / ASSIGNMENT).glob("*.html"))
        assert [p.stem for p in pages] == sorted(expected[student])
    # The correct student's page shows their own answers and their score.
    for source_path in Course(course).source_notebooks(ASSIGNMENT):
        source_nb = nbformat.read(str(source_path), as_version=4)
        page = (course / "feedback" / "correct" / ASSIGNMENT / f"{source_path.stem}.html").read_text()
        page = html.unescape(re.sub(r"<[^>]+>", "", page))  # code is split into highlighted spans
        total = sum(autograded_points(source_nb).values())
        assert f"{total:g}" in page
        answers = [
            without_markers(c.source).strip().splitlines()[0]
            for c in source_nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
        ]
        for first_line in answers:
            assert first_line in page, f"{source_path.stem}: the student's answer {first_line!r} is missing"


def test_grades_export_to_csv(graded_course) -> None:
    course, env, expected, _ = graded_course
    result = nbgrader(["export", "--to", "grades.csv"], course, env)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(expected)
    for student, per_notebook in expected.items():
        assert float(rows[student]["raw_score"]) == pytest.approx(sum(per_notebook.values())), rows[student]
