"""The numbers behind the plots, as pandas tables, and the words that describe the crossover.

Kept apart from ``model`` because pandas is a heavy import: it loads only when a table is asked for.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from workbook.costs import model
from workbook.costs.assumptions import Assumptions, preset

# The assumptions the sensitivity chart moves, with the words used for them. min_gpus is left out: a whole
# number of GPUs cannot move by 25%, and the expected volume does not change where the curves cross.
SENSITIVITY_FIELDS = {
    "api_input_usd_per_mtok": "API input price",
    "api_output_usd_per_mtok": "API output price",
    "output_share": "output share of tokens",
    "gpu_usd_per_hour": "GPU price per hour",
    "tokens_per_second": "GPU throughput",
    "utilization": "GPU utilization",
    "fixed_usd_per_month": "fixed staff cost",
}
CAPPED_AT_ONE = ("output_share", "utilization")


def human_tokens(tokens: float) -> str:
    """1234567 -> '1.2M', 9.07e8 -> '907M', 4.5e10 -> '45B' (tokens a month, short)."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if tokens >= scale:
            value = tokens / scale
            digits = 0 if value >= 100 else 1 if value >= 10 else 2
            text = f"{value:.{digits}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return f"{tokens:.0f}"


def usd(amount: float) -> str:
    """Whole dollars with thousands separators: 5442.0 -> 'USD 5,442' (a bare $ pair would render as maths)."""
    return f"USD {amount:,.0f}"


def describe_crossover(assumptions: Assumptions) -> str:
    """One sentence, in words, saying where self-hosting becomes cheaper for good (or that it never does)."""
    volume = assumptions.crossover()
    if volume is None:
        capacity = model.gpu_capacity_tokens_per_month(assumptions.tokens_per_second, assumptions.utilization)
        worth = assumptions.api_usd_per_mtok * capacity / 1e6
        return (
            "Self-hosting never becomes cheaper: a GPU costs "
            f"{usd(assumptions.gpu_usd_per_hour * model.HOURS_PER_MONTH)} a month, but the tokens it serves in a "
            f"month cost only {usd(worth)} on the API."
        )
    gpus = model.gpus_at_crossover(*assumptions.model_arguments())
    cost = model.api_monthly_cost(volume, assumptions.api_usd_per_mtok)
    return (
        f"Self-hosting is cheaper from {human_tokens(volume)} tokens a month on "
        f"({gpus} GPU{'s' if gpus != 1 else ''}, about {usd(cost)} a month either way)."
    )


def describe_volume(assumptions: Assumptions) -> str:
    """One sentence comparing both costs at the project's expected volume."""
    volume = assumptions.tokens_per_month
    api = float(model.api_monthly_cost(volume, assumptions.api_usd_per_mtok))
    own = float(
        model.self_hosted_monthly_cost(
            volume,
            assumptions.gpu_usd_per_hour,
            assumptions.tokens_per_second,
            assumptions.utilization,
            assumptions.fixed_usd_per_month,
            assumptions.min_gpus,
        )
    )
    cheaper = "the API" if api < own else "self-hosting" if own < api else "neither (a tie)"
    return f"At {human_tokens(volume)} tokens a month: API {usd(api)}, self-hosted {usd(own)}; cheaper: {cheaper}."


def default_volumes(assumptions: Assumptions) -> np.ndarray:
    """Volumes for the table: every power of ten around the action, the expected volume and the crossover."""
    crossover = assumptions.crossover()
    points = [assumptions.tokens_per_month] + ([crossover] if crossover else [])
    low = 10 ** math.floor(math.log10(max(min(points), 1e3)) - 1)
    high = 10 ** math.ceil(math.log10(max(points)) + 1)
    decades = 10.0 ** np.arange(round(math.log10(low)), round(math.log10(high)) + 1)
    return np.unique(np.concatenate([decades, np.asarray(points, dtype=float)]))


def cost_table(assumptions: Assumptions | str, volumes: Any = None) -> pd.DataFrame:
    """Monthly API and self-hosted cost at each volume, the GPUs needed and which is cheaper."""
    chosen = preset(assumptions)
    tokens = default_volumes(chosen) if volumes is None else np.asarray(volumes, dtype=float)
    api = model.api_monthly_cost(tokens, chosen.api_usd_per_mtok)
    gpus = model.gpus_needed(tokens, chosen.tokens_per_second, chosen.utilization, chosen.min_gpus)
    own = model.self_hosted_monthly_cost(
        tokens,
        chosen.gpu_usd_per_hour,
        chosen.tokens_per_second,
        chosen.utilization,
        chosen.fixed_usd_per_month,
        chosen.min_gpus,
    )
    crossover = chosen.crossover()
    notes = [
        "expected volume" if t == chosen.tokens_per_month else "crossover" if t == crossover else "" for t in tokens
    ]
    return pd.DataFrame(
        {
            "tokens a month": tokens,
            "API USD a month": np.round(api, 2),
            "GPUs": gpus.astype(int),
            "self-hosted USD a month": np.round(own, 2),
            "cheaper": np.where(api < own, "API", np.where(own < api, "self-hosted", "tie")),
            "note": notes,
        }
    )


def sensitivity(assumptions: Assumptions | str, change: float = 0.25) -> pd.DataFrame:
    """The crossover when each assumption moves down and up by ``change`` (shares capped at 1).

    One row per assumption, sorted with the largest move first; ``None`` means no crossover.
    """
    if not 0 < change < 1:
        raise ValueError(f"change must be between 0 and 1 (0.25 means +/-25%), got {change!r}")
    return pd.DataFrame(sensitivity_rows(preset(assumptions), change))


def sensitivity_rows(chosen: Assumptions, change: float = 0.25) -> list[dict[str, Any]]:
    """Rows of ``sensitivity`` as dicts, without pandas (the panel calls this on every slider move)."""
    base = chosen.crossover()
    rows = []
    for field, label in SENSITIVITY_FIELDS.items():
        value = getattr(chosen, field)
        low_value = value * (1 - change)
        high_value = value * (1 + change)
        if field in CAPPED_AT_ONE:
            high_value = min(high_value, 1.0)
        rows.append(
            {
                "assumption": label,
                "field": field,
                "base value": value,
                "low value": low_value,
                "crossover at low": _crossover_with(chosen, field, low_value),
                "high value": high_value,
                "crossover at high": _crossover_with(chosen, field, high_value),
                "base crossover": base,
            }
        )
    rows.sort(key=lambda row: -_spread(row))
    return rows


def _crossover_with(chosen: Assumptions, field: str, value: float) -> float | None:
    # Straight to the model with one input changed: cheaper than building (and re-checking) a new Assumptions.
    inputs = {
        name: getattr(chosen, name)
        for name in (
            "api_input_usd_per_mtok",
            "api_output_usd_per_mtok",
            "output_share",
            "gpu_usd_per_hour",
            "tokens_per_second",
            "utilization",
            "fixed_usd_per_month",
            "min_gpus",
        )
    }
    inputs[field] = value
    price = model.blended_price(
        inputs["api_input_usd_per_mtok"], inputs["api_output_usd_per_mtok"], inputs["output_share"]
    )
    return model.crossover_tokens(
        price,
        inputs["gpu_usd_per_hour"],
        inputs["tokens_per_second"],
        inputs["utilization"],
        inputs["fixed_usd_per_month"],
        inputs["min_gpus"],
    )


def _spread(row: dict[str, Any]) -> float:
    # How far the crossover moves, in decades; "never" counts as the largest possible move.
    values = [row["crossover at low"], row["crossover at high"], row["base crossover"]]
    if any(v is None for v in values):
        return math.inf if any(v is not None for v in values) else 0.0
    logs = [math.log10(max(v, 1.0)) for v in values]
    return max(logs) - min(logs)
