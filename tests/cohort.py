"""Build a course copy and submit a cohort of fake students to it (shared by the grading test suites).

Expected scores always come from the points written in the notebooks' metadata, never from the grader.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import copy_course, run_folder
from tests.locking import exclusive_lock
from tests.nbgrader_helpers import autograded_points, correct_submission, grade_id, run
from workbook.core.answer_store import AnswerStore
from workbook.core.layout import Course
from workbook.core.quiz_keys import quiz_keys
from workbook.editions.bank import notebook_bank, with_graded_keys

ASSIGNMENT = "open_vs_closed"
COURSE_ID = "open-vs-closed-ai"
# One notebook of each kind, enough for every grading mechanism: single-answer quizzes and code exercises with
# hidden tests (01), matching questions (05), written answers graded by hand (07). Each graded notebook costs a
# kernel start, so suites about a mechanism grade these three; test_nbgrader_end_to_end grades them all.
ONE_OF_EACH = ("01_what_open_means", "05_match_use_cases", "07_decision_framework")


def build_course(
    target: Path, db_url: str | None = None, notebooks: tuple[str, ...] | None = None
) -> tuple[Path, dict[str, str]]:
    """A private course copy with release/ rebuilt and the assignment registered in its gradebook.

    ``notebooks`` keeps only those notebooks of the assignment (and their question banks); default: all of them.
    """
    course = copy_course(target)
    for folder in ("release", "notebooks"):
        shutil.rmtree(course / folder, ignore_errors=True)
    if notebooks is not None:
        for source_path in Course(course).source_notebooks(ASSIGNMENT):
            if source_path.stem not in notebooks:
                source_path.unlink()
                (course / "questions" / ASSIGNMENT / f"{source_path.stem}.toml").unlink(missing_ok=True)
        assert sorted(p.stem for p in Course(course).source_notebooks(ASSIGNMENT)) == sorted(notebooks)
    env = {"WORKBOOK_DB_URL": db_url or f"sqlite:///{course / 'gradebook.db'}"}
    built = run([sys.executable, "-m", "workbook", "build", "--no-validate"], course, env)
    assert built.returncode == 0, built.stderr[-3000:]
    return course, env


def one_of_each_course(tmp_path_factory: pytest.TempPathFactory, target: Path) -> tuple[Path, dict[str, str]]:
    """:func:`build_course` with ``ONE_OF_EACH`` and its own SQLite gradebook, at ``target``.

    Several suites grade this same course, so it is built once per run (by whichever xdist worker comes first) and
    each suite gets a copy: a course folder with a SQLite gradebook can move (its gradebook record is relative).
    """
    template = run_folder(tmp_path_factory) / "built-one-of-each"
    with exclusive_lock(template.with_suffix(".lock")):
        if not (template / ".built").exists():
            shutil.rmtree(template, ignore_errors=True)
            build_course(template, notebooks=ONE_OF_EACH)
            (template / ".built").touch()
    shutil.copytree(template, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".built"))
    return target, {"WORKBOOK_DB_URL": f"sqlite:///{target / 'gradebook.db'}"}


def notebooks(course: Path) -> list[tuple[str, nbformat.NotebookNode, nbformat.NotebookNode]]:
    """(stem, source notebook, release notebook) for every notebook of the assignment.

    The source notebook is as nbgrader's gradebook holds it: graded quiz cells carry their key from the question
    bank in their hidden test (``quiz.key(...)``), as the build writes it.
    """
    found = []
    for source_path in Course(course).source_notebooks(ASSIGNMENT):
        release = course / "release" / ASSIGNMENT / source_path.name
        source_nb = with_graded_keys(nbformat.read(str(source_path), as_version=4), source_path)
        found.append((source_path.stem, source_nb, nbformat.read(str(release), as_version=4)))
    return found


def submit(course: Path, student: str, kind: str) -> dict[str, float]:
    """Submit ``correct``, ``untouched`` or ``partly_wrong`` work; return the expected score per notebook."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for stem, source_nb, release_nb in notebooks(course):
        total = sum(autograded_points(source_nb).values())
        if kind == "untouched":
            nbformat.write(release_nb, str(folder / f"{stem}.ipynb"))
            expected[stem] = 0.0
            continue
        correct_submission(release_nb, source_nb, folder, stem)
        lost = spoil_three_answers(folder, stem, release_nb, source_nb) if kind == "partly_wrong" else {}
        expected[stem] = total - sum(lost.values())
    return expected


def _is_quiz_cell(cell) -> bool:
    return "quiz.key" in cell.source


def _key_cell(source_nb, question_id: str) -> str:
    return next(
        grade_id(c) for c in source_nb.cells if grade_id(c) and _is_quiz_cell(c) and f'"{question_id}"' in c.source
    )


def _options(folder: Path, stem: str, question_id: str) -> list[str]:
    """Option ids of a question, from the course's question bank (``folder`` is submitted/<student>/<a>/)."""
    bank = notebook_bank(folder.parents[2] / "source" / ASSIGNMENT / f"{stem}.ipynb")
    return next(list(item.question.options) for item in bank if item.id == question_id)


def spoil_three_answers(folder: Path, stem: str, release_nb, source_nb) -> dict[str, float]:
    """Spoil one graded single-answer question, one matching pair swap and one code answer (back to its stub).

    Returns the points each affected grade cell loses. A code answer's tests are the grade cells right after it,
    up to the next answer cell or graded quiz cell.
    """
    lost: dict[str, float] = {}
    points = autograded_points(source_nb)
    store = AnswerStore(folder / f"{stem}.answers.json")
    graded = [key for key in quiz_keys(source_nb) if key.hidden]
    single = next((key for key in graded if isinstance(key.answer, str)), None)
    if single:
        wrong = next(o for o in _options(folder, stem, single.question_id) if o != single.answer)
        store.save(single.question_id, wrong)
        lost[_key_cell(source_nb, single.question_id)] = single.points
    matching = next((key for key in graded if isinstance(key.answer, dict) and len(key.answer) >= 2), None)
    if matching:
        pairs = dict(matching.answer)
        first, second = list(pairs)[:2]
        pairs[first], pairs[second] = pairs[second], pairs[first]
        store.save(matching.question_id, pairs)
        lost[_key_cell(source_nb, matching.question_id)] = matching.points * 2 / len(pairs)
    nb = nbformat.read(str(folder / f"{stem}.ipynb"), as_version=4)
    answers = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    if answers:
        nb.cells[answers[0]] = release_nb.cells[answers[0]]
        # The release may hold cells the source lacks (the build's notes for learners): find the answer by its id.
        spoiled = grade_id(release_nb.cells[answers[0]])
        in_source = next(i for i, c in enumerate(source_nb.cells) if grade_id(c) == spoiled)
        for cell in source_nb.cells[in_source + 1 :]:
            if cell.metadata.get("nbgrader", {}).get("solution") or _is_quiz_cell(cell):
                break
            if grade_id(cell) in points:
                lost[grade_id(cell)] = points[grade_id(cell)]
        nbformat.write(nb, str(folder / f"{stem}.ipynb"))
    return lost


def code_scores(db_url: str, student: str) -> dict[str, float]:
    """The autograded score of each notebook of ``student`` in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {notebook.name: float(notebook.code_score) for notebook in submission.notebooks}


def first_answer(source_nb) -> tuple[int, str, float, float]:
    """(cell index, grade id) of the first code answer cell, the points of its tests, and the points before it."""
    points = autograded_points(source_nb)
    cells = source_nb.cells
    index = next(
        i for i, c in enumerate(cells) if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    )
    before = sum(points.get(grade_id(c), 0.0) for c in cells[:index])
    tests = 0.0
    for cell in cells[index + 1 :]:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            break
        tests += points.get(grade_id(cell), 0.0)
    return index, grade_id(cells[index]), tests, before


def grade(course: Path, env: dict[str, str], *args: str):
    """``python -m workbook grade`` as an instructor runs it."""
    return run([sys.executable, "-m", "workbook", "grade", ASSIGNMENT, *args], course, env, timeout=1800)
