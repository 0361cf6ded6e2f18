"""Static checks of lessons 05 (match the use case) and 06 (tradeoffs, not morals).

They read the source notebooks and their question bank without running a kernel: every quiz question is built
from the bank with the real ``workbook.quiz`` classes, so a key that does not fit its question, an option without an
explanation, or a heading that promises other points than the grader gives fails here before a learner sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from workbook.editions.bank import SHOW_CALL, notebook_bank
from workbook.quiz.questions import Matching, MultipleChoice
from workbook.quiz.scoring import AnswerKey, check_key_fits

SOURCE = Path(__file__).resolve().parents[1] / "source" / "open_vs_closed"
STEMS = ("05_match_use_cases", "06_tradeoffs_not_morals")
HEADING = re.compile(r"^### Question (\d+)\.(\d+) \((\d+) points?\)", re.MULTILINE)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


@dataclass
class QuizCell:
    """One quiz cell of a notebook: its nbgrader metadata, question, key and where the key sits."""

    grade_id: str
    graded: bool
    points: float | None
    question: MultipleChoice | Matching
    key: AnswerKey
    key_hidden: bool
    key_has_points: bool
    index: int


def _quiz_cells(stem: str) -> list[QuizCell]:
    """Quiz cells in notebook order, with question and key from the question bank (checked by its schema)."""
    notebook = nbformat.read(SOURCE / f"{stem}.ipynb", as_version=4)
    bank = {item.id: item for item in notebook_bank(SOURCE / f"{stem}.ipynb")}
    cells = []
    for index, cell in enumerate(notebook.cells):
        shown = SHOW_CALL.findall(cell.source) if cell.cell_type == "code" else []
        if not shown:
            continue
        (question_id,) = shown
        item = bank[question_id]
        meta = cell.metadata["nbgrader"]
        hidden = HIDDEN.search(cell.source)
        cells.append(
            QuizCell(
                grade_id=meta["grade_id"],
                graded=meta["grade"],
                points=meta.get("points"),
                question=item.question,
                key=item.key,
                key_hidden=bool(hidden and f'quiz.grade("{question_id}")' in hidden.group(1)) and item.graded,
                key_has_points=item.graded,
                index=index,
            )
        )
    return cells


@pytest.fixture(scope="module", params=STEMS)
def lesson(request: pytest.FixtureRequest) -> tuple[str, nbformat.NotebookNode, list[QuizCell]]:
    stem = request.param
    return stem, nbformat.read(SOURCE / f"{stem}.ipynb", as_version=4), _quiz_cells(stem)


def test_setup_cell_binds_this_notebooks_answer_store(lesson):
    stem, notebook, _ = lesson
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert first_code.metadata["nbgrader"]["grade_id"] == "setup"
    assert f'quiz.start("{stem}")' in first_code.source


def test_every_key_fits_its_question_and_explains_every_choice(lesson):
    _, _, cells = lesson
    assert cells, "no quiz cells found"
    for cell in cells:
        assert cell.question.id == cell.grade_id == cell.key.question_id
        check_key_fits(cell.key, cell.question)
        explained = cell.question.terms if isinstance(cell.question, Matching) else cell.question.options
        missing = set(explained) - set(cell.key.explanations)
        assert not missing and set(cell.key.explanations) == set(explained), f"{cell.grade_id}: unexplained {missing}"


def test_graded_keys_are_hidden_and_worth_the_cells_points(lesson):
    _, _, cells = lesson
    for cell in cells:
        if cell.graded:
            assert cell.key_hidden, f"{cell.grade_id}: the key of a graded question must sit in hidden tests"
            assert cell.key.points == cell.points, f"{cell.grade_id}: quiz.key points differ from the cell's"
        else:
            assert not cell.key_hidden and not cell.key_has_points, f"{cell.grade_id}: practice keys are visible"


def test_question_headings_promise_the_points_the_grader_gives(lesson):
    stem, notebook, cells = lesson
    section = int(stem[:2])
    numbers = []
    for cell in (cell for cell in cells if cell.graded):
        heading = next(
            HEADING.search(notebook.cells[i].source)
            for i in range(cell.index - 1, -1, -1)
            if notebook.cells[i].cell_type == "markdown" and HEADING.search(notebook.cells[i].source)
        )
        assert int(heading.group(1)) == section
        assert float(heading.group(3)) == cell.points, f"{cell.grade_id}: heading says {heading.group(0)!r}"
        numbers.append(int(heading.group(2)))
    assert numbers == list(range(1, len(numbers) + 1)), f"questions are not numbered 1, 2, ...: {numbers}"


def test_every_graded_question_has_a_practice_check_before_it_in_05():
    cells = _quiz_cells("05_match_use_cases")
    for position, cell in enumerate(cells):
        if cell.graded:
            assert position > 0 and not cells[position - 1].graded, f"{cell.grade_id} has no warm-up before it"
            assert type(cells[position - 1].question) is type(cell.question)


def test_05_matchings_are_as_large_as_the_lesson_asks_and_score_whole_points():
    graded = {cell.grade_id: cell for cell in _quiz_cells("05_match_use_cases") if cell.graded}
    use_cases = graded["use_case_model_type_match"].question
    terms = graded["terms_definitions_match"].question
    assert len(use_cases.terms) >= 8 and len(terms.terms) >= 8
    assert len(terms.definitions) > len(terms.terms), "the terms matching needs distractor definitions"
    # Every use case is matched to an open or a closed deployment, and both kinds occur.
    chosen = [use_cases.definitions[d] for d in graded["use_case_model_type_match"].key.answer.values()]
    kinds = {
        "open" if text.startswith("Open weights") else "closed" if "closed API" in text else text for text in chosen
    }
    assert kinds == {"open", "closed"}, kinds
    required = {
        "weights",
        "fine-tuning",
        "inspectability",
        "sovereignty",
        "acceptable use policy",
        "sla",
        "data processing agreement",
        "open weights, as opposed to open source",
    }
    shown = " | ".join(terms.terms.values()).lower()
    assert all(word in shown for word in required), f"missing terms: {[w for w in required if w not in shown]}"
    for cell in graded.values():
        per_pair = cell.points / len(cell.question.terms)
        assert per_pair == int(per_pair), f"{cell.grade_id}: partial credit per pair is not a whole number"


def test_06_answers_the_lessons_two_questions_as_the_lesson_does():
    cells = {cell.grade_id: cell for cell in _quiz_cells("06_tradeoffs_not_morals")}
    defense = cells["defense_contractor_choice"]
    assert "hardware the contractor controls" in defense.question.options[defense.key.answer]
    marketed = cells["open_marketed_licence_choice"]
    assert "not open" in marketed.question.options[marketed.key.answer]
    lesson_questions = {defense.grade_id, marketed.grade_id}
    others = [cell for cell in cells.values() if cell.graded and cell.grade_id not in lesson_questions]
    assert len(others) >= 3, "the lesson asks for at least three more licence-reading questions"
