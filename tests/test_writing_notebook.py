"""Notebook 7 (the decision framework): model answers that are complete, honest and consistent with the cost
model; a release that holds none of them; links to the cost notebook and its presets that exist."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.conftest import REPO
from workbook import costs, writing
from workbook.editions.selflearner import _split_notes

STEM = "07_decision_framework"
SOURCE = REPO / "source" / "open_vs_closed" / f"{STEM}.ipynb"
RELEASE = REPO / "release" / "open_vs_closed" / f"{STEM}.ipynb"
LEARNER = REPO / "notebooks" / f"{STEM}.ipynb"


def model_answers() -> dict[str, tuple[str, str]]:
    """grade_id -> (model answer, notes on what makes it strong), markdown escapes undone."""
    nb = nbformat.read(str(SOURCE), as_version=4)
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            body = "\n".join(line for line in cell.source.splitlines() if "SOLUTION" not in line)
            found[meta["grade_id"]] = _split_notes(body.replace("\\$", "$"))
    return found


MODELS = model_answers()


@pytest.mark.parametrize("project", ["project_a", "project_b", "project_c"])
def test_model_answers_pass_the_structure_check_and_explain_their_strength(project: str) -> None:
    recommendation, notes = MODELS[f"{project}_recommendation"]
    risk, risk_notes = MODELS[f"{project}_risk"]
    result = writing.check_project(recommendation, risk, project=project)
    assert result.ready and result.hints == [], result.hints
    assert all(result.level(f) == "discussed" for f in writing.FACTORS)
    assert notes.startswith("- ") and risk_notes.startswith("- ")
    assert "The main risk" in risk, "the risk paragraph names the main risk of its own recommendation"


def test_project_c_says_more_than_one_answer_is_defensible() -> None:
    recommendation, notes = MODELS["project_c_recommendation"]
    assert recommendation.startswith("There is more than one defensible answer")
    assert "other defensible answer" in recommendation
    assert "more than one answer is defensible" in notes


def _dollars(phrase: str) -> float:
    return float(phrase.replace("USD ", "").replace(",", ""))


def _tokens(phrase: str) -> float:
    number, unit = phrase.split()
    return float(number) * {"million": 1e6, "billion": 1e9}[unit]


# (grade id, preset, what, the figure as the model answer writes it)
FIGURES = [
    ("project_a_recommendation", "project_a", "api", "USD 180"),
    ("project_a_recommendation", "project_a", "self", "USD 5,400"),
    ("project_a_recommendation", "project_a", "crossover", "900 million"),
    ("project_b_recommendation", "project_b", "api", "USD 1,500"),
    ("project_b_recommendation", "project_b", "self", "USD 5,900"),
    ("project_b_recommendation", "project_b", "crossover", "145 million"),
    ("project_c_recommendation", "project_c", "api", "USD 20"),
    ("project_c_recommendation", "project_c", "self", "USD 1,300"),
]


@pytest.mark.parametrize(("grade_id", "preset", "what", "phrase"), FIGURES)
def test_cost_figures_in_model_answers_match_the_cost_model(grade_id, preset, what, phrase) -> None:
    """If a preset changes, the model answers must be updated: this fails until they are."""
    text = " ".join(MODELS[grade_id][0].split())
    assert re.search(rf"(?:about|near) {re.escape(phrase)}\b", text), phrase
    table = costs.cost_table(preset)
    expected = table[table["note"].str.contains("expected volume")].iloc[0]
    crossover = table[table["note"].str.contains("crossover")].iloc[0]
    if what == "api":
        assert _dollars(phrase) == pytest.approx(float(expected["API USD a month"]), rel=0.05)
    elif what == "self":
        assert _dollars(phrase) == pytest.approx(float(expected["self-hosted USD a month"]), rel=0.05)
    else:
        assert _tokens(phrase) == pytest.approx(float(crossover["tokens a month"]), rel=0.05)


def test_notebook_links_the_cost_notebook_and_existing_presets() -> None:
    nb = nbformat.read(str(SOURCE), as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert (REPO / "source" / "open_vs_closed" / "04_cost_crossover.ipynb").exists()
    for preset in ("project_a", "project_b", "project_c"):
        assert f"(04_cost_crossover.ipynb) and choose the preset\n**`{preset}`**" in text
        assert preset in costs.preset_names()


def test_release_holds_no_model_answer_and_no_notes() -> None:
    release = RELEASE.read_text(encoding="utf-8")
    nb = nbformat.reads(release, as_version=4)
    stubs = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs == ["YOUR ANSWER HERE"] * 6
    for answer, notes in MODELS.values():
        for sentence in re.split(r"(?<=[.:])\s", answer + " " + notes):
            if len(sentence) > 40:
                assert sentence.replace("$", "\\$")[:40] not in release and sentence[:40] not in release, sentence
    assert "what makes it strong" not in release


def test_self_learner_edition_has_a_self_assessment_after_every_answer() -> None:
    nb = nbformat.read(str(LEARNER), as_version=4)
    ids = [c.get("id") for c in nb.cells]
    for grade_id in MODELS:
        answer_at = ids.index(grade_id.replace("_", "-"))
        assert nb.cells[answer_at].source == "YOUR ANSWER HERE"
        below = nb.cells[answer_at + 1]
        assert below.cell_type == "code" and below.metadata["jupyter"]["source_hidden"] is True
        assert f"writing.self_assess(\n    '{grade_id}'," in below.source
        assert MODELS[grade_id][0][:60] in below.source
