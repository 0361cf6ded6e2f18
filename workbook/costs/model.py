"""The cost model: monthly API bill against monthly self-hosting cost, and where they cross.

Every function is pure. The cost functions are vectorized: give them a number, a numpy array or a pandas
Series of monthly token volumes and you get the same kind back (numpy ufuncs keep a Series' index). Only
numpy is imported here, so ``import workbook.costs`` stays light for autograding.

Units: volumes are tokens a month (input plus output), prices are USD per million tokens, GPU costs are USD
per GPU-hour, and a month has 730 hours (8,760 hours a year / 12).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from numbers import Real
from typing import Any

import numpy as np

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = 3600 * HOURS_PER_MONTH
TOKENS_PER_MTOK = 1_000_000


# ---------------------------------------------------------------------------------------------------------
# Input checks: every error names the argument and says what is wrong with it.


def _scalar(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise ValueError naming ``name`` if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _non_negative(name: str, value: Any) -> float:
    number = _scalar(name, value)
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return number


def _positive(name: str, value: Any) -> float:
    number = _scalar(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value!r}")
    return number


def _utilization(value: Any) -> float:
    number = _scalar("utilization", value)
    if not 0 < number <= 1:
        raise ValueError(f"utilization must be in (0, 1] (a share of the GPU's peak throughput), got {value!r}")
    return number


def _share(name: str, value: Any) -> float:
    number = _scalar(name, value)
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return number


def _min_gpus(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Real | np.integer):
        raise ValueError(f"min_gpus must be a whole number of GPUs, got {value!r}")
    if not math.isfinite(float(value)) or float(value) != int(value):
        raise ValueError(f"min_gpus must be a whole number of GPUs, got {value!r}")
    if int(value) < 1:
        raise ValueError(f"min_gpus must be at least 1 (self-hosting needs a GPU), got {value!r}")
    return int(value)


def _volumes(tokens_per_month: Any) -> Any:
    """Check a volume or an array/Series of volumes: finite, non-negative numbers. Returns it unchanged."""
    if isinstance(tokens_per_month, bool):
        raise ValueError(f"tokens_per_month must be a number of tokens, got {tokens_per_month!r}")
    try:
        values = np.asarray(tokens_per_month, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"tokens_per_month must be numbers of tokens, got {tokens_per_month!r}") from None
    if not np.all(np.isfinite(values)):
        raise ValueError("tokens_per_month must be finite numbers (no NaN or infinity)")
    if np.any(values < 0):
        raise ValueError(f"tokens_per_month must not be negative, got {values.min()!r}")
    if isinstance(tokens_per_month, list | tuple):
        return values  # lists become arrays so arithmetic works elementwise
    return tokens_per_month


# ---------------------------------------------------------------------------------------------------------
# Helpers that turn price-list figures into model inputs.


def blended_price(input_usd_per_mtok: float, output_usd_per_mtok: float, output_share: float) -> float:
    """Price per 1M tokens of a mix of input and output tokens.

    ``output_share`` is the fraction of all tokens that are output (generated) tokens, between 0 and 1.
    Example: $3 in, $15 out, a quarter of the tokens output: 0.75 * 3 + 0.25 * 15 = $6 per 1M tokens.
    """
    price_in = _non_negative("input_usd_per_mtok", input_usd_per_mtok)
    price_out = _non_negative("output_usd_per_mtok", output_usd_per_mtok)
    share = _share("output_share", output_share)
    return (1 - share) * price_in + share * price_out


def owned_gpu_usd_per_hour(
    purchase_usd: float, amortization_months: float, power_watts: float, usd_per_kwh: float
) -> float:
    """Hourly cost of a GPU you own: its price spread over its useful life, plus the electricity it draws.

    ``purchase_usd / (amortization_months * 730) + power_watts / 1000 * usd_per_kwh``. Cooling, rack space and
    the rest of the server are not included; raise the power price or the fixed monthly cost to cover them.
    """
    price = _non_negative("purchase_usd", purchase_usd)
    months = _positive("amortization_months", amortization_months)
    watts = _non_negative("power_watts", power_watts)
    kwh = _non_negative("usd_per_kwh", usd_per_kwh)
    return price / (months * HOURS_PER_MONTH) + watts / 1000 * kwh


def gpu_capacity_tokens_per_month(tokens_per_second: float, utilization: float) -> float:
    """Tokens one GPU serves in a month at the given peak throughput and average utilization."""
    tps = _positive("tokens_per_second", tokens_per_second)
    return tps * _utilization(utilization) * SECONDS_PER_MONTH


# ---------------------------------------------------------------------------------------------------------
# The two cost curves.


def api_monthly_cost(tokens_per_month: Any, api_usd_per_mtok: float) -> Any:
    """Monthly API bill in USD: ``tokens_per_month * api_usd_per_mtok / 1e6`` (a straight line)."""
    volumes = _volumes(tokens_per_month)
    price = _non_negative("api_usd_per_mtok", api_usd_per_mtok)
    return volumes * price / TOKENS_PER_MTOK


def gpus_needed(tokens_per_month: Any, tokens_per_second: float, utilization: float, min_gpus: int = 1) -> Any:
    """Whole GPUs needed: ``max(min_gpus, ceil(v / (tokens_per_second * utilization * 3600 * 730)))``."""
    volumes = _volumes(tokens_per_month)
    capacity = gpu_capacity_tokens_per_month(tokens_per_second, utilization)
    floor = _min_gpus(min_gpus)
    return np.maximum(floor, np.ceil(volumes / capacity))


def self_hosted_monthly_cost(
    tokens_per_month: Any,
    gpu_usd_per_hour: float,
    tokens_per_second: float,
    utilization: float,
    fixed_usd_per_month: float,
    min_gpus: int = 1,
) -> Any:
    """Monthly self-hosting cost in USD: ``gpus * gpu_usd_per_hour * 730 + fixed_usd_per_month`` (steps)."""
    hourly = _non_negative("gpu_usd_per_hour", gpu_usd_per_hour)
    fixed = _non_negative("fixed_usd_per_month", fixed_usd_per_month)
    gpus = gpus_needed(tokens_per_month, tokens_per_second, utilization, min_gpus)
    return gpus * (hourly * HOURS_PER_MONTH) + fixed


# ---------------------------------------------------------------------------------------------------------
# Where the curves cross for good.


@lru_cache(maxsize=4096)  # the panel asks about the same few values many times per slider move
def _exact(value: float) -> Fraction:
    # The decimal a person typed (0.88 stays 22/25), so ties that are exact on paper stay exact here.
    return Fraction(repr(value))


def _crossover(
    api_usd_per_mtok: float,
    gpu_usd_per_hour: float,
    tokens_per_second: float,
    utilization: float,
    fixed_usd_per_month: float,
    min_gpus: int,
) -> tuple[Fraction, int] | None:
    """Exact crossover volume and the GPUs running there, or None (see ``crossover_tokens``)."""
    price = _non_negative("api_usd_per_mtok", api_usd_per_mtok)
    hourly = _non_negative("gpu_usd_per_hour", gpu_usd_per_hour)
    tps = _positive("tokens_per_second", tokens_per_second)
    util = _utilization(utilization)
    fixed = _non_negative("fixed_usd_per_month", fixed_usd_per_month)
    floor = _min_gpus(min_gpus)

    per_token = _exact(price) / TOKENS_PER_MTOK  # price etc. are floats already (checked above)
    gpu_month = _exact(hourly) * HOURS_PER_MONTH
    capacity = _exact(tps) * _exact(util) * SECONDS_PER_MONTH
    fixed_exact = _exact(fixed)

    margin = per_token * capacity - gpu_month  # what a fully used GPU saves against the API each month
    if margin < 0:
        return None
    if margin == 0:
        # Each extra GPU costs exactly what its tokens would cost on the API, so right after every step
        # self-hosting is dearer by F + G, unless everything is free (then it is never dearer).
        return (Fraction(0), floor) if fixed_exact == 0 and gpu_month == 0 else None
    gpus = max(floor, math.ceil((fixed_exact + gpu_month) / margin))
    return (gpus * gpu_month + fixed_exact) / per_token, gpus


def crossover_tokens(
    api_usd_per_mtok: float,
    gpu_usd_per_hour: float,
    tokens_per_second: float,
    utilization: float,
    fixed_usd_per_month: float,
    min_gpus: int = 1,
) -> float | None:
    """The smallest monthly volume from which self-hosting is never more expensive than the API again.

    Returns tokens a month (a float), or ``None`` when self-hosting stays more expensive at every large volume.
    Raises ValueError naming the argument for negative or non-finite numbers, a utilization outside (0, 1],
    zero throughput or a ``min_gpus`` that is not a whole number of at least 1.

    Why it is not simply "where the lines meet": the self-hosted cost jumps by a GPU's monthly price every
    time the volume needs one more GPU, so self-hosting can be cheaper just before a step and dearer just
    after it. The answer is the *last* crossing.

    How it is computed exactly (no grid search). Write ``a`` for the API price per token, ``G`` for a GPU's
    monthly price, ``C`` for one GPU's monthly capacity, ``F`` for the fixed cost and ``m`` for ``min_gpus``.
    With ``n`` GPUs (volumes ``((n-1)C, nC]``, or ``[0, mC]`` for ``n = m``) self-hosting costs ``nG + F``
    while the API costs ``a*v``; self-hosting is cheaper on all of the range with ``n + 1`` GPUs exactly when
    ``(n+1)G + F <= a*n*C``, that is ``n(aC - G) >= F + G``. If ``aC <= G`` (a fully used GPU costs at least
    as much as the API for the same tokens) that fails for every large ``n``: no crossover. Otherwise the
    smallest such ``n >= m`` is ``n = max(m, ceil((F + G) / (aC - G)))``; every larger GPU count is then
    cheaper throughout, and within the ``n``-GPU range self-hosting wins from ``v = (nG + F) / a`` on.
    The arithmetic uses exact fractions of the numbers as written, so a tie exactly at a GPU step is a tie.
    """
    found = _crossover(
        api_usd_per_mtok, gpu_usd_per_hour, tokens_per_second, utilization, fixed_usd_per_month, min_gpus
    )
    return None if found is None else float(found[0])


def gpus_at_crossover(
    api_usd_per_mtok: float,
    gpu_usd_per_hour: float,
    tokens_per_second: float,
    utilization: float,
    fixed_usd_per_month: float,
    min_gpus: int = 1,
) -> int | None:
    """How many GPUs self-hosting runs at the crossover volume, or ``None`` when there is no crossover."""
    found = _crossover(
        api_usd_per_mtok, gpu_usd_per_hour, tokens_per_second, utilization, fixed_usd_per_month, min_gpus
    )
    return None if found is None else found[1]
