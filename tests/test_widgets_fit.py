"""Widget details a learner sees, checked without a browser: the cost panel's words and labels, the written-answer
check's output and hints. (How they fit on screen is checked in Chromium by tests/browser_learners.)"""

from __future__ import annotations

import pytest

from workbook.costs.assumptions import load_presets
from workbook.costs.plots import CostFigure


@pytest.mark.parametrize("name", list(load_presets()))
def test_the_crossover_label_stays_inside_the_plot(name: str) -> None:
    """Inside the axes it can neither cover a tick label (those are outside) nor be clipped by the figure."""
    chosen = load_presets()[name]
    figure = CostFigure(sentences=False)
    figure.update(chosen)
    if chosen.crossover() is None:
        assert not figure.cross_mark.get_visible()
    else:
        assert figure.cross_mark_inside(), name


@pytest.mark.parametrize("volume", [1e5, 3e6, 2e9, 5e11])
def test_the_crossover_label_stays_inside_whatever_the_volume(volume: float) -> None:
    chosen = load_presets()["project_a"].replace(tokens_per_month=volume)
    figure = CostFigure(sentences=False)
    figure.update(chosen)
    assert figure.cross_mark_inside()


def test_the_panel_says_2b_and_follows_the_gpu_slider() -> None:
    from workbook.costs.panel import CostPanel

    panel = CostPanel("project_b")
    panel.sliders["tokens_per_month"].value = 2e9
    assert panel.volume_readout.value == "2B tokens"
    assert panel.sliders["tokens_per_month"].readout is False, "no '2.00G' readout beside it"
    note = panel.gpu_note.value
    panel.sliders["gpu_usd_per_hour"].value = 4.25
    assert panel.gpu_note.value != note and "USD 4.25 per GPU-hour, set with the slider" in panel.gpu_note.value
    panel.reset_button.click()
    assert panel.gpu_note.value == note


def test_the_panel_plot_is_rendered_at_twice_its_shown_size() -> None:
    from PIL import Image

    from workbook.costs.panel import FIGURE_WIDTH_PX, CostPanel

    panel = CostPanel("project_a")
    import io

    width, _ = Image.open(io.BytesIO(panel.image.value)).size
    assert width == 2 * FIGURE_WIDTH_PX and panel.image.layout.width == f"{FIGURE_WIDTH_PX}px"


def test_check_saved_shows_its_result_once(tmp_path, monkeypatch) -> None:
    """It displays the check and returns None, so the cell does not echo the result a second time."""
    import nbformat

    from tests.conftest import REPO
    from workbook import writing

    nb = nbformat.read(str(REPO / "release" / "open_vs_closed" / "07_decision_framework.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "project_a_recommendation":
            cell.source = "I recommend a closed API for the school. " * 12  # the risk cell stays empty
    nbformat.write(nb, str(tmp_path / "07_decision_framework.ipynb"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shown = []
    monkeypatch.setattr(writing, "_display", lambda html, text: shown.append(text))
    assert writing.check_saved("07_decision_framework", "project_a") is None
    assert len(shown) == 1 and "Structure check" in shown[0]
    assert "Fill both answer cells of this project" in shown[0]
    assert "Write two paragraphs" not in shown[0]


def test_rubric_and_mark_scheme_tables_read_from_the_left() -> None:
    from workbook.writing.render import mark_scheme_html, rubric_html

    for markup in (rubric_html(), mark_scheme_html("project_a_recommendation")):
        assert "<td>" not in markup and "<th>" not in markup
        assert markup.count("text-align:left") >= markup.count("<td")
