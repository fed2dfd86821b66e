"""The MTFP's final-year gap from last quarter to this one, in one sentence and as a waterfall,
from the bridge table as the MTFP report saves it (``mtfp_bridge``, in £m): a ``start`` row
(``gap_gbp_m``, ``previous_period``), one ``step`` row per group of assumptions
(``change_shown_gbp_m``: the step as shown, to 0.1m, the steps adding up to the change as shown)
and an ``end`` row (``gap_gbp_m``, ``period``, ``final_year``).

The MTFP report and the summary both say it, so the words and the picture are made here once and
cannot drift apart.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.display import gbp_m_text
from analysis.core.periods import Period


def _parts(table: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    start = table[table["row"] == "start"].iloc[0]
    end = table[table["row"] == "end"].iloc[0]
    return start, end, table[table["row"] == "step"]


def _money(value_gbp_m: float) -> str:
    return gbp_m_text(float(value_gbp_m) * 1000)


def _label(period) -> str:
    return Period.parse(str(period)).label


def bridge_sentence(table: pd.DataFrame) -> str:
    """'The 2025-26 gap was £20.6m at 2021-22 Q1 and is £24.3m at 2021-22 Q2; the largest step
    is savings and their delivery, which widened it by £3.7m.' (``table`` not empty)."""
    start, end, steps = _parts(table)
    shown = steps["change_shown_gbp_m"].astype(float).reset_index(drop=True)
    text = (
        f"The {end['final_year']} gap was {_money(start['gap_gbp_m'])} at "
        f"{_label(start['previous_period'])} and is {_money(end['gap_gbp_m'])} at "
        f"{_label(end['period'])}"
    )
    if not (shown.round(1) != 0).any():
        return text + ": no group of assumptions moved it by £0.1m or more."
    largest = int(shown.abs().idxmax())
    moved = float(shown[largest])
    return text + (
        f"; the largest step is {str(steps['group'].iloc[largest]).lower()}, which "
        f"{'widened' if moved > 0 else 'narrowed'} it by {_money(abs(moved))}."
    )


def bridge_chart(table: pd.DataFrame, source: str, period: str | None, height: float, note: str):
    """The waterfall: last quarter's gap, a bar per step (rising where it widened the gap),
    this quarter's gap; the caption is ``source``, then ``note`` (what + and - mean)."""
    from analysis.core import charts  # matplotlib only when a chart is drawn

    start, end, steps = _parts(table)
    fig, ax = charts.new_figure(
        f"The {end['final_year']} gap moved from {_money(start['gap_gbp_m'])} to "
        f"{_money(end['gap_gbp_m'])} since {_label(start['previous_period'])}",
        height=height,
    )
    charts.waterfall(
        ax,
        table["group"].astype(str).tolist(),
        round(float(start["gap_gbp_m"]), 1),
        steps["change_shown_gbp_m"].astype(float).tolist(),
        round(float(end["gap_gbp_m"]), 1),
    )
    charts.gbp_m_axis(ax)
    charts.add_caption(fig, (source + "; " if source else "") + note, period)
    return fig
