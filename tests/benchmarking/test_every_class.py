"""Issue 19: every class of council, and every benchmarking sentence true of its own table
(hand-worked toy figures)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.benchmarking.positions import own_years, returned_years
from analysis.benchmarking.priorities import notional_savings
from analysis.benchmarking.reasons import not_proposed_because
from analysis.benchmarking.report import basis_words, set_difference
from analysis.benchmarking.resilience import reserve_sentences
from analysis.benchmarking.services import not_compared, not_compared_sentence
from analysis.benchmarking.settings import ReviewRules


def rs_rows(code, year, line, value):
    return {
        "ons_code": code,
        "year": year,
        "line": line,
        "measure": f"RS{line}",
        "value": value,
    }


def test_own_years_skip_a_year_of_no_return_markers():
    rs = pd.DataFrame(
        [
            rs_rows("A", 2016, 190, 5.0),
            rs_rows("A", 2023, 190, np.nan),  # "[x]": no return
            rs_rows("A", 2023, 805, 7.0),  # not a service line
            rs_rows("B", 2023, 190, 1.0),
        ]
    )
    assert own_years(rs, "A") == [2016]
    assert own_years(rs, "B") == [2023]
    assert own_years(rs, "C") == []
    # Every authority's years at once (as a run keeps them for every council): the same answers.
    returns = returned_years(rs)
    assert sorted(map(tuple, returns.to_numpy().tolist())) == [("A", 2016), ("B", 2023)]
    assert [own_years(rs, c, returns) for c in "ABC"] == [[2016], [2023], []]


def test_reserve_sentences_when_the_year_has_no_ratio():
    # The council has an unallocated ratio for 2015 only; the data year is 2016.
    resilience = pd.DataFrame(
        {
            "indicator": ["unallocated_reserves_to_nre_ratio"],
            "year": [2015],
            "value": [0.1],
            "comparator_median_value": [0.2],
        }
    )
    result = SimpleNamespace(
        council=SimpleNamespace(ons_code="A", name="A"),
        year=2016,
        panel=SimpleNamespace(history=None, rs=pd.DataFrame()),
        national=SimpleNamespace(
            reserve_changes=lambda: pd.DataFrame(
                columns=["ons_code", "year", "kind", "change", "years_used", "from_year"]
            )
        ),
        resilience=resilience,
    )
    assert reserve_sentences(result) == [
        "No unallocated reserves figures for A in 2016-17: the indicator cannot be shown.",
        "No earmarked reserves figures for A in 2016-17: the indicator cannot be shown.",
    ]


def costs_frame():
    # A district (A) and two comparators: education nil everywhere (a county service), housing
    # spent by all, "other" spent by a comparator only, highways net income.
    rows = []
    for code, edu, housing, other, roads in [
        ("A", 0.0, 20.0, 0.0, -3.0),
        ("B", 0.0, 10.0, 5.0, -8.0),
        ("C", 0.0, 30.0, 0.0, -9.0),
    ]:
        for line, service, k in [
            (190, "Education services", edu),
            (490, "Housing services (GFRA only)", housing),
            (698, "Other services", other),
            (290, "Highways and transport services", roads),
        ]:
            rows.append(
                {
                    "ons_code": code,
                    "line": line,
                    "service": service,
                    "net_expenditure_gbp_k": k,
                    "net_expenditure_per_head_gbp": k,
                }
            )
    return pd.DataFrame(rows)


def test_a_district_is_not_compared_on_county_services_or_its_nil_lines():
    out = not_compared(costs_frame(), "A", "SD", ["B", "C"], "2023-24").set_index("line")
    assert list(out.index) == [190, 698]
    assert out.loc[190, "why_not_compared"] == (
        "not a district service (the county council runs it)"
    )
    assert out.loc[698, "why_not_compared"] == "no net spending recorded by the council in 2023-24"
    # A unitary runs education: nil everywhere is said as such, not "not a unitary service".
    unitary = not_compared(costs_frame(), "A", "UA", ["B", "C"], "2023-24").set_index("line")
    assert unitary.loc[190, "why_not_compared"] == (
        "no net spending recorded in 2023-24 by the council or any of its 2 comparators"
    )
    assert not_compared_sentence(out) == (
        "Services not compared (not ranked, counted, charted or proposed): Education services: "
        "not a district service (the county council runs it); Other services: no net spending "
        "recorded by the council in 2023-24."
    )


def test_net_income_has_no_percentage_and_words_that_say_so():
    assert basis_words(-2.81, -8.45) == "net income; median is net income"
    assert basis_words(14.18, 0.0) == "median is nil"
    assert basis_words(5.0, 4.0) == ""
    row = pd.Series(
        {
            "net_expenditure_per_head_gbp": -2.81,
            "comparator_median_per_head_gbp": -8.45,
            "diff_per_head_gbp": 5.64,
            "cost_diff_from_median_fraction": np.nan,
            "n_comparators_with_data": 15,
            "net_expenditure_gbp_k": -283.0,
            "proposed": False,
        }
    )
    assert not_proposed_because(row, ReviewRules()) == (
        "net income: net income of £2.81 a head against the median of 15 comparators of net "
        "income of £8.45 a head: £5.64 a head above the median; a service that brings in more "
        "than it spends is not proposed on cost"
    )


def test_the_what_if_leaves_out_net_income():
    positions = pd.DataFrame(
        {
            "service": ["roads", "housing", "other"],
            "line": [290, 490, 698],
            "value": [-2.81, 20.0, 14.18],
            "comparator_median": [-8.45, 10.0, 0.0],
            "diff": [5.64, 10.0, 14.18],
            "population": 1000.0,
        }
    )
    out = notional_savings(positions)
    # housing: 10 x 1,000 / 1,000 = £10k; other: 14.18 x 1,000 / 1,000 = £14.18k; not roads.
    assert out["service"].tolist() == ["other", "housing"]
    assert out["notional_saving_gbp_k"].tolist() == [14.18, 10.0]


def test_a_comparator_groups_difference_is_in_pounds_where_there_is_no_percentage():
    row = pd.Series(
        {
            "line": 290,
            "diff_from_median_fraction": np.nan,
            "comparator_median_per_head_gbp": -4.37,
            "diff_per_head_gbp": 6.39,
        }
    )
    assert set_difference(row, 2.02) == "£6.39 a head above (median is net income: no %)"
    below = pd.Series({**row.to_dict(), "diff_per_head_gbp": -0.04})
    assert (
        set_difference(below, -0.04)
        == "£0.04 a head below (net income; median is net income: no %)"
    )
    assert (
        set_difference(pd.Series({**row.to_dict(), "diff_from_median_fraction": 0.129}), 2.02)
        == "+13%"
    )


def test_a_change_from_a_nil_balance_is_not_a_percentage():
    resilience = pd.DataFrame(
        {
            "indicator": ["unallocated_reserves_to_nre_ratio", "earmarked_reserves_to_nre_ratio"],
            "year": [2016, 2016],
            "value": [0.0, 0.5],
            "comparator_median_value": [0.2, np.nan],
        }
    )
    changes = pd.DataFrame(
        {
            "ons_code": ["A"],
            "year": [2016],
            "kind": ["unallocated"],
            "change": [np.nan],  # from a nil balance at 31 March 2016
            "years_used": [1],
            "from_year": [2015],
        }
    )
    result = SimpleNamespace(
        council=SimpleNamespace(ons_code="A", name="A"),
        year=2016,
        panel=SimpleNamespace(history=None, rs=pd.DataFrame()),
        national=SimpleNamespace(reserve_changes=lambda: changes),
        resilience=resilience,
    )
    unallocated, earmarked = reserve_sentences(result)
    assert unallocated == (
        "Unallocated reserves were 0.0% of net revenue expenditure at 31 March 2017 (comparator "
        "median 20.0%). No change can be shown: the balance at 31 March 2016 was nil, and a "
        "change from nil is not a percentage."
    )
    assert "(no comparator has a figure for that date)" in earmarked and "nan" not in earmarked


def test_a_cost_within_the_usual_spread_says_so_in_the_pages_own_words():
    # Durham's environmental services, 2023-24: 16% above the median but within one typical
    # spread (the measure the caveats name), so not proposed on cost.
    row = pd.Series(
        {
            "net_expenditure_per_head_gbp": 119.60,
            "comparator_median_per_head_gbp": 103.08,
            "diff_per_head_gbp": 16.52,
            "cost_diff_from_median_fraction": 0.16,
            "n_comparators_with_data": 15,
            "net_expenditure_gbp_k": 63647.0,
            "proposed": False,
            "cost_material": False,
            "cost_holds": True,
            "material": True,
            "n_measures": 0,
        }
    )
    assert not_proposed_because(row, ReviewRules()) == (
        "£119.60 a head, 16% above the median of 15 comparators (£103.08); within the usual "
        "spread of the comparators' costs (less than 1 typical spread above the median, the "
        "measure the caveats explain); no performance measures for this service"
    )
