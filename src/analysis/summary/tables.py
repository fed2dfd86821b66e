"""The pack's tables the quarterly summary reads, and their contracts.

The summary reads **only** the CSV tables the other notebooks saved in the pack
(``report.read_table(name)``), never their modules' internals. :data:`TABLES` lists, for each
table, the report it comes from and the columns the summary relies on; :func:`read_pack` reads
them and notes which reports were not in this run.

Table contracts (columns the summary relies on; others are ignored):

- ``mtfp_headline``: one row per scenario, ``scenario, final_year, cumulative_gap_final_year_gbp_m,
  general_fund_below_minimum_year, usable_reserves_exhausted_year, dsg_deficit_final_year_gbp_m,
  dsg_deficit_final_year_unmitigated_gbp_m`` (years as "2024-25", empty when never); usable
  reserves on the plan's terms (the DSG deficit counted from ``statutory_override_ends``), with
  ``usable_reserves_exhausted_year_override_continues`` and ``usable_reserves_at_override_end_gbp_m``
  (optional: a pack made before they were recorded has neither);
- ``mtfp_scenarios``: ``scenario, year, budget_gap_cumulative_gbp_m, general_fund_gbp_m, ...``;
- ``mtfp_monte_carlo``: one row per year of the simulated scenario, ``scenario, draws, year,
  budget_gap_cumulative_p50_gbp_m, probability_general_fund_below_minimum_fraction``;
- ``savings_headline``: one row, ``financial_year, planned_gbp_m, delivered_gbp_m, forecast_gbp_m,
  at_risk_gbp_m, lost_gbp_m, delivery_rate, forecast_delivery_rate``;
- ``benchmark_review_proposals``: one row per service proposed for a value-for-money review,
  ``rank, service, line, reason, ...`` (empty when none qualifies);
- ``benchmark_status``: one row, ``ons_code, council_present, year_label,
  n_comparators_with_data, n_services_proposed`` (whether the council is in the data at all).
- ``mtfp_productivity`` (optional, where the council has ``productivity.yaml``): ``year, item,
  share_of_staff_budget_fraction, spend_gbp_k, source``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.scenarios import key_in_words


@dataclass(frozen=True)
class DetailReport:
    key: str
    href: str
    title: str
    covers: str  # what the summary would have shown from it, for the "not in this run" note


REPORTS: dict[str, DetailReport] = {
    "mtfp": DetailReport(
        "mtfp",
        "01_mtfp_scenarios.html",
        "Medium Term Financial Plan scenarios",
        "the budget gap and its projections of reserves and of the schools high-needs (DSG) deficit",
    ),
    "savings": DetailReport(
        "savings",
        "02_savings_delivery.html",
        "Savings delivery",
        "savings delivery and the value at risk",
    ),
    "benchmark": DetailReport(
        "benchmark",
        "03_vfm_benchmarking.html",
        "Value for money benchmarking",
        "the services proposed for a value-for-money review",
    ),
}


# Table name -> (report that writes it, columns the summary needs).
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "mtfp_headline": (
        "mtfp",
        (
            "scenario",
            "final_year",
            "cumulative_gap_final_year_gbp_m",
            "general_fund_below_minimum_year",
            "usable_reserves_exhausted_year",
            "dsg_deficit_final_year_gbp_m",
            "dsg_deficit_final_year_unmitigated_gbp_m",
        ),
    ),
    "mtfp_scenarios": ("mtfp", ("scenario", "year", "budget_gap_cumulative_gbp_m")),
    "mtfp_monte_carlo": (
        "mtfp",
        (
            "scenario",
            "draws",
            "year",
            "budget_gap_cumulative_p50_gbp_m",
            "probability_general_fund_below_minimum_fraction",
        ),
    ),
    "savings_headline": (
        "savings",
        (
            "financial_year",
            "planned_gbp_m",
            "delivered_gbp_m",
            "forecast_gbp_m",
            "at_risk_gbp_m",
            "lost_gbp_m",
            "delivery_rate",
            "forecast_delivery_rate",
        ),
    ),
    "benchmark_review_proposals": ("benchmark", ("rank", "service", "line", "reason")),
    "benchmark_status": (
        "benchmark",
        (
            "ons_code",
            "council_present",
            "year_label",
            "n_comparators_with_data",
            "n_services_proposed",
        ),
    ),
}


# Tables a council may or may not have (its report still counts as run without them):
# name -> (report, columns the summary needs).
OPTIONAL_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "mtfp_productivity": ("mtfp", ("year", "item", "share_of_staff_budget_fraction", "source")),
    "mtfp_bridge": (
        "mtfp",
        ("row", "group", "gap_gbp_m", "change_shown_gbp_m", "period", "previous_period"),
    ),
    "mtfp_monte_carlo_leanings": (
        "mtfp",
        ("scenario", "label", "mean_offset_fraction", "lean_widening_fraction", "leans"),
    ),
    "benchmark_resilience": (
        "benchmark",
        ("year", "indicator", "value", "comparator_median_value", "rank", "n_ranked"),
    ),
    "benchmark_financial_position": (
        "benchmark",
        (
            "dsg_year",
            "dsg_deficit_gbp_k",
            "dsg_deficit_per_head_gbp",
            "dsg_deficit_to_usable_reserves",
        ),
    ),
}


BASE = "base"


TOP_SERVICES = 3


# Columns of benchmark_review_proposals shown beside the service, in order, when present.
PRIORITY_DETAIL_COLUMNS = ("reason",)


@dataclass
class PackTables:
    """The tables the summary uses; a table is None when its report was not in this run.

    The tables are read once and not changed: what is derived from them can be kept
    (:meth:`once`)."""

    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def once(self, key: tuple, compute: Callable[[], object]) -> object:
        """``compute()``, computed the first time ``key`` is asked for and kept with the
        tables (each of the summary's sections reads the same messages)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def has(self, report_key: str) -> bool:
        """Whether every table the summary needs from this report is present."""
        return all(
            self.tables.get(t) is not None for t, (k, _c) in TABLES.items() if k == report_key
        )

    @property
    def missing_reports(self) -> list[str]:
        return [key for key in REPORTS if not self.has(key)]


def read_pack(read_table: Callable[[str], pd.DataFrame]) -> PackTables:
    """Read the summary's tables with ``read_table`` (``report.read_table``).

    A missing table means its report was not run in this pack: it becomes None. A table that is
    present but lacks a column the summary needs is a broken contract between notebooks and
    raises ``ValueError`` naming the table and the columns, so it is fixed, not hidden.
    """
    found: dict[str, pd.DataFrame | None] = {}
    for name, (_report, columns) in {**TABLES, **OPTIONAL_TABLES}.items():
        try:
            frame = read_table(name)
        except (InputError, FileNotFoundError):
            found[name] = None
            continue
        lacking = [c for c in columns if c not in frame.columns]
        if lacking:
            raise ValueError(
                f"table '{name}' lacks the column(s) {', '.join(lacking)} the summary needs "
                f"(it has: {', '.join(map(str, frame.columns))})"
            )
        found[name] = frame
    return PackTables(found)


def without_schools(position: pd.DataFrame | None) -> bool:
    """Whether the financial position (``benchmark_financial_position``) says the council runs no
    schools (``runs_schools`` False, as a CSV reads it back: a bool or the text 'False'); a pack
    from before that column says nothing either way."""
    if position is None or position.empty or "runs_schools" not in position.columns:
        return False
    return str(position["runs_schools"].iloc[0]).lower() == "false"


def not_in_run_sentence(report_key: str) -> str:
    report = REPORTS[report_key]
    return (
        f"The {report.title} report was not part of this run, so {report.covers} "
        "are not shown here."
    )


def scenario_title(name: str, headline: pd.DataFrame | None = None) -> str:
    """A scenario as readers see it: its ``title`` where the MTFP table has one
    (``scenario_title``), else its name in words ("pay_shock" -> "Pay shock")."""
    if headline is not None and "scenario_title" in headline.columns:
        titles = headline[headline["scenario"].astype(str) == str(name)]["scenario_title"]
        titles = [str(t) for t in titles if isinstance(t, str) and t.strip()]
        if titles:
            return titles[0]
    return key_in_words(name)
