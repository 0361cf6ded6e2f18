"""Find the answer keys that notebooks declare with ``quiz.key(...)``.

The build needs them twice: to validate a source notebook it answers every question correctly first, and to prove
that ``release/`` gives no key away it searches the release for each one. Grading needs them to recompute quiz
points from the submitted answer store, and analytics to count wrong options.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbook.core.hidden import HiddenRegionError, hidden_line_numbers

if TYPE_CHECKING:
    from nbformat import NotebookNode

Answer = str | list[str] | dict[str, str]


@dataclass(frozen=True)
class QuizKey:
    """One ``quiz.key(...)`` call as written in a notebook."""

    question_id: str
    answer: Answer
    points: float
    explanations: dict[str, str] = field(default_factory=dict)
    hidden: bool = False  # inside a hidden-test region, i.e. a graded question


def _is_key_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr == "key" and isinstance(func.value, ast.Name) and func.value.id == "quiz"
    return isinstance(func, ast.Name) and func.id == "key"


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _literal(node: ast.expr | None, what: str, where: str, default: object = None) -> object:
    if node is None:
        return default
    try:
        return ast.literal_eval(node)
    except ValueError as error:
        raise ValueError(f"{where}: the {what} of quiz.key(...) must be a literal the build can read") from error


def quiz_keys(nb: NotebookNode, where: str = "notebook") -> list[QuizKey]:
    """Every ``quiz.key(...)`` call in the notebook's code cells, in order."""
    keys = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "key" not in cell.source:
            continue
        here = f"{where}, cell {index + 1}"
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as error:
            raise ValueError(f"{here}: Python syntax error ({error.msg}, line {error.lineno})") from error
        try:
            hidden = hidden_line_numbers(cell.source)
        except HiddenRegionError as error:
            raise ValueError(f"{here}: {error}") from error
        for node in ast.walk(tree):
            if not _is_key_call(node):
                continue
            question_id = _literal(_argument(node, 0, "question_id"), "question id", here)
            answer = _literal(_argument(node, 1, "key"), "key", here)
            if not isinstance(question_id, str) or answer is None:
                raise ValueError(f"{here}: quiz.key(...) needs a question id and a key")
            keys.append(
                QuizKey(
                    question_id=question_id,
                    answer=sorted(answer) if isinstance(answer, list | tuple | set) else answer,
                    points=float(_literal(_argument(node, 3, "points"), "points", here, default=1)),
                    explanations=dict(_literal(_argument(node, 2, "explanations"), "explanations", here) or {}),
                    hidden=node.lineno in hidden,
                )
            )
    return keys
