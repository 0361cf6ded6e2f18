"""Recompute graded quiz points outside the student's kernel, from the submitted answer store and the keys.

Student code runs in the same kernel as the hidden tests, so it can replace ``quiz.key`` (or make the cell's
last value anything nbgrader reads as full marks). The grader therefore scores every graded quiz cell again here,
where student code never runs, and never lets the kernel's figure exceed this one.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from workbook.answer_keys import notebook_keys
from workbook.core.answer_store import AnswerStore, CorruptStoreError, stored_value
from workbook.core.quiz_keys import QuizKey, quiz_keys
from workbook.quiz.scoring import make_key, score


def graded_keys_by_cell(source_notebook: Path) -> dict[str, QuizKey]:
    """grade id -> the key of that graded quiz cell: from the question bank (a graded question's cell has the
    question's id as grade id), or the last hidden literal ``quiz.key`` of the cell (its value is the score)."""
    nb = nbformat.read(str(source_notebook), as_version=4)
    found = {key.question_id: key for key in notebook_keys(nb, source_notebook) if key.hidden}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade") or cell.cell_type != "code" or "quiz.key" not in cell.source:
            continue
        keys = [key for key in quiz_keys(nbformat.v4.new_notebook(cells=[cell])) if key.hidden]
        if keys:
            found[meta["grade_id"]] = keys[-1]
    return found


def keys_for_assignment(course_root: Path, assignment: str) -> dict[str, dict[str, QuizKey]]:
    """notebook name -> :func:`graded_keys_by_cell` for every source notebook of the assignment."""
    return {
        path.stem: graded_keys_by_cell(path) for path in sorted((course_root / "source" / assignment).glob("*.ipynb"))
    }


def submitted_records(store: Path) -> dict:
    """The answers object of a submitted store; empty when missing or unreadable (those earn nothing)."""
    try:
        return AnswerStore(store).records()
    except (CorruptStoreError, OSError):
        return {}


def earned(key: QuizKey, records: dict) -> float:
    """Points the saved answer earns against ``key`` (0 for missing or malformed answers)."""
    answer_key = make_key(key.question_id, key.answer, key.explanations or None, key.points)
    return float(score(answer_key, stored_value(records.get(key.question_id))))


def unreadable_store(store: Path) -> bool:
    """True when a submitted answer file exists but cannot be read as one (damaged, not JSON, wrong shape)."""
    if not store.exists():
        return False
    try:
        AnswerStore(store).records()
    except (CorruptStoreError, OSError):
        return True
    return False
