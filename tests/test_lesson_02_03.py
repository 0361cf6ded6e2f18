"""Lesson notebooks 02 (the case for open models) and 03 (the case for closed models).

Cheap checks that read the source notebooks without starting a kernel: every question explains every option,
graded questions are numbered and worth what they say, citations resolve to dated sources, the cost exercise
grades right and wrong answers correctly, and the arithmetic printed in the prose is right.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from workbook.core.hidden import hidden_line_numbers
from workbook.editions.bank import SHOW_CALL, notebook_bank

SOURCE = Path(__file__).resolve().parent.parent / "source" / "open_vs_closed"
NOTEBOOKS = ["02_case_for_open", "03_case_for_closed"]
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
QUESTION_LABEL = re.compile(r"\*\*Question (\d+)\.(\d+) \((\d+) points?\)\.\*\*")


def read(stem: str):
    return nbformat.read(str(SOURCE / f"{stem}.ipynb"), as_version=4)


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def literal(call: ast.Call, name: str, position: int | None = None, default: object = None) -> object:
    for keyword in call.keywords:
        if keyword.arg == name:
            return ast.literal_eval(keyword.value)
    if position is not None and len(call.args) > position:
        return ast.literal_eval(call.args[position])
    return default


def calls(tree: ast.AST, attribute: str) -> list[ast.Call]:
    """Calls of ``quiz.<attribute>(...)`` in a parsed cell."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "quiz"
    ]


@dataclass
class QuizCell:
    """One quiz cell: the question as shown and its key as written."""

    index: int
    graded: bool
    cell_points: float | None
    question_id: str
    options: dict[str, str]
    several: bool
    key_id: str
    answer: object
    explanations: dict[str, str]
    key_points: float
    key_hidden: bool


def quiz_cells(stem: str) -> list[QuizCell]:
    """Quiz cells in notebook order, each with its question and key from the question bank."""
    bank = {item.id: item for item in notebook_bank(SOURCE / f"{stem}.ipynb")}
    found = []
    for index, cell in enumerate(read(stem).cells):
        if cell.cell_type != "code" or "quiz.show(" not in cell.source:
            continue
        (question_id,) = SHOW_CALL.findall(cell.source)
        item = bank[question_id]
        meta = nbgrader(cell)
        hidden = hidden_line_numbers(cell.source)
        grade_lines = [n for n, line in enumerate(cell.source.splitlines(), 1) if "quiz.grade(" in line]
        found.append(
            QuizCell(
                index=index,
                graded=bool(meta.get("grade")),
                cell_points=meta.get("points"),
                question_id=question_id,
                options=dict(item.question.options),
                several=item.question.several,
                key_id=item.key.question_id,
                answer=item.key.answer,
                explanations=item.key.explanations,
                key_points=item.key.points,
                key_hidden=bool(grade_lines) and all(n in hidden for n in grade_lines) and item.graded,
            )
        )
    return found


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_setup_cell_binds_this_notebooks_answer_store(stem: str) -> None:
    setup = [c for c in read(stem).cells if nbgrader(c).get("grade_id") == "setup"]
    assert len(setup) == 1, "exactly one setup cell"
    assert nbgrader(setup[0]).get("locked") is True
    assert f'quiz.start("{stem}")' in setup[0].source, "answers must go to this notebook's own store"


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_every_option_is_explained_and_the_key_names_real_options(stem: str) -> None:
    questions = quiz_cells(stem)
    assert questions, "the notebook has quiz questions"
    for q in questions:
        assert q.key_id == q.question_id, f"cell {q.index}: the key belongs to another question"
        assert set(q.explanations) == set(q.options), f"{q.question_id}: every option needs an explanation"
        chosen = q.answer if isinstance(q.answer, list) else [q.answer]
        assert set(chosen) <= set(q.options), f"{q.question_id}: the key names an option that does not exist"
        assert isinstance(q.answer, list) == q.several, f"{q.question_id}: several=True needs a list key"
        if q.several:
            assert 0 < len(chosen) < len(q.options), f"{q.question_id}: 'select all' must not be all or none"


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_practice_checks_give_feedback_and_graded_questions_hide_their_key(stem: str) -> None:
    questions = quiz_cells(stem)
    practice = [q for q in questions if not q.graded]
    graded = [q for q in questions if q.graded]
    assert 2 <= len(practice) <= 4, "two to four practice checks"
    assert len(graded) >= 2 and any(q.several for q in graded), "graded questions, one with several answers"
    for q in practice:
        assert not q.key_hidden, f"{q.question_id}: a practice check gives immediate feedback (no hidden test)"
    for q in graded:
        assert q.key_hidden, f"{q.question_id}: a graded key must sit in the hidden tests"
        assert q.key_points == q.cell_points, f"{q.question_id}: quiz.key points differ from the cell's points"


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_graded_cells_are_numbered_in_order_with_their_points(stem: str) -> None:
    cells = read(stem).cells
    section = int(stem[:2])
    labels = []
    for index, cell in enumerate(cells):
        for match in QUESTION_LABEL.finditer(cell.source if cell.cell_type == "markdown" else ""):
            labels.append((index, int(match[1]), int(match[2]), int(match[3])))
    graded = [(i, c) for i, c in enumerate(cells) if nbgrader(c).get("grade")]
    assert [(n, k) for _, n, k, _ in labels] == [(section, k) for k in range(1, len(labels) + 1)]
    assert len(labels) == len(graded), "one numbered label per graded cell"
    for (label_index, _, number, points), (cell_index, cell) in zip(labels, graded, strict=True):
        assert label_index < cell_index, f"Question {section}.{number}: the label comes before its cell"
        assert nbgrader(cell)["points"] == points, f"Question {section}.{number}: the label says {points} points"


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_every_citation_resolves_to_a_dated_source(stem: str) -> None:
    cells = [c for c in read(stem).cells if c.cell_type == "markdown"]
    sources_cell = [c for c in cells if c.source.startswith("## Sources")]
    assert len(sources_cell) == 1 and sources_cell[0] is cells[-1], "a Sources list closes the notebook"
    entries = re.findall(r"^(\d+)\. (.+)$", sources_cell[0].source, flags=re.MULTILINE)
    assert [int(n) for n, _ in entries] == list(range(1, len(entries) + 1))
    for number, text in entries:
        assert re.search(r"\b(19|20)\d\d\b", text), f"source {number} has no date: {text}"
    body = "\n".join(c.source for c in cells[:-1])
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited == set(range(1, len(entries) + 1)), "every marker has a source and every source is cited"


# ---------------------------------------------------------------- the cost exercise in 03


def exercise_cells() -> tuple[str, str]:
    cells = {nbgrader(c).get("grade_id"): c.source for c in read("03_case_for_closed").cells}
    return cells["monthly_api_bill"], cells["monthly_api_bill_tests"]


def stubbed(solution: str) -> str:
    """The student's starting point: the solution region replaced the way nbgrader does it."""
    return re.sub(
        r"( *)### BEGIN SOLUTION\n.*?### END SOLUTION",
        lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()",
        solution,
        flags=re.DOTALL,
    )


def run_tests(function_code: str, tests: str, hidden: bool) -> None:
    """Define the function, then run the test cell (its visible part only unless ``hidden``)."""
    if not hidden:
        tests = tests.split(HIDDEN_BEGIN)[0]
    namespace: dict = {}
    exec(function_code, namespace)  # noqa: S102 - the notebook's own code, as the kernel would run it
    exec(tests, namespace)  # noqa: S102


def test_reference_solution_earns_the_points() -> None:
    solution, tests = exercise_cells()
    function_only = solution.split("\n\n\n")[0]
    run_tests(function_only, tests, hidden=True)


def test_untouched_exercise_earns_nothing() -> None:
    solution, tests = exercise_cells()
    function_only = stubbed(solution).split("\n\n\n")[0]
    assert "raise NotImplementedError()" in function_only
    with pytest.raises(NotImplementedError):
        run_tests(function_only, tests, hidden=True)


@pytest.mark.parametrize(
    "mistake",
    [
        "return requests_per_month * (input_tokens * price_in + output_tokens * price_out)",  # forgot "per million"
        "return requests_per_month * (input_tokens * price_out + output_tokens * price_in) / 1_000_000",  # swapped
        "return (input_tokens * price_in + output_tokens * price_out) / 1_000_000",  # forgot the request count
    ],
)
def test_common_mistakes_are_caught_by_the_visible_tests(mistake: str) -> None:
    _, tests = exercise_cells()
    wrong = (
        f"def monthly_api_bill(requests_per_month, input_tokens, output_tokens, price_in, price_out):\n    {mistake}\n"
    )
    with pytest.raises(AssertionError):
        run_tests(wrong, tests, hidden=False)


def test_hidden_tests_use_values_worked_out_by_hand() -> None:
    """The hidden expectations agree with the price arithmetic done here independently."""
    _, tests = exercise_cells()
    hidden = tests.split(HIDDEN_BEGIN)[1]
    # 100 M input tokens and 30 M output tokens a month at GPT-4o mini and GPT-4o prices (OpenAI, 2024-08).
    assert "), 33.0)" in hidden and 100 * 0.15 + 30 * 0.60 == pytest.approx(33.0)
    assert "), 550.0)" in hidden and 100 * 2.50 + 30 * 10.0 == pytest.approx(550.0)
    # 1,000 M input and 400 M output tokens at DeepSeek V3 prices (DeepSeek API docs, 2025-02).
    assert "), 710.0)" in hidden and 1_000 * 0.27 + 400 * 1.10 == pytest.approx(710.0)


# ---------------------------------------------------------------- the arithmetic printed in the prose


def prose(stem: str) -> str:
    return "\n".join(c.source for c in read(stem).cells if c.cell_type == "markdown")


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_prices_do_not_turn_into_math_in_jupyterlab(stem: str) -> None:
    """JupyterLab typesets the text between two dollar signs as LaTeX, even when escaped as \\$."""
    without_display_math = re.sub(r"\$\$.*?\$\$", "", prose(stem), flags=re.DOTALL)
    assert "$" not in without_display_math, "write prices as 'USD 2.69', not with a dollar sign"


def test_open_case_cost_ceiling_figures_are_right() -> None:
    text = prose("02_case_for_open")
    tokens_per_hour = 3_400 * 3_600
    assert "3,400 × 3,600 = 12,240,000" in text and tokens_per_hour == 12_240_000
    low, high = 2.69 / tokens_per_hour * 1e6, 6.88 / tokens_per_hour * 1e6
    assert f"**USD {low:.2f}**" in text and f"**USD {high:.2f}**" in text
    assert f"USD {low / 0.2:.2f} to {high / 0.2:.2f}" in text  # 20% utilization


def test_closed_case_worked_example_figures_are_right() -> None:
    text = prose("03_case_for_closed")
    api = 100_000 * 1_000 / 1e6 * 0.15 + 100_000 * 300 / 1e6 * 0.60
    assert f"**USD {api:.2f} a month**" in text
    hours = 24 * 365 / 12
    assert f"**{hours:.0f} hours**" in text
    for rate in (2.7, 4.3):
        assert f"**USD {hours * rate:,.0f}** a month" in text
    assert f"≈ {hours * 2.7 / api:.0f}" in text and f"≈ {hours * 4.3 / api:.0f}" in text
    capacity = 3_400 * 3_600 * hours
    assert f"{capacity:,.0f} output" in text and f"**{30e6 / capacity:.2%}**" in text
    hosted_open = (100 + 30) * 0.88
    assert f"**USD {hosted_open:.2f}** a month" in text
    assert math.isclose(api, 33.0)
