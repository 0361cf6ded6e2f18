"""Tables, plots and the panel: what a learner sees changes when the assumptions change."""

import io

import numpy as np
import pytest
from PIL import Image

from workbook import costs
from workbook.costs.panel import CostPanel
from workbook.costs.plots import CostFigure, render_png
from workbook.costs.tables import describe_crossover, describe_volume, human_tokens


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_cost_table_has_the_numbers_behind_project_as_plot():
    table = costs.cost_table("project_a")
    by_note = table.set_index("note")
    assert by_note.loc["expected volume", "API USD a month"] == 180.0
    assert by_note.loc["expected volume", "self-hosted USD a month"] == 2 * 2.7 * 730 + 1500
    assert by_note.loc["expected volume", "cheaper"] == "API"
    assert by_note.loc["crossover", "tokens a month"] == 907_000_000
    assert by_note.loc["crossover", "cheaper"] == "tie"
    assert table["tokens a month"].is_monotonic_increasing
    assert table["cheaper"].iloc[-1] == "self-hosted"


def test_sensitivity_shows_a_gpu_step_moving_the_crossover():
    table = costs.sensitivity("project_a").set_index("assumption")
    # GPU 25% dearer: $2,463.75 a GPU-month; (1,500 + 2,463.75) / (4,020.84 - 2,463.75) = 2.5, so 3 GPUs:
    # (3 * 2,463.75 + 1,500) / 6e-6 = 1,481,875,000 tokens.
    assert table.loc["GPU price per hour", "crossover at high"] == pytest.approx(1_481_875_000)
    # Fixed cost 25% lower: (2 * 1,971 + 1,125) / 6e-6 = 844,500,000.
    assert table.loc["fixed staff cost", "crossover at low"] == pytest.approx(844_500_000)
    # Utilization is a share: 0.3 * 1.25 = 0.375 is allowed, the cap at 1 is not reached.
    assert table.loc["GPU utilization", "high value"] == pytest.approx(0.375)
    with pytest.raises(ValueError, match="change must be between 0 and 1"):
        costs.sensitivity("project_a", change=1.5)


def test_words_for_the_crossover():
    assert human_tokens(907_000_000) == "907M" and human_tokens(1_500_000_000) == "1.5B"
    assert human_tokens(100_000_000) == "100M" and human_tokens(45_300_000_000) == "45.3B"
    assert describe_crossover(costs.preset("project_a")) == (
        "Self-hosting is cheaper from 907M tokens a month on (2 GPUs, about USD 5,442 a month either way)."
    )
    assert describe_volume(costs.preset("project_a")) == (
        "At 30M tokens a month: API USD 180, self-hosted USD 5,442; cheaper: the API."
    )
    never = describe_crossover(costs.preset("h100_8b_vs_gpt4o_mini"))
    assert never.startswith("Self-hosting never becomes cheaper: a GPU costs USD 1,971 a month")


def test_reused_figure_draws_what_a_fresh_one_draws():
    # The panel reuses one figure and a cached background; after other presets it must match a fresh drawing.
    figure = CostFigure()
    for name in ("project_b", "h100_8b_vs_gpt4o_mini", "project_c"):
        figure.update(costs.preset(name))
        figure.png()
    figure.update(costs.preset("project_a"))
    reused = pixels(figure.png())
    fresh = pixels(render_png(costs.preset("project_a")))
    assert reused.shape == fresh.shape
    assert np.array_equal(reused, fresh)


def test_plot_changes_with_the_assumptions_and_is_opaque():
    school = costs.preset("project_a")
    first = pixels(render_png(school))
    second = pixels(render_png(school.replace(utilization=0.6)))
    assert first.shape[0] > 400 and first.shape[1] > 500
    assert (first != second).any(axis=2).mean() > 0.001
    rgba = np.asarray(Image.open(io.BytesIO(render_png(school))))
    assert rgba.shape[2] == 4 and (rgba[..., 3] == 255).all()  # solid background: same in dark themes


def test_panel_sliders_label_reset_and_presets():
    panel = CostPanel("project_a")
    assert "907M" in panel.label.value
    before = panel.image.value
    panel.sliders["gpu_usd_per_hour"].value = 3.5
    assert panel.image.value != before
    # $3.50/h: G = $2,555, (1,500 + 2,555) / (4,020.84 - 2,555) = 2.77, so 3 GPUs: (7,665 + 1,500) / 6e-6.
    assert "1.53B tokens a month" in panel.label.value
    panel.sliders["fixed_usd_per_month"].value = 0
    assert "Self-hosting is cheaper from" in panel.label.value
    panel.reset_button.click()
    assert "907M" in panel.label.value
    assert panel.sliders["gpu_usd_per_hour"].value == 2.7
    panel.menu.value = "project_b"
    assert panel.sliders["min_gpus"].value == 4
    assert "owned: USD 27,500 over 36 months" in panel.gpu_note.value
    assert "expected volume" in panel.table.value
    panel.menu.value = "h100_8b_vs_gpt4o_mini"
    assert "never becomes cheaper" in panel.label.value


def test_panel_has_a_slider_for_every_assumption():
    panel = CostPanel("project_c")
    fields = set(panel.sliders)
    assert fields == {
        "tokens_per_month",
        "api_input_usd_per_mtok",
        "api_output_usd_per_mtok",
        "output_share",
        "gpu_usd_per_hour",
        "tokens_per_second",
        "utilization",
        "fixed_usd_per_month",
        "min_gpus",
    }
    for field, slider in panel.sliders.items():
        assert (
            slider.min <= getattr(costs.preset("project_c"), field) <= slider.max
            or slider.min <= np.log10(getattr(costs.preset("project_c"), field)) <= slider.max
        )
