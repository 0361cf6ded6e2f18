"""The cost plot and the sensitivity (tornado) chart, drawn with matplotlib's object API.

``CostFigure`` builds one ``matplotlib.figure.Figure`` (never pyplot's global state) with two axes and keeps
its artists, so a slider move only changes data and text. Drawing axes, ticks and labels is most of the cost
(about 80 ms here), so they are drawn once into a cached background; the artists that change on a slider move
are marked ``animated`` and drawn over a copy of it (blitting), which takes a few milliseconds. Axis limits
snap to steps of 1, 2 and 5, so the background only has to be redrawn when a limit crosses one of them.

The figure has a solid light background with dark text, so it reads the same in light and dark JupyterLab
themes and in an HTML export. Colours are from the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

import io
import math
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator
from matplotlib.transforms import blended_transform_factory
from PIL import Image

from workbook.costs import model
from workbook.costs.assumptions import Assumptions
from workbook.costs.tables import (
    SENSITIVITY_FIELDS,
    describe_crossover,
    describe_volume,
    human_tokens,
    sensitivity_rows,
)

BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"
GRID = "#d0d0d0"
API_COLOUR = "#0072B2"  # blue
SELF_COLOUR = "#D55E00"  # vermilion
CROSS_COLOUR = "#009E73"  # bluish green
VOLUME_COLOUR = "#6b6b6b"
LOW_COLOUR = "#56B4E9"  # sky blue: assumption 25% lower
HIGH_COLOUR = "#E69F00"  # orange: assumption 25% higher
DPI = 72  # CSS pixels per inch of the figure as shown; renders for screens use twice this many
FIGURE_WIDTH_INCHES = 8.5
GRID_POINTS = 600
MAX_EXACT_STEPS = 300
NEVER_LABEL = "never"


def _usd_tick(value: float, _position: float) -> str:
    if value >= 1e6:
        return f"${value / 1e6:g}M"
    if value >= 1e3:
        return f"${value / 1e3:g}k"
    return f"${value:g}"


def _token_tick(value: float, _position: float) -> str:
    return human_tokens(value)


def snap_down(value: float) -> float:
    """The largest of ..., 1, 2, 5, 10, 20, ... that is at most ``value`` (stable axis limits)."""
    decade = 10 ** math.floor(math.log10(value))
    return max(step * decade for step in (1, 2, 5) if step * decade <= value * (1 + 1e-12))


def snap_up(value: float) -> float:
    """The smallest of ..., 1, 2, 5, 10, 20, ... that is at least ``value``."""
    decade = 10 ** math.floor(math.log10(value))
    return min(step * decade for step in (1, 2, 5, 10) if step * decade >= value * (1 - 1e-12))


def volume_range(assumptions: Assumptions, crossover: float | None) -> tuple[float, float]:
    """x-axis limits: whole decades around the expected volume and the crossover (stable while sliding)."""
    points = [max(assumptions.tokens_per_month, 1e3)] + ([max(crossover, 1e3)] if crossover else [])
    low = 10 ** (math.floor(math.log10(min(points))) - 1)
    high = 10 ** (math.ceil(math.log10(max(points))) + 1)
    if crossover is None:
        # Show enough GPU steps to see that the gap never closes.
        capacity = model.gpu_capacity_tokens_per_month(assumptions.tokens_per_second, assumptions.utilization)
        high = max(high, 10 ** math.ceil(math.log10(capacity * 20)))
    return low, high


def cost_curves(assumptions: Assumptions, low: float, high: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Volumes on a log grid plus both sides of every GPU step in range, and both costs there."""
    grid = np.geomspace(low, high, GRID_POINTS)
    capacity = model.gpu_capacity_tokens_per_month(assumptions.tokens_per_second, assumptions.utilization)
    first = max(assumptions.min_gpus, math.ceil(low / capacity))
    last = math.floor(high / capacity)
    if first <= last and last - first < MAX_EXACT_STEPS:
        # Put points exactly at each step and just after it so the jump is drawn vertical.
        edges = np.arange(first, last + 1, dtype=float) * capacity
        grid = np.unique(np.concatenate([grid, edges, np.nextafter(edges, np.inf)]))
    api = model.api_monthly_cost(grid, assumptions.api_usd_per_mtok)
    own = model.self_hosted_monthly_cost(
        grid,
        assumptions.gpu_usd_per_hour,
        assumptions.tokens_per_second,
        assumptions.utilization,
        assumptions.fixed_usd_per_month,
        assumptions.min_gpus,
    )
    return grid, api, own


def _style(axes) -> None:
    axes.set_facecolor(BACKGROUND)
    axes.tick_params(colors=TEXT, which="both", labelsize=9)
    for spine in axes.spines.values():
        spine.set_color(TEXT)
    axes.xaxis.set_minor_locator(NullLocator())  # minor ticks on log axes cost a lot to draw and say little
    axes.yaxis.set_minor_locator(NullLocator())


def _text(parent, x: float, y: float, **style) -> object:
    # parse_math=False: dollar signs in tick labels and sentences are money, not TeX.
    return parent.text(x, y, "", color=TEXT, parse_math=False, animated=True, **style)


class CostFigure:
    """A reusable figure: the cost plot on top, the sensitivity chart below. Call ``update`` then ``png``."""

    ROWS = len(SENSITIVITY_FIELDS)

    def __init__(self, sentences: bool = True, dpi: int = DPI) -> None:
        # With ``sentences`` the crossover and the costs at your volume are written above the plot (static
        # output, HTML export). The panel shows them as HTML next to the image instead: text is the slowest
        # thing to draw, and HTML is also what a screen reader reads.
        self.sentences = sentences
        height = 8.4 if sentences else 7.3
        self.figure = Figure(figsize=(FIGURE_WIDTH_INCHES, height), dpi=dpi, facecolor=BACKGROUND)
        self.canvas = FigureCanvasAgg(self.figure)
        self.cost_axes, self.tornado_axes = self.figure.subplots(
            2, 1, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.38}
        )
        self.figure.subplots_adjust(left=0.22, right=0.96, top=0.79 if sentences else 0.875, bottom=0.07)
        self.title = self.figure.text(0.5, 0.99, "", ha="center", va="top", color=TEXT, fontsize=11.5)
        self._build_cost_axes()
        self._build_tornado_axes()
        self.animated = [artist for artist in self.figure.findobj() if artist.get_animated()]
        self._background = None
        self._background_key: tuple = ()
        self.full_redraws = 0  # how often the cached background had to be drawn again (for the benchmark)

    # -- construction ----------------------------------------------------------------------------------
    def _build_cost_axes(self) -> None:
        axes = self.cost_axes
        axes.set_xscale("log")
        axes.set_yscale("log")
        _style(axes)
        axes.grid(True, which="major", color=GRID, linewidth=0.6)
        axes.xaxis.set_major_formatter(FuncFormatter(_token_tick))
        axes.yaxis.set_major_formatter(FuncFormatter(_usd_tick))
        axes.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
        axes.set_xlabel("tokens a month (log scale)", color=TEXT)
        axes.set_ylabel("USD a month (log scale)", color=TEXT)
        (self.api_line,) = axes.plot([], [], color=API_COLOUR, linewidth=2.2, animated=True)
        (self.self_line,) = axes.plot([], [], color=SELF_COLOUR, linewidth=2.2, animated=True)
        self.cross_line = axes.axvline(1.0, color=CROSS_COLOUR, linestyle="--", linewidth=1.6, animated=True)
        (self.cross_dot,) = axes.plot([], [], "o", color=CROSS_COLOUR, markersize=8, animated=True)
        self.cross_mark = _text(
            axes,
            1.0,
            1.0,
            ha="right",
            va="bottom",
            fontsize=9.5,
            fontweight="bold",
            bbox={"facecolor": BACKGROUND, "edgecolor": "none", "pad": 1.5},
        )
        self.volume_line = axes.axvline(1.0, color=VOLUME_COLOUR, linestyle=":", linewidth=1.8, animated=True)
        # The sentences and the key sit above the plot, in figure coordinates, so they never hide a curve.
        self.cross_text = self.volume_text = None
        if self.sentences:
            self.cross_text = _text(
                self.figure,
                0.5,
                0.925,
                ha="center",
                va="top",
                fontsize=10,
                fontweight="bold",
                bbox={"facecolor": BACKGROUND, "edgecolor": CROSS_COLOUR, "boxstyle": "round,pad=0.3"},
            )
            self.volume_text = _text(self.figure, 0.5, 0.862, ha="center", va="top", fontsize=9.5)
        for x, colour, words in (
            (0.0, API_COLOUR, "API: pay per token"),
            (0.3, SELF_COLOUR, "self-hosted: whole GPUs + fixed costs"),
            (0.74, VOLUME_COLOUR, "dotted: your volume"),
        ):
            axes.text(
                x,
                1.025,
                words,
                transform=axes.transAxes,
                color=colour,
                fontsize=9,
                fontweight="bold",
                va="bottom",
                ha="left",
                parse_math=False,
            )

    def _build_tornado_axes(self) -> None:
        axes = self.tornado_axes
        axes.set_xscale("log")
        _style(axes)
        axes.grid(True, which="major", axis="x", color=GRID, linewidth=0.6)
        axes.set_yticks([])
        axes.set_title(
            "How far the crossover moves if one assumption is 25% lower (blue) or higher (orange)",
            color=TEXT,
            fontsize=10,
        )
        axes.set_xlabel("crossover, tokens a month (log scale)", color=TEXT)
        positions = np.arange(self.ROWS)
        ones = np.ones(self.ROWS)
        self.low_bars = axes.barh(positions, ones, left=ones, height=0.38, align="edge", color=LOW_COLOUR)
        self.high_bars = axes.barh(positions - 0.38, ones, left=ones, height=0.38, align="edge", color=HIGH_COLOUR)
        for bar in (*self.low_bars.patches, *self.high_bars.patches):
            bar.set_animated(True)
        self.base_line = axes.axvline(1.0, color=CROSS_COLOUR, linestyle="--", linewidth=1.6, animated=True)
        # Bottom right: rows are sorted by how far the crossover moves, so the empty rows are at the bottom.
        self.tornado_note = _text(
            axes,
            0.98,
            0.04,
            transform=axes.transAxes,
            ha="right",
            va="bottom",
            fontsize=9.5,
            bbox={"facecolor": BACKGROUND, "edgecolor": GRID},
        )
        # Row labels are plain texts, not tick labels: their order changes with the numbers.
        left_of_axes = blended_transform_factory(axes.transAxes, axes.transData)
        self.row_labels = [
            axes.text(
                -0.015,
                row,
                "",
                transform=left_of_axes,
                ha="right",
                va="center",
                fontsize=9,
                color=TEXT,
                parse_math=False,
                clip_on=False,
            )
            for row in range(self.ROWS)
        ]  # not animated: their order is part of the background's key, and it rarely changes
        axes.set_ylim(self.ROWS - 0.5, -0.6)

    # -- updating ----------------------------------------------------------------------------------------
    def update(self, assumptions: Assumptions) -> None:
        """Set both charts' data, limits and labels for these assumptions (no new artists)."""
        crossover = assumptions.crossover()
        low, high = volume_range(assumptions, crossover)
        grid, api, own = cost_curves(assumptions, low, high)
        self.api_line.set_data(grid, api)
        self.self_line.set_data(grid, own)
        axes = self.cost_axes
        axes.set_xlim(low, high)
        positive = np.concatenate([api[api > 0], own[own > 0]])
        y_low = max(positive.min() if positive.size else 1.0, 1.0)
        y_high = max(positive.max() if positive.size else 10.0, y_low * 10)
        axes.set_ylim(10 ** math.floor(math.log10(y_low)), 10 ** math.ceil(math.log10(y_high)))

        self.cross_mark.set_visible(crossover is not None)
        if crossover is None:
            self.cross_line.set_visible(False)
            self.cross_dot.set_data([], [])
        else:
            shown = max(crossover, low)
            cost = float(model.api_monthly_cost(shown, assumptions.api_usd_per_mtok))
            self.cross_line.set_visible(True)
            self.cross_line.set_xdata([shown, shown])
            self.cross_dot.set_data([shown], [max(cost, axes.get_ylim()[0])])
            self.cross_mark.set_text(f"crossover: {human_tokens(crossover)} tokens/month")
            self._place_cross_mark(shown, max(cost, axes.get_ylim()[0]))
        if self.cross_text is not None:
            self.cross_text.set_text(textwrap.fill(describe_crossover(assumptions), 95))
        self.volume_line.set_xdata([assumptions.tokens_per_month] * 2)
        if self.volume_text is not None:
            self.volume_text.set_text(describe_volume(assumptions))
        self.title.set_text(textwrap.fill(assumptions.title + " (illustrative figures)", 80))
        self._update_tornado(assumptions, crossover)

    def _place_cross_mark(self, x: float, y: float) -> None:
        """Put the crossover label beside its dot, on the side with room, always inside the axes.

        Inside the axes it can cover neither a tick label (those are outside) nor be clipped by the figure edge:
        in the right half it goes to the left of the dot, in the top fifth below it.
        """
        (x_low, x_high), (y_low, y_high) = self.cost_axes.get_xlim(), self.cost_axes.get_ylim()
        x_share = math.log(x / x_low) / math.log(x_high / x_low)
        y_share = math.log(y / y_low) / math.log(y_high / y_low)
        right_side = x_share <= 0.5
        below = y_share >= 0.8
        self.cross_mark.set_horizontalalignment("left" if right_side else "right")
        self.cross_mark.set_verticalalignment("top" if below else "bottom")
        self.cross_mark.set_position((x * 1.15 if right_side else x / 1.15, y / 1.25 if below else y * 1.25))

    def cross_mark_inside(self) -> bool:
        """Whether the crossover label lies wholly inside the cost axes (for tests)."""
        self.canvas.draw()
        box = self.cross_mark.get_window_extent(self.canvas.get_renderer())
        axes = self.cost_axes.get_window_extent(self.canvas.get_renderer())
        return axes.x0 <= box.x0 and box.x1 <= axes.x1 and axes.y0 <= box.y0 and box.y1 <= axes.y1

    def _update_tornado(self, assumptions: Assumptions, crossover: float | None) -> None:
        rows = sensitivity_rows(assumptions)
        axes = self.tornado_axes
        values = [v for row in rows for v in (row["crossover at low"], row["crossover at high"]) if v]
        values += [crossover] if crossover else []
        if values:
            left = snap_down(max(min(values), 1.0) / 1.3)
            never = snap_up(max(values) * 2.5)
        else:
            left, never = 1e6, 1e12
        axes.set_xlim(left, never)
        anchor = crossover if crossover is not None else never
        for index, row in enumerate(rows):
            for bars, key in ((self.low_bars, "crossover at low"), (self.high_bars, "crossover at high")):
                bar = bars.patches[index]
                end = row[key] if row[key] is not None else never
                start, stop = sorted((anchor, max(end, left)))
                bar.set_x(start)
                bar.set_width(stop - start)
            self.row_labels[index].set_text(row["assumption"])
        ticks = [
            t
            for t in LogLocator(base=10, subs=(1, 2, 5), numticks=30).tick_values(left, never)
            if left <= t <= never / 3
        ]
        if len(ticks) > 5:  # wide ranges: powers of ten only, then every other one
            ticks = [t for t in ticks if round(t / 10 ** math.floor(math.log10(t))) == 1] or ticks
        while len(ticks) > 6:
            ticks = ticks[::2]
        axes.xaxis.set_major_locator(FixedLocator([*ticks, never]))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: NEVER_LABEL if v >= never else human_tokens(v)))
        self.base_line.set_visible(crossover is not None)
        if crossover is not None:
            self.base_line.set_xdata([crossover, crossover])
            self.tornado_note.set_visible(False)
        else:
            self.tornado_note.set_visible(True)
            self.tornado_note.set_text(
                "No crossover with these assumptions: the bars show the changes that would create one."
                if values
                else "No crossover with these assumptions, and no single 25% change creates one."
            )

    def _key(self) -> tuple:
        # Everything drawn in the cached background: limits, tick positions and the title.
        return (
            self.cost_axes.get_xlim(),
            self.cost_axes.get_ylim(),
            self.tornado_axes.get_xlim(),
            tuple(self.tornado_axes.get_xticks()),
            self.title.get_text(),
            tuple(label.get_text() for label in self.row_labels),
        )

    def render(self) -> None:
        """Draw into the canvas: the background again only if its key changed, then the animated artists."""
        key = self._key()
        if self._background is None or key != self._background_key:
            self.canvas.draw()  # skips animated artists
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = key
            self.full_redraws += 1
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in self.animated:
            if artist.get_visible():
                artist.draw(renderer)

    def png(self) -> bytes:
        """Render and encode as PNG (zlib level 1: a few KB bigger, several ms faster)."""
        self.render()
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def render_png(assumptions: Assumptions) -> bytes:
    """PNG bytes of both charts for these assumptions (builds a fresh figure)."""
    figure = CostFigure()
    figure.update(assumptions)
    return figure.png()
