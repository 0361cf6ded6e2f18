"""The answer keys of a course, on the instructor side: the question bank's keys and literal ``quiz.key`` calls.

The edition builder (``workbook.editions``) and grading (``workbook.grading``) both need them, so they live here,
beside both and inside neither. Bank: ``questions/<assignment>/<notebook>.toml`` at the course root.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.core.quiz_keys import QuizKey, quiz_keys
from workbook.quiz.bank import BankQuestion, load_bank

if TYPE_CHECKING:
    from nbformat import NotebookNode

SHOW_CALL = re.compile(r"""quiz\.show\(\s*["']([A-Za-z0-9_]+)["']\s*\)""")


def bank_path(source_notebook: Path) -> Path:
    """``<root>/questions/<assignment>/<stem>.toml`` for ``<root>/source/<assignment>/<stem>.ipynb``."""
    source_notebook = Path(source_notebook)
    root = source_notebook.parent.parent.parent
    return root / "questions" / source_notebook.parent.name / f"{source_notebook.stem}.toml"


def notebook_bank(source_notebook: Path) -> list[BankQuestion]:
    """The bank questions of one source notebook (none when it has no bank file)."""
    path = bank_path(source_notebook)
    return load_bank(path) if path.exists() else []


def notebook_keys(nb: NotebookNode, source_notebook: Path | None = None) -> list[QuizKey]:
    """Every key of a source notebook in notebook order: bank questions (``hidden`` = graded) and literal
    ``quiz.key(...)`` calls (older notebooks and test fixtures still write keys inline)."""
    keys = quiz_keys(nb)
    if source_notebook is None:
        return keys
    by_id = {item.id: item for item in notebook_bank(source_notebook)}
    literal = {key.question_id for key in keys}
    ordered: list[QuizKey] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for question_id in SHOW_CALL.findall(cell.source):
            item = by_id.get(question_id)
            if item is not None and question_id not in literal:
                ordered.append(
                    QuizKey(
                        question_id=question_id,
                        answer=item.key.answer,
                        points=item.key.points,
                        explanations=dict(item.key.explanations),
                        hidden=item.graded,
                    )
                )
    return keys + ordered
