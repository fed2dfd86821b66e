"""Monte Carlo on the toy plan (see tests/mtfp/test_mtfp.py): reproducible, bounded, consistent."""

from __future__ import annotations

import numpy as np
import pytest
from test_mtfp import toy, toy_council, toy_data

from analysis.mtfp import budget_gap, montecarlo


def test_same_seed_same_result_different_seed_different():
    m, council = toy(), toy_council()
    first = montecarlo.monte_carlo(m, council)
    again = montecarlo.monte_carlo(m, council)
    other = montecarlo.monte_carlo(m, council, seed=7)
    assert first.percentiles.equals(again.percentiles)
    assert first.probabilities.equals(again.probabilities)
    assert not np.allclose(
        first.percentiles["budget_gap_cumulative_gbp_k"],
        other.percentiles["budget_gap_cumulative_gbp_k"],
    )


def test_probabilities_in_0_1_and_percentiles_ordered():
    result = montecarlo.monte_carlo(toy(), toy_council(), draws=500)
    probs = result.probabilities.drop(columns="year").to_numpy()
    assert ((probs >= 0) & (probs <= 1)).all()
    fan = montecarlo.fan_table(result).drop(columns="year").to_numpy()
    assert (np.diff(fan, axis=1) >= 0).all()  # p05 <= p25 <= ... <= p95 in every year
    assert result.draws == 500
    table = montecarlo.monte_carlo_table(result, "base")
    assert table[["scenario", "draws"]].drop_duplicates().values.tolist() == [["base", 500]]
    assert len(table) == 3 and not table.isna().any().any()


def test_degenerate_distributions_reproduce_the_deterministic_gap():
    data = toy_data()
    data["monte_carlo"]["distributions"] = {
        "pay_award_pct": {"distribution": "triangular", "low": 0.10, "mode": 0.10, "high": 0.10},
        "savings_delivery_rate": {
            "distribution": "triangular",
            "low": 1.0,
            "mode": 1.0,
            "high": 1.0,
        },
    }
    m = toy(data)
    result = montecarlo.monte_carlo(m, toy_council(), draws=200)
    median = result.percentiles.query("percentile == 50")["budget_gap_cumulative_gbp_k"].to_numpy()
    assert median == pytest.approx(
        budget_gap(m)["budget_gap_cumulative_gbp_k"].to_numpy(), abs=1e-9
    )
    # general fund 20, 11.425, 4.83 against a £10k minimum: below only in 2023-24, in every draw
    assert result.probabilities["probability_general_fund_below_minimum_fraction"].tolist() == [
        0,
        0,
        1,
    ]


def test_a_drawn_pay_award_moves_the_gap_as_the_engine_says():
    data = toy_data()
    data["monte_carlo"]["distributions"] = {
        "pay_award_pct": {"distribution": "uniform", "low": 0.10, "high": 0.12},
    }
    out = montecarlo.simulate(toy(data), toy_council(), draws=300)
    # 2021-22 gap = A pay 100 x (1 + pay award) - 110: between 0 and 2
    first = out["gap_cumulative"][:, 0]
    assert first.min() >= 0 and first.max() <= 2
    assert out["gap_cumulative"].shape == (300, 3)


def test_a_drawn_savings_delivery_rate_never_exceeds_100_percent():
    from analysis.mtfp.assumptions import load_assumptions_from, resolve_scenario

    data = toy_data()
    # mean 100%, sd 10%: about half the draws would deliver more than was planned
    data["monte_carlo"]["distributions"] = {
        "savings_delivery_rate": {"distribution": "normal", "mean": 1.0, "sd": 0.1}
    }
    plan = resolve_scenario(load_assumptions_from(data, toy_council()), "base")
    out = montecarlo.simulate(plan, toy_council(), draws=500)
    # Full delivery gives the toy's gaps 0, 8.575, 6.59965; no draw may do better.
    assert (out["gap_cumulative"] >= np.array([0, 8.575, 6.59965]) - 1e-9).all()


def test_probability_sentence_sets_the_simulation_beside_the_single_projection():
    import pandas as pd

    from analysis.mtfp.report import probability_sentence

    probabilities = pd.DataFrame(
        {
            "year": ["2021-22", "2022-23", "2023-24"],
            "probability_general_fund_below_minimum_fraction": [0.1, 0.56, 0.9],
            "probability_usable_reserves_exhausted_fraction": [0.0, 0.0, 0.2],
        }
    )
    earlier = probability_sentence(probabilities, "2023-24")
    assert earlier.startswith("In 2023-24, the general fund is below its minimum in 90%")
    assert "more likely than not in 2022-23, earlier than the single projection" in earlier
    assert "(2023-24)" in earlier
    assert "the year the single projection" in probability_sentence(probabilities, "2022-23")
    assert "later than the single projection" in probability_sentence(probabilities, "2021-22")
    assert "(no year within the plan)" in probability_sentence(probabilities, None)


def test_fan_sentence_says_which_way_the_ranges_lean():
    import pandas as pd

    from analysis.mtfp.report import fan_sentence

    fan = pd.DataFrame({"year": ["2025-26"], "budget_gap_cumulative_p50_gbp_k": [39_400.0]})
    gap = pd.DataFrame({"budget_gap_cumulative_gbp_k": [24_300.0]})
    worse = fan_sentence(fan, gap)
    assert "(£39.4m) is above this scenario's own projection (£24.3m)" in worse
    assert "more room for worse outcomes" in worse
    better = fan_sentence(fan.assign(budget_gap_cumulative_p50_gbp_k=[20_000.0]), gap)
    assert "is below" in better and "more room for better outcomes" in better
