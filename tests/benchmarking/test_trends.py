"""Trends in net spend per head, with rank changes, sentences and strip charts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.benchmarking import trend_charts, trends
from analysis.core import chart_grid


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
    # One row a service in a small table, not a sentence a service; two sentences above it.
    row = trends.trend_rank_table(changes).iloc[0]
    assert (row["from_year"], row["to_year"]) == ("2015-16", "2016-17")
    assert (row["rank_then"], row["rank_now"], row["change"]) == ("2 of 3", "1 of 3", "up 1 place")
    assert "note" not in trends.trend_rank_table(changes).columns  # no year was summed
    assert trends.trend_sentences(changes, "Council C") == [
        f"The largest move up the cost ranking (1 = highest cost) is 1 place: {row['service']} "
        "(2 to 1 of 3).",
        "No service moved down the cost ranking.",
    ]


def test_one_year_only_is_said_plainly():
    per_head = trends.per_head_history(history_rows())
    table = trends.trend_table(per_head[per_head["year"] == 2016], "C", ["A", "B"])
    changes = trends.rank_changes(table)
    row = trends.trend_rank_table(changes).iloc[0]
    assert (row["rank_then"], row["rank_now"]) == ("", "1 of 3")
    assert row["change"] == "one year only: no trend"
    # With one year only no rank can have changed: the page says there is no trend, not (true
    # only vacuously) that no rank changed.
    assert trends.trend_sentences(changes, "C") == [
        "No trend can be shown for C: each service has a rank among its comparators in one year "
        "at most."
    ]
    assert "No trend can be shown" in trends.trend_sentences(pd.DataFrame(), "C")[0]


def test_strip_chart_data_and_alt_text():
    per_head = trends.per_head_history(history_rows())
    strips = trends.strip_frame(per_head, "C", "UA", 2016)
    # Every UA with 2016 data: A £200, B £400, C £500, Z £900; C is 2nd highest of 4.
    assert list(strips["ons_code"]) == ["A", "B", "C", "Z"]
    alt = trend_charts.strip_alt(strips, "Council C", 2016)
    assert "Adult social care £500 (rank 2 of 4)" in alt
    fig = trend_charts.chart_strips(strips, "Council C", 2016, "UA")
    try:
        texts = [t.get_text() for t in fig.texts]
        # One strip: its service named at the left, its scale in £ a head, under the title.
        assert texts.count("Adult social care") == 1
        assert "£200" in texts and "£800" in texts
        lines = [c for c in fig.artists if len(c.get_segments())]
        # Three authorities in grey, the council in the highlight colour, over the strip.
        (others,) = [c for c in lines if c.get_linewidth()[0] == 1]
        (council,) = [c for c in lines if c.get_linewidth()[0] == 3]
        assert len(others.get_segments()) == 3 and len(council.get_segments()) == 1
    finally:
        plt.close(fig)


def _drawn_labels(axis, low: float, high: float) -> list[str]:
    """The tick labels a drawn axis shows between ``low`` and ``high`` (one this close to an
    edge is drawn too)."""
    close = (high - low) * 1e-10
    at = 0 if axis.axis_name == "x" else 1
    return [
        t.get_text()
        for t in axis.get_ticklabels()
        if low - close <= t.get_position()[at] <= high + close
    ]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.floats(-5000, 5000, allow_nan=False, allow_subnormal=False), min_size=1, max_size=40
    )
)
def test_a_strip_spans_and_labels_what_an_axes_of_its_figures_would(values):
    """Each strip is drawn in inches rather than as an axes: its range and its labelled ticks
    are those matplotlib's axes give the same lines, with the same locator and formatter."""
    from matplotlib.ticker import MaxNLocator

    from analysis.core import charts

    values = np.array(values)
    fig, ax = plt.subplots(figsize=(3, 2), dpi=40)  # small: only the scale is read
    try:
        ax.vlines(values, 0, 1)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=trend_charts.ROUND_STEPS))
        ax.xaxis.set_major_formatter(charts.ExactFormatter("£"))
        fig.canvas.draw()
        low, high = trend_charts.strip_limits(values)
        assert (low, high) == pytest.approx(ax.get_xlim(), rel=1e-12, abs=1e-12)
        assert trend_charts.strip_ticks(low, high)[1] == _drawn_labels(ax.xaxis, low, high)
    finally:
        plt.close(fig)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(*[st.floats(-5000, 5000, allow_nan=False, allow_subnormal=False)] * 4),
        min_size=1,
        max_size=8,
    )
)
def test_a_trend_panel_spans_and_labels_what_an_axes_of_its_figures_would(rows):
    """Each trend panel is drawn in inches rather than as an axes: its scale and labelled ticks
    are those of an axes holding the same band and lines, with the same locator (and
    matplotlib's number formatter, without an offset)."""
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    q1, q3, median, council = (np.array(c) for c in zip(*rows, strict=True))
    years = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(3, 2), dpi=40)  # small: only the scale is read
    try:
        ax.fill_between(years, q1, q3)
        ax.plot(years, median)
        ax.plot(years, council)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=trend_charts.ROUND_STEPS))
        ax.yaxis.set_major_formatter(ScalarFormatter(useOffset=False))
        fig.canvas.draw()
        low, high = trend_charts.trend_limits(np.concatenate([q1, q3, median, council]))
        assert (low, high) == pytest.approx(ax.get_ylim(), rel=1e-12, abs=1e-12)
        assert trend_charts.trend_ticks(low, high)[1] == _drawn_labels(ax.yaxis, low, high)
    finally:
        plt.close(fig)


def test_the_trend_chart_draws_each_service_with_one_legend():
    per_head = trends.per_head_history(history_rows())
    table = trends.trend_table(per_head, "C", ["A", "B"])
    fig = trend_charts.chart_trends(table, "Council C")
    try:
        texts = [t.get_text() for t in fig.texts]
        assert texts.count("Adult social care") == 1 and texts.count("£ a head") == 1
        assert "2015-16" in texts and "2016-17" in texts  # the years, under the one panel
        (legend,) = fig.legends
        assert [t.get_text() for t in legend.get_texts()] == [
            "Comparators' middle half",
            "Comparator median",
            "Council C",
        ]
        # The council's line: £300 then £500 a head, drawn in the highlight colour.
        (council,) = [
            a for a in fig.artists if getattr(a, "get_label", None) and a.get_label() == "Council C"
        ]
        assert council.get_color() == "#D55E00" and len(council.get_xdata()) == 2
    finally:
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
    # A rank from a larger group is given with its own count, never as "16 to 10 of 12".
    shrunk = changes.assign(first_rank=16.0, first_n_ranked=16, last_rank=10.0, last_n_ranked=12)
    assert "from 16 of 16 to 10 of 12" in trend_charts.trend_title(shrunk, "Council C")
    # A name's initials stay capitals in the title.
    housing = changes.assign(service="Housing services (GFRA only)")
    assert "housing services (GFRA only) moved furthest" in trend_charts.trend_title(
        housing, "Council C"
    )


def test_trend_rank_ties_share_the_middle_rank():
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
    # B is higher; A ties with C: they share places 2 and 3, and C takes 2.5 (of 4).
    assert row["cost_rank"] == 2.5 and row["n_ranked"] == 4 and row["n_level_with_council"] == 1
    assert row["comparator_median_per_head_gbp"] == 300.0
    # No comparator with data that year: no row.
    assert trends.trend_table(frame[frame["ons_code"] == "C"], "C", ["A"]).empty


def two_years(values_2015: dict, values_2016: dict) -> pd.DataFrame:
    rows = [
        {
            "ons_code": code,
            "year": year,
            "line": line,
            "service": {360: "Adult social care", 490: "Housing"}[line],
            "net_expenditure_per_head_gbp": value,
            "aggregated": False,
        }
        for year, values in ((2015, values_2015), (2016, values_2016))
        for (code, line), value in values.items()
    ]
    return pd.DataFrame(rows)


def test_no_rank_change_between_tied_values_and_every_largest_change_named():
    frame = two_years(
        # adult care: C from 3rd to 1st (2 places); housing: C from 3rd to 1st too; a third
        # line is level with a comparator in 2016: no change read from it.
        {("C", 360): 1.0, ("A", 360): 2.0, ("B", 360): 3.0, ("C", 490): 1.0, ("A", 490): 2.0}
        | {("B", 490): 3.0},
        {("C", 360): 9.0, ("A", 360): 2.0, ("B", 360): 3.0, ("C", 490): 9.0, ("A", 490): 2.0}
        | {("B", 490): 3.0},
    )
    changes = trends.rank_changes(trends.trend_table(frame, "C", ["A", "B"]))
    assert changes["rank_change"].tolist() == [2.0, 2.0]
    title = trend_charts.trend_title(changes, "Council C")
    assert "adult social care from 3 to 1 of 3" in title and "housing from 3 to 1 of 3" in title
    assert "each moved 2 places up the cost ranking" in title
    alt = trend_charts.trend_alt(trends.trend_table(frame, "C", ["A", "B"]), changes, "C")
    assert "is shared by Adult social care, from 3 to 1; Housing, from 3 to 1" in alt
    # Both services share the largest move up: the sentence names each; none moved down.
    assert trends.trend_sentences(changes, "C") == [
        "The largest move up the cost ranking (1 = highest cost) is 2 places each: "
        "Adult social care (3 to 1 of 3) and Housing (3 to 1 of 3).",
        "No service moved down the cost ranking.",
    ]
    tied = two_years(
        {("C", 360): 0.0, ("A", 360): 0.0, ("B", 360): 5.0},
        {("C", 360): 0.0, ("A", 360): 5.0, ("B", 360): 5.0},
    )
    row = trends.rank_changes(trends.trend_table(tied, "C", ["A", "B"])).iloc[0]
    # 2015: C level with A below B: 2.5 of 3; 2016: C lowest, 3 of 3; tied in 2015: no change.
    assert row["first_rank"] == 2.5 and row["last_rank"] == 3 and np.isnan(row["rank_change"])
    shown = trends.trend_rank_table(pd.DataFrame([row])).iloc[0]
    assert (
        shown["rank_then"] == "2.5 of 3" and shown["change"] == "level with a comparator: not read"
    )


def test_years_are_printed_as_years():
    frame = two_years({("C", 360): 1.0, ("A", 360): 2.0}, {("C", 360): 3.0, ("A", 360): 2.0})
    table = trends.changes_table(trends.rank_changes(trends.trend_table(frame, "C", ["A"])))
    assert table.loc[0, "first_year"] == "2015-16" and table.loc[0, "last_year"] == "2016-17"


def test_the_data_year_is_the_cost_tables_and_no_comparator_is_summed():
    history = two_years(
        {("C", 360): 1.0, ("A", 360): 2.0, ("S", 360): 50.0},
        {("C", 360): 3.0, ("A", 360): 2.0, ("B", 360): 7.0},
    ).assign(name="x", authority_class="UA", net_expenditure_gbp_k=1.0, population=1.0)
    history.loc[history["ons_code"].eq("S"), "aggregated"] = True  # a successor's summed year
    costs = history[history["year"] == 2016].assign(net_expenditure_per_head_gbp=[4.0, 2.0, 6.0])
    no_return = costs.iloc[[1]].assign(ons_code="N", net_expenditure_per_head_gbp=np.nan)
    costs = pd.concat([costs, no_return])  # a comparator with no return that year: no figure
    result = type("R", (), {})()
    result.council = type("C", (), {"ons_code": "C"})()
    result.year, result.unit_costs_all = 2016, costs.drop(columns="aggregated")
    result.not_compared = pd.DataFrame({"line": [490]})
    out = trends.one_comparison(history, result)
    assert "S" not in set(out["ons_code"])
    table = trends.trend_table(out, "C", ["A", "B", "S", "N"]).set_index("year")
    # 2016: the cost table's figures (C 4, A 2, B 6): median (2 + 6) / 2 = 4.
    assert table.loc[2016, "council_per_head_gbp"] == 4.0
    assert table.loc[2016, "comparator_median_per_head_gbp"] == 4.0
    assert table.loc[2016, "n_comparators_with_data"] == 2
    assert table.loc[2015, "n_comparators_with_data"] == 1  # A only: S's sum left out


def test_a_negative_figure_is_said_as_net_income():
    assert trends.gbp_text(-4.367) == "net income of £4.37"
    assert trends.gbp_text(-45.2) == "net income of £45"
    assert trends.gbp_text(2.018) == "£2.02" and trends.gbp_text(0) == "£0.00"


def test_the_trend_is_a_table_with_the_largest_moves_up_and_down_above_it():
    def change(line, service, first, last, aggregated=0):
        return {
            "line": line, "service": service, "first_year": 2015, "last_year": 2022,
            "years_with_data": 8, "first_rank": first, "first_n_ranked": 17,
            "last_rank": last, "last_n_ranked": 16, "tied": False,
            "rank_change": float(first - last), "aggregated_years": aggregated,
        }  # fmt: skip

    changes = pd.DataFrame(
        [
            change(1, "Roads", 9, 12),  # down 3
            change(2, "Housing", 7, 10, aggregated=4),  # down 3
            change(3, "Libraries", 5, 4),  # up 1
            change(4, "Waste", 6, 6),  # same
        ]
    )
    # 17 ranked in the first year and 16 in the last: each rank is given with its own count.
    assert trends.trend_sentences(changes, "C") == [
        "The largest move up the cost ranking (1 = highest cost) is 1 place: "
        "Libraries (5 of 17 to 4 of 16).",
        "The largest move down the cost ranking (1 = highest cost) is 3 places each: "
        "Roads (9 of 17 to 12 of 16) and Housing (7 of 17 to 10 of 16).",
    ]
    table = trends.trend_rank_table(changes)
    assert list(table["change"]) == ["down 3 places", "down 3 places", "up 1 place", "same"]
    assert list(table["rank_then"]) == ["9 of 17", "7 of 17", "5 of 17", "6 of 17"]
    assert table.loc[1, "note"] == "4 of 8 years summed from the authorities the council replaced"
    assert table.loc[0, "note"] == ""


YEARS = [2010, 2011, 2012, 2013, 2015, 2016, 2023]


def test_year_ticks_label_the_first_and_last_years_and_those_with_room_between():
    # 14.2 years of axis on 2.6 in: 0.183 in a year. A "2023-24" label at 7 pt is 0.406 in (the
    # font's own measure), so labels need (0.406 + 0.15) / 0.183 = 3.04 years between them:
    # 2013 is too close to 2010, 2015 is not, and 2016 is too close to 2015.
    step = (chart_grid.text_width_in("2023-24", 7) + 0.15) / (2.6 / 14.2)
    assert 3.0 < step < 3.1
    assert trend_charts.year_ticks(YEARS, 2.6) == [2010, 2015, 2023]
    # On 3 in, 0.211 in a year and 2.63 years between labels: 2013 and 2016 have room.
    assert trend_charts.year_ticks(YEARS, 3.0) == [2010, 2013, 2016, 2023]
    # On a panel wide enough, every year; on one too narrow for two labels, the newest alone.
    assert trend_charts.year_ticks(YEARS, 30.0) == YEARS
    assert trend_charts.year_ticks(YEARS, 0.5) == [2023]
    assert trend_charts.year_ticks([2016], 2.6) == [2016]


def test_trend_years_are_labelled_under_the_lowest_panels_without_overlapping():
    first = trends.trend_table(trends.per_head_history(history_rows()), "C", ["A", "B"]).iloc[[0]]
    rows = [
        first.assign(year=year, line=line, service=f"Service {line}")
        for line in range(5)
        for year in (2010, 2011, 2012, 2013, 2016, 2023)
    ]
    fig = trend_charts.chart_trends(pd.concat(rows, ignore_index=True), "Council C")
    try:
        renderer = fig.canvas.get_renderer()
        titles = {
            t.get_text(): t.get_position() for t in fig.texts if t.get_text()[:8] == "Service "
        }
        years = [t for t in fig.texts if t.get_text()[:2] == "20" and t.get_text()[4] == "-"]
        columns = sorted({x for x, _y in titles.values()})
        # Five panels in three columns: the lowest of each column is the 3rd, 4th and 5th, and
        # each column's years are labelled once, under it.
        for service in ("Service 2", "Service 3", "Service 4"):
            x, y = titles[service]
            column = columns.index(x)
            end = columns[column + 1] if column + 1 < len(columns) else float("inf")
            shown = [t for t in years if x <= t.get_position()[0] < end]
            texts = [t.get_text() for t in sorted(shown, key=lambda t: t.get_position()[0])]
            assert texts[0] == "2010-11" and texts[-1] == "2023-24" and len(texts) >= 3
            assert all(t.get_position()[1] < y - trend_charts.TREND_PANEL_H for t in shown)
            boxes = sorted(t.get_window_extent(renderer).x0 for t in shown)
            widths = {t.get_window_extent(renderer).width for t in shown}
            assert all(b - a > max(widths) for a, b in zip(boxes, boxes[1:], strict=False))
        assert len(years) == 3 * len(texts)  # none under the two panels above others
    finally:
        plt.close(fig)


def test_summed_figures_are_listed_once_each_and_by_measure():
    history = pd.DataFrame(
        [
            # S's 2016 figures are its predecessors' sums; 2017's are its own.
            {"ons_code": "S", "year": 2016, "measure": "RS805", "aggregated": True},
            {"ons_code": "S", "year": 2016, "measure": "RS360", "aggregated": True},
            {"ons_code": "S", "year": 2017, "measure": "RS805", "aggregated": False},
            {"ons_code": "T", "year": 2015, "measure": "RS360", "aggregated": True},
        ]
    )
    pairs = lambda frame: sorted(map(tuple, frame.to_numpy().tolist()))  # noqa: E731
    assert pairs(trends.summed_frame(history)) == [("S", 2016), ("T", 2015)]
    assert pairs(trends.summed_frame(history, "RS805")) == [("S", 2016)]
    assert set(trends.summed_years(history)) == {("S", 2016), ("T", 2015)}
    assert trends.summed_frame(history.drop(columns="aggregated")).empty


def test_years_missing_from_a_service_are_named_whichever_way_the_years_come():
    history = pd.DataFrame(
        {
            "ons_code": ["A", "A", "A", "A"],
            "year": [2014, 2015, 2016, 2017],
            "measure": ["RS360", "RS190", "population", "RS190"],
        }
    )
    # Revenue Outturn figures in 2014, 2015 and 2017 (2016 has only a population).
    assert trends.rs_years(history)["year"].tolist() == [2014, 2015, 2017]
    trend = pd.DataFrame({"service": ["Adult social care"], "year": [2015]})
    said = trends.missing_years_sentence(trend, history, last_year=2016)
    assert said.endswith("Adult social care (2014-15).")  # 2017 is after the data year
    published = trends.rs_years(history)
    assert trends.missing_years_sentence(trend, history, 2016, published) == said
