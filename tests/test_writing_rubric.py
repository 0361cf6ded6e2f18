"""The rubric file: it loads, broken copies are refused with a message naming the fault, and every rendering
(rubric, mark schemes) shows all of it, escaped. The notebook's graded cells agree with it."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest

from tests.conftest import REPO
from workbook.writing import render
from workbook.writing.rubric import FACTORS, LEVELS, RUBRIC_PATH, RubricError, load_rubric, parse_rubric

NOTEBOOK = REPO / "source" / "open_vs_closed" / "07_decision_framework.ipynb"
RAW = json.loads(RUBRIC_PATH.read_text(encoding="utf-8"))


def test_course_rubric_has_the_five_factors_and_structure() -> None:
    rubric = load_rubric()
    assert [c.id for c in rubric.criteria] == [*FACTORS, "structure"]
    assert all(set(c.levels) == set(LEVELS) for c in rubric.criteria)
    assert set(rubric.projects) == {"project_a", "project_b", "project_c"}


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: d.update(schema_version=2), "schema_version must be 1"),
        (lambda d: d["criteria"][0].pop("partial"), "criterion 1: 'partial' is missing"),
        (lambda d: d["criteria"].pop(2), "the factor criteria must be"),
        (lambda d: d["parts"]["risk"].update(points=4), "bands must run from 4 points"),
        (lambda d: d["parts"]["risk"].update(words=[200, 40]), "'words' must be [fewest, most]"),
        (lambda d: d["questions"]["project_a_risk"].update(project="project_z"), "unknown project 'project_z'"),
        (lambda d: d["projects"]["project_a"]["hints"].update(price="..."), "hints for unknown factors ['price']"),
        (lambda d: d["criteria"][1].update(name="   "), "'name' is empty"),
    ],
)
def test_a_broken_rubric_is_refused_with_the_place_named(break_it, message: str) -> None:
    data = copy.deepcopy(RAW)
    break_it(data)
    with pytest.raises(RubricError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rubric(data)


def test_an_unreadable_file_names_itself(tmp_path) -> None:
    bad = tmp_path / "rubric.json"
    bad.write_text("{not json")
    with pytest.raises(RubricError, match="rubric.json: not a readable rubric"):
        load_rubric(bad)


def test_rendered_rubric_shows_every_criterion_and_level() -> None:
    rubric = load_rubric()
    html = render.rubric_html()
    text = render.rubric_text()
    for criterion in rubric.criteria:
        for level in LEVELS:
            assert render.escape(criterion.levels[level]) in html
            assert criterion.levels[level] in text
    for part in rubric.parts.values():
        assert f"{part.name}</b> ({part.points:g} points)" in html


def test_rendering_escapes_rubric_text() -> None:
    data = copy.deepcopy(RAW)
    data["criteria"][0]["full"] = "<img src=x onerror=alert(1)> & more"
    html = render.rubric_html(parse_rubric(data))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; &amp; more" in html


def test_mark_scheme_shows_the_cells_points_and_bands() -> None:
    html = render.mark_scheme_html("project_c_risk")
    assert "Project C: a solo journalist, risk and mitigation (2 points)" in html
    for band in load_rubric().parts["risk"].bands:
        assert render.escape(band.description) in html
    with pytest.raises(KeyError, match="not a written question"):
        render.mark_scheme_html("project_d_risk")


def test_notebook_answer_cells_are_exactly_the_rubrics_questions() -> None:
    rubric = load_rubric()
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    graded = {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")
    }
    assert set(graded) == set(rubric.questions)
    for grade_id, cell in graded.items():
        _, part = rubric.question(grade_id)
        assert cell.cell_type == "markdown"
        assert cell.metadata["nbgrader"]["points"] == part.points, grade_id
        # the mark scheme of each answer is displayed just above it
        index = nb.cells.index(cell)
        assert nb.cells[index - 1].source == f'writing.show_mark_scheme("{grade_id}")'
