"""The quarterly summary: the pack's first screen, built from the other reports' tables.

The summary notebook reads **only** the CSV tables the other notebooks saved in the pack
(``report.read_table(name)``), never their modules' internals. This module picks the figures
and writes the sentences:

- :func:`read_pack` reads the tables it needs and notes which reports were not in this run;
- :func:`gap_sentence`, :func:`reserves_sentence`, :func:`dsg_sentence`,
  :func:`savings_sentence` and :func:`vfm_sentence` each turn one table into one sentence;
- :func:`headline_tiles` gives the key-figure tiles of the first screen;
- :func:`key_figures` is the tidy table the summary saves (``summary_key_figures``);
- :func:`gap_chart` draws the cumulative gap under each scenario.

Table contracts (columns the summary relies on; others are ignored):

- ``mtfp_headline``: one row per scenario, ``scenario, final_year, cumulative_gap_final_year_gbp_m,
  general_fund_below_minimum_year, usable_reserves_exhausted_year, dsg_deficit_final_year_gbp_m,
  dsg_deficit_final_year_unmitigated_gbp_m`` (years as "2024-25", empty when never);
- ``mtfp_scenarios``: ``scenario, year, budget_gap_cumulative_gbp_m, general_fund_gbp_m, ...``;
- ``savings_headline``: one row, ``financial_year, planned_gbp_m, delivered_gbp_m, forecast_gbp_m,
  at_risk_gbp_m, lost_gbp_m, delivery_rate, forecast_delivery_rate``;
- ``benchmark_priorities``: ranked, ``rank, service, priority_score, ...``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import InputError
from analysis.periods import parse_year, year_label


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
        "the budget gap, reserves and the schools high-needs (DSG) deficit",
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
    "benchmark_priorities": ("benchmark", ("rank", "service", "priority_score")),
}

BASE = "base"
TOP_SERVICES = 3

# Columns of benchmark_priorities worth showing beside the service, in order, when present.
PRIORITY_DETAIL_COLUMNS = (
    "quadrant",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
)


# ---------------------------------------------------------------------------------------------
# Reading the pack


@dataclass
class PackTables:
    """The tables the summary uses; a table is None when its report was not in this run."""

    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

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
    for name, (_report, columns) in TABLES.items():
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


def not_in_run_sentence(report_key: str) -> str:
    report = REPORTS[report_key]
    return (
        f"The {report.title} report was not part of this run, so {report.covers} "
        "are not shown here."
    )


# ---------------------------------------------------------------------------------------------
# Formatting


def money(value_gbp_m: float) -> str:
    """£m value -> '£12.3m' ('-£1.2m' when negative), as in the rest of the pack's prose."""
    value = round(float(value_gbp_m), 1)
    if value == 0:
        value = 0.0  # no '-£0.0m'
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.1f}m"


def percent(fraction: float) -> str:
    return f"{float(fraction) * 100:.0f}%"


def year_text(value) -> str | None:
    """A financial year as '2024-25' from '2024-25', '2024/25' or 2024; None when empty."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float):
        return year_label(int(value))
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "never"}:
        return None
    try:
        return year_label(parse_year(text))
    except ValueError:
        return text


def _sort_year(value: str) -> int:
    return parse_year(value)


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------
# MTFP: gap, reserves, DSG


def scenario_row(headline: pd.DataFrame, scenario: str) -> pd.Series:
    """The headline row of ``scenario``; falls back to 'base', then to the first row."""
    for name in (scenario, BASE):
        rows = headline[headline["scenario"].astype(str) == name]
        if not rows.empty:
            return rows.iloc[0]
    return headline.iloc[0]


def _case(name: str) -> str:
    return "base-case" if name == BASE else f"'{name}' scenario"


def gap_sentence(headline: pd.DataFrame, scenario: str = BASE) -> str:
    """'The base-case cumulative gap reaches £45.2m by 2025-26 (£60.1m under the pessimistic
    scenario, £30.0m under the optimistic one), if nothing is done to close it.'"""
    row = scenario_row(headline, scenario)
    name = str(row["scenario"])
    final = year_text(row["final_year"])
    gap = float(row["cumulative_gap_final_year_gbp_m"])
    others = headline[headline["scenario"].astype(str) != name]
    verb = "reaches" if gap > 0 else "is"
    sentence = f"The {_case(name)} cumulative budget gap {verb} {money(gap)} by {final}"
    if gap <= 0:
        sentence = f"The {_case(name)} plan shows no cumulative budget gap by {final}"
        if round(gap, 1) < 0:
            sentence += f" ({_gap_or_surplus(gap)})"
    if not others.empty:
        ordered = others.sort_values(
            "cumulative_gap_final_year_gbp_m", ascending=False, kind="mergesort"
        )
        parts = [
            f"{_gap_or_surplus(r['cumulative_gap_final_year_gbp_m'])} under the {r['scenario']} scenario"
            for _i, r in ordered.iterrows()
        ]
        sentence += f" ({_join(parts)})"
    return sentence + ", before any further action to close it."


def _gap_or_surplus(value_gbp_m: float) -> str:
    """'£12.0m' for a gap, 'a £7.2m surplus' for a negative gap (no minus sign in prose)."""
    value = float(value_gbp_m)
    return f"a {money(-value)} surplus" if round(value, 1) < 0 else money(value)


def reserves_sentence(headline: pd.DataFrame, scenario: str = BASE) -> str:
    """When the general fund falls below its minimum (and usable reserves run out), for the
    chosen scenario, and the earliest such year under any other scenario."""
    row = scenario_row(headline, scenario)
    name = str(row["scenario"])
    final = year_text(row["final_year"])
    below = year_text(row["general_fund_below_minimum_year"])
    exhausted = year_text(row["usable_reserves_exhausted_year"])
    if below:
        sentence = f"Under the {_case(name)}, the general fund falls below its minimum prudent level in {below}"
    else:
        sentence = f"Under the {_case(name)}, the general fund stays above its minimum prudent level to {final}"
    if exhausted:
        sentence += f" and usable reserves run out in {exhausted}"
    sentence += "."

    others = headline[headline["scenario"].astype(str) != name].copy()
    if others.empty:
        return sentence
    others["_below"] = others["general_fund_below_minimum_year"].map(year_text)
    falling = others.dropna(subset=["_below"])
    if falling.empty:
        return sentence + " It stays above the minimum under every other scenario modelled."
    falling = falling.assign(_order=falling["_below"].map(_sort_year)).sort_values(
        ["_order", "scenario"], kind="mergesort"
    )
    first = falling.iloc[0]
    if below and _sort_year(first["_below"]) >= _sort_year(below):
        return sentence
    return sentence + (
        f" Under the {first['scenario']} scenario it falls below the minimum in {first['_below']}."
    )


def dsg_sentence(headline: pd.DataFrame, scenario: str = BASE) -> str:
    """'The schools high-needs (DSG) deficit reaches £70.0m by 2025-26 with the mitigation plan,
    £110.0m without it.'"""
    row = scenario_row(headline, scenario)
    final = year_text(row["final_year"])
    mitigated = float(row["dsg_deficit_final_year_gbp_m"])
    unmitigated = float(row["dsg_deficit_final_year_unmitigated_gbp_m"])
    if mitigated <= 0 and unmitigated <= 0:
        return f"The schools high-needs (DSG) budget shows no cumulative deficit by {final}."
    return (
        f"The schools high-needs (DSG) cumulative deficit reaches {money(mitigated)} by {final} with "
        f"the mitigation plan, {money(unmitigated)} without it; a statutory override keeps it off "
        "the general fund for now."
    )


def dsg_table(headline: pd.DataFrame) -> pd.DataFrame:
    """The DSG deficit in the plan's final year under each scenario, with and without mitigation."""
    return pd.DataFrame(
        {
            "scenario": headline["scenario"].astype(str),
            "final_year": headline["final_year"].map(year_text),
            "with_mitigation_gbp_m": headline["dsg_deficit_final_year_gbp_m"].astype(float),
            "without_mitigation_gbp_m": headline["dsg_deficit_final_year_unmitigated_gbp_m"].astype(
                float
            ),
        }
    ).reset_index(drop=True)


def scenario_table(headline: pd.DataFrame) -> pd.DataFrame:
    """The scenarios side by side, for display: gap, reserve milestones, DSG deficit."""
    out = pd.DataFrame(
        {
            "scenario": headline["scenario"].astype(str),
            "cumulative_gap_gbp_m": headline["cumulative_gap_final_year_gbp_m"].astype(float),
            "general_fund_below_minimum": headline["general_fund_below_minimum_year"].map(
                lambda v: year_text(v) or "Not in plan period"
            ),
            "usable_reserves_run_out": headline["usable_reserves_exhausted_year"].map(
                lambda v: year_text(v) or "Not in plan period"
            ),
            "dsg_deficit_gbp_m": headline["dsg_deficit_final_year_gbp_m"].astype(float),
        }
    )
    return out.reset_index(drop=True)


SCENARIO_TABLE_HEADERS = {
    "scenario": "Scenario",
    "cumulative_gap_gbp_m": "Cumulative gap in final year (£m)",
    "general_fund_below_minimum": "General fund below minimum from",
    "usable_reserves_run_out": "Usable reserves run out in",
    "dsg_deficit_gbp_m": "DSG deficit in final year, with mitigation (£m)",
}


# ---------------------------------------------------------------------------------------------
# Savings


def savings_sentence(savings: pd.DataFrame, period_label: str | None = None) -> str:
    """'Of £30.0m of savings planned for 2021-22, £12.0m (40%) had been delivered by 2021-22 Q2
    and £25.5m (85%) is forecast by the year end; £6.0m is at risk (amber or red), of which
    £1.5m is rated red.'"""
    row = savings.iloc[0]
    year = year_text(row["financial_year"])
    planned = float(row["planned_gbp_m"])
    if planned <= 0:
        return f"No savings are planned for {year}."
    by = f" by the end of {period_label}" if period_label else " so far"
    return (
        f"Of {money(planned)} of savings planned for {year}, {money(row['delivered_gbp_m'])} "
        f"({percent(row['delivery_rate'])}) had been delivered{by} and "
        f"{money(row['forecast_gbp_m'])} ({percent(row['forecast_delivery_rate'])}) is forecast "
        f"by the year end; {money(row['at_risk_gbp_m'])} is at risk (rated amber or red), of "
        f"which {money(row['lost_gbp_m'])} is rated red and not expected this year."
    )


def savings_table(savings: pd.DataFrame) -> pd.DataFrame:
    row = savings.iloc[0]
    return pd.DataFrame(
        {
            "measure": [
                "Planned",
                "Delivered to date",
                "Forecast by year end",
                "At risk (amber and red)",
                "Not expected (red)",
            ],
            "value_gbp_m": [
                float(row["planned_gbp_m"]),
                float(row["delivered_gbp_m"]),
                float(row["forecast_gbp_m"]),
                float(row["at_risk_gbp_m"]),
                float(row["lost_gbp_m"]),
            ],
            "share_of_planned_pct": [
                1.0,
                float(row["delivery_rate"]),
                float(row["forecast_delivery_rate"]),
                _share(row["at_risk_gbp_m"], row["planned_gbp_m"]),
                _share(row["lost_gbp_m"], row["planned_gbp_m"]),
            ],
        }
    )


def _share(part: float, whole: float) -> float:
    whole = float(whole)
    return float(part) / whole if whole else float("nan")


# ---------------------------------------------------------------------------------------------
# Value for money


def top_services(priorities: pd.DataFrame, n: int = TOP_SERVICES) -> pd.DataFrame:
    """The ``n`` highest-ranked services (rank 1 first) with the detail columns present."""
    ordered = priorities.sort_values(["rank", "service"], kind="mergesort").head(n)
    columns = ["rank", "service", *[c for c in PRIORITY_DETAIL_COLUMNS if c in priorities.columns]]
    out = ordered[columns].reset_index(drop=True)
    out["rank"] = out["rank"].astype(int)
    return out


def vfm_sentence(priorities: pd.DataFrame, n: int = TOP_SERVICES) -> str:
    """'The services proposed for a value-for-money review are A, B and C (ranked by ...).'"""
    top = top_services(priorities, n)
    if top.empty:
        return "Benchmarking flagged no service for a value-for-money review this quarter."
    names = [str(s) for s in top["service"]]
    noun = "service" if len(names) == 1 else f"{len(names)} services"
    return (
        f"The {noun} proposed for a value-for-money review {'is' if len(names) == 1 else 'are'} "
        f"{_join(names)}: cost above and/or performance below comparable councils. Benchmarks "
        "pose questions for the review to answer; they are not a league table."
    )


def services_display(priorities: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The top ``n`` services for the summary's table: service name first (a row header)."""
    top = top_services(priorities, n)
    columns = ["service", "rank", *[c for c in top.columns if c not in ("service", "rank")]]
    return top[columns]


# ---------------------------------------------------------------------------------------------
# The first screen


def headline_tiles(pack: PackTables, scenario: str = BASE) -> list[tuple[str, str, str]]:
    """(label, value, note) tiles: gap, reserves, savings at risk, DSG, services to review.
    Tiles of reports not in this run say so."""
    tiles: list[tuple[str, str, str]] = []
    headline = pack.get("mtfp_headline")
    if headline is not None and not headline.empty:
        row = scenario_row(headline, scenario)
        final = year_text(row["final_year"])
        below = year_text(row["general_fund_below_minimum_year"])
        tiles.append(
            (
                f"Budget gap by {final}",
                money(row["cumulative_gap_final_year_gbp_m"]),
                f"cumulative, {_case(str(row['scenario']))}, before action to close it",
            )
        )
        others = headline[headline["scenario"].astype(str) != str(row["scenario"])]
        earliest = sorted(
            (year_text(r["general_fund_below_minimum_year"]), str(r["scenario"]))
            for _i, r in others.iterrows()
            if year_text(r["general_fund_below_minimum_year"])
        )
        note = _case(str(row["scenario"]))
        if earliest:
            note += f"; {earliest[0][1]} scenario: {earliest[0][0]}"
        tiles.append(("General fund below minimum", below or f"Not by {final}", note))
    else:
        tiles.append(("Budget gap", "Not in this run", "the MTFP report was not run"))
    savings = pack.get("savings_headline")
    if savings is not None and not savings.empty:
        s = savings.iloc[0]
        tiles.append(
            (
                f"Savings at risk {year_text(s['financial_year'])}",
                money(s["at_risk_gbp_m"]),
                f"amber or red, of {money(s['planned_gbp_m'])} planned; "
                f"{percent(s['forecast_delivery_rate'])} forecast to be delivered",
            )
        )
    else:
        tiles.append(("Savings at risk", "Not in this run", "the savings report was not run"))
    if headline is not None and not headline.empty:
        row = scenario_row(headline, scenario)
        tiles.append(
            (
                f"DSG deficit by {year_text(row['final_year'])}",
                money(row["dsg_deficit_final_year_gbp_m"]),
                f"with mitigation; {money(row['dsg_deficit_final_year_unmitigated_gbp_m'])} without",
            )
        )
    priorities = pack.get("benchmark_priorities")
    if priorities is not None:
        top = top_services(priorities)
        tiles.append(
            (
                "Services to review",
                f"{len(top)} service{'' if len(top) == 1 else 's'}" if len(top) else "None",
                _join([str(s) for s in top["service"]]) or "none flagged this quarter",
            )
        )
    else:
        tiles.append(
            ("Services to review", "Not in this run", "the benchmarking report was not run")
        )
    return tiles


def key_messages(
    pack: PackTables, scenario: str = BASE, period_label: str | None = None
) -> list[tuple[str, str]]:
    """(sentence, report key) for the first screen, one per topic, in reading order."""
    messages: list[tuple[str, str]] = []
    headline = pack.get("mtfp_headline")
    if pack.has("mtfp") and headline is not None and not headline.empty:
        messages.append((gap_sentence(headline, scenario), "mtfp"))
        messages.append((reserves_sentence(headline, scenario), "mtfp"))
    else:
        messages.append((not_in_run_sentence("mtfp"), "mtfp"))
    savings = pack.get("savings_headline")
    if pack.has("savings") and savings is not None and not savings.empty:
        messages.append((savings_sentence(savings, period_label), "savings"))
    else:
        messages.append((not_in_run_sentence("savings"), "savings"))
    if pack.has("mtfp") and headline is not None and not headline.empty:
        messages.append((dsg_sentence(headline, scenario), "mtfp"))
    priorities = pack.get("benchmark_priorities")
    if pack.has("benchmark") and priorities is not None:
        messages.append((vfm_sentence(priorities), "benchmark"))
    else:
        messages.append((not_in_run_sentence("benchmark"), "benchmark"))
    return messages


def detail_link_html(report_key: str, available: bool = True) -> str:
    report = REPORTS[report_key]
    if not available:
        return f'<span class="detail-link">{html.escape(report.title)}: not in this run</span>'
    return (
        f'<a class="detail-link" href="{html.escape(report.href, quote=True)}">'
        f"Detail: {html.escape(report.title)}</a>"
    )


def messages_html(pack: PackTables, scenario: str = BASE, period_label: str | None = None) -> str:
    """The key messages as a list, each with a link to its detailed report."""
    items = []
    for sentence, key in key_messages(pack, scenario, period_label):
        link = f" {detail_link_html(key)}" if pack.has(key) else ""
        items.append(f"<li>{html.escape(sentence)}{link}</li>")
    return '<ul class="key-messages">' + "".join(items) + "</ul>"


def show_messages(pack: PackTables, scenario: str = BASE, period_label: str | None = None) -> None:
    from IPython.display import HTML, display

    display(HTML(messages_html(pack, scenario, period_label)))


def show_detail_link(pack: PackTables, report_key: str) -> None:
    from IPython.display import HTML, display

    display(HTML(f"<p>{detail_link_html(report_key, pack.has(report_key))}</p>"))


def show_not_in_run(pack: PackTables, report_key: str) -> bool:
    """Say the report was not in this run (as a note) and return True; else return False."""
    if pack.has(report_key):
        return False
    from analysis.display import callout

    callout(not_in_run_sentence(report_key))
    return True


# ---------------------------------------------------------------------------------------------
# The saved table


def key_figures(pack: PackTables) -> pd.DataFrame:
    """Tidy key figures: ``section, measure, scenario, financial_year, service, value``.

    Money in £m and rates as fractions, named in ``measure`` (``cumulative_gap_gbp_m``,
    ``delivery_rate``); year-valued facts (``general_fund_below_minimum``) carry the year in
    ``financial_year`` and no value; services to review carry their rank as the value.
    Every scenario is saved, not only the one the pack was run for.
    """
    rows: list[dict] = []

    def add(section, measure, value=float("nan"), year=None, scen=None, service=None):
        rows.append(
            {
                "section": section,
                "measure": measure,
                "scenario": scen,
                "financial_year": year,
                "service": service,
                "value": value,
            }
        )

    headline = pack.get("mtfp_headline")
    if headline is not None:
        for _i, r in headline.iterrows():
            name, final = str(r["scenario"]), year_text(r["final_year"])
            add(
                "mtfp",
                "cumulative_gap_gbp_m",
                float(r["cumulative_gap_final_year_gbp_m"]),
                final,
                name,
            )
            add(
                "mtfp",
                "general_fund_below_minimum",
                year=year_text(r["general_fund_below_minimum_year"]),
                scen=name,
            )
            add(
                "mtfp",
                "usable_reserves_exhausted",
                year=year_text(r["usable_reserves_exhausted_year"]),
                scen=name,
            )
            add("dsg", "dsg_deficit_gbp_m", float(r["dsg_deficit_final_year_gbp_m"]), final, name)
            add(
                "dsg",
                "dsg_deficit_unmitigated_gbp_m",
                float(r["dsg_deficit_final_year_unmitigated_gbp_m"]),
                final,
                name,
            )
    savings = pack.get("savings_headline")
    if savings is not None and not savings.empty:
        s = savings.iloc[0]
        year = year_text(s["financial_year"])
        _, columns = TABLES["savings_headline"]
        for measure in columns:
            if measure != "financial_year":
                add("savings", measure, float(s[measure]), year)
    priorities = pack.get("benchmark_priorities")
    if priorities is not None:
        for _i, r in top_services(priorities).iterrows():
            add("vfm", "review_priority_rank", float(r["rank"]), service=str(r["service"]))
    frame = pd.DataFrame(
        rows, columns=["section", "measure", "scenario", "financial_year", "service", "value"]
    )
    frame["value"] = frame["value"].astype(float)
    return frame


# ---------------------------------------------------------------------------------------------
# The chart


def gap_chart(
    scenarios: pd.DataFrame, scenario: str = BASE, source: str = "", period: str | None = None
):
    """Line chart of the cumulative gap per year under each scenario, the chosen one first.

    Returns ``(fig, alt, table)``: the figure, its text alternative and the data behind it.
    """
    from analysis import charts

    frame = scenarios[["scenario", "year", "budget_gap_cumulative_gbp_m"]].copy()
    frame["scenario"] = frame["scenario"].astype(str)
    frame["year"] = frame["year"].map(year_text)
    names = list(dict.fromkeys(frame["scenario"]))
    chosen = scenario if scenario in names else (BASE if BASE in names else names[0])
    names = [chosen] + [n for n in names if n != chosen]
    years = sorted(frame["year"].unique(), key=_sort_year)
    wide = frame.pivot(
        index="year", columns="scenario", values="budget_gap_cumulative_gbp_m"
    ).reindex(years)[names]

    final = years[-1]
    title = f"The cumulative budget gap reaches {money(wide.loc[final, chosen])} by {final} ({chosen} scenario)"
    fig, ax = charts.new_figure(title, height=3.6)
    for style, name in zip(charts.series_styles(len(names)), names, strict=True):
        ax.plot(
            range(len(years)),
            wide[name].to_numpy(),
            label=name,
            linewidth=2.6 if name == chosen else 1.8,
            **style,
        )
    charts.label_line_ends(
        ax,
        len(years) - 1,
        [float(wide.loc[final, n]) for n in names],
        [f"{n}: {money(wide.loc[final, n])}" for n in names],
    )
    charts.label_years(ax, years)
    charts.gbp_m_axis(ax, label="Cumulative gap (£m)")
    ax.axhline(0, color=charts.TEXT, linewidth=0.8)
    ax.set_xlim(-0.2, len(years) - 1 + 0.9)
    if source:
        charts.add_caption(fig, source, period)

    finals = "; ".join(f"{n} {money(wide.loc[final, n])}" for n in names)
    alt = (
        f"Line chart of the cumulative budget gap from {years[0]} to {final} under "
        f"{len(names)} scenario{'s' if len(names) != 1 else ''}. By {final}: {finals}."
    )
    table = frame.rename(columns={"budget_gap_cumulative_gbp_m": "cumulative_gap_gbp_m"})
    return fig, alt, table.reset_index(drop=True)
