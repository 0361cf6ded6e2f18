"""What the e2e students answer, and what each answer earns, worked out from the course's own files.

Keys and points are read from the instructor's files (the question bank ``questions/<assignment>/<stem>.toml`` when
it exists, else the ``quiz.key(...)`` calls in ``source/``), never from the grader's output. Scoring rules, stated
here independently: a multiple-choice question earns its points when the chosen option is the key; a matching
question earns points x (right pairs / pairs); a code exercise earns its test cell's points when the student's
code is the model solution and 0 when its answer is wrong; a written answer earns what the instructor enters.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

ASSIGNMENT = "open_vs_closed"
QUIZ_NB, MATCH_NB, WRITING_NB = "01_what_open_means", "05_match_use_cases", "07_decision_framework"
MATCH_QUESTION = "use_case_model_type_match"
CODE_CELL, CODE_TESTS = "free_at_800m_users", "free_at_800m_users_tests"
WRITTEN_CELL = "project_a_recommendation"


@dataclass
class Question:
    question_id: str
    answer: object  # option id, or {term id: definition id}
    points: float
    options: dict[str, str]  # option id -> text (multiple choice)


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _points_in_metadata(source_nb, grade_id: str) -> float:
    return float(next(c for c in source_nb.cells if _grade_id(c) == grade_id).metadata["nbgrader"]["points"])


def _call_args(source: str, function: str) -> list[ast.Call]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == function:
                found.append(node)
    return found


def question(course: Path, stem: str, question_id: str) -> Question:
    source_nb = nbformat.read(str(course / "source" / ASSIGNMENT / f"{stem}.ipynb"), as_version=4)
    points = _points_in_metadata(source_nb, question_id)
    bank = course / "questions" / ASSIGNMENT / f"{stem}.toml"
    if bank.exists():
        table = tomllib.loads(bank.read_text())[question_id]
        return Question(question_id, table["answer"], points, dict(table.get("options", {})))
    answer, options = None, {}
    for cell in source_nb.cells:
        for call in _call_args(cell.source, "key"):
            if call.args and ast.literal_eval(call.args[0]) == question_id:
                answer = ast.literal_eval(call.args[1])
        for call in _call_args(cell.source, "MultipleChoice"):
            keywords = {k.arg: k.value for k in call.keywords}
            if "id" in keywords and ast.literal_eval(keywords["id"]) == question_id:
                options = ast.literal_eval(keywords["options"])
    assert answer is not None, f"no key for {question_id} in {stem}"
    return Question(question_id, answer, points, options)


def graded_choices(course: Path, stem: str = QUIZ_NB, count: int = 2) -> list[str]:
    """The first graded single-answer multiple-choice questions of a notebook, from its question bank."""
    bank = tomllib.loads((course / "questions" / ASSIGNMENT / f"{stem}.toml").read_text())
    found = [
        question_id
        for question_id, table in bank.items()
        if table.get("type") == "multiple_choice" and table.get("graded") and not table.get("several")
    ]
    assert len(found) >= count, f"{stem} has fewer than {count} graded multiple-choice questions"
    return found[:count]


def wrong_option(q: Question) -> str:
    return next(option for option in q.options if option != q.answer)


def model_solution(course: Path, stem: str, grade_id: str) -> str:
    """The source's solution of a code cell, as a student who wrote it would type it."""
    source_nb = nbformat.read(str(course / "source" / ASSIGNMENT / f"{stem}.ipynb"), as_version=4)
    cell = next(c for c in source_nb.cells if _grade_id(c) == grade_id)
    return "\n".join(line for line in cell.source.splitlines() if "SOLUTION" not in line)


def cell_index(notebook: Path, grade_id: str) -> int:
    nb = nbformat.read(str(notebook), as_version=4)
    return next(i for i, c in enumerate(nb.cells) if _grade_id(c) == grade_id)


def points_of(course: Path, stem: str, grade_id: str) -> float:
    source_nb = nbformat.read(str(course / "source" / ASSIGNMENT / f"{stem}.ipynb"), as_version=4)
    return _points_in_metadata(source_nb, grade_id)


def cell_source(notebook: Path, grade_id: str) -> str:
    nb = nbformat.read(str(notebook), as_version=4)
    return next(c.source for c in nb.cells if _grade_id(c) == grade_id)
