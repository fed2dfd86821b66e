"""DSG high-needs deficit on the toy plan (see tests/mtfp/test_mtfp.py).

10 plans, half at £10,000 and half at £30,000 (average £20,000), grant £150k, opening deficit
£100k. Without mitigation plans grow 10% a year: 10, 11, 12.1 -> spend 200, 220, 242 ->
overspend 50, 70, 92 -> cumulative 150, 220, 312. With mitigation plans stay at 10 and from
2022-23 the mix is 75/25 (average 0.75x10,000 + 0.25x30,000 = £15,000): spend 200, 150, 150 ->
overspend 50, 0, 0 -> cumulative 150, 150, 150.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_mtfp import toy, toy_council, toy_data

from analysis.mtfp import dsg, reserves_projection


def test_dsg_trajectory_with_and_without_mitigation():
    table = dsg.dsg_projection(toy()).set_index(["case", "year"])
    without = table.loc[dsg.WITHOUT_MITIGATION]
    assert without["plans"].tolist() == pytest.approx([10, 11, 12.1])
    assert without["high_needs_spend_gbp_k"].tolist() == pytest.approx([200, 220, 242])
    assert without["cumulative_deficit_gbp_k"].tolist() == pytest.approx([150, 220, 312])
    with_mit = table.loc[dsg.WITH_MITIGATION]
    assert with_mit["average_cost_per_plan_gbp"].tolist() == pytest.approx([20000, 15000, 15000])
    assert with_mit["in_year_overspend_gbp_k"].tolist() == pytest.approx([50, 0, 0])
    assert with_mit["cumulative_deficit_gbp_k"].tolist() == pytest.approx([150, 150, 150])


def test_unit_cost_inflation_and_grant_growth():
    data = toy_data()
    data["dsg_high_needs"]["unit_cost_inflation_pct"] = 0.10
    data["dsg_high_needs"]["grant_growth_pct"] = 0.10
    without = dsg.dsg_projection(toy(data)).query("case == @dsg.WITHOUT_MITIGATION")
    # 2022-23: 11 plans x £22,000 = 242; grant 165 -> overspend 77; cumulative 150 + 77 = 227
    assert without["high_needs_spend_gbp_k"].iloc[1] == pytest.approx(242)
    assert without["cumulative_deficit_gbp_k"].iloc[1] == pytest.approx(227)


def test_override_ends_hits_usable_reserves():
    m = toy()
    reserves = reserves_projection(m, toy_council())
    effect = dsg.override_ends_effect(m, reserves)
    # usable 30, 21.425, 14.82535; override ends from 2022-23: minus 150 (mitigated) / 220, 312
    assert effect["statutory_override_in_place"].tolist() == [True, False, False]
    assert effect["usable_reserves_if_override_ends_gbp_k"].tolist() == pytest.approx(
        [30, -128.575, -135.17465]
    )
    assert effect["usable_reserves_if_override_ends_unmitigated_gbp_k"].tolist() == pytest.approx(
        [30, 21.425 - 220, 14.82535 - 312]
    )
    assert dsg.exhaustion_years(effect) == {
        "usable_reserves_exhausted_year_if_override_ends": "2022-23",
        "usable_reserves_exhausted_year_if_override_ends_unmitigated": "2022-23",
    }


def test_override_that_never_ends_changes_nothing():
    data = toy_data()
    data["dsg_high_needs"]["statutory_override_ends"] = None
    m = toy(data)
    effect = dsg.override_ends_effect(m, reserves_projection(m, toy_council()))
    assert effect["usable_reserves_if_override_ends_gbp_k"].tolist() == pytest.approx(
        [30, 21.425, 14.82535]
    )
    assert dsg.exhaustion_years(effect)["usable_reserves_exhausted_year_if_override_ends"] is None


def test_the_reserves_charts_table_holds_what_it_draws():
    from analysis.mtfp.report import reserves_chart_table

    reserves = pd.DataFrame(
        {
            "year": ["2021-22", "2022-23"],
            "statutory_override_in_place": [True, False],
            "usable_reserves_after_dsg_gbp_k": [55_100.0, -38_400.0],
            "usable_reserves_gbp_k": [55_100.0, 20_000.0],
            "general_fund_gbp_k": [25_600.0, 10_000.0],
            "minimum_general_fund_gbp_k": [15_900.0, 16_000.0],
            "budget_gap_cumulative_gbp_k": [5_900.0, 9_000.0],
        }
    )
    table = reserves_chart_table(reserves)
    # Four lines drawn (the override ends in 2022-23), in £m; nothing the chart does not draw.
    assert table.columns.tolist() == [
        "year",
        "usable_reserves_after_dsg_gbp_m",
        "usable_reserves_gbp_m",
        "general_fund_gbp_m",
        "minimum_general_fund_gbp_m",
    ]
    assert table["usable_reserves_after_dsg_gbp_m"].tolist() == [55.1, -38.4]
    kept = reserves_chart_table(reserves.assign(statutory_override_in_place=True))
    assert "usable_reserves_after_dsg_gbp_m" not in kept.columns
