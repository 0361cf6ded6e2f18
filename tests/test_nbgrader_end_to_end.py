"""The whole instructor flow on a copy of the real course, with plain nbgrader: build, submit, autograde, feedback,
export.

The student, `partly_wrong`, answers every notebook with the model answers except, in each, one graded
multiple-choice question (wrong option), one matching question (two definitions swapped) and one code exercise
(left as the stub): every notebook then scores exactly its metadata's total minus what was spoiled, which shows
both that right answers earn their points and that wrong ones do not. Expected scores come from the points written
in the notebooks' metadata, not from the grader. That the solutions earn every point is checked on every notebook
by `test_course_notebooks.py::test_source_passes_its_tests_with_solutions`, and in the gradebook by the grading
suites (`correct` students). That an untouched release earns no point is checked on every notebook by
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
from tests.nbgrader_helpers import autograded_points, nbgrader, unsandboxed_autograde, without_markers
from workbook.core.layout import Course

pytestmark = pytest.mark.slow
STUDENT = "partly_wrong"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """Build the course, submit the student, autograde with plain nbgrader; shared by the tests below."""
    course, env = build_course(tmp_path_factory.mktemp("course"))
    expected = {STUDENT: submit(course, STUDENT, STUDENT)}
    graded = unsandboxed_autograde(ASSIGNMENT, course, env)
    return course, env, expected, graded


def test_autograde_gives_exact_scores(graded_course) -> None:
    from nbgrader.api import Gradebook

    course, env, expected, graded = graded_course
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert expected[STUDENT], "the course has notebooks"
    with Gradebook(env["WORKBOOK_DB_URL"], "open-vs-closed-ai") as gradebook:
        for student, per_notebook in expected.items():
            for stem, score in per_notebook.items():
                submission = gradebook.find_submission_notebook(stem, ASSIGNMENT, student)
                assert submission.code_score == pytest.approx(score), (
                    student,
                    stem,
                    [(g.name, g.score) for g in submission.grades],
                )
    full = {
        path.stem: sum(autograded_points(nbformat.read(str(path), as_version=4)).values())
        for path in Course(course).source_notebooks(ASSIGNMENT)
    }
    assert set(full) == set(expected[STUDENT]), "every notebook of the assignment was submitted"
    scored = [stem for stem, total in full.items() if total > 0]
    assert all(0 < expected[STUDENT][stem] < full[stem] for stem in scored), "each notebook lost some points"


def test_feedback_is_generated_for_every_student(graded_course) -> None:
    course, env, expected, _ = graded_course
    result = nbgrader(["generate_feedback", ASSIGNMENT], course, env)
    assert result.returncode == 0, result.stderr[-3000:]
    for student in expected:
        pages = sorted((course / "feedback" / student / ASSIGNMENT).glob("*.html"))
        assert [p.stem for p in pages] == sorted(expected[student])
    # Each page shows the student's own answers (the first one was left as its stub) and their score.
    for source_path in Course(course).source_notebooks(ASSIGNMENT):
        source_nb = nbformat.read(str(source_path), as_version=4)
        page = (course / "feedback" / STUDENT / ASSIGNMENT / f"{source_path.stem}.html").read_text()
        page = html.unescape(re.sub(r"<[^>]+>", "", page))  # code is split into highlighted spans
        score = expected[STUDENT][source_path.stem]
        assert re.search(rf"{source_path.stem} \(Score: {score:g}(\.0+)? /", page), (source_path.stem, score)
        answers = [
            without_markers(c.source).strip().splitlines()[0]
            for c in source_nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
        ]
        for first_line in answers[1:]:
            assert first_line in page, f"{source_path.stem}: the student's answer {first_line!r} is missing"
        if answers:
            assert "raise NotImplementedError()" in page, f"{source_path.stem}: the stub left in is not shown"


def test_grades_export_to_csv(graded_course) -> None:
    course, env, expected, _ = graded_course
    result = nbgrader(["export", "--to", "grades.csv"], course, env)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(expected)
    for student, per_notebook in expected.items():
        assert float(rows[student]["raw_score"]) == pytest.approx(sum(per_notebook.values())), rows[student]
