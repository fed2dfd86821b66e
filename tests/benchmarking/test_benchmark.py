"""Positions, MAD scores, quadrants, priorities and comparator groups on hand-worked toy data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import benchmarking
from analysis.benchmarking import BenchmarkSettings, comparators
from analysis.core import config


def toy_values():
    # Council A = 10; comparators B..E = 4, 6, 8, 20 on line 1.
    return pd.DataFrame(
        {"ons_code": list("ABCDE"), "line": 1, "value": [10.0, 4.0, 6.0, 8.0, 20.0]}
    )


def test_positions_hand_worked():
    groups = pd.DataFrame({"ons_code": "A", "comparator_code": list("BCDE")})
    pos = comparators.positions(toy_values(), groups, ["line"]).iloc[0]
    # Comparator median of 4, 6, 8, 20 = (6 + 8) / 2 = 7; diff = 3; diff_pct = 3 / 7.
    assert pos["comparator_median"] == 7 and pos["diff"] == 3
    assert pos["diff_pct"] == pytest.approx(3 / 7)
    # Absolute deviations 3, 1, 1, 13 -> MAD = (1 + 3) / 2 = 2; robust score = 3 / 2 = 1.5.
    assert pos["mad"] == 2 and pos["robust_score"] == 1.5
    # Only E (20) is higher: rank 2 of 5; quartile = 4 - floor(1 * 4 / 5) = 4.
    assert pos["rank"] == 2 and pos["n_ranked"] == 5 and pos["quartile"] == 4
    assert pos["n_comparators_with_data"] == 4


def test_positions_lowest_and_missing_data():
    values = toy_values()
    values.loc[values["ons_code"] == "E", "value"] = np.nan
    groups = pd.DataFrame({"ons_code": "B", "comparator_code": list("ACDE")})
    pos = comparators.positions(values, groups, ["line"]).iloc[0]
    # E has no data: 3 comparators (10, 6, 8), median 8; B = 4 is lowest: rank 4 of 4, quartile 1.
    assert pos["n_comparators_with_data"] == 3 and pos["comparator_median"] == 8
    assert pos["rank"] == 4 and pos["quartile"] == 1


def test_mad_zero():
    values = pd.DataFrame({"ons_code": list("ABCD"), "line": 1, "value": [5.0, 3.0, 3.0, 9.0]})
    groups = pd.DataFrame(
        {"ons_code": ["A"] * 3 + ["B"] * 3, "comparator_code": list("BCD") + list("ACD")}
    )
    pos = comparators.positions(values, groups, ["line"]).set_index("ons_code")
    # A's comparators 3, 3, 9: median 3, deviations 0, 0, 6 -> MAD 0; A differs: blank score.
    assert (
        pos.loc["A", "mad"] == 0
        and bool(pos.loc["A", "mad_is_zero"])
        and np.isnan(pos.loc["A", "robust_score"])
    )
    # B's comparators 5, 3, 9: median 5, deviations 0, 2, 4 -> MAD 2; score (3 - 5) / 2 = -1.
    assert pos.loc["B", "robust_score"] == -1


def test_mad_zero_at_median_scores_zero():
    values = pd.DataFrame({"ons_code": list("ABCD"), "line": 1, "value": [3.0, 3.0, 3.0, 9.0]})
    groups = pd.DataFrame({"ons_code": "A", "comparator_code": list("BCD")})
    assert comparators.positions(values, groups, ["line"])["robust_score"].iloc[0] == 0


def test_computed_neighbours_toy():
    # One variable, class UA: 1, 2, 4, 10; class SD: 1 (a different class never matches).
    features = pd.DataFrame({"x": [1.0, 2.0, 4.0, 10.0, 1.0]}, index=["A", "B", "C", "D", "S"])
    classes = pd.Series(["UA", "UA", "UA", "UA", "SD"], index=features.index)
    groups = comparators.computed_neighbours(features, classes, k=2, codes=["B"])
    # From B (2): A is 1 away, C is 2 away, D 8 away -> nearest two are A then C.
    assert list(groups["comparator_code"]) == ["A", "C"]
    # Standardised within UA: mean 4.25, sd = sqrt((3.25^2 + 2.25^2 + 0.25^2 + 5.75^2) / 4)
    # = sqrt(48.75 / 4) = 3.49106; distance B-A = 1 / 3.49106 = 0.28645.
    assert groups["distance"].iloc[0] == pytest.approx(1 / 3.4910600, rel=1e-6)
    assert "S" not in set(groups["comparator_code"])


def test_class_groups_exclude_self():
    classes = pd.Series({"A": "UA", "B": "UA", "C": "SD"})
    groups = comparators.class_groups(classes)
    assert set(map(tuple, groups.to_numpy())) == {("A", "B"), ("B", "A")}


def test_quadrants():
    costs = pd.DataFrame(
        {
            "ons_code": "A",
            "line": [1, 2, 3],
            "service": ["s1", "s2", "s3"],
            "value": [10.0, 5.0, 7.0],
            "comparator_median": [8.0, 6.0, 7.0],
            "diff": [2.0, -1.0, 0.0],
            "diff_pct": [0.25, -1 / 6, 0.0],
            "robust_score": [1.0, -0.5, 0.0],
        }
    )
    perf = pd.DataFrame(
        {
            "measure": ["m1", "m2", "m3"],
            "service_line": [1, 1, 2],
            "better_than_median": [-1.0, -1.0, 1.0],
            "performance_score": [-1.0, -2.0, 0.5],
        }
    )
    q = benchmarking.quadrants(costs, perf).set_index("line")
    assert q.loc[1, "quadrant"] == "Higher cost, lower performance"
    assert q.loc[1, "performance_score"] == -1.5  # mean of -1 and -2
    assert q.loc[2, "quadrant"] == "Lower cost, higher performance"
    assert q.loc[3, "quadrant"] == "No performance data"


def test_priority_scores_hand_worked():
    frame = pd.DataFrame(
        {
            "service": ["big", "small"],
            "line": [1, 2],
            "net_expenditure_gbp_k": [100.0, 25.0],
            "cost_robust_score": [1.5, np.nan],
            "mad_is_zero": [False, True],
            "diff_per_head_gbp": [3.0, 2.0],
            "performance_score": [-3.0, np.nan],
            "self_assessment_score": [np.nan, 4.0],
        }
    )
    out = benchmarking.priority_components(frame)
    # big: spend 100/100 = 1; cost (1.5 + 3) / 6 = 0.75; performance (3 - -3) / 6 = 1.
    assert list(out.loc[0, ["spend_component", "cost_component", "performance_component"]]) == [
        1.0,
        0.75,
        1.0,
    ]
    # small: spend 25/100 = 0.25; MAD 0 above median -> capped at +3 -> cost 1; self-assessed 4 -> 0.
    assert out.loc[1, "spend_component"] == 0.25 and out.loc[1, "cost_component"] == 1.0
    assert out.loc[1, "self_assessment_component"] == 0.0


def test_priorities_ranked_with_weights():
    settings = BenchmarkSettings(
        weights={"spend": 1, "cost": 1, "performance": 2, "self_assessment": 0},
        self_assessment={"big": 1},
    )
    pos = pd.DataFrame(
        {
            "line": [1, 2],
            "service": ["big", "small"],
            "value": [10.0, 5.0],
            "comparator_median": [8.0, 5.5],
            "robust_score": [1.5, -3.0],
            "diff": [2.0, -0.5],
            "mad_is_zero": [False, False],
            "rank_cost": [2, 5],
            "n_ranked": [5, 5],
            "net_expenditure_gbp_k": [100.0, 25.0],
            "population": [1000.0, 1000.0],
        }
    )
    quads = pd.DataFrame(
        {
            "line": [1, 2],
            "performance_score": [-3.0, np.nan],
            "quadrant": ["x", "y"],
            "n_measures": [1, 0],
        }
    )
    p = benchmarking.priorities(pos, quads, settings)
    # big: (1 x 1 + 1 x 0.75 + 2 x 1) / 4 = 0.9375 -> 93.75 (self-assessment weight 0).
    # small: spend 0.25, cost 0 (-3 MADs), no performance -> (0.25 + 0) / 2 -> 12.5.
    assert list(p["service"]) == ["big", "small"] and list(p["rank"]) == [1, 2]
    assert p["priority_score"].tolist() == pytest.approx([93.75, 12.5])
    assert p.loc[1, "components_used"] == "spend, cost"


def test_notional_savings_and_vfm_share():
    pos = pd.DataFrame(
        {
            "service": ["a", "b"],
            "line": [1, 2],
            "value": [12.0, 5.0],
            "comparator_median": [10.0, 6.0],
            "diff": [2.0, -1.0],
            "population": [50_000.0, 50_000.0],
        }
    )
    s = benchmarking.notional_savings(pos)
    # Only a is above the median: £2 x 50,000 / 1000 = £100k.
    assert list(s["service"]) == ["a"] and s["notional_saving_gbp_k"].iloc[0] == 100
    assert s["label"].iloc[0] == "question for review, not a target"
    settings = BenchmarkSettings(self_assessment={"a": 1, "b": 2, "c": 3, "d": 4})
    assert benchmarking.vfm_share(settings) == (0.75, 4)  # 3 of 4 score 2 or above


def test_settings_errors_are_keyed():
    from analysis.core.errors import InputError

    council = config.load_council("dorset").model_copy(
        update={"benchmark": {"self_assessment": {"x": 7}, "comparator_method": "magic"}}
    )
    with pytest.raises(InputError) as info:
        benchmarking.load_settings(council)
    keys = {p.key for p in info.value.problems}
    assert "benchmark.comparator_method" in keys and any(
        k.startswith("benchmark.self_assessment") for k in keys
    )


def test_default_panel_runs_offline():
    council = config.load_council("dorset")
    result = benchmarking.run(council, None)
    assert result.panel.illustrative and result.council_present
    assert result.n_comparators == 15 and len(result.positions) == 11
    assert list(result.priorities["rank"]) == list(range(1, 12))
    assert result.unmatched.empty
    assert any("ILLUSTRATIVE" in c for c in benchmarking.report.caveats(result))
    from analysis.core.periods import Period

    assert "illustrative panel" in benchmarking.validate_inputs(
        council, Period.parse("2021-22-Q2"), "base", None
    )


def test_real_data_for_bath(shared_public):
    council = config.load_council("bath-ne-somerset")
    result = benchmarking.run(council, shared_public)
    assert result.year == 2016 and result.council_present
    asc = result.positions.set_index("line").loc[360]
    assert asc["net_expenditure_gbp_k"] == 60433
    # Two neighbours (North and West Northamptonshire, 2021) postdate the data: reported.
    missing = result.unmatched[result.unmatched["source"] == "comparator group"]
    assert set(missing["code"]) == {"E06000061", "E06000062"}
    assert asc["n_comparators_with_data"] == 13


def test_dorset_on_old_public_data_is_reported(shared_public):
    result = benchmarking.run(config.load_council("dorset"), shared_public)
    assert not result.council_present and result.positions.empty
    assert any("E06000059" in m for m in result.messages)


def test_ties_take_the_middle_rank():
    # A = 5 level with B and C (5), one higher (D = 9), one lower (E = 1): positions 2, 3, 4 are
    # shared by A, B, C; A takes the middle one, 3 (min rank would say 2, a higher cost).
    values = pd.DataFrame({"ons_code": list("ABCDE"), "line": 1, "value": [5.0, 5, 5, 9, 1]})
    groups = pd.DataFrame({"ons_code": "A", "comparator_code": list("BCDE")})
    pos = comparators.positions(values, groups, ["line"]).iloc[0]
    assert pos["rank"] == 3 and pos["n_ranked"] == 5
    # quartile = 4 - floor((3 - 1) x 4 / 5) = 4 - floor(1.6) = 3
    assert pos["quartile"] == 3
    # Comparator median of 5, 5, 9, 1 = (5 + 5) / 2 = 5: A is at the median, diff 0.
    assert pos["diff"] == 0
    assert comparators.RANK_RULE == "ties share the middle rank"
