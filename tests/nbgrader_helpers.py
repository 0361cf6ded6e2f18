"""Make fake student submissions from a course's release, and run nbgrader as an instructor would."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from workbook.core.answer_store import AnswerStore
from workbook.core.quiz_keys import quiz_keys


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def without_markers(source: str) -> str:
    """A solution cell as a student who wrote the model answer would leave it."""
    return "\n".join(
        line for line in source.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line
    )


def autograded_points(nb) -> dict[str, float]:
    """Points of every autograded cell (tests and graded quizzes), from the notebook's own metadata."""
    points = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution") and not meta.get("task"):
            points[meta["grade_id"]] = float(meta["points"])
    return points


def correct_submission(release_nb, source_nb, folder: Path, stem: str) -> None:
    """Fill every answer cell with the model answer and answer every quiz with its key."""
    solutions = {grade_id(c): c.source for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if grade_id(cell) in solutions:
            cell.source = without_markers(solutions[grade_id(cell)])
    nbformat.write(nb, str(folder / f"{stem}.ipynb"))
    store = AnswerStore(folder / f"{stem}.answers.json")
    for key in quiz_keys(source_nb):
        store.save(key.question_id, key.answer)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900):
    """Run a command as the instructor would, returning the finished process (never raising on exit codes)."""
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    return subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=False)


def nbgrader(args: list[str], course: Path, env: dict[str, str] | None = None):
    return run([str(Path(sys.executable).parent / "nbgrader"), *args], course, env)


def unsandboxed_autograde(assignment: str, course: Path, env: dict[str, str] | None = None):
    """Plain ``nbgrader autograde``, which the course's config refuses unless told the submissions are trusted (as
    the test suite's are): the tests compare nbgrader's own grading with the kit's."""
    from workbook.nbgrader_guard import UNSANDBOXED_AUTOGRADE

    return nbgrader(["autograde", assignment], course, {**(env or {}), UNSANDBOXED_AUTOGRADE: "yes"})
