"""The resilience table shows each indicator in its own unit, as the chart does."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.benchmarking.report import RESILIENCE_HEADERS, indicator_text, resilience_table


@pytest.mark.parametrize(
    ("indicator", "value", "shown"),
    [
        ("council_tax_ratio", 0.7402, "74.0%"),
        ("reserves_to_nre_ratio", 1.565, "156.5%"),
        ("earmarked_reserves_change", 0.022, "+2.2%"),
        ("unallocated_reserves_change", -1.0, "−100.0%"),
        ("reserves_change_fraction", 0.0, "0.0%"),
        ("reserves_change_fraction", -0.0004, "0.0%"),  # no minus on a figure shown as nil
        ("reserves_sustainability_years", 12.46, "12.5 years"),
        ("reserves_sustainability_years", 100.0, "not falling"),
        ("interest_to_nre_ratio", np.nan, "no figure"),
    ],
)
def test_indicator_text(indicator, value, shown):
    assert indicator_text(indicator, value) == shown


def test_resilience_table_words_and_units():
    resilience = pd.DataFrame(
        {
            "year_label": ["2023-24", "2023-24"],
            "indicator": ["council_tax_ratio", "reserves_sustainability_years"],
            "description": [
                "Council tax requirement / net revenue expenditure",
                "Years (100 = cap)",
            ],
            "value": [0.74, 100.0],
            "comparator_median_value": [0.72, 8.25],
            "rank": [8.0, 1.0],
            "n_comparators_with_data": [15, 15],
        }
    )
    table = resilience_table(SimpleNamespace(resilience=resilience))
    assert list(table.columns) == list(RESILIENCE_HEADERS)
    assert table["council"].tolist() == ["74.0%", "not falling"]
    assert table["comparator_median"].tolist() == ["72.0%", "8.3 years"]
    assert table["description"].iloc[1] == (
        "Years until usable reserves run out at the recent rate of use"
    )


def test_the_lag_between_report_and_data_year_in_words():
    from analysis.benchmarking.report import lag_words

    assert (
        lag_words(0, "2023-24")
        == "the latest outturn data are for 2023-24, the same financial year."
    )
    assert lag_words(1, "2022-23").endswith("so they describe spending 1 year earlier.")
    assert lag_words(3, "2020-21").endswith("so they describe spending 3 years earlier.")
