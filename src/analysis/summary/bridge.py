"""What moved the MTFP gap since last quarter, for the summary: one sentence naming the largest
step and a waterfall, both from the pack's ``mtfp_bridge`` table (written by the MTFP report:
a ``start`` row, one ``step`` row per group of assumptions, an ``end`` row; ``gap_gbp_m`` and
``change_shown_gbp_m``, the steps as shown, adding up to the change as shown)."""

from __future__ import annotations

import pandas as pd

from analysis.summary.sentences import money


def _period_label(text) -> str:
    """'2021-22-Q1' -> '2021-22 Q1'."""
    year, _, quarter = str(text).rpartition("-")
    return f"{year} {quarter}"


def bridge_sentence(table: pd.DataFrame | None) -> str:
    """'The 2025-26 gap was £20.6m at 2021-22 Q1 and is £24.3m at 2021-22 Q2; the largest step
    is savings and their delivery, which widened it by £3.7m.' (or why there is none)."""
    if table is None:
        return "This pack has no bridge from last quarter's gap (its MTFP report did not make one)."
    if table.empty:
        return "There is no bridge from last quarter's gap: the MTFP report says why."
    start = table[table["row"] == "start"].iloc[0]
    end = table[table["row"] == "end"].iloc[0]
    steps = table[table["row"] == "step"]
    shown = steps["change_shown_gbp_m"].astype(float)
    text = (
        f"The {end['final_year']} gap was {money(start['gap_gbp_m'])} at "
        f"{_period_label(start['previous_period'])} and is {money(end['gap_gbp_m'])} at "
        f"{_period_label(end['period'])}"
    )
    if not (shown.round(1) != 0).any():
        return text + ": no group of assumptions moved it by £0.1m or more."
    largest = shown.abs().idxmax()
    moved = float(shown[largest])
    return text + (
        f"; the largest step is {str(steps.loc[largest, 'group']).lower()}, which "
        f"{'widened' if moved > 0 else 'narrowed'} it by {money(abs(moved))}."
    )


def bridge_chart(table: pd.DataFrame, source: str = "", period: str | None = None):
    """The waterfall from last quarter's final-year gap to this quarter's: ``(fig, alt,
    table)``."""
    from analysis.core import charts

    start = table[table["row"] == "start"].iloc[0]
    end = table[table["row"] == "end"].iloc[0]
    steps = table[table["row"] == "step"]
    fig, ax = charts.new_figure(
        f"The {end['final_year']} gap moved from {money(start['gap_gbp_m'])} to "
        f"{money(end['gap_gbp_m'])} since {_period_label(start['previous_period'])}",
        height=3.6,
    )
    charts.waterfall(
        ax,
        table["group"].astype(str).tolist(),
        round(float(start["gap_gbp_m"]), 1),
        steps["change_shown_gbp_m"].astype(float).tolist(),
        round(float(end["gap_gbp_m"]), 1),
    )
    charts.gbp_m_axis(ax)
    charts.add_caption(fig, (source + "; " if source else "") + "+ widens the gap", period)
    alt = (
        "Waterfall of the final-year budget gap from last quarter to this one, a bar for each "
        "group of assumptions (rising where it widened the gap), in £m."
    )
    data = table[["group", "gap_gbp_m", "change_shown_gbp_m"]].rename(
        columns={"change_shown_gbp_m": "change_gbp_m"}
    )
    return fig, alt, data
