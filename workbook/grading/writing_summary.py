"""``python -m workbook writing-summary``: the structure check over every submission, to speed up hand grading.

Reads ``<root>/<stage>/<student>/<assignment>/*.ipynb`` (stage ``submitted`` or ``autograded``) and finds the
written answers by the rubric's grade ids. One row per student and project. An unreadable notebook or a missing
cell gives a row that says so; it never stops the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from workbook.writing.check import check_project
from workbook.writing.rubric import FACTORS, load_rubric
from workbook.writing.saved import SavedAnswerError, read_saved

COLUMNS = [
    "student",
    "notebook",
    "project",
    "words",
    "paragraphs",
    *FACTORS,
    "factors_found",
    "recommends",
    "risk",
    "mitigation",
    "ready",
    "problem",
    "hints",
]


def summary_table(root: Path, assignment: str, stage: str = "submitted") -> pd.DataFrame:
    """The structure check of every student's written answers in ``assignment``, one row per project."""
    rubric = load_rubric()
    folder = Path(root) / stage
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} does not exist: run nbgrader collect (or autograde) first, or pass the course folder as root"
        )
    projects: dict[str, list[str]] = {}
    for grade_id, (project, _part) in rubric.questions.items():
        projects.setdefault(project, []).append(grade_id)
    rows = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted((student_dir / assignment).glob("*.ipynb")):
            rows.extend(_rows(student_dir.name, path, projects))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({"words": "int64", "paragraphs": "int64", "factors_found": "int64"})


def _rows(student: str, path: Path, projects: dict[str, list[str]]) -> list[dict]:
    try:
        saved = read_saved(path)
    except SavedAnswerError as error:
        return [_problem(student, path, "", str(error))]
    rows = []
    for project in projects:
        try:
            recommendation = saved.answer(f"{project}_recommendation")
            risk = saved.answer(f"{project}_risk")
        except SavedAnswerError as error:
            if not any(_has_cell(saved, gid) for gid in projects[project]):
                continue  # this notebook is not the one with the written exercise
            rows.append(_problem(student, path, project, str(error)))
            continue
        result = check_project(recommendation, risk, project=project)
        rows.append(
            {
                "student": student,
                "notebook": path.stem,
                "project": project,
                "words": result.words,
                "paragraphs": result.paragraphs,
                **{f: result.level(f) for f in FACTORS},
                "factors_found": result.factors_found,
                "recommends": result.recommends,
                "risk": result.names_risk,
                "mitigation": result.names_mitigation,
                "ready": result.ready,
                "problem": "",
                "hints": " | ".join(result.hints),
            }
        )
    return rows


def _has_cell(saved, grade_id: str) -> bool:
    try:
        saved.answer(grade_id)
    except SavedAnswerError:
        return False
    return True


def _problem(student: str, path: Path, project: str, message: str) -> dict:
    return {
        "student": student,
        "notebook": path.stem,
        "project": project,
        "words": 0,
        "paragraphs": 0,
        **{f: "" for f in FACTORS},
        "factors_found": 0,
        "recommends": False,
        "risk": False,
        "mitigation": False,
        "ready": False,
        "problem": message,
        "hints": "",
    }


def print_summary(root: Path, assignment: str, stage: str = "submitted", csv: Path | None = None) -> int:
    """Print the table (without the hints) and, with ``csv``, write it whole; 1 with a message if nothing found."""
    try:
        table = summary_table(root, assignment, stage)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    if table.empty:
        print(f"no written answers found in {Path(root) / stage}/*/{assignment}/", file=sys.stderr)
        return 1
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(table.drop(columns=["hints"]).to_string(index=False))
    if csv:
        table.to_csv(csv, index=False)
        print(f"wrote {csv}")
    return 0
