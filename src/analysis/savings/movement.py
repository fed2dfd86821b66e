"""What changed since earlier quarters: movement since the previous snapshot (which savings
changed RAG or value), the trend across the year's snapshots, and slippage into later years
against the year's first snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.periods import Period, year_label
from analysis.savings.fields import RAG_RANK
from analysis.savings.measures import in_gbp_m, value_totals, year_rows

MOVEMENT_COLUMNS = [
    "reference", "title", "directorate", "change", "rag_before", "rag_now",
    "forecast_before_gbp_k", "forecast_now_gbp_k", "forecast_change_gbp_k",
]  # fmt: skip


MOVEMENT_ORDER = [
    "RAG worse",
    "RAG better",
    "New",
    "Removed",
    "Moved to a later year",
    "Forecast changed",
]


TREND_COLUMNS = [
    "period", "quarter", "planned_gbp_m", "delivered_gbp_m", "forecast_gbp_m", "at_risk_gbp_m",
    "delivery_rate", "forecast_delivery_rate",
]  # fmt: skip


SLIPPAGE_COLUMNS = [
    "reference", "title", "directorate", "type", "from_year", "to_year",
    "planned_before_gbp_k", "planned_now_gbp_k", "slipped_gbp_k",
]  # fmt: skip


def movement(current: pd.DataFrame, previous: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """Savings of the year whose RAG or forecast changed since the previous snapshot, and new
    and removed savings (a removed saving whose reference now appears in a later year is
    'Moved to a later year'). Empty (with the columns) when there is no previous snapshot."""
    if previous is None:
        return pd.DataFrame(columns=MOVEMENT_COLUMNS)
    now = year_rows(current, year).set_index("reference")
    before = year_rows(previous, year).set_index("reference")
    later = set(current.loc[current["financial_year"] > year, "reference"])
    records = []
    for ref in sorted(set(now.index) | set(before.index)):
        in_now, in_before = ref in now.index, ref in before.index
        source = now.loc[ref] if in_now else before.loc[ref]
        f_now = float(now.at[ref, "forecast_gbp_k"]) if in_now else 0.0
        f_before = float(before.at[ref, "forecast_gbp_k"]) if in_before else 0.0
        rag_now = now.at[ref, "rag"] if in_now else None
        rag_before = before.at[ref, "rag"] if in_before else None
        if not in_before:
            change = "New"
        elif not in_now:
            change = "Moved to a later year" if ref in later else "Removed"
        elif RAG_RANK[rag_now] > RAG_RANK[rag_before]:
            change = "RAG worse"
        elif RAG_RANK[rag_now] < RAG_RANK[rag_before]:
            change = "RAG better"
        elif abs(f_now - f_before) > 1e-6:
            change = "Forecast changed"
        else:
            continue
        records.append(
            {
                "reference": ref,
                "title": source["title"],
                "directorate": source["directorate"],
                "change": change,
                "rag_before": rag_before,
                "rag_now": rag_now,
                "forecast_before_gbp_k": f_before if in_before else np.nan,
                "forecast_now_gbp_k": f_now if in_now else np.nan,
                "forecast_change_gbp_k": f_now - f_before,
            }
        )
    frame = pd.DataFrame(records, columns=MOVEMENT_COLUMNS)
    if frame.empty:
        return frame
    frame["_order"] = frame["change"].map(MOVEMENT_ORDER.index)
    frame["_size"] = -frame["forecast_change_gbp_k"].abs()
    frame = frame.sort_values(["_order", "_size", "reference"], kind="mergesort")
    return frame[MOVEMENT_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class MovementSummary:
    available: bool
    previous_label: str | None = None
    worse: int = 0
    better: int = 0
    new: int = 0
    removed: int = 0
    moved: int = 0
    worse_planned_gbp_k: float = 0.0
    forecast_change_gbp_k: float = 0.0


def movement_summary(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    year: int,
    previous_label: str | None = None,
) -> MovementSummary:
    """Counts of RAG changes and the change in the year's total forecast since the last snapshot."""
    if previous is None:
        return MovementSummary(available=False)
    table = movement(current, previous, year)
    counts = table["change"].value_counts()
    worse_refs = set(table.loc[table["change"] == "RAG worse", "reference"])
    now = year_rows(current, year)
    return MovementSummary(
        available=True,
        previous_label=previous_label,
        worse=int(counts.get("RAG worse", 0)),
        better=int(counts.get("RAG better", 0)),
        new=int(counts.get("New", 0)),
        removed=int(counts.get("Removed", 0)),
        moved=int(counts.get("Moved to a later year", 0)),
        worse_planned_gbp_k=float(
            now.loc[now["reference"].isin(worse_refs), "planned_gbp_k"].sum()
        ),
        forecast_change_gbp_k=float(
            now["forecast_gbp_k"].sum() - year_rows(previous, year)["forecast_gbp_k"].sum()
        ),
    )


def trend(snapshots: dict[Period, pd.DataFrame], year: int) -> pd.DataFrame:
    """The year's headline measures in each quarter's snapshot, oldest first."""
    records = []
    for period in sorted(p for p in snapshots if p.year == year):
        totals = in_gbp_m(value_totals(year_rows(snapshots[period], year)))
        records.append({"period": str(period), "quarter": period.quarter, **totals})
    frame = pd.DataFrame(records, columns=TREND_COLUMNS)
    frame["quarter"] = frame["quarter"].astype(int)
    return frame


def slippage(current: pd.DataFrame, baseline: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """Savings moved from ``year`` to later years since the baseline snapshot, by value.

    For each reference planned in ``year`` in the baseline: slipped = min(reduction in this
    year's planned value, increase in its planned value for later years). Empty (with the
    columns) when there is no baseline.
    """
    if baseline is None:
        return pd.DataFrame(columns=SLIPPAGE_COLUMNS)

    def planned(frame: pd.DataFrame, later: bool) -> pd.Series:
        rows = frame[frame["financial_year"] > year] if later else year_rows(frame, year)
        return rows.groupby("reference")["planned_gbp_k"].sum()

    before_y, now_y = planned(baseline, False), planned(current, False)
    before_l, now_l = planned(baseline, True), planned(current, True)
    records = []
    for ref in sorted(before_y.index):
        reduced = max(0.0, float(before_y.get(ref, 0.0)) - float(now_y.get(ref, 0.0)))
        added = max(0.0, float(now_l.get(ref, 0.0)) - float(before_l.get(ref, 0.0)))
        slipped = min(reduced, added)
        if slipped <= 1e-9:
            continue
        later_now = current[(current["reference"] == ref) & (current["financial_year"] > year)]
        later_before = baseline[
            (baseline["reference"] == ref) & (baseline["financial_year"] > year)
        ]
        to_years = [
            y
            for y, value in later_now.groupby("financial_year")["planned_gbp_k"].sum().items()
            if value
            > later_before.loc[later_before["financial_year"] == y, "planned_gbp_k"].sum() + 1e-9
        ]
        source = baseline[
            (baseline["reference"] == ref) & (baseline["financial_year"] == year)
        ].iloc[0]
        records.append(
            {
                "reference": ref,
                "title": source["title"],
                "directorate": source["directorate"],
                "type": source["type"],
                "from_year": year_label(year),
                "to_year": ", ".join(year_label(int(y)) for y in sorted(to_years)),
                "planned_before_gbp_k": float(before_y[ref]),
                "planned_now_gbp_k": float(now_y.get(ref, 0.0)),
                "slipped_gbp_k": slipped,
            }
        )
    frame = pd.DataFrame(records, columns=SLIPPAGE_COLUMNS)
    return frame.sort_values(
        ["slipped_gbp_k", "reference"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
