"""Savings delivery: how much of the planned savings programme is being delivered, by value.

Definitions (all by value, £ thousand in, £m in the summary tables):

- planned, delivered to date and forecast for the year are the register's values for the
  savings of one financial year in one quarter's snapshot;
- delivery rate = delivered / planned; forecast delivery rate = forecast / planned (NaN when
  nothing is planned);
- value at risk = the planned value of savings rated Amber or Red; lost = the planned value of
  savings rated Red (will not be delivered in the year). Blue + Green + Amber + Red = planned;
- movement compares a snapshot with the previous quarter's;
- slippage compares a snapshot with the first snapshot of the year (the baseline): for each
  reference, the planned value taken out of this year and added to later years (the same
  reference appearing with a later financial year), i.e. min(reduction this year, increase in
  later years). A saving phased over several years from the start is not slippage;
- undelivered savings (planned - forecast) are the pressure the MTFP must carry, and the
  forecast delivery rates by directorate and type (:func:`historical_delivery_rates`) are the
  haircut the MTFP's pessimistic scenario applies to future savings.

Loading and checking the register is in :mod:`analysis.savings_register`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import charts
from analysis.config import Council
from analysis.display import gbp_m_text
from analysis.errors import InputError, display_path
from analysis.periods import Period, year_label
from analysis.savings_register import (
    RAG_ORDER,
    RAG_RANK,
    SavingsSettings,
    load_settings,
    load_snapshot,
    load_year,
    missing_register_error,
    register_path,
)

__all__ = [
    "SavingsAnalysis",
    "analyse",
    "at_risk",
    "by_directorate",
    "by_type",
    "delivery_rates",
    "headline",
    "historical_delivery_rates",
    "movement",
    "movement_summary",
    "mtfp_pressure",
    "slippage",
    "trend",
    "validate_inputs",
]

SOURCE = "council savings register"
# Column headings for display where the automatic ones read badly (pass as headers=...).
HEADERS = {
    "rag": "RAG", "rag_before": "RAG before", "rag_now": "RAG now", "type": "Type",
    "from_year": "From", "to_year": "To", "number_of_savings": "Savings (number)",
}  # fmt: skip
GROUP_COLUMNS = [
    "number_of_savings", "planned_gbp_m", "delivered_gbp_m", "forecast_gbp_m", "at_risk_gbp_m",
    "lost_gbp_m", "blue_gbp_m", "green_gbp_m", "amber_gbp_m", "red_gbp_m", "delivery_rate",
    "forecast_delivery_rate",
]  # fmt: skip
# The columns of the directorate and type tables a committee reads (the RAG split is in the chart).
SUMMARY_COLUMNS = [
    "number_of_savings", "planned_gbp_m", "delivered_gbp_m", "forecast_gbp_m", "at_risk_gbp_m",
    "lost_gbp_m", "delivery_rate", "forecast_delivery_rate",
]  # fmt: skip
HEADLINE_COLUMNS = [
    "financial_year", "planned_gbp_m", "delivered_gbp_m", "forecast_gbp_m", "at_risk_gbp_m",
    "lost_gbp_m", "delivery_rate", "forecast_delivery_rate",
]  # fmt: skip
AT_RISK_COLUMNS = [
    "reference", "title", "directorate", "type", "rag", "planned_gbp_k", "forecast_gbp_k",
    "shortfall_gbp_k", "owner", "mitigation",
]  # fmt: skip
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
PRESSURE_COLUMNS = [
    "directorate", "financial_year", "planned_gbp_m", "forecast_gbp_m", "undelivered_gbp_m",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Measures on one snapshot (pure functions of a register frame, as loaded)


def _rate(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator != 0 else math.nan


def year_rows(register: pd.DataFrame, year: int) -> pd.DataFrame:
    """The savings of one financial year (start year, e.g. 2021 for 2021-22)."""
    return register[register["financial_year"] == year]


def _totals(rows: pd.DataFrame) -> dict[str, float]:
    """Planned, delivered, forecast and the RAG split by value (£k) of some savings."""
    planned = float(rows["planned_gbp_k"].sum())
    delivered = float(rows["delivered_gbp_k"].sum())
    forecast = float(rows["forecast_gbp_k"].sum())
    by_rag = {rag: float(rows.loc[rows["rag"] == rag, "planned_gbp_k"].sum()) for rag in RAG_ORDER}
    return {
        "number_of_savings": len(rows),
        "planned": planned,
        "delivered": delivered,
        "forecast": forecast,
        "at_risk": by_rag["Amber"] + by_rag["Red"],
        "lost": by_rag["Red"],
        **{rag.lower(): value for rag, value in by_rag.items()},
        "delivery_rate": _rate(delivered, planned),
        "forecast_delivery_rate": _rate(forecast, planned),
    }


def _in_gbp_m(totals: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in totals.items():
        if key in ("number_of_savings", "delivery_rate", "forecast_delivery_rate"):
            out[key] = value
        else:
            out[f"{key}_gbp_m"] = value / 1000.0
    return out


def headline(register: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row: the year's planned, delivered, forecast, at risk, lost (£m) and the two rates."""
    totals = _in_gbp_m(_totals(year_rows(register, year)))
    row = {"financial_year": year_label(year), **totals}
    return pd.DataFrame([row], columns=HEADLINE_COLUMNS)


def _by_group(
    register: pd.DataFrame, year: int, column: str, categories: list[str]
) -> pd.DataFrame:
    rows = year_rows(register, year)
    extra = sorted(set(rows[column].dropna()) - set(categories))
    records = []
    for category in [*categories, *extra]:
        totals = _in_gbp_m(_totals(rows[rows[column] == category]))
        records.append({column: category, **totals})
    frame = pd.DataFrame(records, columns=[column, *GROUP_COLUMNS])
    frame["number_of_savings"] = frame["number_of_savings"].astype(int)
    return frame


def by_directorate(register: pd.DataFrame, year: int, directorates: list[str]) -> pd.DataFrame:
    """One row per directorate (every directorate, zero where it has no savings)."""
    return _by_group(register, year, "directorate", list(directorates))


def by_type(register: pd.DataFrame, year: int, types: list[str]) -> pd.DataFrame:
    """One row per savings type (every configured type, zero where there are none)."""
    return _by_group(register, year, "type", list(types))


def at_risk(register: pd.DataFrame, year: int) -> pd.DataFrame:
    """The Red and Amber savings of the year, largest planned value first, with owner and mitigation."""
    rows = year_rows(register, year)
    rows = rows[rows["rag"].isin(["Red", "Amber"])].copy()
    rows["shortfall_gbp_k"] = rows["planned_gbp_k"] - rows["forecast_gbp_k"]
    rows["_rank"] = rows["rag"].map(RAG_RANK)
    rows = rows.sort_values(
        ["planned_gbp_k", "_rank", "reference"], ascending=[False, False, True], kind="mergesort"
    )
    return rows[AT_RISK_COLUMNS].reset_index(drop=True)


def mtfp_pressure(register: pd.DataFrame, year: int, directorates: list[str]) -> pd.DataFrame:
    """Undelivered savings (planned - forecast) by directorate: the pressure the MTFP must carry."""
    rows = year_rows(register, year)
    records = []
    for name in list(directorates) + sorted(set(rows["directorate"]) - set(directorates)):
        part = rows[rows["directorate"] == name]
        planned = float(part["planned_gbp_k"].sum())
        forecast = float(part["forecast_gbp_k"].sum())
        records.append(
            {
                "directorate": name,
                "financial_year": year_label(year),
                "planned_gbp_m": planned / 1000.0,
                "forecast_gbp_m": forecast / 1000.0,
                "undelivered_gbp_m": (planned - forecast) / 1000.0,
            }
        )
    return pd.DataFrame(records, columns=PRESSURE_COLUMNS)


def delivery_rates(
    register: pd.DataFrame,
    year: int,
    directorates: list[str] | None = None,
    types: list[str] | None = None,
) -> pd.DataFrame:
    """Forecast delivery rate by value (fraction 0-1) for the MTFP's savings haircut.

    Columns ``directorate, type, delivery_rate``: one row per (directorate, type) with savings
    planned in the year, then one row per such directorate with ``type`` NaN, then one overall
    row with both NaN. Rates are clipped to [0, 1] (over-delivery never inflates future
    savings). Groups with nothing planned carry no evidence and get no row; the overall rate is
    NaN only when nothing at all is planned.
    """
    rows = year_rows(register, year)
    present_d = set(rows["directorate"])
    present_t = set(rows["type"])
    d_order = [d for d in (directorates or []) if d in present_d] + sorted(
        present_d - set(directorates or [])
    )
    t_order = [t for t in (types or []) if t in present_t] + sorted(present_t - set(types or []))

    def rate(part: pd.DataFrame) -> float:
        value = _rate(float(part["forecast_gbp_k"].sum()), float(part["planned_gbp_k"].sum()))
        return value if math.isnan(value) else min(1.0, max(0.0, value))

    records = []
    for d in d_order:
        for t in t_order:
            part = rows[(rows["directorate"] == d) & (rows["type"] == t)]
            if part["planned_gbp_k"].sum() != 0:
                records.append({"directorate": d, "type": t, "delivery_rate": rate(part)})
    for d in d_order:
        part = rows[rows["directorate"] == d]
        if part["planned_gbp_k"].sum() != 0:
            records.append({"directorate": d, "type": np.nan, "delivery_rate": rate(part)})
    records.append({"directorate": np.nan, "type": np.nan, "delivery_rate": rate(rows)})
    frame = pd.DataFrame(records, columns=["directorate", "type", "delivery_rate"])
    frame["directorate"] = frame["directorate"].astype(object)
    frame["type"] = frame["type"].astype(object)
    frame["delivery_rate"] = frame["delivery_rate"].astype(float)
    return frame


# ---------------------------------------------------------------------------------------------
# Comparing snapshots


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
        totals = _in_gbp_m(_totals(year_rows(snapshots[period], year)))
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


# ---------------------------------------------------------------------------------------------
# Loading a council's snapshots


def historical_delivery_rates(council: Council, period: Period) -> pd.DataFrame:
    """Forecast delivery rates by value from the register snapshot for ``period``.

    Columns ``directorate``, ``type``, ``delivery_rate`` (fraction 0-1): one row per
    (directorate, type) present, directorate rows with ``type`` NaN, one overall row with both
    NaN. Used by the MTFP's pessimistic scenario as a haircut on planned savings.
    """
    settings = load_settings(council)
    register = load_snapshot(council, period, settings)
    if register is None:
        raise missing_register_error(council, period)
    rates = delivery_rates(register, period.year, council.directorates, settings.types)
    if rates["delivery_rate"].isna().any():
        raise InputError.single(
            display_path(register_path(council, period)),
            f"no savings planned for {year_label(period.year)}: cannot work out delivery rates",
        )
    return rates


@dataclass
class SavingsAnalysis:
    """Every snapshot of one financial year up to a period, and the measures on them."""

    council: Council
    period: Period
    settings: SavingsSettings
    snapshots: dict[Period, pd.DataFrame] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def year_label(self) -> str:
        return year_label(self.period.year)

    @property
    def current(self) -> pd.DataFrame:
        return self.snapshots[self.period]

    @property
    def previous_period(self) -> Period | None:
        previous = self.period.previous
        return previous if previous in self.snapshots else None

    @property
    def previous(self) -> pd.DataFrame | None:
        return self.snapshots[self.previous_period] if self.previous_period else None

    @property
    def baseline_period(self) -> Period | None:
        earlier = sorted(p for p in self.snapshots if p < self.period)
        return earlier[0] if earlier else None

    @property
    def baseline(self) -> pd.DataFrame | None:
        return self.snapshots[self.baseline_period] if self.baseline_period else None

    # Tables -----------------------------------------------------------------------------------
    def headline(self) -> pd.DataFrame:
        return headline(self.current, self.year)

    def by_directorate(self) -> pd.DataFrame:
        return by_directorate(self.current, self.year, self.council.directorates)

    def by_type(self) -> pd.DataFrame:
        return by_type(self.current, self.year, self.settings.types)

    def at_risk(self) -> pd.DataFrame:
        return at_risk(self.current, self.year)

    def movement(self) -> pd.DataFrame:
        return movement(self.current, self.previous, self.year)

    def movement_summary(self) -> MovementSummary:
        label = self.previous_period.label if self.previous_period else None
        return movement_summary(self.current, self.previous, self.year, label)

    def trend(self) -> pd.DataFrame:
        return trend(self.snapshots, self.year)

    def slippage(self) -> pd.DataFrame:
        return slippage(self.current, self.baseline, self.year)

    def mtfp_pressure(self) -> pd.DataFrame:
        return mtfp_pressure(self.current, self.year, self.council.directorates)

    def delivery_rates(self) -> pd.DataFrame:
        return delivery_rates(
            self.current, self.year, self.council.directorates, self.settings.types
        )

    # Words ------------------------------------------------------------------------------------
    def headline_tiles(self) -> list[tuple[str, str, str]]:
        h = self.headline().iloc[0]
        count = len(year_rows(self.current, self.year))
        return [
            (
                "Savings planned",
                gbp_m_text(h["planned_gbp_m"] * 1000),
                f"{count} savings for {self.year_label}",
            ),
            (
                "Forecast delivery",
                _pct(h["forecast_delivery_rate"]),
                f"of planned value forecast by year end ({gbp_m_text(h['forecast_gbp_m'] * 1000)})",
            ),
            (
                "Value at risk",
                gbp_m_text(h["at_risk_gbp_m"] * 1000),
                "planned value rated amber or red",
            ),
            ("Lost this year", gbp_m_text(h["lost_gbp_m"] * 1000), "planned value rated red"),
        ]

    def headline_sentence(self) -> str:
        h = self.headline().iloc[0]
        if h["planned_gbp_m"] == 0:
            return f"The register for {self.period.label} holds no savings planned for {self.year_label}."
        return (
            f"Of {gbp_m_text(h['planned_gbp_m'] * 1000)} of savings planned for {self.year_label}, "
            f"{gbp_m_text(h['delivered_gbp_m'] * 1000)} ({_pct(h['delivery_rate'])}) had been delivered "
            f"by the end of {self.period.label} and {gbp_m_text(h['forecast_gbp_m'] * 1000)} "
            f"({_pct(h['forecast_delivery_rate'])}) is forecast to be delivered by the year end. "
            f"{gbp_m_text(h['at_risk_gbp_m'] * 1000)} is at risk (rated amber or red), of which "
            f"{gbp_m_text(h['lost_gbp_m'] * 1000)} is rated red and is not expected to be delivered "
            "this year."
        )

    def group_sentence(self, table: pd.DataFrame, column: str) -> str:
        risky = table[table["at_risk_gbp_m"] > 0].sort_values(
            "at_risk_gbp_m", ascending=False, kind="mergesort"
        )
        if risky.empty:
            return f"No {column} has savings rated amber or red."
        top = risky.iloc[0]
        if column == "type":
            return (
                f"The largest value at risk is in {str(top[column]).lower()} savings: "
                f"{gbp_m_text(top['at_risk_gbp_m'] * 1000)} of {gbp_m_text(top['planned_gbp_m'] * 1000)} "
                f"planned are rated amber or red, and {_pct(top['forecast_delivery_rate'])} is forecast "
                "to be delivered."
            )
        return (
            f"The largest value at risk is in {top[column]}: {gbp_m_text(top['at_risk_gbp_m'] * 1000)} "
            f"of its {gbp_m_text(top['planned_gbp_m'] * 1000)} planned savings are rated amber or red, "
            f"and it is forecast to deliver {_pct(top['forecast_delivery_rate'])} of them."
        )

    def at_risk_sentence(self) -> str:
        table = self.at_risk()
        if table.empty:
            return "No savings are rated amber or red."
        red = table[table["rag"] == "Red"]
        return (
            f"{len(table)} savings worth {gbp_m_text(table['planned_gbp_k'].sum())} are rated amber or "
            f"red; {len(red)} of them ({gbp_m_text(red['planned_gbp_k'].sum())}) are red. The forecast "
            f"shortfall on these savings is {gbp_m_text(table['shortfall_gbp_k'].sum())}."
        )

    def movement_sentence(self) -> str:
        s = self.movement_summary()
        if not s.available:
            return (
                f"There is no earlier snapshot of the register for {self.year_label} to compare with, "
                f"so movement since last quarter cannot be shown for {self.period.label}."
            )
        change = s.forecast_change_gbp_k
        direction = "risen" if change > 0 else "fallen" if change < 0 else "not changed"
        amount = f" by {gbp_m_text(abs(change))}" if change else ""
        return (
            f"Since {s.previous_label}, {_count(s.worse, 'saving')} got a worse RAG rating "
            f"({gbp_m_text(s.worse_planned_gbp_k)} planned) and {_count(s.better, 'saving')} a better "
            f"one; {_count(s.new, 'saving')} were added, {_count(s.removed, 'saving')} removed and "
            f"{_count(s.moved, 'saving')} moved wholly to a later year. The forecast for the year has "
            f"{direction}{amount}."
        )

    def trend_sentence(self) -> str:
        table = self.trend()
        if len(table) < 2:
            return (
                f"Only one quarter's register is available for {self.year_label}, so there is no trend "
                f"yet: the forecast delivery rate is {_pct(table['forecast_delivery_rate'].iloc[-1])}."
            )
        first, last = table.iloc[0], table.iloc[-1]
        verb = (
            "risen"
            if last["forecast_delivery_rate"] > first["forecast_delivery_rate"]
            else "fallen"
            if last["forecast_delivery_rate"] < first["forecast_delivery_rate"]
            else "stayed"
        )
        return (
            f"The forecast delivery rate has {verb} from {_pct(first['forecast_delivery_rate'])} at "
            f"Q{first['quarter']} to {_pct(last['forecast_delivery_rate'])} at Q{last['quarter']}."
        )

    def slippage_sentence(self) -> str:
        if self.baseline is None:
            return (
                f"There is no earlier snapshot of the register for {self.year_label}, so slippage into "
                "later years cannot be measured yet."
            )
        table = self.slippage()
        if table.empty:
            return f"No savings have moved from {self.year_label} to a later year since {self.baseline_period.label}."
        return (
            f"Since {self.baseline_period.label}, {_count(len(table), 'saving')} worth "
            f"{gbp_m_text(table['slipped_gbp_k'].sum())} have been moved from {self.year_label} into "
            "later years. That money is still planned, but later: this year's budget must find it "
            "elsewhere."
        )

    def pressure_sentence(self) -> str:
        table = self.mtfp_pressure()
        total = table["undelivered_gbp_m"].sum() * 1000
        rates = self.delivery_rates()
        overall = rates.loc[
            rates["directorate"].isna() & rates["type"].isna(), "delivery_rate"
        ].iloc[0]
        if total <= 0:
            lead = f"All the savings planned for {self.year_label} are forecast to be delivered."
        else:
            lead = (
                f"{gbp_m_text(total)} of the savings planned for {self.year_label} are forecast not to be "
                "delivered. Unless they are replaced, the MTFP must carry this as a pressure: on this "
                "year's budget, and on later years' for savings meant to recur."
            )
        return (
            f"{lead} Based on this register the council is forecast to deliver {_pct(overall)} of "
            "its planned savings by value; the MTFP's pessimistic scenario applies these delivery "
            "rates, by directorate and type, to the savings planned for future years."
        )

    # Charts -----------------------------------------------------------------------------------
    def rag_chart(self, table: pd.DataFrame, column: str):
        """Horizontal stacked bars of planned value by RAG (£m) for each directorate or type."""
        risky = table.sort_values("at_risk_gbp_m", ascending=False, kind="mergesort").iloc[0]
        if risky["at_risk_gbp_m"] > 0:
            title = (
                f"{risky[column]} has the most savings at risk: "
                f"{gbp_m_text(risky['at_risk_gbp_m'] * 1000)} rated amber or red"
            )
        else:
            title = f"No savings are rated amber or red in {self.period.label}"
        fig, ax = charts.new_figure(title, height=max(3.0, 1.0 + 0.6 * len(table)))
        labels = [str(v) for v in table[column]][::-1]
        left = np.zeros(len(table))
        for rag in RAG_ORDER:
            values = table[f"{rag.lower()}_gbp_m"].to_numpy(dtype=float)[::-1]
            ax.barh(
                labels, values, left=left, label=rag, color=charts.RAG_COLOURS[rag],
                hatch=charts.RAG_HATCHES[rag], edgecolor="white", linewidth=0.5,
            )  # fmt: skip
            left += values
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        charts.gbp_m_axis(ax, axis="x", label="Planned savings by RAG status, £m")
        ax.legend(title="RAG status", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        charts.add_caption(fig, f"{self.council.display_name} {SOURCE}", self.period.label)
        return fig

    def rag_chart_alt(self, table: pd.DataFrame, column: str) -> str:
        parts = [
            f"{row[column]}: {gbp_m_text(row['planned_gbp_m'] * 1000)} planned, "
            f"{gbp_m_text(row['blue_gbp_m'] * 1000)} blue, {gbp_m_text(row['green_gbp_m'] * 1000)} green, "
            f"{gbp_m_text(row['amber_gbp_m'] * 1000)} amber, {gbp_m_text(row['red_gbp_m'] * 1000)} red"
            for _, row in table.iterrows()
        ]
        return (
            f"Stacked bar chart of planned savings by RAG status for each {column}. "
            + "; ".join(parts)
            + "."
        )

    def trend_chart(self):
        table = self.trend()
        last = table.iloc[-1]
        fig, ax = charts.new_figure(
            f"{_pct(last['forecast_delivery_rate'])} of planned savings forecast to be delivered at "
            f"{self.period.label}"
        )
        styles = charts.series_styles(2)
        x = list(range(len(table)))
        ax.plot(
            x,
            table["forecast_delivery_rate"],
            label="Forecast delivery rate (by year end)",
            **styles[0],
        )
        ax.plot(x, table["delivery_rate"], label="Delivered to date", **styles[1])
        charts.label_years(ax, [f"Q{q}" for q in table["quarter"]])
        ax.set_xlim(-0.5, len(table) - 0.5)
        ax.set_ylim(0, 1.05)
        charts.percent_axis(ax, label="Share of planned savings (by value)")
        ax.set_xlabel(f"Quarter of {self.year_label}")
        ax.legend(loc="lower right")
        charts.add_caption(fig, f"{self.council.display_name} {SOURCE}", self.period.label)
        return fig

    def trend_chart_alt(self) -> str:
        table = self.trend()
        points = "; ".join(
            f"Q{row['quarter']}: forecast {_pct(row['forecast_delivery_rate'])}, delivered to date "
            f"{_pct(row['delivery_rate'])}"
            for _, row in table.iterrows()
        )
        return (
            f"Line chart of the savings delivery rates by quarter of {self.year_label}. {points}."
        )


def _pct(value: float) -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value * 100:.0f}%"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def analyse(council: Council, period: Period) -> SavingsAnalysis:
    """Load every snapshot of the period's year up to the period (InputError on any problem)."""
    settings = load_settings(council)
    return SavingsAnalysis(council, period, settings, load_year(council, period))


def validate_inputs(
    council: Council, period: Period, scenario: str, public_data: Path | None
) -> str:
    """Load (and so check) every register the savings notebook reads; a one-line summary."""
    analysis = analyse(council, period)
    rows = year_rows(analysis.current, analysis.year)
    earlier = [p for p in sorted(analysis.snapshots) if p != period]
    compared = f"; earlier snapshots: {', '.join(str(p) for p in earlier)}" if earlier else ""
    return (
        f"Savings register {period}: {len(rows)} savings for {analysis.year_label}, "
        f"{gbp_m_text(rows['planned_gbp_k'].sum())} planned{compared}"
    )
