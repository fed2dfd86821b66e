"""Monte Carlo on the toy plan (see tests/mtfp/test_mtfp.py): reproducible, bounded, consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
    # Ranges of zero width around the scenario's values: every draw is the projection itself.
    data["monte_carlo"]["distributions"] = {
        "pay_award_pct": {"distribution": "normal", "sd": 0.0},
        "price_inflation_pct": {"distribution": "triangular", "below": 0.0, "above": 0.0},
        "council_tax.tax_base_growth_pct": {"distribution": "uniform", "below": 0.0, "above": 0.0},
        "savings_delivery_rate": {"distribution": "triangular", "below": 0.0, "above": 0.0},
    }
    m = toy(data)
    result = montecarlo.monte_carlo(m, toy_council(), draws=200)
    for percentile in (5, 50, 95):
        simulated = result.percentiles.query(f"percentile == {percentile}")
        assert np.array_equal(
            simulated["budget_gap_cumulative_gbp_k"].to_numpy(),
            budget_gap(m)["budget_gap_cumulative_gbp_k"].to_numpy(),
        )
    assert not result.leanings["leans"].any()
    # general fund 20, 11.425, 4.83 against a £10k minimum: below only in 2023-24, in every draw
    assert result.probabilities["probability_general_fund_below_minimum_fraction"].tolist() == [
        0,
        0,
        1,
    ]


def test_a_drawn_pay_award_moves_the_gap_as_the_engine_says():
    data = toy_data()
    data["monte_carlo"]["distributions"] = {
        "pay_award_pct": {"distribution": "uniform", "below": 0.0, "above": 0.02},
    }
    out = montecarlo.simulate(toy(data), toy_council(), draws=300)
    # 2021-22 gap = A pay 100 x (1 + pay award) - 110: between 0 and 2
    first = out["gap_cumulative"][:, 0]
    assert first.min() >= 0 and first.max() <= 2
    assert out["gap_cumulative"].shape == (300, 3)


def test_a_drawn_savings_delivery_rate_never_exceeds_100_percent():
    from analysis.mtfp.assumptions import load_assumptions_from, resolve_scenario

    data = toy_data()
    # around the plan's 100%, sd 10 points: about half the draws would deliver more than planned
    data["monte_carlo"]["distributions"] = {
        "savings_delivery_rate": {"distribution": "normal", "sd": 0.1}
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


def test_fan_sentence_gives_the_reason_the_draws_show():
    from analysis.mtfp.report import fan_sentence

    # Savings delivery from 40 points below the plan's 100% to 100%, most likely 90%: a
    # triangular(-0.4, -0.1, 0) averages (-0.4 - 0.1 + 0) / 3 = -16.7 points.
    data = toy_data()
    data["monte_carlo"]["distributions"] = {
        "savings_delivery_rate": {
            "distribution": "triangular",
            "below": 0.4,
            "above": 0.0,
            "shift": -0.1,
        },
        "pay_award_pct": {"distribution": "normal", "sd": 0.02},
    }
    m = toy(data)
    result = montecarlo.monte_carlo(m, toy_council(), draws=10_000)
    lean = result.leanings.set_index("assumption")
    assert lean.loc["savings_delivery_rate", "mean_offset_fraction"] == pytest.approx(
        -1 / 6, abs=0.003
    )
    assert bool(lean.loc["savings_delivery_rate", "leans"])
    assert not bool(lean.loc["pay_award_pct", "leans"])  # symmetric: noise only
    # The toy is in £k; read as £m (x 1,000) so its figures show: projection 6.59965 -> £6.6m.
    fan = montecarlo.fan_table(result).set_index("year") * 1000
    gap = budget_gap(m).set_index("year")[["budget_gap_cumulative_gbp_k"]] * 1000
    text = fan_sentence(fan.reset_index(), gap.reset_index(), result.leanings)
    assert "is above this scenario's own projection (£6.6m)" in text
    assert (
        "because the draws lean towards a wider gap: savings delivery averages 16.7 percentage "
        "points below this scenario's value." in text
    )
    assert "pay award" not in text


def test_fan_sentence_without_a_lean_blames_no_range():
    from analysis.mtfp.report import fan_sentence

    fan = pd.DataFrame(
        {
            "year": ["2025-26"],
            "budget_gap_cumulative_p05_gbp_k": [10_000.0],
            "budget_gap_cumulative_p50_gbp_k": [26_000.0],
            "budget_gap_cumulative_p95_gbp_k": [50_000.0],
        }
    )
    gap = pd.DataFrame({"budget_gap_cumulative_gbp_k": [24_300.0]})
    balanced = pd.DataFrame(
        {
            "label": ["the pay award", "tax base growth"],
            "mean_offset_fraction": [0.0001, -0.004],
            "lean_widening_fraction": [0.0001, 0.004],
            # tax base leans lower (wider gap) but not beyond noise
            "leans": [False, False],
        }
    )
    text = fan_sentence(fan, gap, balanced)
    assert "(£26.0m) is above this scenario's own projection (£24.3m)" in text
    assert "no assumption's draws lean towards a wider gap on average" in text
    assert "more room" not in text
    # A lean the other way is not a reason for a higher median.
    other_way = balanced.assign(leans=[False, True], lean_widening_fraction=[0.0, -0.004])
    assert "no assumption's draws lean towards a wider gap" in fan_sentence(fan, gap, other_way)
    # Within 2% of the 5-95 range (£0.8m) of the projection: in line, no reason needed.
    close = fan.assign(budget_gap_cumulative_p50_gbp_k=[24_900.0])
    assert fan_sentence(close, gap, balanced) == (
        "The middle of the simulated range for 2025-26 (£24.9m) is in line with this "
        "scenario's own projection (£24.3m)."
    )
