"""Value-for-money benchmarking end to end: :func:`run` loads the panel and computes positions,
resilience, performance, quadrants and priorities into one :class:`BenchmarkResult`.

Benchmarks pose questions; they are not league tables. Data come either from the official files
(``public_data``: a folder such as ``../shared/data/public`` or ``data/raw/public`` after
``python -m analysis data fetch``), or from the council's own panel in
``data/raw/<council>/benchmark/`` in the same tidy form the readers produce (for Dorset, an
illustrative panel: figures invented but plausible).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.benchmarking import comparators as comp
from analysis.benchmarking.national import National, national_for
from analysis.benchmarking.panel import Panel, load_panel
from analysis.benchmarking.performance import (
    POINT_COLUMNS,
    QUADRANT_COLUMNS,
    performance_points,
    performance_positions,
    performance_year,
    quadrants,
)
from analysis.benchmarking.positions import (
    SERVICE_POSITION_COLUMNS,
    comparator_group,
    own_years,
    population_for,
)
from analysis.benchmarking.priorities import (
    PRIORITY_COLUMNS,
    REVIEW_COLUMNS,
    SAVINGS_COLUMNS,
    notional_savings,
    priorities,
    review_proposals,
)
from analysis.benchmarking.resilience import INDICATORS
from analysis.benchmarking.robustness import (
    SET_COLUMNS,
    comparator_sets,
    cost_across_sets,
    holds_across_sets,
)
from analysis.benchmarking.services import NOT_COMPARED_COLUMNS, not_compared
from analysis.benchmarking.settings import BenchmarkSettings, load_settings
from analysis.benchmarking.trends import summed_years
from analysis.core.config import Council
from analysis.core.periods import Period, year_label
from analysis.public_data.unmatched import UNMATCHED_COLUMNS, unmatched_frame

LOG = logging.getLogger("analysis.benchmarking")

STATUS_COLUMNS = [
    "ons_code",
    "council",
    "year",
    "year_label",
    "council_present",
    "comparator_method",
    "n_comparators_in_group",
    "n_comparators_with_data",
    "n_services_compared",
    "n_services_above_median",
    "n_services_proposed",
    "source",
    "newest_outturn_year",
]


@dataclass
class BenchmarkResult:
    council: Council
    settings: BenchmarkSettings
    panel: Panel
    year: int
    population_year: int
    council_present: bool
    method_text: str
    messages: list[str]
    comparators: pd.DataFrame
    positions: pd.DataFrame
    resilience: pd.DataFrame
    performance: pd.DataFrame
    performance_points: pd.DataFrame
    quadrants: pd.DataFrame
    priorities: pd.DataFrame
    savings: pd.DataFrame
    unmatched: pd.DataFrame
    unit_costs_all: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    comparator_sets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SET_COLUMNS))
    analyst_notes: list[str] = field(default_factory=list)
    # The panel's figures for every authority (trends and the reserve sentences read them).
    national: National | None = field(default=None, repr=False)
    # The services the council does not provide, not compared (:mod:`.services`).
    not_compared: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=NOT_COMPARED_COLUMNS)
    )
    # The newest outturn year up to the pack's period: later than ``year`` when the council made
    # no return for it (it is benchmarked on its own newest), else ``year`` (None: the same).
    newest_year: int | None = None

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def n_comparators(self) -> int:
        """Authorities in the comparator group (the council excluded)."""
        return int(self.comparators["role"].eq("comparator").sum()) if len(self.comparators) else 0

    @property
    def n_comparators_with_data(self) -> int:
        """Comparators with cost data for the data year (the number positions are based on)."""
        if not len(self.comparators):
            return 0
        mine = self.comparators["role"].eq("comparator") & self.comparators["in_cost_data"]
        return int(mine.sum())

    @property
    def proposals(self) -> pd.DataFrame:
        """The tidy review list (``benchmark_review_proposals``)."""
        if self.priorities.empty:
            return pd.DataFrame(columns=REVIEW_COLUMNS)
        return review_proposals(self.priorities)

    @property
    def status(self) -> pd.DataFrame:
        """One row the summary reads: is the council in the data, the counts, the source."""
        diff = self.positions["diff_per_head_gbp"]
        row = {
            "ons_code": self.council.ons_code,
            "council": self.council.display_name,
            "year": self.year,
            "year_label": self.year_label,
            "council_present": self.council_present,
            "comparator_method": self.settings.comparator_method,
            "n_comparators_in_group": self.n_comparators,
            "n_comparators_with_data": self.n_comparators_with_data,
            "n_services_compared": int(diff.notna().sum()),
            "n_services_above_median": int((diff > 0).sum()),
            "n_services_proposed": len(self.proposals),
            "source": self.panel.source,
            "newest_outturn_year": self.newest_year if self.newest_year is not None else self.year,
        }
        return pd.DataFrame([row], columns=STATUS_COLUMNS)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


def benchmark_year(outturn_years: list[int], period_year: int | None) -> int:
    """The year a pack benchmarks: the newest year with outturn that is not later than the
    pack's financial year (``period_year``; None = the newest year there is). A pack for a year
    before every file benchmarks the earliest year there is (the page says so)."""
    years = sorted({int(y) for y in outturn_years})
    if not years:
        raise ValueError("no outturn years in the benchmarking data")
    if period_year is None:
        return years[-1]
    earlier = [y for y in years if y <= int(period_year)]
    return earlier[-1] if earlier else years[0]


def run(
    council: Council,
    public_data: Path | None = None,
    year: int | None = None,
    period: Period | None = None,
) -> BenchmarkResult:
    """Load the data and compute every table the notebook shows.

    The data year is ``year`` when given, else :func:`benchmark_year` for the pack's ``period``
    (the newest outturn not later than the period's financial year; the newest there is when no
    period is given)."""
    settings = load_settings(council)
    panel = load_panel(council, settings, public_data)
    national = national_for(panel)
    rs = panel.rs
    messages: list[str] = []
    notes: list[str] = []
    code = council.ons_code
    newest_outturn = None  # the newest year in the data, when the council made no return for it
    if year is None:
        period_year = period.year if period is not None else None
        year = benchmark_year(rs["year"].unique(), period_year)
        # A council with no return in that year is benchmarked on its own newest year up to the
        # pack's period; never on a later year than the pack is for (with none, the page says it
        # has no data for the year).
        own = [
            y
            for y in own_years(rs, code, national.returns())
            if period_year is None or y <= period_year
        ]
        if own and year not in own:
            newest = max(own)
            newest_outturn = int(year)
            messages.append(
                f"{council.name} made no Revenue Outturn return for {year_label(year)} in these "
                f"data: it is benchmarked on {year_label(newest)}, the newest year for which it "
                "has one."
            )
            year = newest
        elif period is not None and year > period.year:
            messages.append(
                f"The pack is for {period.label} but the earliest outturn in the data is for "
                f"{year_label(year)}: that year is shown."
            )
    year = int(year)
    costs, unmatched_costs = national.unit_costs(year)
    _, pop_year = population_for(panel.population, year)
    if pop_year != year:
        messages.append(
            f"Population: mid-{pop_year} estimates used for {year_label(year)} (mid-{year} not available)."
        )
    # Cost data means a figure: an authority that made no return for the year has rows of "no
    # return" markers only (own_years). It is no comparator for the year, and a council with
    # none has no positions in it.
    returns = national.returns()
    in_year = set(returns.loc[returns["year"].eq(year), "ons_code"])
    listed = set(costs["ons_code"])  # with a figure or only "no return" markers
    present = code in in_year
    groups, method_text = comparator_group(
        code, council.authority_class, settings, panel, year, national
    )
    names = national.names()
    comparators = pd.concat(
        [
            pd.DataFrame({"comparator_code": [code], "neighbour_rank": [0]}),
            groups.drop(columns=["ons_code"], errors="ignore"),
        ],
        ignore_index=True,
    )
    comparators["name"] = (
        comparators["comparator_code"].map(names["name"]).fillna("(not in the data)")
    )
    comparators["authority_class"] = comparators["comparator_code"].map(names["authority_class"])
    comparators["in_cost_data"] = comparators["comparator_code"].isin(in_year)
    comparators["role"] = np.where(comparators["comparator_code"] == code, "council", "comparator")
    comparators = comparators.rename(columns={"comparator_code": "ons_code"})
    # The published list's order is not a distance, so no "neighbour rank" is shown; the
    # computed method's distances are.
    keep = ["ons_code", "name", "authority_class", "role", "in_cost_data"] + (
        ["distance"] if "distance" in comparators else []
    )
    comparators = comparators[keep]
    missing_comp = comparators[~comparators["in_cost_data"]]
    no_return = missing_comp["ons_code"].isin(listed)
    unmatched_parts = [unmatched_costs]
    for missing, reason in (
        (
            missing_comp[~no_return],
            f"in the comparator group but no {year_label(year)} cost data (boundary change: the code may postdate the data)",
        ),
        (
            missing_comp[no_return],
            f"in the comparator group but made no Revenue Outturn return for {year_label(year)}",
        ),
    ):
        if len(missing):
            unmatched_parts.append(
                unmatched_frame("comparator group", missing["ons_code"], missing["name"], reason)
            )

    if not present and code in listed:
        messages.append(
            f"{council.name} ({code}) made no Revenue Outturn return for {year_label(year)} in "
            f'these data ({panel.source}): its rows are "no return" markers. No positions can be '
            "computed for it for that year; use a year for which it made one."
        )
    elif not present:
        messages.append(
            f"{council.name} ({code}) is not in the {year_label(year)} data ({panel.source}). Its ONS code may "
            "postdate the data (a unitary council created from a county and its districts has a new code from "
            "the day it was created). No positions can be computed for it from these data; use data for a "
            "year after the change, or a council whose code existed then."
        )
    comparator_codes = list(groups["comparator_code"]) if len(groups) else []
    absent = (
        not_compared(costs, code, council.authority_class, comparator_codes, year_label(year))
        if present
        else _empty(NOT_COMPARED_COLUMNS)
    )
    # The services the council runs: every table, chart, count and proposal below reads these.
    costs_compared = costs[~costs["line"].isin(absent["line"])]
    unit = costs_compared.rename(columns={"net_expenditure_per_head_gbp": "value"})
    pos = (
        comp.positions(unit[["ons_code", "line", "value"]], groups, ["line"])
        if present and len(groups)
        else _empty(["ons_code", "line", *comp.POSITION_COLUMNS])
    )
    if len(pos):
        mine = costs[costs["ons_code"] == code][
            ["line", "service", "net_expenditure_gbp_k", "population"]
        ]
        pos = pos.merge(mine, on="line", how="left")
        pos["year"] = year
        pos = pos.rename(columns={"rank": "rank_cost"})
        pos_table = pos.rename(
            columns={
                "value": "net_expenditure_per_head_gbp",
                "comparator_median": "comparator_median_per_head_gbp",
                "diff": "diff_per_head_gbp",
                "diff_fraction": "diff_from_median_fraction",
                "rank_cost": "cost_rank",
                "quartile": "cost_quartile",
            }
        )
        pos_table = pos_table[SERVICE_POSITION_COLUMNS]
    else:
        pos_table = _empty(SERVICE_POSITION_COLUMNS)

    # Resilience: every year available, council and comparators.
    indicators = national.resilience_indicators()
    indicators = indicators[indicators["year"] <= year]  # nothing after the data year
    # No comparator's summed (reorganised) years, as in the cost table and the trends.
    summed = summed_years(panel.history, national.summed())
    keys = pd.MultiIndex.from_frame(indicators[["ons_code", "year"]])
    indicators = indicators[~(keys.isin(summed) & indicators["ons_code"].ne(code).to_numpy())]
    members = set(comparators["ons_code"])
    res_pos = (
        comp.positions(
            indicators[indicators["ons_code"].isin(members)], groups, ["year", "indicator"]
        )
        if len(groups)
        else _empty(["ons_code", "year", "indicator", *comp.POSITION_COLUMNS])
    )
    res_pos = res_pos[res_pos["ons_code"] == code]
    if {330, 360} <= set(absent["line"]):  # no social care: no social care ratio
        res_pos = res_pos[res_pos["indicator"] != "social_care_ratio"]
    resilience = res_pos.rename(columns={"comparator_median": "comparator_median_value"}).drop(
        columns=["ons_code"]
    )
    resilience.insert(2, "description", resilience["indicator"].map(INDICATORS))
    resilience.insert(0, "year_label", resilience["year"].map(year_label))
    resilience_all = indicators[indicators["ons_code"].isin(members)]

    # Performance.
    perf_pos = _empty(
        [
            "measure",
            *comp.POSITION_COLUMNS,
            "description",
            "polarity",
            "service_line",
            "performance_score",
            "better_than_median",
            "year",
        ]
    )
    points = _empty(POINT_COLUMNS)
    if panel.performance is not None and present and len(groups):
        pyear = performance_year(panel.performance, year)
        if pyear != year:
            messages.append(
                f"Performance: {year_label(pyear)} measures used against {year_label(year)} costs (the nearest year available)."
            )
        perf_pos = performance_positions(panel.performance, groups, pyear, settings)
        perf_pos = perf_pos[perf_pos["ons_code"] == code].drop(columns=["ons_code"])
        perf_pos = perf_pos[~perf_pos["service_line"].isin(absent["line"])]
        unknown = sorted(perf_pos.loc[perf_pos["polarity"] == "unknown", "measure"])
        if unknown:
            messages.append(
                f"{len(unknown)} performance measure{'s have' if len(unknown) != 1 else ' has'} no published direction (whether higher is better), so {'they are' if len(unknown) != 1 else 'it is'} shown but not used to judge performance."
            )
            notes.append(
                f"Performance measures without a published polarity: {', '.join(unknown)}. "
                "Set benchmark.polarity_overrides in council.yaml to score them."
            )
        points = performance_points(panel.performance, costs, comparators, perf_pos, pyear, code)
    quads = (
        quadrants(pos.rename(columns={"rank_cost": "rank"}), perf_pos)
        if len(pos)
        else _empty(QUADRANT_COLUMNS)
    )
    across = pd.DataFrame(columns=SET_COLUMNS)
    holds = None
    if len(pos):
        sets, set_notes = comparator_sets(
            code, council.authority_class, settings, panel, year, national
        )
        notes.extend(set_notes)
        across = cost_across_sets(costs_compared, sets, code)
        holds = holds_across_sets(across)
    prios = (
        priorities(pos, quads, settings, perf_pos, holds) if len(pos) else _empty(PRIORITY_COLUMNS)
    )
    savings = notional_savings(pos) if len(pos) else _empty(SAVINGS_COLUMNS)
    unmatched = pd.concat(unmatched_parts, ignore_index=True).drop_duplicates(ignore_index=True)
    unmatched = unmatched.sort_values(["source", "code", "name"], ignore_index=True)[
        UNMATCHED_COLUMNS
    ]
    result = BenchmarkResult(
        council,
        settings,
        panel,
        year,
        pop_year,
        present,
        method_text,
        messages,
        comparators,
        pos_table,
        resilience.reset_index(drop=True),
        perf_pos.reset_index(drop=True),
        points,
        quads,
        prios,
        savings,
        unmatched,
        costs,
        across,
        notes,
        national,
    )
    result.not_compared = absent
    result.newest_year = newest_outturn
    for note in notes:
        LOG.warning("Analyst note (not shown to the committee): %s", note)
    result.resilience_all = resilience_all  # type: ignore[attr-defined]
    return result
