"""The trend section's charts and their alt text, generated from the figures
(:mod:`analysis.benchmarking.trends` computes them): small multiples of spend per head against
the comparators' median and middle half, and strip ("barcode") charts of every comparable
authority with the council highlighted."""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from analysis.benchmarking.comparators import RANK_RULE, rank_in
from analysis.benchmarking.trends import (
    CLASS_NAMES,
    gbp_text,
    largest_changes,
    rank_move,
    rank_text,
)
from analysis.core import chart_grid, charts
from analysis.core.display import in_sentence, join_words
from analysis.core.periods import year_label

# Tick steps as matplotlib's default locator takes them (1, 2, 2.5, 5 times a power of ten),
# with fewer ticks than it would put on these small panels.
ROUND_STEPS = [1, 2, 2.5, 5, 10]


def trend_title(changes: pd.DataFrame, council_name: str) -> str:
    """A title that states the message: the service (or services, when several share it) that
    moved furthest up the cost ranking."""
    if changes.empty:
        return f"{council_name}: no years with comparable figures"
    top = largest_changes(changes)
    top = top[top["rank_change"] > 0]
    if top.empty:
        return f"{council_name}: no service has moved up the cost ranking among its comparators"
    parts = [
        f"{in_sentence(row['service'])} from {rank_move(row)} "
        f"({year_label(int(row['first_year']))} to {year_label(int(row['last_year']))})"
        for _i, row in top.iterrows()
    ]
    if len(parts) == 1:
        return f"{council_name}:\n{parts[0].replace(' from ', ' moved furthest up the cost ranking, from ', 1)}"
    n = rank_text(top["rank_change"].iloc[0])
    return (
        f"{council_name}:\n{join_words(parts)}: each moved {n} place{'s' if n != '1' else ''} up "
        "the cost ranking, the most of any service"
    )


# The trend grid, in inches (see analysis.core.chart_grid): three columns of panels 1.85 in high.
TREND_WIDTH, TREND_COLS, TREND_PANEL_H = 10.0, 3, 1.85
EDGE = 0.08  # between the figure's edge and the title


# The year labels under the trend panels (points), the room either side of the first and last
# year on each panel (years), and the least space between two labels (inches).
YEAR_PT, YEAR_MARGIN, YEAR_GAP_IN = 7, 0.6, 0.15


def year_ticks(years: list[int], panel_w: float, size_pt: float = YEAR_PT) -> list[int]:
    """The years to label under a panel ``panel_w`` inches wide showing ``years`` (sorted): the
    first and the last, and between them each year that is at least a label's width and
    :data:`YEAR_GAP_IN` from the labelled years either side of it. When the first and last
    cannot both be labelled, the last is (the newest year is the one a reader looks for)."""
    if len(years) < 2:
        return list(years)
    per_year = panel_w / (years[-1] - years[0] + 2 * YEAR_MARGIN)  # inches
    step = (chart_grid.text_width_in(year_label(years[-1]), size_pt) + YEAR_GAP_IN) / per_year
    if years[-1] - years[0] < step:
        return [years[-1]]
    labelled = [years[0]]
    for year in years[1:-1]:
        if year - labelled[-1] >= step and years[-1] - year >= step:
            labelled.append(year)
    return [*labelled, years[-1]]


def _y_room(trend: pd.DataFrame) -> float:
    """Inches left of a panel for the widest y tick label the figures can need (four characters
    at least, as "17.5"; more for thousands a head, with a minus sign when a figure is below
    zero), the ticks, and the "£ a head" label (8 pt, turned on its side)."""
    rc = plt.rcParams
    columns = [c for c in trend.columns if c.endswith("_per_head_gbp")]
    values = trend[columns].to_numpy(dtype="float64") if columns else np.zeros(1)
    values = values[np.isfinite(values)]
    top = float(np.abs(values).max()) * 1.25 if values.size else 0.0  # the next tick up
    chars = "0" * max(4, len(f"{top:.0f}")) + ("-" if values.size and values.min() < 0 else "")
    ticks = chart_grid.text_width_in(chars, chart_grid.points(rc["ytick.labelsize"]))
    tick_marks = chart_grid.inches(rc["ytick.major.size"] + rc["ytick.major.pad"])
    return (
        ticks + tick_marks + chart_grid.line_height_in(8) + chart_grid.inches(rc["axes.labelpad"])
    )


def _x_room(size_pt: float = 7) -> float:
    """Inches below a panel for x tick labels at ``size_pt``."""
    rc = plt.rcParams
    tick_marks = chart_grid.inches(rc["xtick.major.size"] + rc["xtick.major.pad"])
    return chart_grid.line_height_in(size_pt) + tick_marks


def _panel_title_room(size_pt: float = 9) -> float:
    return chart_grid.line_height_in(size_pt) + chart_grid.inches(plt.rcParams["axes.titlepad"])


def _suptitle(fig, lines: list[str]) -> None:
    height = fig.get_figheight()
    fig.suptitle("\n".join(lines), x=EDGE / fig.get_figwidth(), y=1 - EDGE / height,
                 ha="left", va="top")  # fmt: skip


def trend_limits(values: np.ndarray) -> tuple[float, float]:
    """The £ a head a trend panel spans, as an axes of its figures would show it."""
    return chart_grid.axis_limits(values, "y")


def trend_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """The £ a head ticks of a panel spanning ``low`` to ``high`` and their labels, as an axes
    labels them (matplotlib's plain number formatter, without an offset)."""
    locator = MaxNLocator(nbins=5, steps=ROUND_STEPS)
    return chart_grid.ticks_in_view(low, high, locator, ScalarFormatter(useOffset=False))


TREND_LEGEND_PT = 8


def chart_trends(trend: pd.DataFrame, council_name: str, title: str | None = None):
    """Small multiples: the council's spend per head against the comparator median and
    interquartile band, one panel per service. The panels share the years (x axis), labelled
    under each column's lowest panel; each keeps its own scale of £ a head. One legend, under
    the title, serves every panel.

    Each panel is drawn at its place in the grid, in inches (its band, lines, grid lines, axis
    lines, ticks and labels), with the scale an axes of the same figures would have: the
    picture of a grid of axes, for much less than the axes cost to make and draw."""
    charts.apply_house_style()
    services = list(dict.fromkeys(trend.sort_values("line")["service"]))
    n = max(len(services), 1)
    rows = int(np.ceil(n / TREND_COLS))
    lines = chart_grid.title_lines(
        title or f"{council_name}: net spend per head by service against comparators, by year",
        TREND_WIDTH - 2 * EDGE,
    )
    y_room, x_room, panel_title = _y_room(trend), _x_room(), _panel_title_room()
    left, wgap = y_room + 0.05, y_room + 0.3
    panel_w = (TREND_WIDTH - left - 0.15 - (TREND_COLS - 1) * wgap) / TREND_COLS
    # A panel title may run on over the gap to its right (nothing else is at that height), and
    # past the last column's edge: the figure widens to hold the longest.
    longest = max((chart_grid.text_width_in(s, 9, "bold") for s in services), default=0.0)
    right = max(0.15, longest - panel_w + 0.1)
    wgap = max(wgap, longest - panel_w + 0.15)
    title_h = chart_grid.title_height_in(len(lines))
    legend_h = chart_grid.line_height_in(TREND_LEGEND_PT) + 0.1 if services else 0.0
    grid = chart_grid.Grid(
        rows=rows,
        cols=TREND_COLS,
        panel_w=panel_w,
        panel_h=TREND_PANEL_H,
        left=left,
        right=right,
        top=EDGE + title_h + legend_h + 0.12 + panel_title,
        bottom=x_room + EDGE,
        wgap=wgap,
        hgap=x_room + panel_title + 0.1,
    )
    fig = grid.blank()
    _suptitle(fig, lines)
    if not services:
        return fig
    # Every panel shows the same years. Years are labelled under the lowest panel of each column
    # (the one above an empty slot too), far enough apart to read.
    years = sorted(int(y) for y in trend["year"].unique())
    span = (years[0] - YEAR_MARGIN, years[-1] + YEAR_MARGIN)
    labelled = year_ticks(years, panel_w)
    styles = _trend_styles(council_name)
    for i, (box, service) in enumerate(zip(grid.panels(), services, strict=False)):
        frame = trend[trend["service"] == service].sort_values("year")
        _trend_panel(
            fig, box, frame, service, span, labelled if i + TREND_COLS >= n else [], styles
        )
    width, height = fig.get_size_inches()
    fig.legend(
        handles=[
            Patch(facecolor=charts.MUTED, alpha=0.3, label=styles["band"]["label"]),
            Line2D([], [], **styles["median"]),
            Line2D([], [], **styles["council"]),
        ],
        loc="upper left",
        bbox_to_anchor=(EDGE, height - EDGE - title_h - 0.04),
        bbox_transform=fig.dpi_scale_trans,
        ncols=3,
        fontsize=TREND_LEGEND_PT,
        borderaxespad=0,
        borderpad=0,
    )
    return fig


def _trend_styles(council_name: str) -> dict[str, dict]:
    return {
        "band": {"color": charts.MUTED, "alpha": 0.3, "label": "Comparators' middle half"},
        "median": {
            "color": charts.MUTED,
            "ls": "--",
            "marker": "s",
            "label": "Comparator median",
        },
        "council": {"color": charts.HIGHLIGHT, "marker": "o", "label": council_name},
    }


def _trend_panel(fig, box, frame, service, span, years, styles) -> None:
    """One service's panel at ``box`` (inches): the comparators' middle half, their median and
    the council by year, on its own scale of £ a head; ``years`` labelled under it."""
    rc = plt.rcParams
    inches = fig.dpi_scale_trans
    x0, y0, width, height = box
    x = frame["year"].to_numpy(dtype=float)
    q1, q3, median, council = (
        frame[c].to_numpy(dtype=float)
        for c in (
            "comparator_q1_per_head_gbp",
            "comparator_q3_per_head_gbp",
            "comparator_median_per_head_gbp",
            "council_per_head_gbp",
        )
    )
    low, high = trend_limits(np.concatenate([q1, q3, median, council]))
    at_x = partial(chart_grid.along, low=span[0], high=span[1], start=x0, length=width)
    at_y = partial(chart_grid.along, low=low, high=high, start=y0, length=height)

    ticks, labels = trend_ticks(low, high)
    tick = chart_grid.inches(rc["ytick.major.size"])
    pad = chart_grid.inches(rc["ytick.major.size"] + rc["ytick.major.pad"])
    grid = [[(x0, at_y(t)), (x0 + width, at_y(t))] for t in ticks]
    fig.add_artist(
        LineCollection(grid, colors=rc["grid.color"], linewidths=rc["grid.linewidth"],
                       transform=inches, zorder=0.5)
    )  # fmt: skip
    both = np.isfinite(q1) & np.isfinite(q3)
    runs = np.split(np.flatnonzero(both), np.flatnonzero(np.diff(np.flatnonzero(both)) > 1) + 1)
    band = [
        np.column_stack([at_x(np.r_[x[r], x[r][::-1]]), at_y(np.r_[q1[r], q3[r][::-1]])])
        for r in runs
        if len(r)
    ]
    style = {k: v for k, v in styles["band"].items() if k != "label"}
    fig.add_artist(PolyCollection(band, transform=inches, zorder=1, **style))
    for values, name in ((median, "median"), (council, "council")):
        fig.add_artist(Line2D(at_x(x), at_y(values), transform=inches, zorder=2, **styles[name]))
    marks = [[(x0 - tick, at_y(t)), (x0, at_y(t))] for t in ticks]
    marks += [[(at_x(y), y0 - tick), (at_x(y), y0)] for y in years]
    fig.add_artist(
        LineCollection(marks, colors=rc["ytick.color"], linewidths=rc["ytick.major.width"],
                       transform=inches, zorder=2.5)
    )  # fmt: skip
    fig.add_artist(
        LineCollection(
            [[(x0, y0 + height), (x0, y0), (x0 + width, y0)]],
            colors=rc["axes.edgecolor"],
            linewidths=rc["axes.linewidth"],
            capstyle="projecting",
            joinstyle="miter",
            transform=inches,
            zorder=2.5,
        )
    )
    size = chart_grid.points(rc["ytick.labelsize"])
    for t, label in zip(ticks, labels, strict=True):
        fig.text(x0 - pad, at_y(t), label, ha="right", va="center_baseline", fontsize=size,
                 color=rc["ytick.color"], transform=inches)  # fmt: skip
    for y in years:
        fig.text(at_x(y), y0 - pad, year_label(y), ha="center", va="top", fontsize=YEAR_PT,
                 color=rc["xtick.color"], transform=inches)  # fmt: skip
    widest = max((chart_grid.text_width_in(label, size) for label in labels), default=0.0)
    fig.text(x0 - pad - widest - chart_grid.inches(rc["axes.labelpad"]), y0 + height / 2,
             "£ a head", rotation=90, rotation_mode="anchor", ha="center", va="bottom",
             fontsize=8, color=rc["axes.labelcolor"], transform=inches)  # fmt: skip
    fig.text(x0, y0 + height * charts.TITLE_Y + chart_grid.inches(rc["axes.titlepad"]), service,
             ha="left", va="baseline", fontsize=9, fontweight=rc["axes.titleweight"],
             transform=inches)  # fmt: skip


def trend_alt(trend: pd.DataFrame, changes: pd.DataFrame, council_name: str) -> str:
    if trend.empty:
        return f"No trend chart: no years with data for {council_name} and its comparators."
    first, last = year_label(int(trend["year"].min())), year_label(int(trend["year"].max()))
    latest = trend[trend["year"] == trend["year"].max()].copy()
    latest["gap"] = latest["council_per_head_gbp"] - latest["comparator_median_per_head_gbp"]
    top = latest.sort_values(["gap", "line"], ascending=[False, True]).iloc[0]
    where = "above" if top["gap"] > 0 else "below"
    if top["gap"] > 0:
        where_text = f"the service furthest above the median is {top['service']} ({gbp_text(top['gap'])} a head {where})"
    else:
        where_text = "no service is above the comparator median"
    moved = largest_changes(changes)
    text = (
        f"Line charts, one per service ({len(changes)}), of {council_name}'s net spend per head "
        f"from {first} to {last} against the comparator median and the comparators' middle half. "
        f"In {last} {where_text}."
    )
    if len(moved):
        each = [
            f"{row['service']}, from {rank_text(row['first_rank'])} to "
            f"{rank_text(row['last_rank'])}"
            for _i, row in moved.iterrows()
        ]
        text += (
            f" The largest change in rank ({rank_text(abs(moved['rank_change'].iloc[0]))} "
            f"place{'s' if abs(moved['rank_change'].iloc[0]) != 1 else ''}) is "
            f"{'shared by ' if len(each) > 1 else ''}{'; '.join(each)} (1 = highest cost)."
        )
    return text


# The strip grid, in inches: one strip 0.42 in high per service, labelled on the left.
STRIP_WIDTH, STRIP_H, STRIP_LABEL_PT, STRIP_TICK_PT = 9.0, 0.42, 8, 7
# Where the lines stand in a strip, as fractions of its height before the margins: every
# authority from 0 to 1, the council from -0.2 to 1.2 (it stands out above and below them).
OTHERS_SPAN, COUNCIL_SPAN = (0.0, 1.0), (-0.2, 1.2)


def strip_limits(values: np.ndarray) -> tuple[float, float]:
    """The £ a head a strip spans, as an axes of its figures would show it."""
    return chart_grid.axis_limits(values, "x")


def strip_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """The £ ticks of a strip spanning ``low`` to ``high`` and their labels: round steps
    (:data:`ROUND_STEPS`, at most five intervals), labelled with the decimals every tick needs."""
    locator = MaxNLocator(nbins=5, steps=ROUND_STEPS)
    return chart_grid.ticks_in_view(low, high, locator, charts.ExactFormatter("£"))


def chart_strips(strips: pd.DataFrame, council_name: str, year: int, authority_class: str | None):
    """One strip per service: a tick for every comparable authority, the council highlighted.

    Each strip is a scale of £ a head of its own, drawn in inches on the figure (a baseline, its
    ticks and labels, the authorities' lines): the picture of a column of axes, for a third of
    the time (an axes per service cost more to make and draw than everything in it)."""
    charts.apply_house_style()
    rc = plt.rcParams
    services = list(dict.fromkeys(strips["service"]))
    n = max(len(services), 1)
    group = (
        f"every {CLASS_NAMES.get(authority_class, authority_class)}"
        if authority_class
        else "every authority"
    )
    lines = chart_grid.title_lines(
        f"Where {council_name} sits in {year_label(year)}:\nnet spend per head, {group}",
        STRIP_WIDTH - 2 * EDGE,
    )
    labels = max((chart_grid.text_width_in(s, STRIP_LABEL_PT) for s in services), default=0.0)
    left, right = EDGE + labels + chart_grid.inches(rc["axes.labelpad"]), 0.25
    x_room = _x_room()
    grid = chart_grid.Grid(
        rows=n,
        cols=1,
        panel_w=STRIP_WIDTH - left - right,
        panel_h=STRIP_H,
        left=left,
        right=right,
        top=EDGE + chart_grid.title_height_in(len(lines)) + 0.15,
        bottom=x_room + EDGE + 0.05,
        hgap=x_room + 0.12,
    )
    fig = grid.blank()
    _suptitle(fig, lines)
    inches = fig.dpi_scale_trans
    others, council, baselines, tick_marks = [], [], [], []
    tick_down = chart_grid.inches(rc["xtick.major.size"])
    label_y = chart_grid.inches(rc["xtick.major.size"] + rc["xtick.major.pad"])
    all_values = strips["net_expenditure_per_head_gbp"].to_numpy(dtype=float)
    is_council = strips["is_council"].to_numpy(dtype=bool)
    of_service = strips["service"].to_numpy(dtype=object)
    for (x0, y0, width, height), service in zip(grid.panels(), services, strict=False):
        here = of_service == service
        values, mine = all_values[here], all_values[here & is_council]
        low, high = strip_limits(values)
        spans = [OTHERS_SPAN, *([COUNCIL_SPAN] if np.isfinite(mine).any() else [])]
        bottom, top = min(a for a, _ in spans), max(b for _, b in spans)
        pad = rc["axes.ymargin"] * (top - bottom)
        bottom, top = bottom - pad, top + pad
        x_at = partial(chart_grid.along, low=low, high=high, start=x0, length=width)
        y_at = partial(chart_grid.along, low=bottom, high=top, start=y0, length=height)

        for target, chosen, (a, b) in (
            (others, values[~is_council[here]], OTHERS_SPAN),
            (council, mine, COUNCIL_SPAN),
        ):
            target += [[(x_at(v), y_at(a)), (x_at(v), y_at(b))] for v in chosen if np.isfinite(v)]
        baselines.append([(x0, y0), (x0 + width, y0)])
        ticks, texts = strip_ticks(low, high)
        for tick, text in zip(ticks, texts, strict=True):
            tick_marks.append([(x_at(tick), y0), (x_at(tick), y0 - tick_down)])
            fig.text(x_at(tick), y0 - label_y, text, ha="center", va="top",
                     fontsize=STRIP_TICK_PT, color=rc["xtick.color"], transform=inches)  # fmt: skip
        fig.text(x0 - chart_grid.inches(rc["axes.labelpad"]), y0 + height / 2, service,
                 ha="right", va="center", fontsize=STRIP_LABEL_PT, color=rc["axes.labelcolor"],
                 transform=inches)  # fmt: skip
    for segments, style in (
        (tick_marks, {"colors": rc["xtick.color"], "linewidths": rc["xtick.major.width"]}),
        (others, {"colors": charts.MUTED, "linewidths": 1}),
        (council, {"colors": charts.HIGHLIGHT, "linewidths": 3}),
        (
            baselines,  # square ends, as an axes' spine has
            {
                "colors": rc["axes.edgecolor"],
                "linewidths": rc["axes.linewidth"],
                "capstyle": "projecting",
            },
        ),
    ):
        fig.add_artist(LineCollection(segments, transform=inches, **style))
    return fig


def strip_alt(strips: pd.DataFrame, council_name: str, year: int) -> str:
    mine = strips[strips["is_council"]]
    if mine.empty:
        return f"No strip chart: {council_name} has no {year_label(year)} figures."
    parts = []
    for row in mine.itertuples(index=False):
        frame = strips[strips["line"] == row.line]
        rank, _level = rank_in(
            frame["net_expenditure_per_head_gbp"], row.net_expenditure_per_head_gbp
        )
        parts.append(
            f"{row.service} {gbp_text(row.net_expenditure_per_head_gbp)} "
            f"(rank {rank_text(rank)} of {len(frame)})"
        )
    return (
        f"Strip charts, one per service, of net spend per head in {year_label(year)} for every "
        f"comparable authority, {council_name} highlighted: "
        + "; ".join(parts)
        + f" (1 = highest cost; {RANK_RULE})."
    )
