"""Lesson 1 (source/open_vs_closed/01_what_open_means.ipynb): its exercises grade the way a learner expects.

Each run executes a private copy of the source notebook headless (about 2 s each): with the model solutions the
notebook runs clean and every test passes; with the solutions missing or plausibly wrong, the pandas tests fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tests.kernels import execute
from workbook.data import load_licences

NOTEBOOK = Path(__file__).resolve().parent.parent / "source" / "open_vs_closed" / "01_what_open_means.ipynb"
PANDAS_TESTS = ["free_at_800m_users_tests", "fully_sovereign_tests"]
SOLUTION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.S)

# Plausible mistakes a learner makes: ignoring the user threshold, and reading "not_stated" as "yes".
WRONG_ANSWERS = {
    "free_at_800m_users": 'free_at_800m_users = licences.loc[licences["commercial_use"] == "yes", "model"].tolist()',
    "fully_sovereign": (
        'fully_sovereign = licences.loc[(licences["modify_and_redistribute"] != "with_conditions")'
        ' & (licences["use_policy"] != "yes")]'
    ),
}


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _run(tmp_path: Path, answers: dict[str, str] | None = None) -> dict[str, list]:
    """Execute a copy (answers replace the solution regions, keyed by grade_id); outputs of every code cell."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if answers is not None and _grade_id(cell) in answers:
            replacement = answers[_grade_id(cell)]
            cell.source = SOLUTION.sub(lambda _, text=replacement: text, cell.source)
    execute(nb, tmp_path, allow_errors=True)
    return {_grade_id(cell) or cell.get("id"): cell.outputs for cell in nb.cells if cell.cell_type == "code"}


def _errors(outputs: list) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for o in outputs if o["output_type"] == "error"]


@pytest.mark.kernel
def test_the_notebook_runs_clean_with_its_solutions(tmp_path):
    outputs = _run(tmp_path)
    problems = {cell: _errors(out) for cell, out in outputs.items() if _errors(out)}
    assert not problems, f"cells failing with the solutions in place: {problems}"
    noisy = [
        cell
        for cell in PANDAS_TESTS
        if any(o["output_type"] == "stream" and o["name"] == "stderr" for o in outputs[cell])
    ]
    assert not noisy, f"test cells writing to stderr (nbgrader would score them 0): {noisy}"


@pytest.mark.kernel
def test_pandas_tests_fail_without_an_answer(tmp_path):
    stub = "# YOUR CODE HERE\nraise NotImplementedError()"
    outputs = _run(tmp_path, {"free_at_800m_users": stub, "fully_sovereign": stub})
    for cell in PANDAS_TESTS:
        assert _errors(outputs[cell]), f"{cell} passes although nothing was answered"


@pytest.mark.kernel
def test_pandas_tests_catch_plausible_mistakes(tmp_path):
    outputs = _run(tmp_path, WRONG_ANSWERS)
    for cell in PANDAS_TESTS:
        errors = _errors(outputs[cell])
        assert errors and errors[0].startswith("AssertionError"), f"{cell} accepts a wrong answer: {errors}"
        assert "too many" in errors[0], "the message should say what is wrong without giving the answer"


def test_graded_cells_and_points_match_the_questions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    graded = {
        _grade_id(cell): cell.metadata["nbgrader"]["points"]
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }
    assert graded == {
        "osi_preferred_form_choice": 1,
        "free_at_800m_users_tests": 2,
        "fully_sovereign_tests": 2,
        "paper_without_weights_choice": 1,
    }
    prose = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    announced = re.findall(r"\*\*Question 1\.(\d) \((\d) points?\)\.\*\*", prose)
    assert announced == [("1", "1"), ("2", "2"), ("3", "2"), ("4", "1")], "questions numbered in reading order"
    assert "6 points in all" in prose


@pytest.mark.parametrize("grade_id", PANDAS_TESTS)
def test_pandas_test_cells_explain_themselves_and_hide_the_key(grade_id):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = next(cell.source for cell in nb.cells if _grade_id(cell) == grade_id)
    assert source.startswith('"""'), "a test cell starts with a docstring saying what it checks"
    visible, _, hidden = source.partition("### BEGIN HIDDEN TESTS")
    assert "assert" in visible and "### END HIDDEN TESTS" in hidden
    assert "Mistral 7B" not in visible, "the expected models belong in the hidden tests only"


def test_prose_counts_match_the_licence_table():
    licences = load_licences()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    expected = f"{len(licences)} model releases from {licences['family'].nunique()} families"
    assert expected in prose
