"""The whole instructor flow on a copy of the real course: build, three submissions, autograde, feedback, export.

Students: `correct` answers everything with the model answers; `untouched` submits the release as it came;
`partly_wrong` answers everything right except one graded multiple-choice question (wrong option), one matching
question (two definitions swapped) and one code exercise (left as the stub). Expected scores come from the points
written in the notebooks' metadata, not from the grader.
"""

from __future__ import annotations

import copy
import csv
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import copy_course
from tests.nbgrader_helpers import (
    autograded_points,
    correct_submission,
    grade_id,
    nbgrader,
    run,
    without_markers,
)
from workbook.build.course import Course
from workbook.build.keys import quiz_keys
from workbook.quiz.store import AnswerStore

ASSIGNMENT = "open_vs_closed"
pytestmark = pytest.mark.slow


def make_partly_wrong(folder: Path, stem: str, release_nb, source_nb) -> dict[str, float]:
    """Spoil three answers of a correct submission; return the points each spoiled cell loses."""
    lost: dict[str, float] = {}
    points = autograded_points(source_nb)
    store = AnswerStore(folder / f"{stem}.answers.json")
    graded = [k for k in quiz_keys(source_nb) if k.hidden]
    choice = next((k for k in graded if isinstance(k.answer, str)), None)
    if choice:
        options = _options_of(source_nb, choice.question_id)
        store.save(choice.question_id, next(o for o in options if o != choice.answer))
        lost[_cell_of(source_nb, choice.question_id)] = choice.points
    matching = next((k for k in graded if isinstance(k.answer, dict) and len(k.answer) >= 2), None)
    if matching:
        pairs = dict(matching.answer)
        first, second = list(pairs)[:2]
        pairs[first], pairs[second] = pairs[second], pairs[first]
        store.save(matching.question_id, pairs)
        lost[_cell_of(source_nb, matching.question_id)] = matching.points * 2 / len(pairs)
    nb = nbformat.read(str(folder / f"{stem}.ipynb"), as_version=4)
    code_answers = [i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
    if code_answers:
        first = code_answers[0]
        nb.cells[first] = copy.deepcopy(release_nb.cells[first])  # back to the stub
        for cell in nb.cells[first + 1:]:  # its tests follow it, up to the next answer or graded quiz
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") or ".show()" in cell.source:
                break
            if grade_id(cell) in points:
                lost[grade_id(cell)] = points[grade_id(cell)]
        nbformat.write(nb, str(folder / f"{stem}.ipynb"))
    return lost


def _options_of(nb, question_id: str) -> list[str]:
    import ast

    for cell in nb.cells:
        if cell.cell_type == "code" and f'"{question_id}"' in cell.source and "MultipleChoice" in cell.source:
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.keyword) and node.arg == "options":
                    return list(ast.literal_eval(node.value))
    raise AssertionError(f"no options found for {question_id}")


def _cell_of(nb, question_id: str) -> str:
    for cell in nb.cells:
        if grade_id(cell) and f'"{question_id}"' in cell.source and "quiz.key" in cell.source:
            return grade_id(cell)
    raise AssertionError(f"no graded cell holds the key of {question_id}")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """Build the course, submit three students, autograde them; shared by the tests below."""
    course = copy_course(tmp_path_factory.mktemp("course"))
    for folder in ("release", "notebooks"):
        shutil.rmtree(course / folder, ignore_errors=True)
    env = {"WORKBOOK_DB_URL": f"sqlite:///{course / 'gradebook.db'}"}
    built = run([sys.executable, "-m", "workbook", "build", "--no-validate"], course, env)
    assert built.returncode == 0, built.stderr

    expected: dict[str, dict[str, float]] = {"correct": {}, "untouched": {}, "partly_wrong": {}}
    for source_path in Course(course).source_notebooks(ASSIGNMENT):
        stem = source_path.stem
        source_nb = nbformat.read(str(source_path), as_version=4)
        release_nb = nbformat.read(str(course / "release" / ASSIGNMENT / source_path.name), as_version=4)
        total = sum(autograded_points(source_nb).values())
        for student in expected:
            folder = course / "submitted" / student / ASSIGNMENT
            folder.mkdir(parents=True, exist_ok=True)
            if student == "untouched":
                nbformat.write(release_nb, str(folder / source_path.name))
                expected[student][stem] = 0.0
                continue
            correct_submission(release_nb, source_nb, folder, stem)
            lost = make_partly_wrong(folder, stem, release_nb, source_nb) if student == "partly_wrong" else {}
            expected[student][stem] = total - sum(lost.values())
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
                assert submission.code_score == pytest.approx(score), (student, stem, [
                    (g.name, g.score) for g in submission.grades])
    full = {stem: score for stem, score in expected["correct"].items()}
    assert sum(full.values()) > 0 and all(v == 0 for v in expected["untouched"].values())
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
        answers = [without_markers(c.source).strip().splitlines()[0] for c in source_nb.cells
                   if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
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
