"""Unallocated and earmarked reserves / NRE and their three-year change (CIPFA's convention)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.benchmarking.resilience import reserve_changes, resilience_indicators


def rows(code, year, **measures):
    return [
        {"ons_code": code, "name": code, "year": year, "measure": m, "value": v}
        for m, v in measures.items()
    ]


@pytest.fixture()
def history():
    data = (
        rows("A", 2013, RS916_31mar=100, RS915_31mar=400, RS805=900)
        # no 2014-15 file: 31 March 2015 comes from 2015-16's "at 1 April" column
        + rows("A", 2015, RS916_1apr=120, RS916_31mar=130, RS915_1apr=380, RS915_31mar=300)
        + rows(
            "A", 2016, RS916_1apr=130, RS916_31mar=90, RS915_1apr=300, RS915_31mar=500, RS805=1000
        )
        + rows("B", 2016, RS916_1apr=50, RS916_31mar=40, RS915_1apr=10, RS915_31mar=20, RS805=400)
    )
    return pd.DataFrame(data)


def test_three_year_change_uses_31_march_balances(history):
    changes = reserve_changes(history).set_index(["ons_code", "kind", "year"])
    # A, unallocated: 31 Mar 2017 = 90 against 31 Mar 2014 = 100: (90 - 100) / 100 = -0.10.
    a = changes.loc[("A", "unallocated", 2016)]
    assert a["change"] == pytest.approx(-0.10) and a["years_used"] == 3 and a["from_year"] == 2013
    # A, earmarked: 500 against 400: +0.25.
    assert changes.loc[("A", "earmarked", 2016), "change"] == pytest.approx(0.25)
    # 2015 over its 2 years back to 2013 (2012 missing): (130 - 100) / 100 = 0.30, 2 years.
    a15 = changes.loc[("A", "unallocated", 2015)]
    assert a15["change"] == pytest.approx(0.30) and a15["years_used"] == 2
    # B has one year: 31 Mar 2017 = 40 against 1 Apr 2016 = 50: -0.20 over 1 year, said so.
    b = changes.loc[("B", "unallocated", 2016)]
    assert b["change"] == pytest.approx(-0.20) and b["years_used"] == 1


def test_indicators_from_history_for_the_rs_years(history):
    rs = history[history["year"] == 2016]
    out = resilience_indicators(rs, history).set_index(["ons_code", "year", "indicator"])["value"]
    # A: 90 / 1000 = 0.09 unallocated, 500 / 1000 = 0.5 earmarked; B: 40 / 400 = 0.10.
    assert out[("A", 2016, "unallocated_reserves_to_nre_ratio")] == pytest.approx(0.09)
    assert out[("A", 2016, "earmarked_reserves_to_nre_ratio")] == pytest.approx(0.5)
    assert out[("B", 2016, "unallocated_reserves_to_nre_ratio")] == pytest.approx(0.10)
    assert out[("A", 2016, "unallocated_reserves_change")] == pytest.approx(-0.10)
    # Without the history, the change can only look back one year (to 1 April 2016): 90 v 130.
    alone = resilience_indicators(rs).set_index(["ons_code", "year", "indicator"])["value"]
    assert alone[("A", 2016, "unallocated_reserves_change")] == pytest.approx((90 - 130) / 130)


def test_real_history_bnes(shared_public, tmp_path):
    from analysis.public_data import load_panel

    panel = load_panel(shared_public, tmp_path)
    changes = reserve_changes(panel).set_index(["ons_code", "kind", "year"])
    # B&NES unallocated (916): 31 Mar 2017 = 12,656 (RS 2016-17); 31 Mar 2014 = 10,472
    # (RS 2013-14 sheet (2)): (12,656 - 10,472) / 10,472 = 0.2086.
    row = changes.loc[("E06000022", "unallocated", 2016)]
    assert row["change"] == pytest.approx((12656 - 10472) / 10472) and row["years_used"] == 3


def test_sentences_say_when_fewer_years(history):
    from types import SimpleNamespace

    from analysis.benchmarking.resilience import reserve_sentences

    rs = history[history["year"] == 2016]
    indicators = resilience_indicators(rs, history)
    table = indicators[indicators["ons_code"] == "B"].assign(comparator_median_value=0.09)
    result = SimpleNamespace(
        council=SimpleNamespace(ons_code="B"),
        year=2016,
        panel=SimpleNamespace(history=history, rs=rs),
        resilience=table,
    )
    text = reserve_sentences(result)
    # B: 40 / 400 = 10.0% at 31 March 2017; fell (40 - 50) / 50 = 20.0% over 1 year.
    assert text[0].startswith("Unallocated reserves were 10.0% of net revenue expenditure")
    assert "fell 20.0% over the 1 year from 31 March 2016" in text[0]
    assert "Only 1 year of balances is available, not the three CIPFA uses" in text[0]
    result.council.ons_code = "A"
    result.resilience = indicators[indicators["ons_code"] == "A"].assign(
        comparator_median_value=0.1
    )
    assert "over the three years from 31 March 2014" in reserve_sentences(result)[0]
    assert "Only" not in reserve_sentences(result)[0]
