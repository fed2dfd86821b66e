"""Positions, MAD scores, quadrants, priorities and comparator groups on hand-worked toy data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import benchmarking
from analysis.benchmarking import BenchmarkSettings, comparators
from analysis.benchmarking.performance import performance_positions
from analysis.core import config


def toy_values():
    # Council A = 10; comparators B..E = 4, 6, 8, 20 on line 1.
    return pd.DataFrame(
        {"ons_code": list("ABCDE"), "line": 1, "value": [10.0, 4.0, 6.0, 8.0, 20.0]}
    )


def test_positions_hand_worked():
    groups = pd.DataFrame({"ons_code": "A", "comparator_code": list("BCDE")})
    pos = comparators.positions(toy_values(), groups, ["line"]).iloc[0]
    # Comparator median of 4, 6, 8, 20 = (6 + 8) / 2 = 7; diff = 3; diff_fraction = 3 / 7.
    assert pos["comparator_median"] == 7 and pos["diff"] == 3
    assert pos["diff_fraction"] == pytest.approx(3 / 7)
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
            "diff_fraction": [0.25, -1 / 6, 0.0],
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
    # small: spend 25/100 = 0.25; MAD 0 -> no cost component (it cannot lift the service);
    # self-assessed 4 -> 0.
    assert out.loc[1, "spend_component"] == 0.25 and np.isnan(out.loc[1, "cost_component"])
    assert out.loc[1, "self_assessment_component"] == 0.0


def toy_positions() -> pd.DataFrame:
    """Six services of one council, £ per head against a comparator median (10 comparators).

    total net spend = 400 + 300 + 100 + 2 + 150 + 48 = 1,000 (£k), so the 0.25% rule is £2.5k.
    """
    value = [10.0, 5.0, 9.0, 15.0, 13.0, 0.5]
    median = [8.0, 5.5, 10.0, 10.0, 10.0, 0.0]
    mad = [2.0, 0.2, 1.0, 1.0, 0.0, 0.0]
    diff = [v - m for v, m in zip(value, median, strict=True)]
    return pd.DataFrame(
        {
            "ons_code": "A",
            "line": [1, 2, 3, 4, 5, 6],
            "service": ["big", "perf", "low", "tiny", "zero_mad", "zero_median"],
            "value": value,
            "comparator_median": median,
            "diff": diff,
            # 2 / 8 = 0.25; -0.5 / 5.5 = -0.0909; -1 / 10 = -0.1; 5 / 10 = 0.5; 3 / 10 = 0.3
            "diff_fraction": [d / m if m else np.nan for d, m in zip(diff, median, strict=True)],
            "mad": mad,
            # 2 / 2 = 1; -0.5 / 0.2 = -2.5; -1 / 1 = -1; 5 / 1 = 5; MAD 0 -> blank
            "robust_score": [1.0, -2.5, -1.0, 5.0, np.nan, np.nan],
            "mad_is_zero": [m == 0 for m in mad],
            "rank_cost": [2.0, 6.0, 8.0, 1.0, 1.0, 1.0],
            "n_ranked": 11,
            "quartile": [4, 2, 1, 4, 4, 4],
            "n_comparators_with_data": 10,
            "net_expenditure_gbp_k": [400.0, 300.0, 100.0, 2.0, 150.0, 48.0],
            "population": 1000.0,
        }
    )


def toy_performance() -> pd.DataFrame:
    # "big": one measure below the median (lower is better, top value quartile = bottom
    # performance quartile); "perf": two of two below; "low": none.
    return pd.DataFrame(
        {
            "measure": ["B1", "P1", "P2"],
            "description": ["Delays (%)", "Satisfaction", "Reablement"],
            "polarity": ["lower_is_better", "higher_is_better", "higher_is_better"],
            "service_line": [1, 2, 2],
            "quartile": [4, 1, 2],
            "better_than_median": [-1.0, -1.0, -1.0],
            "performance_score": [-3.0, -1.0, -0.5],
        }
    )


def toy_priorities(holds=None, settings=None):
    perf = toy_performance()
    quads = benchmarking.quadrants(toy_positions().rename(columns={"rank_cost": "rank"}), perf)
    return benchmarking.priorities(
        toy_positions(), quads, settings or BenchmarkSettings(), perf, holds
    ).set_index("service")


def test_only_services_with_evidence_are_proposed():
    p = toy_priorities()
    # big: 25% above (>= 10%) and 1 MAD (>= 1) and a measure below the median: cost and performance.
    assert p.loc["big", "evidence"] == "cost and performance"
    # perf: 9% below the median on cost, below the median on 2 of 2 measures: performance.
    assert p.loc["perf", "evidence"] == "performance"
    # low: 10% below the median, no performance data, 10% of spend: never proposed.
    assert not p.loc["low", "proposed"]
    # tiny: 50% above and 5 MADs, but £2k = 0.2% of £1,000k spend (< 0.25%): not proposed.
    assert not p.loc["tiny", "proposed"]
    assert p.loc["tiny", "not_proposed_because"].startswith("too small to review: £2k, 0.20%")
    # zero_mad: MAD 0, 30% above, 15% of spend: proposed on cost, but with no cost component
    # (the score cannot be capped up to the top): spend 150/400 = 0.375 alone -> 37.5.
    assert p.loc["zero_mad", "evidence"] == "cost"
    assert np.isnan(p.loc["zero_mad", "cost_component"])
    assert p.loc["zero_mad", "priority_score"] == pytest.approx(37.5)
    # zero_median: £0.50 a head against a median of £0 (no percentage), MAD 0, 4.8% of spend:
    # net spending above a nil median meets the percentage part of the rule: proposed on cost.
    assert p.loc["zero_median", "evidence"] == "cost"
    assert (
        "against the median of 10 comparators of nil (£0.00 a head): £0.50 a head above"
        in (p.loc["zero_median", "reason"])
    )


def test_proposed_services_are_ranked_by_score_and_the_rest_unranked():
    p = toy_priorities()
    proposed = p[p["proposed"]].sort_values("rank")
    # big: spend 1, cost (1 + 3) / 6 = 0.6667, performance (3 + 3) / 6 = 1 (mean of -3),
    #   weights .25/.35/.25 (no self-assessment): (0.25 + 0.2333 + 0.25) / 0.85 = 86.27;
    # perf: spend 300/400 = 0.75, cost (-2.5 + 3) / 6 = 0.0833, performance (3 + 0.75) / 6 = 0.625
    #   (mean of -1 and -0.5 = -0.75): (0.1875 + 0.02917 + 0.15625) / 0.85 = 43.87.
    # zero_median: spend 48/400 = 0.12 alone (MAD 0: no cost component) -> 12.0.
    assert proposed.index.tolist() == ["big", "perf", "zero_mad", "zero_median"]
    assert proposed["priority_score"].tolist() == pytest.approx(
        [86.27, 43.87, 37.5, 12.0], abs=0.01
    )
    assert proposed["rank"].tolist() == [1, 2, 3, 4]
    assert p.loc[~p["proposed"], "rank"].isna().all()


def test_a_below_median_service_without_performance_data_is_never_proposed():
    # However large and whatever the weights: make "low" 100 times the spend of the others.
    frame = toy_positions()
    frame.loc[frame["service"] == "low", "net_expenditure_gbp_k"] = 1e6
    settings = BenchmarkSettings(weights={"spend": 10, "cost": 0, "performance": 0})
    perf = toy_performance()
    quads = benchmarking.quadrants(frame.rename(columns={"rank_cost": "rank"}), perf)
    p = benchmarking.priorities(frame, quads, settings, perf).set_index("service")
    assert p.loc["low", "priority_score"] == 100  # the largest score, and still
    assert not p.loc["low", "proposed"] and pd.isna(p.loc["low", "rank"])


def test_a_cost_position_that_does_not_hold_across_comparator_sets_is_not_proposed_on_cost():
    holds = pd.DataFrame(
        {
            "line": [1, 5],
            "n_sets_with_data": [3, 3],
            "n_sets_above_median": [3, 2],
            "sets_not_above_median": ["", "all unitary authorities"],
        }
    )
    p = toy_priorities(holds)
    assert not p.loc["zero_mad", "proposed"]
    assert p.loc["zero_mad", "not_proposed_because"] == (
        "£13.00 a head, 30% above the median of 10 comparators (£10.00); above the median of 2 "
        "of the 3 comparator groups (not of all unitary authorities); no performance measures "
        "for this service"
    )
    assert "above the median of all 3 comparator groups" in p.loc["big", "reason"]


def test_the_reason_is_generated_from_the_row():
    p = toy_priorities()
    assert p.loc["big", "reason"] == (
        "£10.00 a head, 25% above the median of 10 comparators (£8.00); performance below the "
        'comparator median on 1 of 1 measure; bottom quartile on "Delays (%)"'
    )
    assert p.loc["perf", "reason"] == (
        "£5.00 a head, 9% below the median of 10 comparators (£5.50); performance below the "
        'comparator median on 2 of 2 measures; bottom quartile on "Satisfaction"'
    )


def assert_reason_true(row: pd.Series) -> None:
    """Re-derive each claim in a proposed service's reason from its own figures."""
    reason = row["reason"]
    assert reason.startswith(f"£{row['net_expenditure_per_head_gbp']:,.2f} a head")
    fraction = row["cost_diff_from_median_fraction"]
    if pd.notna(fraction) and row["diff_per_head_gbp"] != 0:
        side = "above" if row["diff_per_head_gbp"] > 0 else "below"
        assert f", {abs(fraction) * 100:.0f}% {side} the median of " in reason
        assert f"(£{row['comparator_median_per_head_gbp']:,.2f})" in reason
    assert f"the median of {int(row['n_comparators_with_data'])} comparator" in reason
    n = int(row["n_measures"])
    if n == 0:
        assert "no performance measures" in reason
    elif row["n_measures_below_median"]:
        assert f"below the comparator median on {int(row['n_measures_below_median'])} of {n}" in (
            reason
        )
    else:
        assert f"above the comparator median on {int(row['n_measures_above_median'])} of {n}" in (
            reason
        )
    for measure in filter(None, [row["bottom_quartile_measures"]]):
        assert f"bottom quartile on {measure}" in reason
    # And the evidence it names is there: cost materially above, or performance below.
    if "cost" in row["evidence"]:
        # at least 10% above; or, with no percentage (a nil median), net spending above it
        no_pct = pd.isna(fraction) and row["comparator_median_per_head_gbp"] <= 0
        assert fraction >= 0.10 or (no_pct and row["net_expenditure_per_head_gbp"] > 0)
    if "performance" in row["evidence"]:
        assert row["n_measures_below_median"] > row["n_measures_above_median"]


def test_every_toy_reason_is_true_of_its_row():
    p = toy_priorities().reset_index()
    for _i, row in p[p["proposed"]].iterrows():
        assert_reason_true(row)


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
    proposals = result.proposals
    assert list(proposals["rank"]) == list(range(1, len(proposals) + 1))
    # Education is 5% below the median with no performance data: not proposed (it was ranked
    # above Highways, "higher cost, lower performance", when size of spend drove the list).
    assert "Education services" not in set(proposals["service"])
    assert {"Children's social care", "Highways and transport services"} <= set(
        proposals["service"]
    )
    for _i, row in result.priorities[result.priorities["proposed"]].iterrows():
        assert_reason_true(row)
    assert result.unmatched.empty
    assert any("ILLUSTRATIVE" in c for c in benchmarking.report.caveats(result))
    from analysis.core.periods import Period

    assert "illustrative panel" in benchmarking.validate_inputs(
        council, Period.parse("2021-22-Q2"), "base", None
    )


def test_real_data_for_bath(shared_public):
    council = config.load_council("bath-ne-somerset")
    result = benchmarking.run(council, shared_public, year=2016)
    assert result.year == 2016 and result.council_present
    asc = result.positions.set_index("line").loc[360]
    assert asc["net_expenditure_gbp_k"] == 60433
    # Two neighbours (North and West Northamptonshire, 2021) postdate the data: reported.
    missing = result.unmatched[result.unmatched["source"] == "comparator group"]
    assert set(missing["code"]) == {"E06000061", "E06000062"}
    assert asc["n_comparators_with_data"] == 13
    p = result.priorities.set_index("service")
    # "Other services": £29k, 16p a head against a comparator median of £0 with MAD 0: never.
    assert not p.loc["Other services", "proposed"]
    assert p.loc["Other services", "not_proposed_because"].startswith("too small to review: £29k")
    for _i, row in result.priorities[result.priorities["proposed"]].iterrows():
        assert_reason_true(row)
    assert set(result.proposals["service"]) >= {"Adult social care"}


def _as_a_batch_generates(shared_public, code: str):
    """The council a batch generates for ``code`` from the published data (identifiers only):
    the batch's own council.yaml, read as a council."""
    from analysis.batch.councils import generated_yaml
    from analysis.core.config import Council

    found = benchmarking.authorities(shared_public)
    row = found[found["ons_code"].eq(code)].iloc[0]
    return Council(**yaml.safe_load(generated_yaml(row, "the shared public data")))


def test_a_comparator_that_made_no_return_has_no_data_for_the_year(shared_public):
    """Cannock Chase, one of Broxtowe's published nearest neighbours, made no Revenue Outturn
    return for 2023-24: the file has its rows, each a "no return" marker. It is counted as a
    comparator with no data for that year, and the page's count of comparators with data is the
    count every service's median is taken over."""
    broxtowe = _as_a_batch_generates(shared_public, "E07000172")
    result = benchmarking.run(broxtowe, shared_public, year=2023)
    assert not result.comparators.set_index("ons_code").loc["E07000192", "in_cost_data"]
    assert (result.n_comparators, result.n_comparators_with_data) == (15, 14)
    assert set(result.positions["n_comparators_with_data"]) == {14}
    missing = result.unmatched[result.unmatched["source"] == "comparator group"]
    assert missing.set_index("code")["reason"].to_dict() == {
        "E07000192": "in the comparator group but made no Revenue Outturn return for 2023-24"
    }


def test_a_council_that_made_no_return_has_no_positions_and_says_why(shared_public):
    """Cannock Chase's 2023-24 rows are "no return" markers only: asked for that year, it has
    no positions, and the page says it made no return (not that its code postdates the data)."""
    cannock = _as_a_batch_generates(shared_public, "E07000192")
    result = benchmarking.run(cannock, shared_public, year=2023)
    assert not result.council_present
    assert result.positions.empty and result.priorities.empty
    said = [m for m in result.messages if "E07000192" in m]
    assert len(said) == 1
    assert "made no Revenue Outturn return for 2023-24" in said[0]
    assert "postdate" not in said[0]
    # Asked for no year, it is benchmarked on the newest year it made a return for.
    newest = benchmarking.run(cannock, shared_public)
    assert newest.council_present and newest.year < 2023 and not newest.positions.empty


def test_dorset_on_old_public_data_is_reported(shared_public):
    result = benchmarking.run(config.load_council("dorset"), shared_public, year=2016)
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


def test_cost_across_comparator_sets_toy():
    from analysis.benchmarking import robustness

    # A = 10 on line 1. Set "near": B, C = 4, 6 (median 5, A above); set "class": D, E = 12, 20
    # (median 16, A below).
    costs = pd.DataFrame(
        {
            "ons_code": list("ABCDE"),
            "line": 1,
            "service": "s1",
            "net_expenditure_per_head_gbp": [10.0, 4.0, 6.0, 12.0, 20.0],
        }
    )
    sets = {
        "near": pd.DataFrame({"ons_code": "A", "comparator_code": list("BC")}),
        "class": pd.DataFrame({"ons_code": "A", "comparator_code": list("DE")}),
    }
    across = robustness.cost_across_sets(costs, sets, "A").set_index("comparator_set")
    assert across.loc["near", "comparator_median_per_head_gbp"] == 5
    assert across.loc["class", "diff_from_median_fraction"] == pytest.approx((10 - 16) / 16)
    holds = robustness.holds_across_sets(across.reset_index()).iloc[0]
    assert holds["n_sets_with_data"] == 2 and holds["n_sets_above_median"] == 1
    assert holds["sets_not_above_median"] == "class"


def headline_value(result, label):
    return next(v for lbl, v, _n in benchmarking.report.headline_items(result) if lbl == label)


def test_counts_on_the_page_agree_for_bath(shared_public):
    import re

    import matplotlib.pyplot as plt

    result = benchmarking.run(config.load_council("bath-ne-somerset"), shared_public, year=2016)
    above, total = benchmarking.report.cost_counts(result)
    # Other services has a comparator median of £0: no percentage, but still one of the 11.
    assert (above, total) == (7, 11)
    assert headline_value(result, "Services above the comparator median") == f"{above} of {total}"
    fig = benchmarking.report.chart_positions(result)
    try:
        title = fig.axes[0].get_title(loc="left")
    finally:
        plt.close(fig)
    assert re.search(r"on (\d+) of (\d+) services", title).groups() == (str(above), str(total))
    assert f": {above} of {total} services cost more" in benchmarking.report.positions_alt(result)
    sentences = " ".join(benchmarking.report.summary_sentences(result))
    assert f"{above} of {total} services cost more per head" in sentences
    # "Compared with N comparators" is the number with data for the year (13), not the group (15).
    assert "compared with 13 comparators with data for 2016-17 (of 15 in the group)" in sentences
    assert headline_value(result, "Comparators with data") == "13 authorities"
    assert result.status.iloc[0]["n_comparators_with_data"] == 13
    # Each proposed service's reason counts its own line's comparators with data.
    for _i, row in result.proposals.iterrows():
        assert f"the median of {int(row['n_comparators_with_data'])} comparators" in row["reason"]
    assert headline_value(result, "Services proposed for a review") == str(len(result.proposals))
    assert result.status.iloc[0]["n_services_proposed"] == len(result.proposals)


def test_a_council_absent_from_the_data_gets_no_benchmarking_data(shared_public):
    result = benchmarking.run(config.load_council("dorset"), shared_public, year=2016)
    text = "No benchmarking data for E06000059"
    assert headline_value(result, "Benchmarking") == "No data"
    assert benchmarking.report.summary_sentences(result)[0].startswith(text)
    assert benchmarking.report.review_sentences(result)[0].startswith(text)
    assert not any("no service" in s.lower() for s in benchmarking.report.review_sentences(result))
    status = result.status.iloc[0]
    assert not status["council_present"] and status["n_services_proposed"] == 0


def test_unmatched_section_shows_only_classes_compared(shared_public):
    result = benchmarking.run(config.load_council("bath-ne-somerset"), shared_public, year=2016)
    relevant = benchmarking.report.relevant_unmatched(result)
    # The comparators are UA and MD: police, fire and waste bodies (class O) are left out.
    assert len(relevant) < len(result.unmatched)
    assert {"E06000061", "E06000062"} <= set(relevant["code"])
    assert not relevant["reason"].str.contains("class O").any()
    html = benchmarking.report.unmatched_html(result)
    assert "<details><summary>Show the list</summary>" in html
    assert f"{len(relevant)} authorities of the classes compared (MD, UA)" in html


def test_robust_score_text_states_the_oflog_convention():
    result = benchmarking.run(config.load_council("dorset"), None)
    text = " ".join(benchmarking.report.caveats(result))
    # In plain words: the Office for Local Government's measure, as "typical spreads", with no
    # statistical terms (MAD, standard deviation) on the page.
    assert "typical spreads" in text and "Office for Local Government" in text
    assert "standard deviation" not in text and "MAD" not in text and "absolute dev" not in text
    assert "notable, not rare" in text and "is unusual" not in text
    assert "ties share the middle rank" in text
    assert "neighbour_rank" not in result.comparators.columns


def test_performance_phrase_counts_both_sides():
    from analysis.benchmarking import reasons

    row = pd.Series(
        {
            "n_measures": 5,
            "n_measures_below_median": 1,
            "n_measures_above_median": 3,
            "bottom_quartile_measures": '"Carers finding information"',
        }
    )
    # 1 below + 3 above + 1 at the median = 5 measures.
    assert reasons.performance_phrase(row) == (
        "performance below the comparator median on 1 of 5 measures and above it on 3; "
        'bottom quartile on "Carers finding information"'
    )


def test_weights_table_is_in_words():
    table = benchmarking.weights_table(BenchmarkSettings())
    assert table["component"].tolist() == [
        "Size of spend",
        "Cost",
        "Performance",
        "Self-assessment",
    ]
    assert not table["what_it_measures"].str.contains("MAD").any()
    assert table["weight_share_fraction"].sum() == pytest.approx(1.0)  # 0.25 + 0.35 + 0.25 + 0.15


def test_when_nothing_qualifies_the_report_says_so_plainly():
    council = config.load_council("dorset")
    strict = council.model_copy(
        update={
            "benchmark": {
                **council.benchmark,
                "review": {"cost_threshold": 5.0, "min_share_of_spend": 0.9},
            }
        }
    )
    result = benchmarking.run(strict, None)
    assert result.council_present and result.proposals.empty
    sentence = benchmarking.report.review_sentences(result)[0]
    assert sentence.startswith("No service qualifies for a value-for-money review")
    assert "500%" in sentence  # the rule as set: 5.0 = 500% above the median
    assert headline_value(result, "Services proposed for a review") == "None"
    assert result.status.iloc[0]["n_services_proposed"] == 0


def test_an_authority_without_performance_measures_gets_empty_float_scores():
    # Measures published for one council only: the other (with comparators of its own, none
    # measured) has no performance rows. Its scores are an empty float column, not an error
    # (pandas keeps an empty string column's dtype through map, and string x float fails).
    string = pd.StringDtype(na_value=np.nan)
    performance = pd.DataFrame(
        {
            "ons_code": pd.array(["A", "B"], dtype=string),
            "year": [2016, 2016],
            "measure": pd.array(["ASC1", "ASC1"], dtype=string),
            "description": pd.array(["Reablement", "Reablement"], dtype=string),
            "polarity": pd.array(["higher_is_better"] * 2, dtype=string),
            "service_line": pd.array([360, 360], dtype="Int64"),
            "value": [0.8, 0.7],
        }
    )
    groups = pd.DataFrame({"ons_code": ["D"], "comparator_code": ["E"]})
    out = performance_positions(performance, groups, 2016, BenchmarkSettings())
    assert out.empty
    assert out["performance_score"].dtype == "float64"
    assert out["better_than_median"].dtype == "float64"


def test_real_data_for_a_district_council(shared_public, tmp_path, monkeypatch):
    # District councils have no social care and no published performance measures: their
    # benchmarking runs on costs alone. (The batch writes a district's settings; here into a
    # scratch project.)
    from analysis.batch.councils import prepare, select
    from analysis.core import paths

    (tmp_path / "data" / "raw").mkdir(parents=True)
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))
    paths.project_root.cache_clear()
    try:
        chosen = select(benchmarking.authorities(shared_public), councils=["cambridge"])
        [district] = prepare(chosen, "benchmark")
        council = config.load_council(district.slug)
    finally:
        monkeypatch.undo()  # the project's own root again, for this test's run and the next
        paths.project_root.cache_clear()
    assert council.authority_class == "SD"
    result = benchmarking.run(council, shared_public, year=2016)
    assert result.council_present and not result.positions.empty
    assert result.performance.empty and result.quadrants["quadrant"].eq("No performance data").all()


def test_a_figure_beside_the_cost_rule_is_not_rounded_across_it():
    from analysis.benchmarking import reasons

    # Sunderland's adult social care, 2023-24: £461.94 against £421.38 is 9.63% above; "10%
    # above ...; less than 10% above" contradicted itself.
    assert reasons.pct_words(0.09627, 0.10) == "9.6%"
    assert reasons.pct_words(0.09996, 0.10) == "9.996%"
    assert reasons.pct_words(0.152, 0.10) == "15%" and reasons.pct_words(0.09627) == "10%"
    assert reasons.pct_words(0.10, 0.10) == "10%"
