"""The default council: the base scenario reproduces Dorset's published 2021-22 MTFS figures
from its assumptions (LGA Finance Peer Challenge report, Cabinet 5 October 2021; CTR tables),
and its current year takes the savings register's forecast at 2021-22 Q2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.mtfp import (
    budget_gap,
    compare_scenarios,
    council_tax_detail,
    delivery_evidence,
    dsg,
    funding_by_line,
    load_assumptions,
    montecarlo,
    net_budget_by_directorate,
    referendum_warnings,
    reserves_projection,
    resolve_scenario,
    savings_reconciliation,
    savings_with_delivery,
    validate_inputs,
)

Q2 = Period.parse("2021-22-Q2")


@pytest.fixture(scope="module")
def dorset():
    council = config.load_council("dorset")
    assumptions = load_assumptions(council)
    return council, assumptions, resolve_scenario(assumptions, "base")


@pytest.fixture(scope="module")
def evidence(dorset):
    council, assumptions, _ = dorset
    return delivery_evidence(assumptions, council, Q2)


def test_council_tax_263_9m_rising_to_294_3m(dorset):
    _, _, base = dorset
    ct = council_tax_detail(base).set_index("year")["council_tax_gbp_k"]
    assert ct["2021-22"] == pytest.approx(263_918.6, abs=0.1)  # 148,319.7 x £1,779.39
    assert abs(ct["2025-26"] - 294_300) < 500


def test_business_rates_44_3m_rising_by_just_under_1m(dorset):
    _, _, base = dorset
    rates = (
        funding_by_line(base).query("line == 'Business rates'").set_index("year")["funding_gbp_k"]
    )
    assert rates["2021-22"] == pytest.approx(44_300)
    assert 500 < rates["2025-26"] - rates["2021-22"] < 1_000


def test_net_budget_about_312m_and_balanced_in_2021_22_if_every_saving_were_delivered(dorset):
    # The published MTFS balanced 2021-22 counting every planned saving: the plan alone.
    _, _, base = dorset
    plan_only = base.model_copy(
        update={
            "savings_delivery": base.savings_delivery.model_copy(update={"current_year": "plan"})
        }
    )
    gap = budget_gap(plan_only).set_index("year")
    assert abs(gap.loc["2021-22", "net_budget_requirement_gbp_k"] - 312_000) < 1_000
    assert abs(gap.loc["2021-22", "budget_gap_cumulative_gbp_k"]) < 100


def test_the_base_case_current_year_equals_the_register_forecast(dorset, evidence):
    _, _, base = dorset
    # Register at 2021-22 Q2: £27,068k planned for 2021-22, £21,923k forecast.
    assert evidence.forecast["forecast_gbp_k"].sum() == pytest.approx(21_923)
    lines = savings_with_delivery(base, evidence)
    assert lines.loc[lines["year"] == "2021-22", "delivered_gbp_k"].sum() == pytest.approx(21_923)
    # The MTFP plans £27,800k for 2021-22 (7,000 + 4,000 + 4,500 + 2,000 + 3,800 + 3,500 + 3,000):
    # the base case's 2021-22 gap is the plan's (about 0) plus 27,800 - 21,923 = 5,877.
    plan_only = base.model_copy(
        update={
            "savings_delivery": base.savings_delivery.model_copy(update={"current_year": "plan"})
        }
    )
    with_register = budget_gap(base, evidence).set_index("year")["budget_gap_cumulative_gbp_k"]
    as_planned = budget_gap(plan_only).set_index("year")["budget_gap_cumulative_gbp_k"]
    # Recurring savings: the shortfall stays in every later year (later years at 100%).
    assert (with_register - as_planned).tolist() == pytest.approx([5_877] * 5)
    undelivered = net_budget_by_directorate(base, evidence)
    first = undelivered[
        (undelivered["year"] == "2021-22") & (undelivered["line_type"] == "directorate")
    ]
    assert first["savings_undelivered_gbp_k"].sum() == pytest.approx(5_877)


def test_savings_reconciliation_table_is_nan_free_and_adds_up(dorset, evidence):
    _, _, base = dorset
    table = savings_reconciliation(base, evidence)
    assert not table.isna().any().any()
    total = table[table["directorate"] == "All directorates"].iloc[0]
    assert total["planned_in_mtfp_gbp_k"] == pytest.approx(27_800)
    assert total["planned_in_register_gbp_k"] == pytest.approx(27_068)
    assert total["forecast_in_register_gbp_k"] == pytest.approx(21_923)
    assert total["counted_in_this_scenario_gbp_k"] == pytest.approx(21_923)
    assert total["mtfp_not_in_register_gbp_k"] == pytest.approx(732)  # 27,800 - 27,068
    assert total["undelivered_in_this_scenario_gbp_k"] == pytest.approx(5_877)
    # Central and Capital Financing has register savings (£1,540k planned, £1,635k forecast)
    # but none in the MTFP: a zero, not a NaN, on the MTFP side.
    ccf = table.set_index("directorate").loc["Central and Capital Financing"]
    assert (ccf["planned_in_mtfp_gbp_k"], ccf["forecast_in_register_gbp_k"]) == (0, 1_635)
    body = table[table["directorate"] != "All directorates"]
    for column in table.columns[2:]:
        assert body[column].sum() == pytest.approx(total[column])


def test_reserves_at_31_march_2021(dorset):
    _, assumptions, _ = dorset
    assert assumptions.reserves.general_fund_opening_gbp_k == 31_500
    assert (
        assumptions.reserves.general_fund_opening_gbp_k
        + assumptions.reserves.earmarked_opening_gbp_k
        == 65_000
    )


def test_dsg_deficit_70m_with_mitigation_and_110m_without(dorset):
    _, _, base = dorset
    table = dsg.dsg_projection(base).set_index(["case", "year"])["cumulative_deficit_gbp_k"]
    assert table[(dsg.WITH_MITIGATION, "2021-22")] == pytest.approx(37_900 + 17_000, abs=100)
    assert abs(table[(dsg.WITH_MITIGATION, "2025-26")] - 70_000) < 1_000
    assert abs(table[(dsg.WITHOUT_MITIGATION, "2025-26")] - 110_000) < 1_000


def test_base_respects_the_referendum_limits(dorset):
    _, _, base = dorset
    assert referendum_warnings(base) == []


def test_scenarios_need_the_savings_register(dorset):
    council, assumptions, _ = dorset
    with pytest.raises(InputError, match="savings_delivery.current_year"):
        compare_scenarios(assumptions, council)


def test_validate_inputs(dorset):
    council, _, _ = dorset
    assert validate_inputs(council, Period.parse("2021-22-Q2"), "base", None).startswith(
        "MTFP assumptions:"
    )


def test_monte_carlo_uses_the_yaml_draws_and_seed(dorset, evidence):
    # Its speed is measured by benchmarks/run_benchmarks.py, not by a timed test.
    council, _, base = dorset
    result = montecarlo.monte_carlo(base, council, evidence)
    assert result.draws == 10_000
    again = montecarlo.monte_carlo(base, council, evidence)
    pd.testing.assert_frame_equal(result.percentiles, again.percentiles)


def test_gap_is_deterministic(dorset, evidence):
    council, _, base = dorset
    assert reserves_projection(base, council, evidence).equals(
        reserves_projection(base, council, evidence)
    )


def test_the_mtfp_and_the_savings_report_agree_on_what_is_not_expected(dorset, evidence):
    from analysis import savings

    council, _, base = dorset
    headline = savings.analyse(council, Q2).headline().iloc[0]
    total = savings_reconciliation(base, evidence).iloc[-1]
    # Savings report: not expected = 27,068 - 21,923 = 5,145 (£5.1m); the MTFP reconciliation's
    # register shortfall is the same figure, and its pressure adds the 732 the register lacks.
    shortfall = total["planned_in_register_gbp_k"] - total["forecast_in_register_gbp_k"]
    assert headline["lost_gbp_m"] * 1000 == pytest.approx(shortfall) == pytest.approx(5_145)
    assert total["undelivered_in_this_scenario_gbp_k"] == pytest.approx(5_145 + 732)


def _with(assumptions, council, scenarios=None, distributions=None):
    from analysis.mtfp.assumptions import load_assumptions_from

    data = assumptions.model_dump()
    data["scenarios"].update(scenarios or {})
    if distributions is not None:
        data["monte_carlo"]["distributions"] = distributions
    return load_assumptions_from(data, council)


def _median_and_projection(plan, council, evidence):
    result = montecarlo.monte_carlo(plan, council, evidence)
    median = result.percentiles.query("percentile == 50")["budget_gap_cumulative_gbp_k"]
    return median.to_numpy(), budget_gap(plan, evidence)["budget_gap_cumulative_gbp_k"].to_numpy()


def test_a_higher_pay_award_moves_the_simulation_as_much_as_the_projection(dorset, evidence):
    # The case: a scenario with the pay award 1.5 points higher (2% -> 3.5%). Its
    # projection's 2025-26 gap rises by about £12.1m; the simulated median (same seed, so the
    # same draws around each scenario's values) must rise by about as much, not stay put.
    council, assumptions, _ = dorset
    shocked = _with(assumptions, council, {"pay_shock": {"pay_award_pct": 0.035}})
    base_median, base_projection = _median_and_projection(
        resolve_scenario(shocked, "base", council), council, evidence
    )
    shock_median, shock_projection = _median_and_projection(
        resolve_scenario(shocked, "pay_shock", council), council, evidence
    )
    moved = shock_projection - base_projection
    assert moved[-1] == pytest.approx(12_147, abs=5)
    # Within 3% in every year (measured: 2025-26 median +£12.27m against +£12.15m).
    assert shock_median - base_median == pytest.approx(moved, rel=0.03)


def test_ranges_of_zero_width_reproduce_every_scenario_exactly(dorset, evidence):
    council, assumptions, _ = dorset
    zero = {
        key: (
            {"distribution": "normal", "sd": 0.0}
            if spec.distribution == "normal"
            else {"distribution": spec.distribution, "below": 0.0, "above": 0.0}
        )
        for key, spec in assumptions.monte_carlo.distributions.items()
    }
    flat = _with(assumptions, council, distributions=zero)
    for name in flat.scenario_names():
        median, projection = _median_and_projection(
            resolve_scenario(flat, name, council), council, evidence
        )
        assert np.array_equal(median, projection), name


def test_reserves_count_the_dsg_deficit_from_the_year_the_plan_says_the_override_ends(
    dorset, evidence
):
    # mtfp.yaml: statutory_override_ends 2023-24. Usable reserves at 31 March 2024 £35.1m, less
    # the DSG deficit with the recovery plan then, £73.5m: -£38.4m (the figure). If
    # the override continued they would last until 2025-26 (-£4.9m).
    from analysis.mtfp import report, reserve_milestones, scenario_headlines

    council, assumptions, base = dorset
    reserves = reserves_projection(base, council, evidence).set_index("year")
    assert reserves.loc["2023-24", "usable_reserves_gbp_k"] == pytest.approx(35_097.5, abs=1)
    assert reserves.loc["2023-24", "dsg_deficit_counted_gbp_k"] == pytest.approx(73_466.5, abs=1)
    assert reserves.loc["2023-24", "usable_reserves_after_dsg_gbp_k"] == pytest.approx(
        -38_369.0, abs=1
    )
    assert reserves.loc["2022-23", "dsg_deficit_counted_gbp_k"] == 0  # override still in place
    head = scenario_headlines(assumptions, council, evidence).set_index("scenario").loc["base"]
    assert head["statutory_override_ends"] == "2023-24"
    assert head["usable_reserves_exhausted_year"] == "2023-24"
    assert head["usable_reserves_exhausted_year_override_continues"] == "2025-26"
    assert head["usable_reserves_at_override_end_gbp_k"] == pytest.approx(-38_369.0, abs=1)

    tiles = report.headline_tiles(head, "5% of the net budget")
    assert tiles[2] == (
        "Usable reserves run out",
        "2023-24",
        "counting the DSG deficit from 2023-24, when the plan says the statutory override ends; "
        "if it continued: 2025-26",
    )
    milestones = reserve_milestones(reserves.reset_index())
    sentence = report.reserves_sentence(
        reserves.reset_index(), milestones, "5% of the net budget", "2025-26"
    )
    assert (
        "The plan's assumptions say the statutory override for the schools high-needs (DSG) "
        "deficit ends in 2023-24, so from that year this report counts the deficit (£73.5m "
        "then, with the recovery plan) against usable reserves: they would be -£38.4m at the "
        "end of 2023-24 and run out in 2023-24. If the override continued, usable reserves "
        "would run out in 2025-26." in sentence
    )
    assert "off the general fund for now" not in sentence
