"""Trends in net spend per head, with rank changes, sentences and strip charts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.benchmarking import trend_charts, trends


def history_rows():
    # Adult social care (line 360), three authorities, two years; populations of 1,000.
    spend = {
        ("C", 2015): 300,  # council: 300 x 1000 / 1000 = £300 a head
        ("A", 2015): 200,
        ("B", 2015): 400,
        ("C", 2016): 500,
        ("A", 2016): 200,
        ("B", 2016): 400,
        ("Z", 2016): 900,  # a UA that is not a comparator: in the strip, not in the trend
    }
    rows = [
        {
            "ons_code": c,
            "name": c,
            "authority_class": "UA",
            "year": y,
            "measure": "RS360",
            "value": v,
        }
        for (c, y), v in spend.items()
    ]
    rows += [
        {
            "ons_code": c,
            "name": c,
            "authority_class": "UA",
            "year": y,
            "measure": "population",
            "value": 1000,
        }
        for c, y in spend
    ]
    return pd.DataFrame(rows).assign(aggregated=False)


def test_trend_table_median_quartiles_and_rank():
    per_head = trends.per_head_history(history_rows())
    table = trends.trend_table(per_head, "C", ["A", "B"]).set_index("year")
    # 2015: comparators £200 and £400: median £300, Q1 £250, Q3 £350; C £300 ranks 2 of 3.
    assert table.loc[2015, "council_per_head_gbp"] == pytest.approx(300)
    assert table.loc[2015, "comparator_median_per_head_gbp"] == pytest.approx(300)
    assert table.loc[2015, "comparator_q1_per_head_gbp"] == pytest.approx(250)
    assert table.loc[2015, "comparator_q3_per_head_gbp"] == pytest.approx(350)
    assert table.loc[2015, "cost_rank"] == 2 and table.loc[2015, "n_ranked"] == 3
    # 2016: C £500 is the highest of 3 (Z is not a comparator): rank 1.
    assert table.loc[2016, "cost_rank"] == 1 and table.loc[2016, "n_comparators_with_data"] == 2
    changes = trends.rank_changes(table.reset_index())
    assert changes.loc[0, "rank_change"] == 1  # from 2nd to 1st: one place towards highest cost
    sentence = trends.trend_sentences(changes, "Council C")[0]
    assert "£500 a head in 2016-17" in sentence and "median of £300" in sentence
    assert "rank 1 of 3" in sentence and "rank 2 of 3" in sentence
    assert "moving up 1 place towards the highest cost" in sentence


def test_one_year_only_is_said_plainly():
    per_head = trends.per_head_history(history_rows())
    table = trends.trend_table(per_head[per_head["year"] == 2016], "C", ["A", "B"])
    sentence = trends.trend_sentences(trends.rank_changes(table), "C")[0]
    assert "only 2016-17 is available" in sentence and "no trend" in sentence
    assert "No trend can be shown" in trends.trend_sentences(pd.DataFrame(), "C")[0]


def test_strip_chart_data_and_alt_text():
    per_head = trends.per_head_history(history_rows())
    strips = trends.strip_frame(per_head, "C", "UA", 2016)
    # Every UA with 2016 data: A £200, B £400, C £500, Z £900; C is 2nd highest of 4.
    assert list(strips["ons_code"]) == ["A", "B", "C", "Z"]
    alt = trend_charts.strip_alt(strips, "Council C", 2016)
    assert "Adult social care £500 (rank 2 of 4)" in alt
    fig = trend_charts.chart_strips(strips, "Council C", 2016, "UA")
    assert len(fig.axes) == 1
    plt.close(fig)


def test_trend_alt_names_the_service_furthest_above():
    per_head = trends.per_head_history(history_rows())
    table = trends.trend_table(per_head, "C", ["A", "B"])
    alt = trend_charts.trend_alt(table, trends.rank_changes(table), "Council C")
    # 2016: £500 against a median of £300: £200 a head above.
    assert "Adult social care (£200 a head above)" in alt and "2015-16 to 2016-17" in alt
    fig = trend_charts.chart_trends(table, "Council C")
    plt.close(fig)


def test_real_history_bath(shared_public):
    from analysis import benchmarking
    from analysis.core.config import load_council

    result = benchmarking.run(load_council("bath-ne-somerset"), shared_public, year=2016)
    found = trends.for_result(result)
    adult = found.changes.set_index("line").loc[360]
    # B&NES adult social care 2016-17: 60,433 x 1000 / 185,507 = £325.77 a head (mid-2016 from
    # the newest population release, mye23tablesew.xlsx; the mid-2020 release said 186,946).
    assert adult["last_per_head_gbp"] == pytest.approx(325.77, abs=0.01)
    assert adult["first_year"] == 2011 and adult["last_year"] == 2016
    assert "Adult social care (2010-11)" in found.gaps


def test_trend_title_states_the_message():
    per_head = trends.per_head_history(history_rows())
    changes = trends.rank_changes(trends.trend_table(per_head, "C", ["A", "B"]))
    title = trend_charts.trend_title(changes, "Council C")
    # Adult social care went from rank 2 to rank 1 of 3.
    assert "adult social care moved furthest up the cost ranking, from 2 to 1 of 3" in title
    assert "2015-16 to 2016-17" in title
    flat = changes.assign(rank_change=0)
    assert "no service has moved up" in trend_charts.trend_title(flat, "Council C")


def test_trend_rank_ties_share_the_higher_rank():
    frame = pd.DataFrame(
        {
            "ons_code": ["C", "A", "B", "D"],
            "year": 2016,
            "line": 360,
            "service": "Adult social care",
            "net_expenditure_per_head_gbp": [300.0, 300.0, 400.0, 100.0],
            "aggregated": False,
        }
    )
    row = trends.trend_table(frame, "C", ["A", "B", "D"]).iloc[0]
    # B is higher; A ties with C: C takes rank 2 (of 4), as A would.
    assert row["cost_rank"] == 2 and row["n_ranked"] == 4
    assert row["comparator_median_per_head_gbp"] == 300.0
    # No comparator with data that year: no row.
    assert trends.trend_table(frame[frame["ons_code"] == "C"], "C", ["A"]).empty
