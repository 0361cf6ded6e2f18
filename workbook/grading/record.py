"""The parent's side of grading: write one student's results into the gradebook and ``autograded/``.

This is the only code that writes the gradebook during a run, one student at a time, so SQLite never sees two
writers from us; if another program (formgrader) holds the lock, the write is retried. The scores follow
nbgrader's own rules (``nbgrader.utils.determine_grade``), exactly as its ``SaveAutoGrades`` would store them.
"""

from __future__ import annotations

import fnmatch
import shutil
import time
import warnings
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Gradebook
from sqlalchemy.exc import OperationalError, SAWarning

from workbook.core.answer_store import store_path

from .results import StudentResult
from .sandbox import copy_regular_files

LOCK_RETRIES = 30


def record_student(
    gradebook: Gradebook,
    course_root: Path,
    assignment: str,
    result: StudentResult,
    timestamp,
    ignore: list[str],
    quiz_keys: dict | None = None,
) -> None:
    """Store grades and comments of ``result`` and write ``autograded/<student>/<assignment>/``.

    Retries while the database is locked by someone else; other errors propagate (the caller reports them).
    """
    reported = [list(notebook.problems) for notebook in result.notebooks]
    for attempt in range(LOCK_RETRIES):
        for notebook, problems in zip(result.notebooks, reported, strict=True):
            notebook.problems[:] = problems  # a retried write must not report twice
        try:
            _record(
                gradebook, assignment, result, timestamp, _quiz_check(course_root, assignment, result, quiz_keys or {})
            )
            break
        except OperationalError as error:
            gradebook.db.rollback()
            if "locked" not in str(error).lower() or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(min(0.1 * 2**attempt, 2.0))
    _write_autograded(course_root, assignment, result, ignore)
    submission = gradebook.find_submission(assignment, result.student)
    result.score, result.max_score = submission.score, submission.max_score


def _quiz_check(course_root: Path, assignment: str, result: StudentResult, quiz_keys: dict):
    """A function (notebook, grade id) -> the most a graded quiz cell may score, or None for other cells."""
    from .quizcheck import earned, submitted_records, unreadable_store

    folder = course_root / "submitted" / result.student / assignment
    cache: dict[str, dict] = {}

    def ceiling(notebook: str, grade_id: str) -> float | None:
        key = quiz_keys.get(notebook, {}).get(grade_id)
        if key is None:
            return None
        if notebook not in cache:
            store = store_path(folder, notebook)
            cache[notebook] = submitted_records(store)
            if not cache[notebook] and unreadable_store(store):
                for nb in result.notebooks:
                    if nb.name == notebook:
                        nb.problems.append(
                            f"{store.name} is damaged (not a readable answer file): its quiz answers earn 0; "
                            "look at the file and grade those questions by hand"
                        )
        return earned(key, cache[notebook])

    return ceiling


def _record(gradebook: Gradebook, assignment: str, result: StudentResult, timestamp, ceiling) -> None:
    with warnings.catch_warnings():
        # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warning; the rows are right.
        warnings.simplefilter("ignore", SAWarning)
        _record_grades(gradebook, assignment, result, timestamp, ceiling)


def _record_grades(gradebook: Gradebook, assignment: str, result: StudentResult, timestamp, ceiling) -> None:
    student = result.student
    gradebook.update_or_create_student(student)
    if timestamp:
        gradebook.update_or_create_submission(assignment, student, timestamp=timestamp)
    else:
        gradebook.update_or_create_submission(assignment, student)
    for notebook in result.notebooks:
        submitted = gradebook.find_submission_notebook(notebook.name, assignment, student)
        if notebook.notebook_json is None:
            for grade in submitted.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
            for comment in submitted.comments:
                comment.auto_comment = f"Not graded: {'; '.join(notebook.problems)}"
            continue
        nb = nbformat.reads(notebook.notebook_json, as_version=4)
        grades = {grade.name: grade for grade in submitted.grades}
        comments = {comment.name: comment for comment in submitted.comments}
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if utils.is_grade(cell):
                grade = grades.get(grade_id)
                if grade is None:
                    notebook.problems.append(f"cell {grade_id!r} is not in the gradebook: ignored")
                    continue
                grade.auto_score, _ = utils.determine_grade(cell)
                most = ceiling(notebook.name, grade_id)
                if most is not None and (grade.auto_score is None or grade.auto_score > most + 1e-9):
                    notebook.problems.append(
                        f"cell {grade_id!r} claimed {grade.auto_score} points but the submitted answers earn "
                        f"{most:g}: quiz grading was tampered with; {most:g} recorded"
                    )
                    grade.auto_score = most
                # A score entered by hand in formgrader stays graded through a regrade (`grade --force`).
                grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None
            if (utils.is_solution(cell) or utils.is_task(cell)) and grade_id in comments:
                unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
                no_response = unchanged and not utils.is_task(cell)
                comments[grade_id].auto_comment = "No response." if no_response else None
    gradebook.db.commit()


def _write_autograded(course_root: Path, assignment: str, result: StudentResult, ignore: list[str]) -> None:
    """The submission's other files (answer stores, timestamp) as submitted, plus the executed notebooks."""
    target = course_root / "autograded" / result.student / assignment
    if target.exists():
        shutil.rmtree(target)
    submitted = course_root / "submitted" / result.student / assignment

    def ignored(path: Path) -> bool:
        return path.suffix == ".ipynb" or any(fnmatch.fnmatch(path.name, pattern) for pattern in ignore)

    copy_regular_files(submitted, target, skip=ignored)
    for notebook in result.notebooks:
        if notebook.notebook_json is not None:
            (target / f"{notebook.name}.ipynb").write_text(notebook.notebook_json, encoding="utf-8")
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
