"""The question bank on the instructor side: where it lives, how it is checked against the notebooks, and what the
build makes of it (graded keys into nbgrader's hidden tests, ``<notebook>.quiz.json`` beside each edition).

Bank: ``questions/<assignment>/<notebook>.toml`` at the course root, outside ``source/`` (nbgrader would copy any
file there into ``release/``) and outside the ``workbook`` package (so graded keys never reach a student's
environment).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from nbformat import NotebookNode

from workbook.answer_keys import SHOW_CALL, bank_path, notebook_bank, notebook_keys
from workbook.core.hidden import hidden_line_numbers
from workbook.quiz.bank import PAYLOAD_SUFFIX, BankError, BankQuestion, payload, payload_text

from .notebook_io import nbgrader_meta

GRADE_CALL = re.compile(r"""^(\s*)quiz\.grade\(\s*["']([A-Za-z0-9_]+)["']\s*\)\s*$""")


def _display_path(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[-3:]) if len(parts) >= 3 else str(path)


def check_notebook_bank(nb: NotebookNode, source_notebook: Path) -> list[str]:
    """Problems between a source notebook and its bank: schema, unknown or unshown questions, points, order."""
    path = bank_path(source_notebook)
    where = _display_path(path)
    try:
        questions = notebook_bank(source_notebook)
    except BankError as error:
        return [str(error).replace(str(path), where)]
    problems: list[str] = []
    for item in questions:
        problems.extend(_money_in_question(item, where))
    by_id = {item.id: item for item in questions}
    shown: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        cell_ids = SHOW_CALL.findall(cell.source)
        graded_calls = [match.group(2) for line in cell.source.splitlines() if (match := GRADE_CALL.match(line))]
        for question_id in cell_ids:
            item = by_id.get(question_id)
            label = f"{source_notebook.name}: quiz.show({question_id!r})"
            if item is None:
                problems.append(f"{label}: no table [{question_id}] in {where}")
                continue
            if question_id in shown:
                problems.append(f"{label}: shown twice; each question is shown once")
            shown.append(question_id)
            if item.graded != bool(meta.get("grade")):
                problems.append(
                    f"{label}: {where} says graded = {str(item.graded).lower()}, but the cell is "
                    + ("not a graded cell" if item.graded else "a graded cell")
                )
            if item.graded:
                if meta.get("grade_id") != question_id:
                    problems.append(f"{label}: the graded cell's grade_id must be the question id")
                if float(meta.get("points", 0)) != item.key.points:
                    problems.append(
                        f"{label}: the cell is worth {meta.get('points')} points, {where} says "
                        f"points = {item.key.points:g}"
                    )
                if graded_calls != [question_id]:
                    problems.append(
                        f"{label}: a graded quiz cell ends with a hidden test `quiz.grade({question_id!r})`"
                    )
        for question_id in graded_calls:
            if question_id not in cell_ids:
                problems.append(f"{source_notebook.name}: quiz.grade({question_id!r}) without quiz.show in its cell")
    missing = [item.id for item in questions if item.id not in shown]
    if missing:
        problems.append(f"{where}: questions no cell of {source_notebook.name} shows: {missing}")
    in_bank = [item.id for item in questions if item.id in shown]
    if not problems and in_bank != shown:
        problems.append(f"{where}: list the questions in notebook order: {shown}")
    return problems


def _money_in_question(item: BankQuestion, where: str) -> list[str]:
    """Question texts are shown as HTML that JupyterLab typesets: a ``$`` pair there renders as maths too."""
    from workbook.writing.money import HINT, dollar_spots

    question = item.question
    texts = {"prompt": question.prompt}
    for field in ("options", "terms", "definitions"):
        texts |= {f"{field}.{key}": text for key, text in getattr(question, field, {}).items()}
    texts |= {f"explanations.{key}": text for key, text in item.key.explanations.items()}
    return [
        f"{where}: [{item.id}] field '{field}': '$' would render as maths near {spot!r}; {HINT}"
        for field, text in texts.items()
        for spot in dollar_spots(text)
    ]


def _key_call(item: BankQuestion, indent: str) -> str:
    """A ``quiz.key(...)`` call that scores ``item`` (answer and points only: grading needs no explanation)."""
    return f"{indent}quiz.key({item.id!r}, {item.key.answer!r}, points={item.key.points:g})"


def with_graded_keys(nb: NotebookNode, source_notebook: Path) -> NotebookNode:
    """A copy of the notebook whose hidden ``quiz.grade(id)`` lines carry the key from the bank.

    nbgrader stores hidden tests in its gradebook when it generates the assignment and puts them back at
    autograde, so plain ``nbgrader autograde`` (and any sandbox that restores cells from the gradebook) scores
    quizzes without seeing the course root. The release never holds these lines: nbgrader strips hidden tests.
    """
    by_id = {item.id: item for item in notebook_bank(source_notebook)}
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code" or "quiz.grade" not in cell.source:
            continue
        hidden = hidden_line_numbers(cell.source)
        lines = cell.source.split("\n")
        for number, line in enumerate(lines, start=1):
            match = GRADE_CALL.match(line)
            if match and number in hidden and match.group(2) in by_id:
                lines[number - 1] = _key_call(by_id[match.group(2)], match.group(1))
        cell.source = "\n".join(lines)
    return nb


def write_payload(source_notebook: Path, folder: Path, graded_keys: bool) -> Path | None:
    """Write ``<stem>.quiz.json`` for one notebook into ``folder`` (None if the notebook has no bank)."""
    questions = notebook_bank(source_notebook)
    if not questions:
        return None
    target = folder / f"{Path(source_notebook).stem}{PAYLOAD_SUFFIX}"
    target.write_text(payload_text(payload(Path(source_notebook).stem, questions, graded_keys)), encoding="utf-8")
    return target


__all__ = [
    "GRADE_CALL",
    "SHOW_CALL",
    "bank_path",
    "check_notebook_bank",
    "notebook_bank",
    "notebook_keys",
    "with_graded_keys",
    "write_payload",
]
