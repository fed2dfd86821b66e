"""Savings delivery: how much of the planned savings programme is being delivered, by value.

Definitions (all by value, £ thousand in, £m in the summary tables):

- planned, delivered to date and forecast for the year are the register's values for the
  savings of one financial year in one quarter's snapshot;
- delivery rate = delivered / planned; forecast delivery rate = forecast / planned (NaN when
  nothing is planned);
- value at risk = the planned value of savings rated Amber or Red; lost (not expected this
  year) = planned - forecast: what the register does not expect to be delivered in the year,
  whatever the RAG rating (a red saving may still forecast part of its value, and an amber one
  may forecast less than planned). It equals the pressure the MTFP must carry. Blue + Green +
  Amber + Red = planned;
- movement compares a snapshot with the previous quarter's;
- slippage compares a snapshot with the first snapshot of the year (the baseline): for each
  reference, the planned value taken out of this year and added to later years (the same
  reference appearing with a later financial year), i.e. min(reduction this year, increase in
  later years). A saving phased over several years from the start is not slippage;
- undelivered savings (planned - forecast) are the pressure the MTFP must carry, and the
  forecast delivery rates by directorate and type (:func:`historical_delivery_rates`) are the
  haircut the MTFP's pessimistic scenario applies to future savings.

Loading and checking the register is in :mod:`analysis.savings.register`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.core.errors import InputError, display_path
from analysis.core.periods import Period, year_label
from analysis.savings.fields import RAG_ORDER, RAG_RANK, load_settings
from analysis.savings.register import load_snapshot, missing_register_error, register_path

SOURCE = "council savings register"


# Column headings for display where the automatic ones read badly (pass as headers=...).
HEADERS = {
    "rag": "RAG", "rag_before": "RAG before", "rag_now": "RAG now", "type": "Type",
    "from_year": "From", "to_year": "To", "number_of_savings": "Savings (number)",
    "own_rate": "Group's own forecast rate", "delivery_rate": "Delivery rate applied",
    "rate_basis": "Rate taken from",
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


PRESSURE_COLUMNS = [
    "directorate", "financial_year", "planned_gbp_m", "forecast_gbp_m", "undelivered_gbp_m",
]  # fmt: skip


def _rate(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator != 0 else math.nan


def year_rows(register: pd.DataFrame, year: int) -> pd.DataFrame:
    """The savings of one financial year (start year, e.g. 2021 for 2021-22)."""
    return register[register["financial_year"] == year]


def value_totals(rows: pd.DataFrame) -> dict[str, float]:
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
        "lost": planned - forecast,
        **{rag.lower(): value for rag, value in by_rag.items()},
        "delivery_rate": _rate(delivered, planned),
        "forecast_delivery_rate": _rate(forecast, planned),
    }


def in_gbp_m(totals: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in totals.items():
        if key in ("number_of_savings", "delivery_rate", "forecast_delivery_rate"):
            out[key] = value
        else:
            out[f"{key}_gbp_m"] = value / 1000.0
    return out


def headline(register: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row: the year's planned, delivered, forecast, at risk, lost (£m) and the two rates."""
    totals = in_gbp_m(value_totals(year_rows(register, year)))
    row = {"financial_year": year_label(year), **totals}
    return pd.DataFrame([row], columns=HEADLINE_COLUMNS)


def _by_group(
    register: pd.DataFrame, year: int, column: str, categories: list[str]
) -> pd.DataFrame:
    rows = year_rows(register, year)
    extra = sorted(set(rows[column].dropna()) - set(categories))
    records = []
    for category in [*categories, *extra]:
        totals = in_gbp_m(value_totals(rows[rows[column] == category]))
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


POOL_MIN_COUNT = 3  # a group with fewer savings than this takes a wider group's rate
POOL_MIN_PLANNED_GBP_K = 1000.0  # ... and so does one with less than £1.0m planned

# Where a group's delivery rate comes from, in the words the report's table shows.
OWN, POOLED_DIRECTORATE, POOLED_OVERALL = "its own savings", "its directorate", "the whole council"

RATE_COLUMNS = [
    "directorate", "type", "number_of_savings", "planned_gbp_k", "forecast_gbp_k", "own_rate",
    "delivery_rate", "rate_basis",
]  # fmt: skip


def delivery_rates(
    register: pd.DataFrame,
    year: int,
    directorates: list[str] | None = None,
    types: list[str] | None = None,
    min_count: int = POOL_MIN_COUNT,
    min_planned_gbp_k: float = POOL_MIN_PLANNED_GBP_K,
) -> pd.DataFrame:
    """This year's forecast delivery rate by value (fraction 0-1), for the MTFP's savings haircut.

    The rates are the register's *forecast* for the year (forecast / planned by value), not a
    record of past years. Columns :data:`RATE_COLUMNS`: one row per (directorate, type) with
    savings planned in the year, then one row per such directorate with ``type`` NaN, then one
    overall row with both NaN. ``own_rate`` is the group's own rate, clipped to [0, 1]
    (over-delivery never inflates future savings); ``delivery_rate`` is the rate to use: a group
    with fewer than ``min_count`` savings or less than ``min_planned_gbp_k`` planned rests on too
    little evidence and takes its directorate's rate (a directorate too small takes the overall
    rate), named in ``rate_basis``. Groups with nothing planned get no row; the overall rate is
    NaN only when nothing at all is planned.
    """
    rows = year_rows(register, year)
    present_d = set(rows["directorate"])
    present_t = set(rows["type"])
    d_order = [d for d in (directorates or []) if d in present_d] + sorted(
        present_d - set(directorates or [])
    )
    t_order = [t for t in (types or []) if t in present_t] + sorted(present_t - set(types or []))

    def facts(part: pd.DataFrame) -> dict:
        planned = float(part["planned_gbp_k"].sum())
        forecast = float(part["forecast_gbp_k"].sum())
        value = _rate(forecast, planned)
        return {
            "number_of_savings": len(part),
            "planned_gbp_k": planned,
            "forecast_gbp_k": forecast,
            "own_rate": value if math.isnan(value) else min(1.0, max(0.0, value)),
        }

    def enough(f: dict) -> bool:
        return f["number_of_savings"] >= min_count and f["planned_gbp_k"] >= min_planned_gbp_k

    overall = facts(rows)
    overall.update(delivery_rate=overall["own_rate"], rate_basis=OWN)
    by_dir: dict[str, dict] = {}
    for d in d_order:
        f = facts(rows[rows["directorate"] == d])
        if f["planned_gbp_k"] == 0:
            continue
        own = enough(f)
        f.update(
            delivery_rate=f["own_rate"] if own else overall["own_rate"],
            rate_basis=OWN if own else POOLED_OVERALL,
        )
        by_dir[d] = f
    records = []
    for d in by_dir:
        for t in t_order:
            f = facts(rows[(rows["directorate"] == d) & (rows["type"] == t)])
            if f["planned_gbp_k"] == 0:
                continue
            if enough(f):
                f.update(delivery_rate=f["own_rate"], rate_basis=OWN)
            else:
                parent = by_dir[d]
                basis = POOLED_DIRECTORATE if parent["rate_basis"] == OWN else POOLED_OVERALL
                f.update(delivery_rate=parent["delivery_rate"], rate_basis=basis)
            records.append({"directorate": d, "type": t, **f})
    records += [{"directorate": d, "type": np.nan, **f} for d, f in by_dir.items()]
    records.append({"directorate": np.nan, "type": np.nan, **overall})
    frame = pd.DataFrame(records, columns=RATE_COLUMNS)
    frame["directorate"] = frame["directorate"].astype(object)
    frame["type"] = frame["type"].astype(object)
    frame["number_of_savings"] = frame["number_of_savings"].astype(int)
    for column in ("planned_gbp_k", "forecast_gbp_k", "own_rate", "delivery_rate"):
        frame[column] = frame[column].astype(float)
    return frame


def pooled_groups(rates: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`delivery_rates` whose rate was pooled with a wider group."""
    return rates[rates["rate_basis"] != OWN].reset_index(drop=True)


def historical_delivery_rates(
    council: Council,
    period: Period,
    min_count: int = POOL_MIN_COUNT,
    min_planned_gbp_k: float = POOL_MIN_PLANNED_GBP_K,
) -> pd.DataFrame:
    """This year's forecast delivery rates by value from the register snapshot for ``period``
    (see :func:`delivery_rates`; small groups pooled). Used by the MTFP as a haircut on planned
    savings of later years where a scenario applies them.
    """
    settings = load_settings(council)
    register = load_snapshot(council, period, settings)
    if register is None:
        raise missing_register_error(council, period)
    rates = delivery_rates(
        register, period.year, council.directorates, settings.types, min_count, min_planned_gbp_k
    )
    if rates["delivery_rate"].isna().any():
        raise InputError.single(
            display_path(register_path(council, period)),
            f"no savings planned for {year_label(period.year)}: cannot work out delivery rates",
        )
    return rates


def register_forecast(council: Council, period: Period) -> tuple[pd.DataFrame, str]:
    """The register's savings for the period's year by directorate, for the MTFP's current year:
    (``directorate, number_of_savings, planned_gbp_k, forecast_gbp_k``, the register's file)."""
    settings = load_settings(council)
    register = load_snapshot(council, period, settings)
    if register is None:
        raise missing_register_error(council, period)
    rows = year_rows(register, period.year)
    names = list(council.directorates) + sorted(
        set(rows["directorate"]) - set(council.directorates)
    )
    records = []
    for name in names:
        part = rows[rows["directorate"] == name]
        records.append(
            {
                "directorate": name,
                "number_of_savings": len(part),
                "planned_gbp_k": float(part["planned_gbp_k"].sum()),
                "forecast_gbp_k": float(part["forecast_gbp_k"].sum()),
            }
        )
    return pd.DataFrame(records), display_path(register_path(council, period))
