"""The plan checked against the published outturn, and its assumptions beside history."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import mtfp
from analysis.core.config import load_council


@pytest.fixture(scope="module")
def dorset():
    council = load_council("dorset")
    return council, mtfp.resolve_scenario(mtfp.load_assumptions(council), "base")


def series(rows):
    frame = pd.DataFrame(
        rows, columns=["ons_code", "year", "tax_base", "band_d", "council_tax_requirement"]
    )
    return frame.assign(aggregated=False)


def test_plan_against_actual_hand_computed(dorset):
    _, plan = dorset
    published = series(
        [
            ("X", 2021, 148_319.7, 1779.39, 263_918_591),
            ("X", 2022, 150_617.9, 1832.67, 276_032_907),
        ]
    )
    table = mtfp.backtest.plan_vs_actual(plan, published).set_index("assumption")
    # Plan 2022-23: tax base 148,319.7 x 1.0076 = 149,446.93; Band D 1,779.39 x 1.0199 =
    # 1,814.80; council tax 149,446.93 x 1,814.80 = £271.2m against £276.0m published.
    req = table.loc["council_tax_requirement"]
    assert req["planned"] == pytest.approx(271.216, abs=0.001)
    assert req["actual"] == pytest.approx(276.033, abs=0.001)
    assert req["assessment"] == "cautious"
    # Tax base: planned 0.76%, actual 150,617.9 / 148,319.7 - 1 = 1.5495%: cautious.
    base = table.loc["tax_base_growth"]
    assert base["planned"] == pytest.approx(0.0076)
    assert base["actual"] == pytest.approx(150_617.9 / 148_319.7 - 1)
    # An optimistic year: the published tax base fell.
    fell = series([("X", 2021, 100.0, 1000.0, 100_000), ("X", 2022, 99.0, 1000.0, 99_000)])
    assert (
        mtfp.backtest.plan_vs_actual(plan, fell)
        .set_index("assumption")
        .loc["tax_base_growth", "assessment"]
        == "optimistic"
    )


def test_average_growth_and_history_sentence(dorset):
    council, plan = dorset
    # 100 -> 101 -> 103.02: growth 1% and 2%: average 1.5% over 2 years.
    rows = [
        ("X", 2019, 100.0, 1.0, 1.0),
        ("X", 2020, 101.0, 1.0, 1.0),
        ("X", 2021, 103.02, 1.0, 1.0),
    ]
    avg, n, first = mtfp.backtest.average_growth(series(rows), "tax_base", 2021)
    assert avg == pytest.approx(0.015) and n == 2 and first == 2020
    history = mtfp.backtest.assumptions_in_history(plan, series(rows), "X", [])
    text = mtfp.backtest.sentences(
        mtfp.backtest.plan_vs_actual(plan, series(rows)),
        history,
        series(rows),
        council.model_copy(update={"ons_code": "X"}),
    )
    line = next(t for t in text if t.startswith("The plan assumes 0.76% tax base growth"))
    assert "the 2 years available (from 2020-21" in line and "averaged 1.50% here" in line
    assert "no comparator has enough published years" in line


def test_no_public_data_says_so(dorset):
    council, plan = dorset
    result = mtfp.backtest.run(plan, council, None)
    assert not result.available and result.compare.empty
    assert result.sentences[0].startswith("No outturn is available")


def test_default_council_on_the_published_data(dorset, shared_public):
    council, plan = dorset
    result = mtfp.backtest.run(plan, council, shared_public)
    assert result.sentences[0] == (
        "The plan's council tax for 2022-23, as its assumptions project it, is £271.2m; the "
        "published 2022-23 requirement is £276.0m: £4.8m more than planned, so the plan was "
        "cautious here."
    )
    row = result.history.set_index("assumption").loc["tax_base_growth"]
    # Five growth rates 2017-18 to 2021-22, 2017-18 and 2018-19 from the districts' summed
    # tax base; 15 nearest neighbours with enough years.
    assert row["council_years"] == 5 and row["n_comparators"] == 15
    assert any("the last five years averaged" in t for t in result.sentences)


def test_display_tables_show_two_decimals(dorset):
    _, plan = dorset
    published = series(
        [("X", 2021, 148_319.7, 1779.39, 263_918_591), ("X", 2022, 150_617.9, 1832.67, 276_032_907)]
    )
    shown = mtfp.backtest.compare_for_display(mtfp.backtest.plan_vs_actual(plan, published))
    rows = shown.set_index("Assumption")
    # 1.99% is shown as 1.99%, not 2.0%; money in £m to one place.
    assert rows.loc["Band D increase", "Planned"] == "1.99%"
    assert rows.loc["Council tax", "Planned"] == "£271.2m"
    assert rows.loc["Council tax", "Published"] == "£276.0m"


def test_unreadable_public_data_is_said_not_raised(dorset, tmp_path):
    council, plan = dorset
    result = mtfp.backtest.run(plan, council, tmp_path)  # a folder with no published files
    assert not result.available
    assert result.sentences[0].startswith("No outturn is available to check the plan against")
    assert "no Revenue Outturn Summary" in result.sentences[0]


def test_comparators_are_averaged_over_the_councils_own_years(dorset):
    _, plan = dorset  # base year 2021: the last five years are growth in 2017 ... 2021
    rows = [
        # X has two growth rates (2020: +1%, 2021: +2%).
        ("X", 2019, 100.0, 1.0, 1.0),
        ("X", 2020, 101.0, 1.0, 1.0),
        ("X", 2021, 103.02, 1.0, 1.0),
        # C grew 10% a year in 2017-2019 and 3%, 5% in 2020-2021: over X's years, 4%.
        ("C", 2016, 100.0, 1.0, 1.0),
        ("C", 2017, 110.0, 1.0, 1.0),
        ("C", 2018, 121.0, 1.0, 1.0),
        ("C", 2019, 133.1, 1.0, 1.0),
        ("C", 2020, 133.1 * 1.03, 1.0, 1.0),
        ("C", 2021, 133.1 * 1.03 * 1.05, 1.0, 1.0),
        # D has 2021 only (no 2020 rate): it cannot be set beside X's two years.
        ("D", 2020, 50.0, 1.0, 1.0),
    ]
    history = mtfp.backtest.assumptions_in_history(plan, series(rows), "X", ["C", "D"])
    row = history.set_index("assumption").loc["tax_base_growth"]
    assert row["council_years"] == 2 and row["council_average_fraction"] == pytest.approx(0.015)
    assert row["n_comparators"] == 1
    assert row["comparators_median_fraction"] == pytest.approx(0.04)
