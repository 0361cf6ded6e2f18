"""The interactive cost panel: a preset menu, a reset button, one slider per assumption, the plots and a table.

Imported only when a notebook calls ``costs.show_panel`` or ``costs.show_plot`` outside autograding. A slider
move calls ``CostPanel.update``: new numbers, the reused figure's artists updated, one PNG render sent to an
``ipywidgets.Image``, the sentence and the table replaced. Nothing is re-created, which keeps a redraw fast.
Sliders update when released or on each arrow key press; their number readouts can also be typed into.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from IPython.display import Image, Markdown, display

from workbook.costs.assumptions import Assumptions, load_presets, preset
from workbook.costs.plots import DPI, FIGURE_WIDTH_INCHES, CostFigure
from workbook.costs.tables import cost_table, describe_crossover, describe_volume, human_tokens

FIGURE_WIDTH_PX = round(FIGURE_WIDTH_INCHES * DPI)  # the plot's size on screen, whatever its pixel density


@dataclass(frozen=True)
class SliderSpec:
    """How one assumption is offered: label, range, step and whether the slider is logarithmic."""

    field: str
    label: str
    low: float
    high: float
    step: float
    log: bool = False
    whole: bool = False
    readout_format: str = ".2f"
    own_readout: bool = False  # the number is shown beside the slider in the course's words ("2B", not "2.00G")


SLIDERS = (
    SliderSpec("tokens_per_month", "Your volume (tokens a month)", 4, 13, 0.05, log=True, own_readout=True),
    SliderSpec("api_input_usd_per_mtok", "API input price (USD per 1M tokens)", 0, 30, 0.05),
    SliderSpec("api_output_usd_per_mtok", "API output price (USD per 1M tokens)", 0, 100, 0.05),
    SliderSpec("output_share", "Output share of tokens", 0, 1, 0.01),
    SliderSpec("gpu_usd_per_hour", "GPU price (USD per GPU-hour)", 0, 10, 0.01),
    SliderSpec("tokens_per_second", "GPU throughput (tokens/s per GPU)", 1, 5, 0.01, log=True, readout_format=".4s"),
    SliderSpec("utilization", "GPU utilization (share of peak)", 0.01, 1, 0.01),
    SliderSpec("fixed_usd_per_month", "Fixed cost: staff etc. (USD a month)", 0, 20000, 50, readout_format=",.0f"),
    SliderSpec("min_gpus", "Minimum GPUs", 1, 16, 1, whole=True),
)


def _make_slider(spec: SliderSpec) -> widgets.Widget:
    common = {
        "description": spec.label,
        "description_allow_html": False,
        "continuous_update": False,  # one redraw per release or key press, not a queue of them while dragging
        "style": {"description_width": "15em"},
        # The whole output width up to 42em: at 1024 px with the file browser open the units still fit
        # (labels also wrap instead of being cut, see PANEL_CSS).
        "layout": widgets.Layout(width="100%", max_width="42em"),
    }
    if spec.own_readout:
        common["readout"] = False
    if spec.whole:
        slider = widgets.IntSlider(min=int(spec.low), max=int(spec.high), step=int(spec.step), **common)
    elif spec.log:
        slider = widgets.FloatLogSlider(
            min=spec.low, max=spec.high, step=spec.step, base=10, readout_format=spec.readout_format, **common
        )
    else:
        slider = widgets.FloatSlider(
            min=spec.low, max=spec.high, step=spec.step, readout_format=spec.readout_format, **common
        )
    slider.add_class(f"costs-slider-{spec.field.replace('_', '-')}")
    return slider


PANEL_CSS = """<style>
.costs-panel .widget-label, .costs-panel .jupyter-widget-label {
  white-space: normal; overflow: visible; text-overflow: clip; height: auto; line-height: 1.25;
}
.costs-panel .widget-slider, .costs-panel .jupyter-widget-slider { height: auto; min-height: 28px; }
.costs-panel .costs-volume-readout { flex: none; min-width: 7em; padding-left: 6px; }
.costs-panel .costs-preset { flex: 1 1 20em; min-width: 0; }
.costs-panel .costs-preset select { text-overflow: ellipsis; }
.costs-panel .costs-reset { flex: none; }
.costs-panel .costs-table table { margin-left: 0; }
.costs-panel .costs-table th, .costs-panel .costs-table td { text-align: right; }
.costs-panel .costs-table th:first-child, .costs-panel .costs-table td:first-child { text-align: left; }
</style>"""


class CostPanel:
    """Sliders for every assumption, a preset menu and a reset, above the plot, a sentence and a table."""

    def __init__(self, start: Assumptions | str = "project_a") -> None:
        self.presets = load_presets()
        self.base = preset(start)
        self.given = self.base  # what "(your own)" in the menu goes back to
        self.figure = CostFigure(sentences=False, dpi=2 * DPI)  # twice the pixels, shown at 1x: crisp on any screen
        self._holding = False
        names = {value.title: key for key, value in self.presets.items()}
        if self.base not in self.presets.values():
            names = {f"(your own) {self.base.title}": "__given__", **names}
        self.menu = widgets.Dropdown(
            options=list(names.items()), description="Preset", layout=widgets.Layout(width="100%", max_width="60em")
        )
        self.menu.add_class("costs-preset")
        if isinstance(start, str):
            self.menu.value = start
        self.reset_button = widgets.Button(description="Reset to preset", icon="undo", tooltip="Undo slider moves")
        self.reset_button.add_class("costs-reset")
        self.sliders = {spec.field: _make_slider(spec) for spec in SLIDERS}
        self.volume_readout = widgets.HTML()
        self.volume_readout.add_class("costs-volume-readout")
        self.gpu_note = widgets.HTML()
        self.gpu_note.add_class("costs-gpu-note")
        self.label = widgets.HTML()
        self.label.add_class("costs-crossover-label")
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{FIGURE_WIDTH_PX}px", max_width="100%", height="auto")
        )
        self.image.add_class("costs-plot")
        self.table = widgets.HTML()
        self.table.add_class("costs-table")
        self.error = widgets.HTML()
        self._apply(self.base)
        self.update()
        self.menu.observe(self._on_menu, names="value")
        self.reset_button.on_click(self._on_reset)
        for slider in self.sliders.values():
            slider.observe(self._on_slider, names="value")

    # -- reading and writing the sliders ---------------------------------------------------------------------
    def _apply(self, chosen: Assumptions) -> None:
        self._holding = True  # one redraw after all sliders moved, not nine
        try:
            for field, slider in self.sliders.items():
                slider.value = getattr(chosen, field)
        finally:
            self._holding = False

    def current(self) -> Assumptions:
        """The assumptions the sliders show now."""
        values = {field: slider.value for field, slider in self.sliders.items()}
        return self.base.replace(**values)

    # -- events ------------------------------------------------------------------------------------------------
    def _on_menu(self, change: dict[str, Any]) -> None:
        self.base = self.presets.get(change["new"], self.given)
        self._apply(self.base)
        self.update()

    def _on_reset(self, _button: Any) -> None:
        self._apply(self.base)
        self.update()

    def _on_slider(self, _change: dict[str, Any]) -> None:
        if not self._holding:
            self.update()

    def update(self) -> None:
        """Recompute and redraw everything from the sliders (what one slider move costs)."""
        try:
            chosen = self.current()
        except ValueError as problem:  # keep the last good plot and say what is wrong
            self.error.value = f"<b>Cannot draw:</b> {html.escape(str(problem))}"
            return
        self.error.value = ""
        self.volume_readout.value = f"{human_tokens(chosen.tokens_per_month)} tokens"
        self.gpu_note.value = f"<small>GPU price: {html.escape(gpu_note(self.base, chosen))}</small>"
        self.figure.update(chosen)
        self.image.value = self.figure.png()
        self.label.value = f"<b>{html.escape(describe_crossover(chosen))}</b><br>{html.escape(describe_volume(chosen))}"
        table = cost_table(chosen)
        self.table.value = table.to_html(
            index=False,
            float_format=lambda v: f"{v:,.2f}",
            formatters={"tokens a month": lambda v: f"{v:,.0f}"},
        )

    def widget(self) -> widgets.Widget:
        """The whole panel as one widget box."""
        volume = self.sliders["tokens_per_month"]
        rows = [
            widgets.HBox([volume, self.volume_readout]) if slider is volume else slider
            for slider in self.sliders.values()
        ]
        style = widgets.HTML(PANEL_CSS, layout=widgets.Layout(display="none"))
        top = widgets.HBox([self.menu, self.reset_button], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
        controls = widgets.VBox([style, top, *rows, self.gpu_note])
        panel = widgets.VBox([controls, self.error, self.label, self.image, self.table])  # sentence above the plot
        panel.add_class("costs-panel")
        return panel

    def display(self) -> None:
        """Show the panel in the notebook."""
        display(self.widget())


def gpu_note(base: Assumptions, chosen: Assumptions) -> str:
    """Where the GPU price comes from: the preset's note, or the slider's value once the slider has moved."""
    if abs(chosen.gpu_usd_per_hour - base.gpu_usd_per_hour) < 1e-9:
        return base.gpu_note
    return f"USD {chosen.gpu_usd_per_hour:,.2f} per GPU-hour, set with the slider (the preset: {base.gpu_note})"


def show_static(start: Assumptions | str = "project_a") -> None:
    """Show the plot as a plain PNG plus its sentence in words: visible without widgets and in HTML exports."""
    chosen = preset(start)
    figure = CostFigure(dpi=2 * DPI)
    figure.update(chosen)
    display(Image(data=figure.png(), format="png", width=FIGURE_WIDTH_PX))
    display(Markdown(f"**{describe_crossover(chosen)}** {describe_volume(chosen)}"))
