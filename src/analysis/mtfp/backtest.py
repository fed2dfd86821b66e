"""The plan checked against what happened (backtest), and the plan's assumptions beside history.

For every MTFP assumption the government has since published as outturn (the Council Tax
Requirement tables: tax base for council-tax setting, average Band D excluding parish precepts,
council tax requirement), :func:`plan_vs_actual` sets the plan's figure for each year against the
published one. For income, a plan that assumed more than happened was *optimistic*; one that
assumed less was *cautious*. :func:`assumptions_in_history` sets each assumption beside the
council's own last five years and its comparators' over the same years (the median of their
averages).

Reads the harmonised public-data panel (:func:`analysis.public_data.load_panel`); a successor's
years before it existed are its predecessors' sums where those add up (tax base), and the text
says so. Where the pack has no public data, :func:`run` says plainly that no outturn is available.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.core.periods import year_label
from analysis.mtfp.projection import council_tax_detail
from analysis.mtfp.schema import MTFPAssumptions

HISTORY_YEARS = 5
ASSUMPTIONS = {
    "tax_base_growth": ("tax_base", "Tax base growth"),
    "band_d_increase": ("band_d", "Band D increase"),
    "council_tax_requirement_growth": ("council_tax_requirement", "Council tax requirement growth"),
}
LOWER = {
    "tax_base_growth": "tax base growth",
    "band_d_increase": "Band D increase",
    "council_tax_requirement_growth": "council tax requirement growth",
}
COMPARE_COLUMNS = [
    "year",
    "year_label",
    "assumption",
    "planned",
    "actual",
    "difference",
    "unit",
    "assessment",
]
HISTORY_COLUMNS = [
    "assumption",
    "plan_assumes_fraction",
    "council_average_fraction",
    "council_years",
    "council_from_year",
    "comparators_median_fraction",
    "n_comparators",
]


@dataclass
class Backtest:
    available: bool
    compare: pd.DataFrame
    history: pd.DataFrame
    sentences: list[str] = field(default_factory=list)


def published_series(panel: pd.DataFrame, codes: list[str] | None = None) -> pd.DataFrame:
    """ons_code, year, tax_base, band_d, council_tax_requirement (£), aggregated (any of them)."""
    wanted = panel[panel["measure"].isin(["tax_base", "band_d", "council_tax_requirement"])]
    if codes is not None:
        wanted = wanted[wanted["ons_code"].isin(codes)]
    wide = wanted.pivot_table(
        index=["ons_code", "year"], columns="measure", values="value", aggfunc="first"
    )
    wide = wide.reindex(columns=["tax_base", "band_d", "council_tax_requirement"])
    aggregated = wanted.groupby(["ons_code", "year"])["aggregated"].any()
    return wide.join(aggregated).reset_index()


def _assess(planned: float, actual: float, tolerance: float) -> str:
    if abs(actual - planned) <= tolerance:
        return "as planned"
    return "optimistic" if planned > actual else "cautious"


def plan_vs_actual(plan: MTFPAssumptions, series: pd.DataFrame) -> pd.DataFrame:
    """One row per plan year published since and per assumption: planned, actual, assessment."""
    detail = council_tax_detail(plan)
    detail["year_int"] = plan.years
    actual = series.set_index("year")
    rows = []
    for i in range(1, len(detail)):
        year, prev = int(detail["year_int"].iloc[i]), int(detail["year_int"].iloc[i - 1])
        if year not in actual.index or prev not in actual.index:
            continue
        now, before = actual.loc[year], actual.loc[prev]
        planned_base = detail["tax_base_band_d_equivalents"]
        planned_band_d = detail["band_d_gbp"]
        pairs = [
            (
                "tax_base_growth",
                planned_base.iloc[i] / planned_base.iloc[i - 1] - 1,
                now["tax_base"] / before["tax_base"] - 1,
                "fraction",
                0.0005,
            ),
            (
                "band_d_increase",
                planned_band_d.iloc[i] / planned_band_d.iloc[i - 1] - 1,
                now["band_d"] / before["band_d"] - 1,
                "fraction",
                0.0005,
            ),
            (
                "council_tax_requirement",
                detail["council_tax_gbp_k"].iloc[i] / 1000,
                now["council_tax_requirement"] / 1e6,
                "gbp_m",
                0.05,
            ),
        ]
        for name, planned, real, unit, tolerance in pairs:
            if pd.isna(real):
                continue
            rows.append(
                {
                    "year": year,
                    "year_label": year_label(year),
                    "assumption": name,
                    "planned": float(planned),
                    "actual": float(real),
                    "difference": float(real - planned),
                    "unit": unit,
                    "assessment": _assess(planned, real, tolerance),
                }
            )
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def growth_rates(series: pd.DataFrame, measure: str, years: list[int]) -> dict[int, float]:
    """Year-on-year growth of ``measure`` in each of ``years`` that has it and the year before."""
    values = series.set_index("year")[measure].dropna()
    return {
        year: float(values[year] / values[year - 1] - 1)
        for year in years
        if year in values.index and year - 1 in values.index and values[year - 1] > 0
    }


def average_growth(series: pd.DataFrame, measure: str, last_year: int, years: int = HISTORY_YEARS):
    """Mean year-on-year growth of ``measure`` over up to ``years`` years to ``last_year``:
    (average, number of growth rates used, first year)."""
    rates = growth_rates(series, measure, list(range(last_year - years + 1, last_year + 1)))
    if not rates:
        return np.nan, 0, None
    return float(np.mean(list(rates.values()))), len(rates), min(rates)


def plan_assumes(plan: MTFPAssumptions) -> dict[str, float]:
    """The plan's average assumption per year over its projected years."""
    detail = council_tax_detail(plan)
    out = {}
    for name, column in [
        ("tax_base_growth", "tax_base_band_d_equivalents"),
        ("band_d_increase", "band_d_gbp"),
        ("council_tax_requirement_growth", "council_tax_gbp_k"),
    ]:
        out[name] = float((detail[column] / detail[column].shift(1) - 1).iloc[1:].mean())
    return out


def assumptions_in_history(
    plan: MTFPAssumptions, series: pd.DataFrame, council: str, comparators: list[str]
) -> pd.DataFrame:
    """Each assumption beside the council's last five years and its comparators' median over the
    same years: the council's growth in the years it has (up to five), and each comparator's
    average over exactly those years (a comparator without every one of them is left out), so
    the two are set side by side over one span. With no history for the council, the comparators'
    last five years (at least three of them)."""
    base = int(plan.years[0])
    span = list(range(base - HISTORY_YEARS + 1, base + 1))
    assumed = plan_assumes(plan)
    rows = []
    for name, (measure, _label) in ASSUMPTIONS.items():
        mine = growth_rates(series[series["ons_code"] == council], measure, span)
        average = float(np.mean(list(mine.values()))) if mine else np.nan
        n, first = len(mine), (min(mine) if mine else None)
        years = sorted(mine) or span
        others = []
        for code in comparators:
            theirs = growth_rates(series[series["ons_code"] == code], measure, years)
            if (len(theirs) == len(years)) if mine else (len(theirs) >= 3):
                others.append(float(np.mean(list(theirs.values()))))
        rows.append(
            {
                "assumption": name,
                "plan_assumes_fraction": assumed[name],
                "council_average_fraction": average,
                "council_years": n,
                "council_from_year": first,
                "comparators_median_fraction": float(np.median(others)) if others else np.nan,
                "n_comparators": len(others),
            }
        )
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def _pct(value: float) -> str:
    return f"{value:.2%}"


def sentences(
    compare: pd.DataFrame, history: pd.DataFrame, series: pd.DataFrame, council: Council
) -> list[str]:
    out = []
    money = compare[compare["assumption"] == "council_tax_requirement"]
    for row in money.itertuples(index=False):
        gap = row.actual - row.planned
        word = {"cautious": "cautious", "optimistic": "optimistic", "as planned": "on target"}[
            row.assessment
        ]
        out.append(
            f"The plan's council tax for {row.year_label}, as its assumptions project it, is "
            f"£{row.planned:,.1f}m; the published {row.year_label} requirement is "
            f"£{row.actual:,.1f}m: £{abs(gap):,.1f}m {'more' if gap > 0 else 'less'} than "
            f"planned, so the plan was {word} here."
        )
    for row in compare[compare["unit"] == "fraction"].itertuples(index=False):
        label = ASSUMPTIONS[row.assumption][1]
        out.append(
            f"{label} {row.year_label}: planned {_pct(row.planned)}, published "
            f"{_pct(row.actual)} ({row.assessment})."
        )
    mine = series[series["ons_code"] == council.ons_code]
    for row in history.itertuples(index=False):
        label = LOWER[row.assumption]
        if row.council_years == 0:
            out.append(
                f"The plan assumes {_pct(row.plan_assumes_fraction)} {label} a year; no published "
                f"history for {council.ons_code} to set it against."
            )
            continue
        span = (
            "the last five years"
            if row.council_years == HISTORY_YEARS
            else f"the {row.council_years} year{'s' if row.council_years > 1 else ''} available "
            f"(from {year_label(int(row.council_from_year))}; five are not published for it)"
        )
        text = (
            f"The plan assumes {_pct(row.plan_assumes_fraction)} {label} a year; {span} "
            f"averaged {_pct(row.council_average_fraction)} here"
        )
        if row.n_comparators:
            text += (
                f" and {_pct(row.comparators_median_fraction)} among {row.n_comparators} "
                "comparators over the same years (the median of their averages)."
            )
        else:
            text += "; no comparator has enough published years."
        out.append(text)
    summed = sorted(int(y) for y in mine.loc[mine["aggregated"].astype(bool), "year"])
    if summed:
        out.append(
            f"For {', '.join(year_label(y) for y in summed)} the council did not exist: its tax "
            "base is the sum of the authorities it replaced; their council tax requirement and "
            "Band D cannot be added up (the former county's share is a precept), so those years "
            "are left out of the requirement and Band D averages."
        )
    return out


def comparator_codes(folder: Path, council: Council, series: pd.DataFrame) -> list[str]:
    """The council's nearest neighbours where the list is in the folder, else its class."""
    from analysis.core.errors import InputError
    from analysis.public_data import read_neighbours

    lists = sorted(Path(folder).rglob("*neighbour*.json"))
    if lists:
        try:
            nn = read_neighbours(lists[0])
        except InputError:
            nn = None
        if nn is not None:
            mine = nn[(nn["ons_code"] == council.ons_code) & (nn["neighbour_rank"] > 0)]
            if len(mine):
                return list(mine["neighbour_code"])
    return []


def run(plan: MTFPAssumptions, council: Council, public_data: Path | None) -> Backtest:
    """The backtest for the notebook; says plainly when there is nothing to check against."""
    if public_data is None:
        return Backtest(
            False,
            pd.DataFrame(columns=COMPARE_COLUMNS),
            pd.DataFrame(columns=HISTORY_COLUMNS),
            [
                "No outturn is available to check the plan against: this pack was built without "
                "the published government data (run with --public-data DIR to add it)."
            ],
        )
    from analysis.core.errors import InputError
    from analysis.public_data import load_panel

    try:
        panel = load_panel(public_data)
    except InputError as exc:
        return Backtest(
            False,
            pd.DataFrame(columns=COMPARE_COLUMNS),
            pd.DataFrame(columns=HISTORY_COLUMNS),
            [
                "No outturn is available to check the plan against: the published data could not "
                f"be read ({'; '.join(str(p) for p in exc.problems)})."
            ],
        )
    series = published_series(panel)
    comparators = comparator_codes(Path(public_data), council, series)
    mine = series[series["ons_code"] == council.ons_code]
    compare = plan_vs_actual(plan, mine)
    history = assumptions_in_history(plan, series, council.ons_code, comparators)
    text = sentences(compare, history, series, council)
    if compare.empty:
        latest = int(mine["year"].max()) if len(mine) else None
        text.insert(
            0,
            "None of the plan's years after "
            f"{year_label(int(plan.years[0]))} has been published yet"
            + (f" (the latest published is {year_label(latest)})." if latest else "."),
        )
    return Backtest(True, compare, history, text)


def _shown(value: float, unit: str) -> str:
    if pd.isna(value):
        return "–"
    return f"£{value:,.1f}m" if unit == "gbp_m" else f"{value:.2%}"


def compare_for_display(compare: pd.DataFrame) -> pd.DataFrame:
    """The plan-against-outturn table as a committee reads it (percentages to 2 dp, £m to 1 dp)."""
    names = {**{k: v[1] for k, v in ASSUMPTIONS.items()}, "council_tax_requirement": "Council tax"}
    return pd.DataFrame(
        {
            "Year": compare["year_label"],
            "Assumption": compare["assumption"].map(names),
            "Planned": [
                _shown(v, u) for v, u in zip(compare["planned"], compare["unit"], strict=True)
            ],
            "Published": [
                _shown(v, u) for v, u in zip(compare["actual"], compare["unit"], strict=True)
            ],
            "Published minus planned": [
                _shown(v, u) for v, u in zip(compare["difference"], compare["unit"], strict=True)
            ],
            "The plan was": compare["assessment"],
        }
    )


def history_for_display(history: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Assumption": history["assumption"].map({k: v[1] for k, v in ASSUMPTIONS.items()}),
            "The plan assumes a year": history["plan_assumes_fraction"].map(
                lambda v: _shown(v, "")
            ),
            "Here, average": history["council_average_fraction"].map(lambda v: _shown(v, "")),
            "Years": history["council_years"],
            "Comparators, median": history["comparators_median_fraction"].map(
                lambda v: _shown(v, "")
            ),
            "Comparators": history["n_comparators"],
        }
    )
