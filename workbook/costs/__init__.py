"""Cost at scale: when does self-hosting an open-weights model become cheaper than paying per token?

Light on purpose: importing this package loads numpy and the standard library only. Plots (matplotlib) and
the interactive panel (ipywidgets) are imported the first time ``show_plot`` or ``show_panel`` is called, and
not at all while nbgrader autogrades or validates a notebook (``NBGRADER_EXECUTION`` is set), where nothing
visual is built.
"""

from __future__ import annotations

from typing import Any

from workbook.core.grader import under_grader
from workbook.costs.assumptions import Assumptions, load_presets, preset, preset_names, provenance
from workbook.costs.model import (
    HOURS_PER_MONTH,
    api_monthly_cost,
    blended_price,
    crossover_tokens,
    gpu_capacity_tokens_per_month,
    gpus_at_crossover,
    gpus_needed,
    owned_gpu_usd_per_hour,
    self_hosted_monthly_cost,
)

__all__ = [
    "HOURS_PER_MONTH",
    "Assumptions",
    "api_monthly_cost",
    "assumptions_table",
    "blended_price",
    "cost_table",
    "crossover_tokens",
    "gpu_capacity_tokens_per_month",
    "gpus_at_crossover",
    "gpus_needed",
    "load_presets",
    "owned_gpu_usd_per_hour",
    "preset",
    "preset_names",
    "provenance",
    "self_hosted_monthly_cost",
    "sensitivity",
    "show_assumptions",
    "show_panel",
    "show_plot",
    "show_table",
]


def cost_table(assumptions: Assumptions | str, volumes: Any = None) -> Any:
    """A pandas DataFrame of the numbers behind the plot (imports pandas on first use)."""
    from workbook.costs.tables import cost_table as build

    return build(assumptions, volumes)


def sensitivity(assumptions: Assumptions | str, change: float = 0.25) -> Any:
    """How far the crossover moves when each assumption moves by +/- ``change`` (a pandas DataFrame)."""
    from workbook.costs.tables import sensitivity as build

    return build(assumptions, change)


def assumptions_table(name: str) -> Any:
    """A preset's rows of the CSV (value, unit, kind, source, as-of date, note) as a pandas DataFrame."""
    import pandas as pd

    preset(name)  # a clear error for an unknown name
    rows = [row for row in provenance() if row["preset"] == name]
    columns = ["parameter", "value", "unit", "kind", "source", "as_of", "note"]
    table = pd.DataFrame(rows, columns=columns).reset_index(drop=True)
    table["value"] = pd.to_numeric(table["value"])
    return table


def show_table(assumptions: Assumptions | str = "project_a") -> None:
    """Display ``cost_table`` (the numbers behind the plot); does nothing under autograding."""
    if not under_grader():
        _display(cost_table(assumptions))


def show_assumptions(name: str = "project_a") -> None:
    """Display ``assumptions_table`` for a preset; does nothing under autograding."""
    if not under_grader():
        _display(assumptions_table(name))


def _display(value: Any) -> None:
    from IPython.display import display

    display(value)


def show_plot(assumptions: Assumptions | str = "project_a") -> None:
    """Display the static cost plot and sensitivity chart for a preset or assumptions (no widgets needed).

    It is an ordinary PNG output, so it also shows in an HTML export. Does nothing under autograding.
    """
    if under_grader():
        return
    from workbook.costs.panel import show_static

    show_static(assumptions)


def show_panel(assumptions: Assumptions | str = "project_a") -> None:
    """Display the interactive panel (sliders, preset menu, reset); nothing under autograding.

    Returns None so that a cell ending in this call shows the panel once, not also a text repr of it.
    """
    if under_grader():
        return
    from workbook.costs.panel import CostPanel

    CostPanel(assumptions).display()
