"""The cost model against hand-worked cases, a brute-force scan and bad input."""

import math
import random

import numpy as np
import pandas as pd
import pytest

from workbook import costs

# A toy set-up whose numbers are easy by hand: one GPU serves 1 token/s at full use, so
# C = 1 * 1 * 3600 * 730 = 2,628,000 tokens a month; it rents at $1/h, so G = $730 a month.
# The API charges $1,000 per 1M tokens, so a = $0.001 a token and a full GPU's tokens would cost $2,628.
TOY = {"api_usd_per_mtok": 1000, "gpu_usd_per_hour": 1, "tokens_per_second": 1, "utilization": 1}
C = 2_628_000


def toy_crossover(fixed, min_gpus=1, **changes):
    return costs.crossover_tokens(**{**TOY, **changes}, fixed_usd_per_month=fixed, min_gpus=min_gpus)


def toy_self(volume, fixed, min_gpus=1):
    return costs.self_hosted_monthly_cost(volume, 1, 1, 1, fixed, min_gpus)


# -- hand-worked cases ----------------------------------------------------------------------------------------


def test_one_gpu_no_fixed_cost_breaks_even_at_its_monthly_price():
    # $730 of GPU = $730 of API tokens at 730,000 tokens, inside the first GPU's range.
    assert toy_crossover(0) == 730_000
    assert costs.gpus_at_crossover(1000, 1, 1, 1, 0) == 1


def test_the_last_crossing_counts_not_the_first():
    # Fixed $5,000. With 3 GPUs (7,190 a month) self-hosting is cheaper from 7,190,000 tokens, but at
    # 7,884,000 a 4th GPU is needed (7,920 a month) and it is dearer again until 7,920,000 tokens.
    assert toy_self(7_500_000, 5000) == 7190 and 7190 < 7500
    assert toy_self(7_900_000, 5000) == 7920 and 7920 > 7900
    assert toy_crossover(5000) == 7_920_000
    assert costs.gpus_at_crossover(1000, 1, 1, 1, 5000) == 4


def test_a_tie_exactly_at_a_gpu_step_is_not_a_loss():
    # Fixed $3,066: right after the 2nd GPU's range ends (5,256,000 tokens) a 3rd GPU makes self-hosting cost
    # 3 * 730 + 3066 = $5,256, exactly the API bill there. A tie is "not more expensive", so the crossover
    # stays in the 2-GPU range at (2 * 730 + 3066) / 0.001 = 4,526,000 tokens (a rounding error would
    # push it a whole GPU later, to 6,716,000).
    assert toy_self(2 * C, 3066) == 4526
    assert toy_self(2 * C + 1, 3066) == 5256
    assert costs.api_monthly_cost(2 * C, 1000) == 5256
    assert toy_crossover(3066) == 4_526_000


def test_gpus_step_up_just_after_a_full_gpu():
    volumes = np.array([0, 1, C, C + 1, 2 * C, 2 * C + 1])
    assert costs.gpus_needed(volumes, 1, 1).tolist() == [1, 1, 1, 2, 2, 3]
    assert costs.gpus_needed(volumes, 1, 1, min_gpus=3).tolist() == [3, 3, 3, 3, 3, 3]
    assert costs.gpus_needed(C, 1, 0.5) == 2  # half the utilization, half the capacity per GPU


def test_min_gpus_moves_the_crossover_when_it_binds():
    # Three GPUs from the start: 3 * 730 = $2,190 a month, the API costs that at 2,190,000 tokens.
    assert toy_crossover(0, min_gpus=3) == 2_190_000
    assert costs.gpus_at_crossover(1000, 1, 1, 1, 0, min_gpus=3) == 3
    # With $5,000 fixed the crossover already needs 4 GPUs, so a minimum of 3 changes nothing.
    assert toy_crossover(5000, min_gpus=3) == 7_920_000
    assert toy_crossover(5000, min_gpus=6) == (6 * 730 + 5000) / 0.001


def test_no_crossover_when_a_full_gpu_costs_more_than_its_tokens_on_the_api():
    # $200 per 1M tokens: a full GPU's tokens cost $525.60 on the API, less than the GPU's $730.
    assert toy_crossover(0, api_usd_per_mtok=200) is None
    assert costs.gpus_at_crossover(200, 1, 1, 1, 0) is None


def test_no_crossover_when_a_full_gpu_costs_exactly_its_tokens():
    # $3.60/h makes the GPU $2,628 a month, exactly its tokens' API price: every step loses again.
    assert toy_crossover(0, gpu_usd_per_hour=3.6) is None


def test_free_cases():
    assert costs.crossover_tokens(0, 0, 1, 1, 0) == 0.0  # everything free: never dearer
    assert costs.crossover_tokens(0, 1, 1, 1, 0) is None  # free API, paid GPU
    assert costs.crossover_tokens(1000, 0, 1, 1, 500) == 500_000  # free GPUs: fixed cost / API price


def test_prices_as_written_give_exact_answers():
    # API $0.88 per 1M, an L40S-like GPU at $0.80/h, 1,500 tokens/s at 30%, fixed $329.376: on paper
    # aC = 0.88e-6 * 1500 * 0.3 * 2,628,000 = 1,040.688 and G = 584, so (F + G) / (aC - G) = 913.376 / 456.688
    # = 2 exactly (a tie right after the 2nd GPU's range). Naive floats get 2.0000000000000004 and round up
    # to 3 GPUs, a crossover 584 / 0.88e-6 = 664M tokens too late.
    assert costs.crossover_tokens(0.88, 0.8, 1500, 0.3, 329.376) == pytest.approx(
        (2 * 584 + 329.376) / 0.88e-6, rel=1e-12
    )
    assert costs.gpus_at_crossover(0.88, 0.8, 1500, 0.3, 329.376) == 2


def test_helpers():
    assert costs.blended_price(3, 15, 0.25) == 6.0
    assert costs.blended_price(2.5, 10, 0) == 2.5
    # $27,500 over 36 months of 730 h = $1.0464/h, plus 0.7 kW at $0.15 = $0.105/h.
    assert costs.owned_gpu_usd_per_hour(27_500, 36, 700, 0.15) == pytest.approx(1.151423, abs=1e-6)
    assert costs.gpu_capacity_tokens_per_month(3400, 0.5) == 3400 * 0.5 * 3600 * 730


# -- vectorized in, same kind out ---------------------------------------------------------------------------


def test_costs_keep_the_shape_of_their_input():
    series = pd.Series([0, C, C + 1], index=["none", "one GPU", "two GPUs"])
    api = costs.api_monthly_cost(series, 1000)
    own = toy_self(series, 100)
    assert isinstance(api, pd.Series) and list(api.index) == list(series.index)
    assert api.tolist() == [0, 2628, 2628.001]
    assert isinstance(own, pd.Series) and own.tolist() == [830, 830, 1560]
    array = toy_self(np.array([1.0, 3 * C]), 0)
    assert isinstance(array, np.ndarray) and array.tolist() == [730, 2190]
    assert toy_self([1.0, 3 * C], 0).tolist() == [730, 2190]
    assert float(costs.api_monthly_cost(2_000_000, 6)) == 12.0


# -- brute force --------------------------------------------------------------------------------------------


def _integer_case(seed):
    """Random toy parameters whose costs are exact integers after scaling, so ties really happen."""
    rng = random.Random(seed)
    thousandths = rng.randint(1, 3)  # tokens/s of 0.001..0.003: C = 2,628 .. 7,884 tokens a month
    capacity = 2628 * thousandths
    cents = rng.randint(1, 400)  # GPU price $0.01 .. $4.00 an hour
    gpu_month = 730 * cents / 100
    # How a full GPU's tokens would cost on the API against the GPU: mostly clearly below or above 1 (a
    # crossover within a few dozen GPUs, so the scan stays small), sometimes exactly 1.
    ratio = rng.choice([rng.uniform(0.3, 0.95), rng.uniform(1.1, 4.0)])
    price = max(1, round(ratio * gpu_month * 1e6 / capacity))  # whole USD per 1M tokens
    if rng.random() < 0.15:
        thousandths, capacity = 1, 2628
        cents = 9 * rng.randint(1, 40)
        price = 25_000 * cents // 9  # price * 2628 / 1e6 == 730 * cents / 100 exactly
        gpu_month = 730 * cents / 100
    fixed = rng.randint(0, int(3 * gpu_month)) if rng.random() < 0.8 else 0
    min_gpus = rng.randint(1, 3)
    return price, cents, thousandths, fixed, min_gpus, capacity


def _bad_volumes(price, cents, fixed, min_gpus, capacity, top):
    """Integer volumes 0..top where self-hosting costs more than the API, in exact integer arithmetic."""
    volumes = np.arange(top + 1, dtype=np.int64)
    gpus = np.maximum(min_gpus, -(-volumes // capacity))
    # self cost * 1e8 = 1e6 * (gpus * 730 * cents + 100 * fixed); API cost * 1e8 = 100 * price * volume
    own = 1_000_000 * (gpus * 730 * cents + 100 * fixed)
    api = 100 * price * volumes
    return volumes[own > api]


@pytest.mark.parametrize("seed", range(120))
def test_crossover_matches_a_brute_force_scan(seed):
    price, cents, thousandths, fixed, min_gpus, capacity = _integer_case(seed)
    arguments = (price, cents / 100, thousandths / 1000, 1, fixed, min_gpus)
    crossover = costs.crossover_tokens(*arguments)
    if crossover is None:
        bad = _bad_volumes(price, cents, fixed, min_gpus, capacity, 40 * capacity)
        # Still losing within the last GPU's range of a long scan, and just after a far-away step.
        assert bad.size and bad[-1] > 39 * capacity
        far = 10**6 * capacity + 1
        assert toy_like_self(far, cents, thousandths, fixed, min_gpus) > costs.api_monthly_cost(far, price)
    else:
        top = math.ceil(crossover) + 3 * capacity
        bad = _bad_volumes(price, cents, fixed, min_gpus, capacity, top)
        first_good_integer = int(bad[-1]) + 1 if bad.size else 0
        assert math.ceil(crossover - 1e-9) == first_good_integer
        assert costs.gpus_at_crossover(*arguments) == max(min_gpus, math.ceil(crossover / capacity - 1e-12))
        for steps in (10**3, 10**5, 10**7):  # far beyond the scan, right after a step
            far = steps * capacity + 1
            assert toy_like_self(far, cents, thousandths, fixed, min_gpus) <= costs.api_monthly_cost(far, price)


def toy_like_self(volume, cents, thousandths, fixed, min_gpus):
    return costs.self_hosted_monthly_cost(volume, cents / 100, thousandths / 1000, 1, fixed, min_gpus)


@pytest.mark.parametrize("name", costs.preset_names())
def test_presets_cross_where_a_dense_scan_says(name):
    chosen = costs.preset(name)
    crossover = chosen.crossover()
    volumes = np.geomspace(1e3, 1e15, 20_000)
    api = costs.api_monthly_cost(volumes, chosen.api_usd_per_mtok)
    own = costs.self_hosted_monthly_cost(
        volumes,
        chosen.gpu_usd_per_hour,
        chosen.tokens_per_second,
        chosen.utilization,
        chosen.fixed_usd_per_month,
        chosen.min_gpus,
    )
    losing = volumes[own > api * (1 + 1e-12)]
    if crossover is None:
        assert losing.size and losing[-1] > 1e14
    else:
        assert not losing.size or losing[-1] < crossover
        just_below = crossover * (1 - 1e-6)
        own_below = costs.self_hosted_monthly_cost(
            just_below,
            chosen.gpu_usd_per_hour,
            chosen.tokens_per_second,
            chosen.utilization,
            chosen.fixed_usd_per_month,
            chosen.min_gpus,
        )
        assert own_below > costs.api_monthly_cost(just_below, chosen.api_usd_per_mtok)


# -- bad input ----------------------------------------------------------------------------------------------

GOOD = {
    "api_usd_per_mtok": 6.0,
    "gpu_usd_per_hour": 2.7,
    "tokens_per_second": 850,
    "utilization": 0.3,
    "fixed_usd_per_month": 1500,
    "min_gpus": 2,
}


@pytest.mark.parametrize(
    ("argument", "value", "reason"),
    [
        ("api_usd_per_mtok", -1, "must not be negative"),
        ("api_usd_per_mtok", float("nan"), "finite"),
        ("gpu_usd_per_hour", float("inf"), "finite"),
        ("gpu_usd_per_hour", -0.5, "must not be negative"),
        ("tokens_per_second", 0, "greater than zero"),
        ("tokens_per_second", -10, "greater than zero"),
        ("utilization", 0, r"in \(0, 1\]"),
        ("utilization", 1.2, r"in \(0, 1\]"),
        ("utilization", float("nan"), "finite"),
        ("fixed_usd_per_month", -100, "must not be negative"),
        ("fixed_usd_per_month", "1500", "must be a number"),
        ("min_gpus", 0, "at least 1"),
        ("min_gpus", 1.5, "whole number"),
        ("min_gpus", True, "whole number"),
    ],
)
def test_bad_input_names_the_argument_and_the_reason(argument, value, reason):
    with pytest.raises(ValueError, match=f"^{argument} .*{reason}"):
        costs.crossover_tokens(**{**GOOD, argument: value})


def test_bad_volumes_and_helper_input_are_rejected():
    with pytest.raises(ValueError, match="tokens_per_month must not be negative"):
        costs.api_monthly_cost(np.array([1.0, -5.0]), 1)
    with pytest.raises(ValueError, match="tokens_per_month must be finite"):
        costs.self_hosted_monthly_cost(pd.Series([1.0, np.nan]), 1, 1, 1, 0)
    with pytest.raises(ValueError, match="output_share must be between 0 and 1"):
        costs.blended_price(3, 15, 1.5)
    with pytest.raises(ValueError, match="amortization_months must be greater than zero"):
        costs.owned_gpu_usd_per_hour(27_500, 0, 700, 0.15)
