"""MTFP library on a toy three-year plan worked by hand (figures in £k unless stated).

The toy plan (see ``toy_data``), years 2021-22, 2022-23, 2023-24:

Spending. Directorate A: pay 100, non-pay 200, no demand growth; B: non-pay 100, demand growth
10% in 2022-23 only. Pay award 10%, price inflation 5%, every year (the first included).
Savings: A tactical 10 from 2021-22; B transformational 20 from 2022-23 (recurring).
Capital financing 50 and contingency 10 a year.
  2021-22: A 100x1.1=110 + 200x1.05=210 - 10 = 310; B 100x1.05 = 105; +60 -> 475
  2022-23: A 121 + 220.5 - 10 = 331.5; B 105x1.05x1.1 = 121.275 - 20 = 101.275; +60 -> 492.775
  2023-24: A 133.1 + 231.525 - 10 = 354.625; B 121.275x1.05 = 127.33875 - 20 = 107.33875;
           +60 -> 521.96375
Funding. Tax base 100 Band D equivalents, Band D £4,000 (of which ASC precept £400), from the
second year +1% tax base and +3% core +2% ASC on Band D; business rates 50 +10% a year;
grant G 20 -50% a year; collection fund +5, -5, 0.
  council tax: 100x4000/1000 = 400; 101x4200/1000 = 424.2; 102.01x4410/1000 = 449.8641
  ASC element of Band D: 400; 400 + 4000x2% = 480; 480 + 4200x2% = 564
  funding: 400+5+50+20 = 475; 424.2-5+55+10 = 484.2; 449.8641+0+60.5+5 = 515.3641
Gap (cumulative): 475-475 = 0; 492.775-484.2 = 8.575; 521.96375-515.3641 = 6.59965
Gap (incremental): 0; 8.575; 6.59965-8.575 = -1.97535
Reserves: general fund 20, earmarked 10, no planned movements:
  general fund 20; 20-8.575 = 11.425; 11.425-6.59965 = 4.82535; usable = general fund + 10.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from analysis.core.config import Council
from analysis.core.errors import InputError
from analysis.mtfp import (
    apply_delivery_rates,
    budget_gap,
    compare_scenarios,
    council_tax_detail,
    funding_by_line,
    net_budget_by_directorate,
    planned_savings,
    referendum_warnings,
    reserve_milestones,
    reserves_projection,
    resilience_indicators,
    savings_with_delivery,
    scenario_headlines,
    sensitivity,
    to_gbp_m,
)
from analysis.mtfp.assumptions import load_assumptions_from, resolve_scenario

YEARS = ["2021-22", "2022-23", "2023-24"]


def toy_data() -> dict:
    return {
        "base_year": "2021-22",
        "horizon_years": 3,
        "base_budget": {
            "A": {"pay_gbp_k": 100, "non_pay_gbp_k": 200},
            "B": {"pay_gbp_k": 0, "non_pay_gbp_k": 100},
        },
        "pay_award_pct": 0.10,
        "price_inflation_pct": 0.05,
        "demand_growth_pct": {"A": 0.0, "B": {"2021-22": 0.0, "2022-23": 0.10, "2023-24": 0.0}},
        "capital_financing_gbp_k": 50,
        "contingency_gbp_k": 10,
        "council_tax": {
            "tax_base_band_d_equivalents": 100,
            "tax_base_growth_pct": 0.01,
            "band_d_gbp": 4000,
            "asc_precept_in_band_d_gbp": 400,
            "core_increase_pct": 0.03,
            "asc_precept_increase_pct": 0.02,
            "referendum_limit_core_pct": {"2021-22": 0.03, "2022-23": 0.02, "2023-24": 0.03},
            "referendum_limit_asc_pct": 0.02,
        },
        "collection_fund_gbp_k": {"2021-22": 5, "2022-23": -5, "2023-24": 0},
        "business_rates": {"base_gbp_k": 50, "growth_pct": 0.10},
        "grants": {"G": {"base_gbp_k": 20, "growth_pct": -0.5, "certainty": "settled"}},
        "saving_types": ["convergence", "tactical", "transformational"],
        "planned_savings": [
            {"directorate": "A", "type": "tactical", "by_year_gbp_k": {"2021-22": 10}},
            {"directorate": "B", "type": "transformational", "by_year_gbp_k": {"2022-23": 20}},
        ],
        "reserves": {"general_fund_opening_gbp_k": 20, "earmarked_opening_gbp_k": 10},
        "dsg_high_needs": {
            "opening_deficit_gbp_k": 100,
            "plans_base_year": 10,
            "plan_growth_pct": 0.10,
            "placements": {
                "x": {"share": 0.5, "unit_cost_gbp": 10000},
                "y": {"share": 0.5, "unit_cost_gbp": 30000},
            },
            "unit_cost_inflation_pct": 0.0,
            "grant_gbp_k": 150,
            "grant_growth_pct": 0.0,
            "mitigation": {
                "plan_growth_pct": 0.0,
                "placement_shares": {
                    "x": {"2021-22": 0.5, "2022-23": 0.75, "2023-24": 0.75},
                    "y": {"2021-22": 0.5, "2022-23": 0.25, "2023-24": 0.25},
                },
            },
            "statutory_override_ends": "2022-23",
        },
        "monte_carlo": {
            "draws": 1000,
            "seed": 42,
            "distributions": {
                # around the scenario's values: pay 10% +/- 2 points; delivery 50% to 100%
                "pay_award_pct": {"distribution": "normal", "sd": 0.02},
                "savings_delivery_rate": {"distribution": "uniform", "below": 0.5, "above": 0.0},
            },
        },
        "scenarios": {
            "base": {},
            "costly": {"pay_award_pct": 0.20},
            "harsh": {"apply_savings_delivery_rate": True},
        },
    }


def toy_council(tmp_path=None, directorates=("A", "B"), **policy) -> Council:
    return Council(
        name="Toy Council",
        ons_code="E06000999",
        authority_class="UA",
        minimum_general_fund_reserve=policy or {"amount_gbp_k": 10},
        directorates=list(directorates),
        slug="toy",
        folder=tmp_path or ".",
    )


def toy(data: dict | None = None, scenario: str = "base"):
    m = load_assumptions_from(data or toy_data(), toy_council())
    return resolve_scenario(m, scenario)


def values(df: pd.DataFrame, column: str) -> list[float]:
    return df[column].astype(float).tolist()


# ---------------------------------------------------------------------------------------------
# Net budget, funding and the gap


def test_net_budget_by_directorate_hand_figures():
    nb = net_budget_by_directorate(toy())
    totals = nb.groupby("year", sort=False)["net_budget_gbp_k"].sum()
    assert totals.tolist() == pytest.approx([475, 492.775, 521.96375])
    a = nb[nb["line"] == "A"]
    assert values(a, "pay_gbp_k") == pytest.approx([110, 121, 133.1])  # 100 x 1.1^t
    assert values(a, "non_pay_gbp_k") == pytest.approx([210, 220.5, 231.525])  # 200 x 1.05^t
    b = nb[nb["line"] == "B"]
    assert values(b, "savings_planned_to_date_gbp_k") == pytest.approx([0, 20, 20])  # recurring
    assert values(b, "savings_undelivered_gbp_k") == pytest.approx([0, 0, 0])
    assert set(nb.loc[nb["line_type"] == "corporate", "line"]) == {
        "Capital financing",
        "Contingency",
    }


def test_funding_council_tax_core_and_asc_shown_apart():
    detail = council_tax_detail(toy())
    assert values(detail, "council_tax_gbp_k") == pytest.approx([400, 424.2, 449.8641])
    assert values(detail, "asc_precept_in_band_d_gbp") == pytest.approx([400, 480, 564])
    # ASC precept income: 100x400/1000 = 40; 101x480/1000 = 48.48; 102.01x564/1000 = 57.53364
    assert values(detail, "asc_precept_gbp_k") == pytest.approx([40, 48.48, 57.53364])
    assert values(detail, "council_tax_core_gbp_k") == pytest.approx([360, 375.72, 392.33046])
    funding = funding_by_line(toy())
    totals = funding.groupby("year", sort=False)["funding_gbp_k"].sum()
    assert totals.tolist() == pytest.approx([475, 484.2, 515.3641])
    grant = funding[funding["line"] == "G"]
    assert values(grant, "funding_gbp_k") == pytest.approx([20, 10, 5])
    assert set(grant["certainty"]) == {"settled"}


def test_referendum_flag_and_message():
    detail = council_tax_detail(toy())
    # 2022-23: core 3% against a 2% limit; other years within (3% <= 3%, 2% <= 2%).
    assert detail["breaches_referendum_limit"].tolist() == [False, True, False]
    messages = referendum_warnings(toy())
    assert len(messages) == 1
    assert messages[0].startswith("2022-23")
    assert "a core increase of 3% against a limit of 2%" in messages[0]
    assert "referendum" in messages[0]
    funding = funding_by_line(toy())
    flagged = funding[funding["breaches_referendum_limit"]]
    assert set(flagged["year"]) == {"2022-23"}
    assert set(flagged["line"]) == {"Council tax (core)", "Council tax (adult social care precept)"}


def test_asc_breach_is_flagged_too():
    data = toy_data()
    data["council_tax"]["asc_precept_increase_pct"] = 0.03  # limit 2%
    assert council_tax_detail(toy(data))["breaches_referendum_limit"].tolist() == [True, True, True]


def test_a_deferred_asc_precept_within_the_rules_is_not_a_breach():
    data = toy_data()
    data["council_tax"]["core_increase_pct"] = 0.02  # within every core limit
    # ASC limit 2% a year; 2021-22 uses 0.5%, 2022-23 3.5% (= 2% + the 1.5% left from 2021-22).
    data["council_tax"]["asc_precept_increase_pct"] = {
        "2021-22": 0.005,
        "2022-23": 0.035,
        "2023-24": 0.02,
    }
    assert council_tax_detail(toy(data))["breaches_referendum_limit"].tolist() == [
        False,
        True,
        False,
    ]
    data["council_tax"]["asc_precept_carry_forward"] = {"2021-22": "2022-23"}
    detail = council_tax_detail(toy(data))
    assert detail["breaches_referendum_limit"].tolist() == [False, False, False]
    assert detail["referendum_limit_asc_fraction"].tolist() == pytest.approx([0.02, 0.035, 0.02])
    # 3.6% in 2022-23 is 0.1 point more than the rules allow, even with the deferral.
    data["council_tax"]["asc_precept_increase_pct"]["2022-23"] = 0.036
    assert council_tax_detail(toy(data))["breaches_referendum_limit"].tolist() == [
        False,
        True,
        False,
    ]


def test_carry_forward_years_must_be_in_the_plan_and_in_order():
    data = toy_data()
    data["council_tax"]["asc_precept_carry_forward"] = {"2022-23": "2021-22"}
    with pytest.raises(InputError, match="not after"):
        toy(data)
    data["council_tax"]["asc_precept_carry_forward"] = {"2023-24": "2024-25"}
    with pytest.raises(InputError, match="outside the plan"):
        toy(data)


def test_scenarios_and_sensitivity_flag_referendum_breaches():
    m = load_assumptions_from(toy_data(), toy_council())
    # The toy assumes a 3% core increase against a 2% limit in 2022-23 in every scenario.
    table = compare_scenarios(m, toy_council(), RATES)
    assert table.groupby("year")["breaches_referendum_limit"].all().tolist() == [
        False,
        True,
        False,
    ]
    headlines = scenario_headlines(m, toy_council(), RATES)
    assert set(headlines["referendum_limit_breached_in"]) == {"2022-23"}
    sens = sensitivity(toy()).set_index(["assumption", "year"])["breaches_referendum_limit"]
    # One point more on pay still leaves the 3% increase above the limit ...
    assert sens[("Pay award", "2022-23")]
    # ... one point less on the core increase (2%) brings it within it.
    assert not sens[("Council tax increase (core)", "2022-23")]


def test_budget_gap_cumulative_and_incremental():
    gap = budget_gap(toy())
    assert values(gap, "budget_gap_cumulative_gbp_k") == pytest.approx(
        [0, 8.575, 6.59965], abs=1e-9
    )
    assert values(gap, "budget_gap_incremental_gbp_k") == pytest.approx(
        [0, 8.575, -1.97535], abs=1e-9
    )
    # Incremental gaps add up to the cumulative gap.
    assert gap["budget_gap_incremental_gbp_k"].cumsum().tolist() == pytest.approx(
        values(gap, "budget_gap_cumulative_gbp_k")
    )


# ---------------------------------------------------------------------------------------------
# Reserves and resilience


def test_reserves_below_minimum_year_and_never_exhausted():
    reserves = reserves_projection(toy(), toy_council(amount_gbp_k=10))
    assert values(reserves, "general_fund_gbp_k") == pytest.approx([20, 11.425, 4.82535])
    assert values(reserves, "usable_reserves_gbp_k") == pytest.approx([30, 21.425, 14.82535])
    # 4.83 < 10 only in 2023-24; usable reserves stay positive while the override lasts.
    # The toy's override ends in 2022-23: from then the DSG deficit with mitigation (150)
    # counts against them, 21.425 - 150 = -128.575, so on the plan's terms they run out then.
    assert values(reserves, "dsg_deficit_counted_gbp_k") == pytest.approx([0, 150, 150])
    assert values(reserves, "usable_reserves_after_dsg_gbp_k") == pytest.approx(
        [30, -128.575, -135.17465]
    )
    assert reserve_milestones(reserves) == {
        "general_fund_below_minimum_year": "2023-24",
        "usable_reserves_exhausted_year": "2022-23",
        "usable_reserves_exhausted_year_override_continues": None,
        "statutory_override_ends": "2022-23",
    }


def test_reserves_exhausted_year_and_percent_minimum():
    data = toy_data()
    data["reserves"] = {"general_fund_opening_gbp_k": 5, "earmarked_opening_gbp_k": 0}
    reserves = reserves_projection(toy(data), toy_council(percent_of_net_budget=5.0))
    # minimum = 5% of 475 = 23.75, of 492.775 = 24.63875
    assert values(reserves, "minimum_general_fund_gbp_k")[:2] == pytest.approx([23.75, 24.63875])
    # usable: 5; 5 - 8.575 = -3.575 -> runs out in 2022-23 (the override's end year too);
    # 5 < 23.75 already in 2021-22
    assert reserve_milestones(reserves) == {
        "general_fund_below_minimum_year": "2021-22",
        "usable_reserves_exhausted_year": "2022-23",
        "usable_reserves_exhausted_year_override_continues": "2022-23",
        "statutory_override_ends": "2022-23",
    }


def test_planned_contributions_move_reserves():
    data = toy_data()
    data["reserves"]["earmarked_contributions_gbp_k"] = {"2021-22": 0, "2022-23": -2, "2023-24": 0}
    data["reserves"]["general_fund_contributions_gbp_k"] = 1
    reserves = reserves_projection(toy(data), toy_council())
    # general fund: 20+1 = 21; 21+1-8.575 = 13.425; 13.425+1-6.59965 = 7.82535
    assert values(reserves, "general_fund_gbp_k") == pytest.approx([21, 13.425, 7.82535])
    assert values(reserves, "earmarked_reserves_gbp_k") == pytest.approx([10, 8, 8])


def test_resilience_indicators_follow_cipfa_three_year_average():
    reserves = reserves_projection(toy(), toy_council())
    res = resilience_indicators(reserves, opening_usable_gbp_k=30)
    assert values(res, "usable_reserves_to_net_budget_fraction")[0] == pytest.approx(30 / 475)
    # usable 30, 21.425, 14.82535 from 30: falls 0, 8.575, 6.59965
    assert values(res, "usable_reserves_drawdown_gbp_k") == pytest.approx(
        [0, 8.575, 6.59965], abs=1e-9
    )
    # Average fall over up to three years: 0 (1 year); (0 + 8.575) / 2 = 4.2875 (2 years);
    # (0 + 8.575 + 6.59965) / 3 = 5.05821667 (3 years)
    assert values(res, "years_in_average") == [1, 2, 3]
    assert values(res, "average_drawdown_gbp_k") == pytest.approx([0, 4.2875, 15.17465 / 3])
    # Cover: 100 where not falling; 21.425 / 4.2875 = 4.997; 14.82535 / 5.05821667 = 2.931
    assert values(res, "years_of_reserves_cover") == pytest.approx(
        [100, 21.425 / 4.2875, 14.82535 / (15.17465 / 3)]
    )


def test_resilience_sentence_says_how_many_years_the_average_covers():
    from analysis.mtfp.report import resilience_sentence

    res = resilience_indicators(reserves_projection(toy(), toy_council()), 30)
    sentence = resilience_sentence(res)
    # Final year: 14.82535 / 5.05821667 = 2.93 years, averaged over 3 years
    assert "2023-24" in sentence and "2.9 years" in sentence and "three years" in sentence
    gone = res.assign(usable_reserves_to_net_budget_fraction=[0.1, 0.05, -0.01])
    assert resilience_sentence(gone).startswith("By the end of 2023-24 usable reserves are used up")
    two = resilience_sentence(res.head(2))
    assert "only 2 years" in two and "5.0 years" in two  # 21.425 / 4.2875 = 4.997


# ---------------------------------------------------------------------------------------------
# Savings delivery haircut


RATES = pd.DataFrame(
    {
        "directorate": [None, "A", "B"],
        "type": [None, None, "Transformational"],  # the register's capitals match too
        "delivery_rate": [0.5, 0.8, 0.9],
    }
)


def test_apply_delivery_rates_falls_back_type_directorate_overall():
    planned = pd.DataFrame(
        {
            "directorate": ["A", "B", "B", "C"],
            "type": ["tactical", "transformational", "tactical", "tactical"],
            "year": ["2021-22"] * 4,
            "planned_gbp_k": [10.0, 20.0, 4.0, 6.0],
        }
    )
    out = apply_delivery_rates(planned, RATES)
    # A: directorate rate 0.8 -> 8 delivered, 2 undelivered; B transformational: 0.9 -> 18, 2;
    # B tactical: no pair, no B row -> overall 0.5 -> 2, 2; C: overall 0.5 -> 3, 3.
    assert out["delivery_rate"].tolist() == [0.8, 0.9, 0.5, 0.5]
    assert out["rate_basis"].tolist() == [
        "directorate",
        "directorate and type",
        "overall",
        "overall",
    ]
    assert out["delivered_gbp_k"].tolist() == pytest.approx([8, 18, 2, 3])
    assert out["undelivered_gbp_k"].tolist() == pytest.approx([2, 2, 2, 3])


def test_apply_delivery_rates_without_overall_rate_names_the_missing_line():
    rates = RATES[RATES["directorate"].notna()]
    planned = pd.DataFrame(
        {"directorate": ["C"], "type": ["tactical"], "year": ["2021-22"], "planned_gbp_k": [6.0]}
    )
    with pytest.raises(ValueError, match="C / tactical"):
        apply_delivery_rates(planned, rates)


def test_apply_delivery_rates_rejects_rates_outside_0_1():
    rates = RATES.assign(delivery_rate=[0.5, 80, 0.9])
    with pytest.raises(ValueError, match="between 0 and 1"):
        apply_delivery_rates(planned_savings(toy()), rates)


def test_scenario_with_delivery_rate_turns_undelivered_savings_into_pressure():
    harsh = toy(scenario="harsh")
    gap = budget_gap(harsh, RATES)
    # A 10 x (1-0.8) = 2 from 2021-22; B 20 x (1-0.9) = 2 from 2022-23 -> +2, +4, +4
    assert values(gap, "budget_gap_cumulative_gbp_k") == pytest.approx([2, 12.575, 10.59965])
    nb = net_budget_by_directorate(harsh, RATES)
    assert values(nb[nb["line"] == "B"], "savings_undelivered_gbp_k") == pytest.approx([0, 2, 2])


def test_scenario_with_delivery_rate_and_no_rates_is_a_clear_error():
    with pytest.raises(InputError, match="apply_savings_delivery_rate"):
        budget_gap(toy(scenario="harsh"))


def test_funding_does_not_need_the_delivery_rates():
    harsh = toy(scenario="harsh")
    assert funding_by_line(harsh)["funding_gbp_k"].sum() == pytest.approx(475 + 484.2 + 515.3641)
    assert referendum_warnings(harsh)[0].startswith("2022-23")


def test_rates_are_ignored_when_the_flag_is_off():
    assert budget_gap(toy(), RATES).equals(budget_gap(toy()))


# ---------------------------------------------------------------------------------------------
# Scenarios and sensitivity


def test_compare_scenarios_one_row_per_scenario_and_year():
    m = load_assumptions_from(toy_data(), toy_council())
    table = compare_scenarios(m, toy_council(), RATES)
    assert table["scenario"].tolist() == ["base"] * 3 + ["costly"] * 3 + ["harsh"] * 3
    assert table["year"].tolist() == YEARS * 3
    harsh = table[table["scenario"] == "harsh"]
    assert values(harsh, "budget_gap_cumulative_gbp_k") == pytest.approx([2, 12.575, 10.59965])
    costly = table[table["scenario"] == "costly"]
    # 2021-22: A pay 100 x 1.2 = 120 instead of 110 -> gap 10
    assert costly["budget_gap_cumulative_gbp_k"].iloc[0] == pytest.approx(10)


def test_scenario_headlines():
    m = load_assumptions_from(toy_data(), toy_council())
    head = scenario_headlines(m, toy_council(), RATES).set_index("scenario")
    assert head.loc["base", "cumulative_gap_final_year_gbp_k"] == pytest.approx(6.59965)
    assert head.loc["base", "general_fund_below_minimum_year"] == "2023-24"
    # On the plan's terms (override ends 2022-23): 21.425 - 150 = -128.575 in 2022-23.
    assert head.loc["base", "usable_reserves_exhausted_year"] == "2022-23"
    assert head.loc["base", "usable_reserves_exhausted_year_override_continues"] is None
    assert head.loc["base", "statutory_override_ends"] == "2022-23"
    assert head.loc["base", "usable_reserves_at_override_end_gbp_k"] == pytest.approx(-128.575)
    assert head.loc["base", "dsg_deficit_at_override_end_gbp_k"] == pytest.approx(150)
    assert head.loc["base", "dsg_deficit_final_year_gbp_k"] == pytest.approx(150)
    assert head.loc["base", "dsg_deficit_final_year_unmitigated_gbp_k"] == pytest.approx(312)


def test_sensitivity_moves_each_assumption_the_way_that_widens_the_gap():
    table = sensitivity(toy())
    sens = table.set_index(["assumption", "year"])["change_in_budget_gap_cumulative_gbp_k"]
    change = table.drop_duplicates("assumption").set_index("assumption")["change"]
    assert change["Pay award"] == "up 1 percentage point"
    assert change["Savings delivery rate"] == "down 1 percentage point"
    # Pay award 11%: A pay 111, 123.21, 136.7631 -> +1, +2.21, +3.6631
    assert [sens[("Pay award", y)] for y in YEARS] == pytest.approx([1, 2.21, 3.6631])
    # Tax base growth 0% from 2022-23: 100 x 4200/1000 = 420 (424.2 - 420 = +4.2);
    # 100 x 4410/1000 = 441 (449.8641 - 441 = +8.8641)
    assert [sens[("Tax base growth", y)] for y in YEARS] == pytest.approx([0, 4.2, 8.8641])
    # Business rates 9% from 2022-23: 54.5 (+0.5), 59.405 (60.5 - 59.405 = +1.095)
    assert [sens[("Business rates growth", y)] for y in YEARS] == pytest.approx([0, 0.5, 1.095])
    assert sens[("Demand growth: A", "2021-22")] == pytest.approx(3.2)  # (110+210) x 1%
    # Delivering 99% of savings (never 101%): 1% x 10 = 0.1 in 2021-22; 1% x (10 + 20) = 0.3
    assert sens[("Savings delivery rate", "2021-22")] == pytest.approx(0.1)
    assert sens[("Savings delivery rate", "2022-23")] == pytest.approx(0.3)
    # Every test widens (or leaves) the gap.
    assert (table["change_in_budget_gap_cumulative_gbp_k"] >= -1e-9).all()


def test_to_gbp_m_renames_and_divides():
    out = to_gbp_m(pd.DataFrame({"year": ["2021-22"], "gap_gbp_k": [1500.0], "rate_pct": [0.1]}))
    assert list(out.columns) == ["year", "gap_gbp_m", "rate_pct"]
    assert out["gap_gbp_m"].iloc[0] == 1.5
    # Whole-pound integers become £m with decimals; the index and the other columns are kept.
    table = pd.DataFrame({"spend_gbp_k": [1234, -50], "n": [3, 4]}, index=pd.Index([7, 9]))
    table.columns.name = "measure"
    out = to_gbp_m(table)
    assert out["spend_gbp_m"].tolist() == [1.234, -0.05]
    assert out["n"].tolist() == [3, 4] and out.index.tolist() == [7, 9]
    assert out.columns.name == "measure" and table["spend_gbp_k"].tolist() == [1234, -50]
    with pytest.raises(ValueError, match="column named twice"):
        to_gbp_m(pd.DataFrame([[1, 2]], columns=["a_gbp_k", "a_gbp_k"]))
    # £k and £m of the same figure: neither silently replaces the other.
    for order in (["a_gbp_k", "a_gbp_m"], ["a_gbp_m", "a_gbp_k"]):
        with pytest.raises(ValueError, match="both a_gbp_k and a_gbp_m"):
            to_gbp_m(pd.DataFrame([[1000, 2]], columns=order))


def test_overrides_do_not_change_the_base():
    data = toy_data()
    before = copy.deepcopy(data)
    m = load_assumptions_from(data, toy_council())
    resolve_scenario(m, "costly")
    assert data == before
    assert float(np.asarray(m.pay_award_pct)) == 0.10


# ---------------------------------------------------------------------------------------------
# The current year from the savings register's forecast


def register_evidence(rates: pd.DataFrame | None = None):
    from analysis.mtfp import DeliveryEvidence

    # The register at 2021-22 Q2: A planned 10, forecast 6; B planned 5, forecast 0.
    forecast = pd.DataFrame(
        {
            "directorate": ["A", "B"],
            "number_of_savings": [1, 1],
            "planned_gbp_k": [10.0, 5.0],
            "forecast_gbp_k": [6.0, 0.0],
        }
    )
    return DeliveryEvidence("2021-22", "2021-22 Q2", forecast, rates, "register.xlsx")


def register_toy(scenario: str = "base", later_rate: float = 0.5):
    data = toy_data()
    data["savings_delivery"] = {
        "current_year": "register_forecast",
        "later_years_rate": later_rate,
        "later_years_basis": "half, for the test",
    }
    return toy(data, scenario)


def test_current_year_counts_the_register_forecast_and_later_years_the_stated_rate():
    plan = register_toy()
    gap = budget_gap(plan, register_evidence())
    # 2021-22: A's 10 planned, the register forecasts 6 -> +4 on the gap (0 -> 4).
    # 2022-23: B's new 20 at the stated 50% -> 10 undelivered; with A's 4 recurring: 8.575 + 14.
    # 2023-24: 6.59965 + 14 = 20.59965.
    assert values(gap, "budget_gap_cumulative_gbp_k") == pytest.approx([4, 22.575, 20.59965])
    lines = savings_with_delivery(plan, register_evidence())
    assert lines.loc[lines["year"] == "2021-22", "delivered_gbp_k"].sum() == pytest.approx(6)
    assert "half, for the test" in set(lines["rate_basis"])


def test_the_register_year_is_not_redrawn_by_the_monte_carlo_or_the_sensitivity():
    from analysis.mtfp.montecarlo import simulate

    data = toy_data()
    data["savings_delivery"] = {"current_year": "register_forecast"}
    data["monte_carlo"]["distributions"] = {
        "savings_delivery_rate": {"distribution": "uniform", "below": 0.5, "above": 0.0}
    }
    plan = toy(data)
    out = simulate(plan, toy_council(), register_evidence(), draws=200)
    # Every draw's 2021-22 gap is the register's 10 - 6 = 4; later years vary with the draw.
    assert out["gap_cumulative"][:, 0] == pytest.approx(np.full(200, 4.0))
    assert out["gap_cumulative"][:, 1].std() > 0
    sens = sensitivity(plan, register_evidence())
    delivery = sens[sens["assumption"].str.startswith("Savings delivery")]
    assert delivery["change_in_budget_gap_cumulative_gbp_k"].iloc[0] == pytest.approx(0)


def test_a_register_scenario_without_the_register_is_a_clear_error():
    with pytest.raises(InputError, match="savings_delivery.current_year"):
        budget_gap(register_toy())


def test_savings_reconciliation_on_the_toy():
    from analysis.mtfp import reconciliation_sentence, savings_reconciliation

    plan = register_toy()
    table = savings_reconciliation(plan, register_evidence()).set_index("directorate")
    # MTFP 2021-22: A 10, B 0; register: A 10 / 6, B 5 / 0.
    assert table.loc["A"].tolist()[1:] == pytest.approx([10, 10, 6, 6, 0, 4])
    assert table.loc["B"].tolist()[1:] == pytest.approx([0, 5, 0, 0, -5, 0])
    assert table.loc["All directorates"].tolist()[1:] == pytest.approx([10, 15, 6, 6, -5, 4])
    assert not table.isna().any().any()
    sentence = reconciliation_sentence(table.reset_index(), plan, "2021-22 Q2")
    assert "carries £0.0m of undelivered savings" in sentence  # 4k is £0.0m in prose
    assert "counted at 50% delivery: half, for the test." in sentence


def test_sensitivity_sentence_names_the_tests_that_need_a_referendum():
    from analysis.mtfp.report import scenario_referendum_sentence, sensitivity_sentence

    sentence = sensitivity_sentence(sensitivity(toy()))
    # The toy's 3% core increase is above the 2% limit in 2022-23 in every test but the one
    # that lowers it by a point.
    assert "Pay award (up 1 pp): 2022-23" in sentence
    assert "Council tax increase (core)" not in sentence
    within = toy_data()
    within["council_tax"]["core_increase_pct"] = 0.02
    assert sensitivity_sentence(sensitivity(toy(within))).endswith(
        "No test takes council tax above a referendum limit."
    )
    m = load_assumptions_from(toy_data(), toy_council())
    headlines = scenario_headlines(m, toy_council(), RATES)
    assert "referendum: Base in 2022-23;" in scenario_referendum_sentence(headlines)


def test_built_from_sentence_quotes_the_file_not_the_notebook():
    from analysis.mtfp.report import built_from_sentence

    data = toy_data()
    data["description"] = "Figures from the toy's  budget book;\n splits illustrative."
    assert built_from_sentence(toy(data), "Toy Council") == (
        "The assumptions file for Toy Council describes its sources: Figures from the toy's "
        "budget book; splits illustrative."
    )
    assert "does not describe its sources" in built_from_sentence(toy(), "Toy Council")
