"""Cost assumptions and presets, read from ``workbook/data/cost_assumptions.csv``.

The CSV is long: one row per (preset, parameter) with its unit, whether the figure is ``sourced``,
``derived`` (arithmetic on sourced figures) or an ``assumption``, and its source and as-of date
(see ``workbook/data/COSTS.md``). This module turns a preset's rows into an ``Assumptions`` value, the set of
inputs the cost model needs. It uses the standard library only, so it is cheap to import.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workbook.costs import model

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "cost_assumptions.csv"
COLUMNS = ("preset", "title", "parameter", "value", "unit", "kind", "source", "as_of", "note")
KINDS = ("sourced", "derived", "assumption")
OWNED_GPU_PARAMETERS = ("gpu_purchase_usd", "amortization_months", "gpu_power_watts", "electricity_usd_per_kwh")
COMMON_PARAMETERS = (
    "api_input_usd_per_mtok",
    "api_output_usd_per_mtok",
    "output_share",
    "tokens_per_second",
    "utilization",
    "fixed_usd_per_month",
    "min_gpus",
    "tokens_per_month",
)


@dataclass(frozen=True)
class Assumptions:
    """Everything the cost model needs for one scenario: an API on one side, a self-hosted set-up on the other.

    ``tokens_per_month`` is the project's expected volume (marked on the plot). ``gpu_note`` says where the
    hourly GPU price comes from (for owned GPUs: purchase, months, power). Values are checked on creation.
    """

    title: str
    api_input_usd_per_mtok: float
    api_output_usd_per_mtok: float
    output_share: float
    gpu_usd_per_hour: float
    tokens_per_second: float
    utilization: float
    fixed_usd_per_month: float
    min_gpus: int
    tokens_per_month: float
    gpu_note: str = ""

    def __post_init__(self) -> None:
        # Reuse the model's checks so a bad slider or CSV value fails here, naming the field.
        model.blended_price(self.api_input_usd_per_mtok, self.api_output_usd_per_mtok, self.output_share)
        model.crossover_tokens(
            0.0,
            self.gpu_usd_per_hour,
            self.tokens_per_second,
            self.utilization,
            self.fixed_usd_per_month,
            self.min_gpus,
        )
        model.api_monthly_cost(self.tokens_per_month, 0.0)
        object.__setattr__(self, "min_gpus", int(self.min_gpus))

    @property
    def api_usd_per_mtok(self) -> float:
        """The API's blended price per 1M tokens for this mix of input and output."""
        return model.blended_price(self.api_input_usd_per_mtok, self.api_output_usd_per_mtok, self.output_share)

    def crossover(self) -> float | None:
        """Monthly tokens from which self-hosting is never dearer than the API again; None if never."""
        return model.crossover_tokens(*self.model_arguments())

    def model_arguments(self) -> tuple[float, float, float, float, float, int]:
        """Positional arguments for ``crossover_tokens``: API price, GPU $/h, tokens/s, utilization, fixed, GPUs."""
        return (
            self.api_usd_per_mtok,
            self.gpu_usd_per_hour,
            self.tokens_per_second,
            self.utilization,
            self.fixed_usd_per_month,
            self.min_gpus,
        )

    def replace(self, **changes: float) -> Assumptions:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)


@cache
def _rows() -> tuple[dict[str, str], ...]:
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{CSV_PATH.name}: expected columns {COLUMNS}, found {reader.fieldnames}")
        return tuple(reader)


def provenance() -> list[dict[str, str]]:
    """Every row of the CSV as a dict (preset, title, parameter, value, unit, kind, source, as_of, note)."""
    return [dict(row) for row in _rows()]


def preset_names() -> list[str]:
    """Preset ids in the order of the CSV (the lesson's Projects A, B and C first)."""
    return list(dict.fromkeys(row["preset"] for row in _rows()))


def _build(name: str) -> Assumptions:
    rows = [row for row in _rows() if row["preset"] == name]
    if not rows:
        raise ValueError(f"preset must be one of {preset_names()}, got {name!r}")
    values: dict[str, float] = {}
    for row in rows:
        try:
            values[row["parameter"]] = float(row["value"])
        except ValueError:
            raise ValueError(f"{CSV_PATH.name}: {name}.{row['parameter']} is not a number: {row['value']!r}") from None
    missing = [key for key in COMMON_PARAMETERS if key not in values]
    if "gpu_usd_per_hour" in values:
        gpu_hourly = values["gpu_usd_per_hour"]
        gpu_note = f"rented at USD {gpu_hourly:,.2f} per GPU-hour"
    else:
        missing += [key for key in OWNED_GPU_PARAMETERS if key not in values]
        if missing:
            raise ValueError(f"{CSV_PATH.name}: preset {name!r} lacks {missing}")
        gpu_hourly = model.owned_gpu_usd_per_hour(*(values[key] for key in OWNED_GPU_PARAMETERS))
        gpu_note = (
            f"owned: USD {values['gpu_purchase_usd']:,.0f} over {values['amortization_months']:.0f} months"
            f" + {values['gpu_power_watts']:.0f} W at USD {values['electricity_usd_per_kwh']:.2f}/kWh"
            f" = USD {gpu_hourly:,.2f} per GPU-hour"
        )
    if missing:
        raise ValueError(f"{CSV_PATH.name}: preset {name!r} lacks {missing}")
    return Assumptions(
        title=rows[0]["title"],
        gpu_usd_per_hour=gpu_hourly,
        gpu_note=gpu_note,
        min_gpus=int(values["min_gpus"]),
        **{key: values[key] for key in COMMON_PARAMETERS if key != "min_gpus"},
    )


@cache
def load_presets() -> dict[str, Assumptions]:
    """All presets from the CSV, by id."""
    return {name: _build(name) for name in preset_names()}


def preset(name_or_assumptions: str | Assumptions) -> Assumptions:
    """The preset called ``name`` (or the ``Assumptions`` given, unchanged)."""
    if isinstance(name_or_assumptions, Assumptions):
        return name_or_assumptions
    presets = load_presets()
    if name_or_assumptions not in presets:
        raise ValueError(f"preset must be one of {list(presets)}, got {name_or_assumptions!r}")
    return presets[name_or_assumptions]
