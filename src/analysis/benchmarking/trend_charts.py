"""The trend section's charts and their alt text, generated from the figures
(:mod:`analysis.benchmarking.trends` computes them): small multiples of spend per head against
the comparators' median and middle half, and strip ("barcode") charts of every comparable
authority with the council highlighted."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.benchmarking.trends import CLASS_NAMES, gbp_text
from analysis.core import charts
from analysis.core.periods import year_label

# Tick steps as matplotlib's default locator takes them (1, 2, 2.5, 5 times a power of ten),
# with fewer ticks than it would put on these small panels.
ROUND_STEPS = [1, 2, 2.5, 5, 10]


def trend_title(changes: pd.DataFrame, council_name: str) -> str:
    """A title that states the message: the service that moved furthest up the cost ranking."""
    if changes.empty:
        return f"{council_name}: no years with comparable figures"
    moved = changes[changes["years_with_data"] > 1].sort_values(
        ["rank_change", "line"], ascending=[False, True]
    )
    if moved.empty or moved.iloc[0]["rank_change"] <= 0:
        return f"{council_name}: no service has moved up the cost ranking among its comparators"
    top = moved.iloc[0]
    return (
        f"{council_name}:\n{top['service'].lower()} moved furthest up the cost ranking, from "
        f"{top['first_rank']} to {top['last_rank']} of {top['last_n_ranked']} "
        f"({year_label(int(top['first_year']))} to {year_label(int(top['last_year']))})"
    )


def chart_trends(trend: pd.DataFrame, council_name: str, title: str | None = None):
    """Small multiples: the council's spend per head against the comparator median and
    interquartile band, one panel per service. The panels share the years (x axis), labelled
    under each column's lowest panel; each keeps its own scale of £ a head."""
    charts.apply_house_style()
    services = list(dict.fromkeys(trend.sort_values("line")["service"]))
    n = max(len(services), 1)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(10, 2.4 * rows + 0.8), layout="constrained", sharex=True
    )
    axes = np.atleast_1d(axes).ravel()
    fig.suptitle(
        title or f"{council_name}: net spend per head by service against comparators, by year",
        x=0.01,
        ha="left",
        wrap=True,
    )
    for i, (ax, service) in enumerate(zip(axes, services, strict=False)):
        frame = trend[trend["service"] == service].sort_values("year")
        x = frame["year"].to_numpy()
        ax.fill_between(
            x,
            frame["comparator_q1_per_head_gbp"],
            frame["comparator_q3_per_head_gbp"],
            color=charts.MUTED,
            alpha=0.3,
            label="Comparators' middle half",
        )
        ax.plot(
            x,
            frame["comparator_median_per_head_gbp"],
            color=charts.MUTED,
            ls="--",
            marker="s",
            label="Comparator median",
        )
        ax.plot(
            x, frame["council_per_head_gbp"], color=charts.HIGHLIGHT, marker="o", label=council_name
        )
        ax.set_title(service, fontsize=9, loc="left", y=charts.TITLE_Y)
        ax.set_ylabel("£ a head", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=ROUND_STEPS))
        # Year labels under the lowest panel of each column (the one above an empty slot too).
        ax.tick_params(axis="x", labelsize=7, labelbottom=i + cols >= len(services))
        charts.no_axis_label(ax.xaxis)
    if services:
        years = sorted(int(y) for y in trend["year"].unique())
        axes[0].set_xticks(years, [year_label(y)[2:] for y in years])  # shared by every panel
        for ax in axes[len(services) :]:
            fig.delaxes(ax)
        axes[0].legend(fontsize=7, loc="best")
    else:
        for ax in axes:
            ax.axis("off")
    return fig


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
    moved = changes.loc[changes["rank_change"].abs().idxmax()] if len(changes) else None
    text = (
        f"Line charts, one per service ({len(changes)}), of {council_name}'s net spend per head "
        f"from {first} to {last} against the comparator median and the comparators' middle half. "
        f"In {last} {where_text}."
    )
    if moved is not None and moved["rank_change"] != 0:
        text += (
            f" The largest change in rank is {moved['service']}, from {moved['first_rank']} to "
            f"{moved['last_rank']} (1 = highest cost)."
        )
    return text


def chart_strips(strips: pd.DataFrame, council_name: str, year: int, authority_class: str | None):
    """One strip per service: a tick for every comparable authority, the council highlighted."""
    charts.apply_house_style()
    services = list(dict.fromkeys(strips["service"]))
    n = max(len(services), 1)
    fig, axes = plt.subplots(n, 1, figsize=(9, 0.75 * n + 1.0), layout="constrained")
    axes = np.atleast_1d(axes)
    group = (
        f"every {CLASS_NAMES.get(authority_class, authority_class)}"
        if authority_class
        else "every authority"
    )
    fig.suptitle(
        f"Where {council_name} sits in {year_label(year)}:\nnet spend per head, {group}",
        x=0.01,
        ha="left",
    )
    for ax, service in zip(axes, services, strict=False):
        frame = strips[strips["service"] == service]
        others = frame[~frame["is_council"]]["net_expenditure_per_head_gbp"]
        ax.vlines(others, 0, 1, color=charts.MUTED, lw=1)
        mine = frame[frame["is_council"]]["net_expenditure_per_head_gbp"]
        ax.vlines(mine, -0.2, 1.2, color=charts.HIGHLIGHT, lw=3)
        ax.set_yticks([])
        ax.set_ylabel(service, rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=ROUND_STEPS))
        charts.no_axis_label(ax.xaxis)
        ax.xaxis.set_major_formatter(lambda v, _p: ("\u2212" if v < 0 else "") + f"£{abs(v):,.0f}")
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    return fig


def strip_alt(strips: pd.DataFrame, council_name: str, year: int) -> str:
    mine = strips[strips["is_council"]]
    if mine.empty:
        return f"No strip chart: {council_name} has no {year_label(year)} figures."
    parts = []
    for row in mine.itertuples(index=False):
        frame = strips[strips["line"] == row.line]
        rank = (
            int((frame["net_expenditure_per_head_gbp"] > row.net_expenditure_per_head_gbp).sum())
            + 1
        )
        parts.append(
            f"{row.service} {gbp_text(row.net_expenditure_per_head_gbp)} (rank {rank} of {len(frame)})"
        )
    return (
        f"Strip charts, one per service, of net spend per head in {year_label(year)} for every "
        f"comparable authority, {council_name} highlighted: "
        + "; ".join(parts)
        + " (1 = highest cost)."
    )
