"""Issue 19: every class of council, and every benchmarking sentence true of its own table
(hand-worked toy figures)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.benchmarking.pipeline import own_years
from analysis.benchmarking.resilience import reserve_sentences


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
