"""The MTFP report's view of uncertainty: the sensitivity of the gap to each assumption and the
Monte Carlo fan and probabilities, as charts and sentences (re-exported by
:mod:`analysis.mtfp.report`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import charts
from analysis.core.display import gbp_m_text, pct_text


def _m(values) -> np.ndarray:
    return np.asarray(values, dtype=float) / 1000.0


def _finish(fig, ax, years, source: str, period: str, legend: bool = True) -> None:
    charts.label_years(ax, years)
    charts.gbp_m_axis(ax)
    ax.axhline(0, color="#555555", linewidth=0.8)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    charts.add_caption(fig, source, period)


def sensitivity_chart(sens: pd.DataFrame, source: str, period: str):
    year = sens["year"].iloc[-1]
    rows = sens[sens["year"] == year]
    final = pd.Series(
        rows["change_in_budget_gap_cumulative_gbp_k"].to_numpy(),
        index=[
            f"{a} ({_short(c)})" for a, c in zip(rows["assumption"], rows["change"], strict=True)
        ],
    )
    final = final.reindex(final.abs().sort_values().index)
    top = final.abs().idxmax()
    fig, ax = charts.new_figure(
        f"One percentage point on {top.split(' (')[0].lower()} moves the {year} gap by "
        f"{gbp_m_text(abs(final[top]))}",
        height=5.0,
    )
    colours = [charts.PALETTE[3] if v > 0 else charts.PALETTE[0] for v in final]
    hatches = ["//" if v > 0 else "" for v in final]
    bars = ax.barh(final.index, _m(final.to_numpy()), color=colours, edgecolor="white")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    charts.gbp_m_axis(ax, axis="x", label=f"Change in the {year} gap, £m (+ widens, - narrows)")
    ax.axvline(0, color="#555555", linewidth=0.8)
    charts.add_caption(fig, source, period)
    return fig


def fan_chart(fan: pd.DataFrame, gap: pd.DataFrame, source: str, period: str, draws: int):
    years = fan["year"].tolist()
    x = np.arange(len(years))
    p50 = fan["budget_gap_cumulative_p50_gbp_k"].iloc[-1]
    p95 = fan["budget_gap_cumulative_p95_gbp_k"].iloc[-1]
    fig, ax = charts.new_figure(
        f"In half of {draws:,} simulations the {years[-1]} gap exceeds {gbp_m_text(p50)}; in 1 in 20 it exceeds {gbp_m_text(p95)}"
    )
    ax.fill_between(
        x,
        _m(fan["budget_gap_cumulative_p05_gbp_k"]),
        _m(fan["budget_gap_cumulative_p95_gbp_k"]),
        color=charts.PALETTE[4],
        alpha=0.35,
        label="5th to 95th percentile",
    )
    ax.fill_between(
        x,
        _m(fan["budget_gap_cumulative_p25_gbp_k"]),
        _m(fan["budget_gap_cumulative_p75_gbp_k"]),
        color=charts.PALETTE[0],
        alpha=0.45,
        label="25th to 75th percentile",
    )
    ax.plot(
        x,
        _m(fan["budget_gap_cumulative_p50_gbp_k"]),
        color=charts.PALETTE[0],
        marker="o",
        label="Median",
    )
    ax.plot(
        x,
        _m(gap["budget_gap_cumulative_gbp_k"]),
        color=charts.TEXT,
        linestyle="--",
        marker="s",
        label="Scenario projection",
    )
    _finish(fig, ax, years, source + "; cumulative gap", period)
    return fig


def probability_sentence(probabilities: pd.DataFrame, milestone: str | None = None) -> str:
    """The chance the general fund is below its minimum, the first year that is more likely
    than not, and how that compares with the scenario's single projection (``milestone``: the
    year it falls below the minimum there, None when it does not)."""
    last = probabilities.iloc[-1]
    first_likely = probabilities.loc[
        probabilities["probability_general_fund_below_minimum_fraction"] >= 0.5, "year"
    ]
    text = (
        f"In {last['year']}, the general fund is below its minimum in {pct_text(last['probability_general_fund_below_minimum_fraction'])} "
        f"of simulations and usable reserves are exhausted in {pct_text(last['probability_usable_reserves_exhausted_fraction'])}."
    )
    first = str(first_likely.iloc[0]) if len(first_likely) else None
    if first:
        text += f" It becomes more likely than not in {first}"
        if milestone and first == milestone:
            text += ", the year the single projection of this scenario gives."
        elif milestone is None or first < milestone:
            shown = milestone or "no year within the plan"
            text += (
                f", earlier than the single projection of this scenario ({shown}): the simulated "
                "ranges lean towards worse outcomes than its central figures (see the fan above)."
            )
        else:
            text += f", later than the single projection of this scenario ({milestone})."
    elif milestone:
        text += (
            f" It is not more likely than not in any year, though the single projection of this "
            f"scenario falls below the minimum in {milestone}."
        )
    return text


def fan_sentence(fan: pd.DataFrame, gap: pd.DataFrame) -> str:
    year = fan["year"].iloc[-1]
    median = fan["budget_gap_cumulative_p50_gbp_k"].iloc[-1]
    projected = gap["budget_gap_cumulative_gbp_k"].iloc[-1]
    position = "above" if median > projected else "below"
    return (
        f"The middle of the simulated range for {year} ({gbp_m_text(median)}) is {position} this scenario's own "
        f"projection ({gbp_m_text(projected)}): the ranges in the assumptions file allow "
        + (
            "more room for worse outcomes than better ones around the central figures (costs "
            "higher, or income or savings delivery lower)."
            if median > projected
            else "more room for better outcomes than worse ones around the central figures."
        )
    )


def _short(change: str) -> str:
    """'up 1 percentage point' -> 'up 1 pp'."""
    return change.replace(" percentage point", " pp")


def sensitivity_sentence(sens: pd.DataFrame) -> str:
    """Which way each assumption was moved, and any test that would need a referendum."""
    text = (
        "Each assumption was moved one percentage point in the direction that widens the gap: "
        "costs up, and council tax, tax base, business rates, grants and savings delivery down "
        "(savings delivery never above 100%)."
    )
    breaches = sens[sens["breaches_referendum_limit"]]
    if breaches.empty:
        return text + " No test takes council tax above a referendum limit."
    parts = [
        f"{assumption} ({_short(change)}): {', '.join(group['year'])}"
        for (assumption, change), group in breaches.groupby(["assumption", "change"], sort=False)
    ]
    return text + (
        " Council tax would be above a referendum limit, so a referendum would be needed, in "
        + "; ".join(parts)
        + "."
    )
