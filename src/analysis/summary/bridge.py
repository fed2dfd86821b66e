"""What moved the MTFP gap since last quarter, for the summary: one sentence naming the largest
step and a waterfall, both from the pack's ``mtfp_bridge`` table (written by the MTFP report:
a ``start`` row, one ``step`` row per group of assumptions, an ``end`` row; ``gap_gbp_m`` and
``change_shown_gbp_m``, the steps as shown, adding up to the change as shown)."""

from __future__ import annotations

import pandas as pd

from analysis.core import gap_bridge


def bridge_sentence(table: pd.DataFrame | None) -> str:
    """'The 2025-26 gap was £20.6m at 2021-22 Q1 and is £24.3m at 2021-22 Q2; the largest step
    is savings and their delivery, which widened it by £3.7m.' (or why there is none), as the
    MTFP report says it (:mod:`analysis.core.gap_bridge`)."""
    if table is None:
        return "This pack has no bridge from last quarter's gap (its MTFP report did not make one)."
    if table.empty:
        return "There is no bridge from last quarter's gap: the MTFP report says why."
    return gap_bridge.bridge_sentence(table)


def bridge_chart(table: pd.DataFrame, source: str = "", period: str | None = None):
    """The waterfall from last quarter's final-year gap to this quarter's: ``(fig, alt,
    table)``."""
    fig = gap_bridge.bridge_chart(table, source, period, height=3.6, note="+ widens the gap")
    alt = (
        "Waterfall of the final-year budget gap from last quarter to this one, a bar for each "
        "group of assumptions (rising where it widened the gap), in £m."
    )
    data = table[["group", "gap_gbp_m", "change_shown_gbp_m"]].rename(
        columns={"change_shown_gbp_m": "change_gbp_m"}
    )
    return fig, alt, data
