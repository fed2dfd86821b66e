"""What the summary notebook shows: headline tiles, tables, links and the gap chart.

:func:`headline_tiles` gives the key-figure tiles of the first screen; :func:`key_figures` is the
tidy table the summary saves (``summary_key_figures``); :func:`gap_chart` draws the cumulative
gap under each scenario.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.core.display import join_words, pct_text
from analysis.summary.messages import key_messages
from analysis.summary.sentences import (
    likely_below_year,
    money,
    override_end,
    percent,
    scenario_case,
    scenario_row,
    scenario_words,
    share_of,
    sort_year,
    year_text,
)
from analysis.summary.tables import (
    BASE,
    REPORTS,
    TABLES,
    PackTables,
    not_in_run_sentence,
    scenario_title,
    without_schools,
)
from analysis.summary.vfm import is_present, reserves_tile, top_services


def dsg_table(headline: pd.DataFrame) -> pd.DataFrame:
    """The DSG deficit in the plan's final year under each scenario, with and without
    mitigation; one row 'All scenarios' when every scenario gives the same figures (the DSG
    assumptions are not part of the scenarios), instead of identical rows."""
    table = pd.DataFrame(
        {
            "scenario": headline["scenario"].astype(str),
            "final_year": headline["final_year"].map(year_text),
            "with_mitigation_gbp_m": headline["dsg_deficit_final_year_gbp_m"].astype(float),
            "without_mitigation_gbp_m": headline["dsg_deficit_final_year_unmitigated_gbp_m"].astype(
                float
            ),
        }
    ).reset_index(drop=True)
    figures = table.drop(columns="scenario").round(1).drop_duplicates()
    if len(table) > 1 and len(figures) == 1:
        return table.head(1).assign(scenario=f"All {len(table)} scenarios").reset_index(drop=True)
    return table


def scenario_table(headline: pd.DataFrame) -> pd.DataFrame:
    """The scenarios side by side, for display: gap, reserve milestones, DSG deficit."""
    out = pd.DataFrame(
        {
            "scenario": [scenario_title(n, headline) for n in headline["scenario"].astype(str)],
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
    if any(override_end(r) for _i, r in headline.iterrows()):
        # Usable reserves above are on the plan's terms (the DSG deficit counted from the
        # override's end); the override-continues view beside them, labelled.
        out.insert(
            4,
            "usable_reserves_run_out_if_override_continues",
            headline["usable_reserves_exhausted_year_override_continues"].map(
                lambda v: year_text(v) or "Not in plan period"
            ),
        )
    return out.reset_index(drop=True)


SCENARIO_TABLE_HEADERS = {
    "scenario": "Scenario",
    "cumulative_gap_gbp_m": "Gap in final year (£m)",
    "general_fund_below_minimum": "General fund below minimum from",
    "usable_reserves_run_out": "Usable reserves run out in (schools deficit counted once the override ends)",
    "usable_reserves_run_out_if_override_continues": "Usable reserves run out in, if the override continued",
    "dsg_deficit_gbp_m": "Schools high-needs deficit in final year, with mitigation (£m)",
}


def savings_table(savings: pd.DataFrame) -> pd.DataFrame:
    row = savings.iloc[0]
    return pd.DataFrame(
        {
            "measure": [
                "Planned",
                "Delivered to date",
                "Forecast by year end",
                "At risk (amber and red)",
                "Not expected this year (planned minus forecast)",
            ],
            "value_gbp_m": [
                float(row["planned_gbp_m"]),
                float(row["delivered_gbp_m"]),
                float(row["forecast_gbp_m"]),
                float(row["at_risk_gbp_m"]),
                float(row["lost_gbp_m"]),
            ],
            "share_of_planned_fraction": [
                1.0,
                float(row["delivery_rate"]),
                float(row["forecast_delivery_rate"]),
                share_of(row["at_risk_gbp_m"], row["planned_gbp_m"]),
                share_of(row["lost_gbp_m"], row["planned_gbp_m"]),
            ],
        }
    )


def services_display(proposals: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """The proposed services (all of them, or the first ``n``) for the summary's table, each with
    its own reason: service name first (a row header)."""
    top = top_services(proposals, len(proposals) if n is None else n)
    columns = ["service", "rank", *[c for c in top.columns if c not in ("service", "rank")]]
    return top[columns]


SERVICES_HEADERS = {"service": "Service", "rank": "Order", "reason": "Why it is proposed"}


def published_dsg_tile(position: pd.DataFrame | None) -> tuple[str, str, str] | None:
    """The council's published schools deficit as a tile (label, value, note), from the
    benchmarking report's financial position; None without a figure or for a council without
    schools."""
    if position is None or position.empty:
        return None
    row = position.iloc[0]
    if without_schools(position):
        return None
    if pd.isna(row["dsg_year"]) or pd.isna(row["dsg_deficit_gbp_k"]):
        return None
    deficit_m = float(row["dsg_deficit_gbp_k"]) / 1000
    notes = ["published DSG adjustment account"]
    if round(deficit_m, 1) > 0:
        if pd.notna(row["dsg_deficit_per_head_gbp"]):
            notes.append(f"£{float(row['dsg_deficit_per_head_gbp']):,.0f} a head")
        if pd.notna(row["dsg_deficit_to_usable_reserves"]):
            notes.append(
                f"{pct_text(float(row['dsg_deficit_to_usable_reserves']))} of usable reserves"
            )
    return (
        f"Schools deficit at 31 March {int(row['dsg_year']) + 1}",
        money(deficit_m) if round(deficit_m, 1) > 0 else "None",
        "; ".join(notes),
    )


def headline_tiles(pack: PackTables, scenario: str = BASE) -> list[tuple[str, str, str]]:
    """(label, value, note) tiles: gap, reserves, savings at risk, DSG, services to review.
    Tiles of reports not in this run say so; without the MTFP, the usable reserves in the
    published outturn take its place where the benchmarking has them."""
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
                f"cumulative, {scenario_case(str(row['scenario']), headline)}, before action to close it",
            )
        )
        others = headline[headline["scenario"].astype(str) != str(row["scenario"])]
        earliest = sorted(
            (year_text(r["general_fund_below_minimum_year"]), str(r["scenario"]))
            for _i, r in others.iterrows()
            if year_text(r["general_fund_below_minimum_year"])
        )
        note = scenario_case(str(row["scenario"]), headline)
        likely = likely_below_year(pack.get("mtfp_monte_carlo"), str(row["scenario"]))
        if likely:
            note += f"; simulation: more likely than not from {likely}"
        if earliest:
            note += f"; {scenario_words(earliest[0][1], headline)} scenario: {earliest[0][0]}"
        tiles.append(("General fund below minimum", below or f"Not by {final}", note))
        ends = override_end(row)
        if ends:
            out = year_text(row["usable_reserves_exhausted_year"])
            alternative = year_text(row.get("usable_reserves_exhausted_year_override_continues"))
            tiles.append(
                (
                    "Usable reserves run out",
                    out or f"Not by {final}",
                    f"with the DSG deficit counted from {ends}; if the statutory override "
                    f"continued: {alternative or f'not by {final}'}",
                )
            )
    else:
        # Without the MTFP, the published outturn still shows the council's reserves.
        reserves = reserves_tile(pack.get("benchmark_resilience"))
        tiles.append(reserves or ("Budget gap", "Not in this run", "the MTFP report was not run"))
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
    elif (published := published_dsg_tile(pack.get("benchmark_financial_position"))) and not (
        headline is not None and not headline.empty
    ):
        # A benchmark-only pack: the council's published schools deficit leads, not a blank.
        tiles.append(published)
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
    proposals = pack.get("benchmark_review_proposals")
    status = pack.get("benchmark_status")
    if proposals is not None and not is_present(status):
        code = status.iloc[0]["ons_code"]
        tiles.append(("Services to review", "No data", f"no benchmarking data for {code}"))
    elif proposals is not None:
        top = top_services(proposals, len(proposals))
        tiles.append(
            (
                "Services to review",
                f"{len(top)} service{'' if len(top) == 1 else 's'}" if len(top) else "None",
                join_words([str(s) for s in top["service"]])
                or "no service qualifies on the evidence",
            )
        )
    else:
        tiles.append(
            ("Services to review", "Not in this run", "the benchmarking report was not run")
        )
    return tiles


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
    from analysis.core.display import callout

    callout(not_in_run_sentence(report_key))
    return True


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
            if override_end(r):
                add(
                    "mtfp",
                    "usable_reserves_exhausted_if_override_continues",
                    year=year_text(r.get("usable_reserves_exhausted_year_override_continues")),
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
    proposals = pack.get("benchmark_review_proposals")
    if proposals is not None:
        for _i, r in top_services(proposals, len(proposals)).iterrows():
            add("vfm", "review_priority_rank", float(r["rank"]), service=str(r["service"]))
    frame = pd.DataFrame(
        rows, columns=["section", "measure", "scenario", "financial_year", "service", "value"]
    )
    frame["value"] = frame["value"].astype(float)
    return frame


def gap_chart(
    scenarios: pd.DataFrame, scenario: str = BASE, source: str = "", period: str | None = None
):
    """Line chart of the cumulative gap per year under each scenario, the chosen one first.

    Returns ``(fig, alt, table)``: the figure, its text alternative and the data behind it.
    """
    from analysis.core import charts

    frame = scenarios[["scenario", "year", "budget_gap_cumulative_gbp_m"]].copy()
    frame["scenario"] = frame["scenario"].astype(str)
    scenario = scenario_title(scenario)
    frame["scenario"] = frame["scenario"].map(scenario_title)
    frame["year"] = frame["year"].map(year_text)
    names = list(dict.fromkeys(frame["scenario"]))
    base = scenario_title(BASE)
    chosen = scenario if scenario in names else (base if base in names else names[0])
    names = [chosen] + [n for n in names if n != chosen]
    years = sorted(frame["year"].unique(), key=sort_year)
    wide = frame.pivot(
        index="year", columns="scenario", values="budget_gap_cumulative_gbp_m"
    ).reindex(years)[names]

    final = years[-1]
    title = (
        f"The cumulative budget gap reaches {money(wide.loc[final, chosen])} by {final} "
        f"({chosen.lower()} scenario)"
    )
    fig, ax = charts.new_figure(title, height=3.2)
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
