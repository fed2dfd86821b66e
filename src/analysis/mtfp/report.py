"""Charts and sentences for the MTFP notebook (``notebooks/01_mtfp_scenarios.ipynb``).

Each chart function takes a table from :mod:`analysis.mtfp.projection`, :mod:`analysis.mtfp.dsg` or
:mod:`analysis.mtfp.montecarlo` (money in £k), draws it in £m in the house style with a title that
states the message, and returns the figure for :func:`analysis.core.charts.show`. Each sentence
function turns a table into plain English for a councillor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core import charts
from analysis.core.display import gbp_m_text, half_up
from analysis.mtfp.dsg import WITH_MITIGATION, WITHOUT_MITIGATION
from analysis.mtfp.reconcile import reconciliation_sentence
from analysis.mtfp.report_uncertainty import (
    _finish,
    fan_chart,
    fan_sentence,
    probability_sentence,
    sensitivity_chart,
    sensitivity_sentence,
)

__all__ = [
    "dsg_chart",
    "dsg_sentence",
    "fan_chart",
    "fan_sentence",
    "funding_chart",
    "gap_chart",
    "gap_sentence",
    "headline_tiles",
    "net_budget_chart",
    "override_chart",
    "period_text",
    "probability_sentence",
    "reconciliation_sentence",
    "referendum_sentence",
    "reserves_chart",
    "reserves_sentence",
    "resilience_sentence",
    "scenario_referendum_sentence",
    "scenarios_chart",
    "sensitivity_chart",
    "sensitivity_sentence",
    "source_text",
]


def _m(values) -> np.ndarray:
    return np.asarray(values, dtype=float) / 1000.0


def source_text(council_name: str, scenario: str) -> str:
    return f"{council_name} MTFP assumptions (mtfp.yaml), '{scenario}' scenario"


def period_text(plan, period) -> str:
    """'plan 2021-22 to 2025-26, as at 2021-22 Q2' for captions."""
    return f"plan {plan.year_labels[0]} to {plan.final_year}, as at {period.label}"


def referendum_sentence(council_tax: pd.DataFrame) -> str:
    breaches = council_tax.loc[council_tax["breaches_referendum_limit"], "year"].tolist()
    if not breaches:
        return (
            "Every assumed council tax increase is within the referendum limits (core and adult "
            "social care precept), so no referendum would be needed."
        )
    return f"The assumed council tax increase breaks the referendum limit in {', '.join(breaches)}: see the warning."


def scenario_referendum_sentence(headlines: pd.DataFrame) -> str:
    """Which scenarios assume a council tax increase that would need a referendum."""
    column = headlines["referendum_limit_breached_in"]
    flagged = headlines[column.notna() & (column.astype(str) != "")]
    if flagged.empty:
        return "No scenario assumes a council tax increase above a referendum limit."
    parts = [
        f"'{r['scenario']}' in {r['referendum_limit_breached_in']}" for _i, r in flagged.iterrows()
    ]
    return (
        "These scenarios assume a council tax increase above a referendum limit, which would need "
        f"a local referendum: {'; '.join(parts)}."
    )


def resilience_sentence(resilience: pd.DataFrame) -> str:
    """Years of cover in the final year, on CIPFA's three-year average, saying how many years
    the average rests on."""
    last = resilience.iloc[-1]
    years = int(last["years_in_average"])
    cover = float(last["years_of_reserves_cover"])
    basis = (
        "the average fall over the last three years, as in CIPFA's Financial Resilience Index"
        if years >= 3
        else f"the average fall over only {years} year{'s' if years != 1 else ''} (CIPFA's "
        "Financial Resilience Index uses three; the plan has fewer so far)"
    )
    if float(last["usable_reserves_to_net_budget_fraction"]) <= 0:
        return (
            f"By the end of {last['year']} usable reserves are used up if the gaps are met from "
            "them: there is no cover left to measure."
        )
    if cover >= 100:
        return (
            f"In {last['year']} usable reserves are not falling on {basis}, so the index's "
            "measure of cover is at its ceiling of 100 years."
        )
    return (
        f"In {last['year']}, if usable reserves kept falling at {basis}, they would last about "
        f"{half_up(cover, 1)} years."
    )


# ---------------------------------------------------------------------------------------------
# Headline


def headline_tiles(headline: pd.Series, minimum_policy: str) -> list[tuple[str, str, str]]:
    """Three tiles: the gap by the final year, the general fund year, the DSG deficit."""
    final = headline["final_year"]
    below = headline["general_fund_below_minimum_year"]
    return [
        (
            f"Budget gap by {final}",
            gbp_m_text(headline["cumulative_gap_final_year_gbp_k"]),
            "cumulative: the shortfall in that year if nothing were done from now",
        ),
        (
            "General fund below its minimum",
            below if isinstance(below, str) else f"not by {final}",
            f"if the gaps were met from the general fund (minimum: {minimum_policy})",
        ),
        (
            f"DSG high-needs deficit by {final}",
            gbp_m_text(headline["dsg_deficit_final_year_gbp_k"]),
            f"with the recovery plan; {gbp_m_text(headline['dsg_deficit_final_year_unmitigated_gbp_k'])} without it",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Funding, spending, gap


def funding_chart(funding: pd.DataFrame, source: str, period: str):
    years = list(dict.fromkeys(funding["year"]))
    wide = funding.pivot_table(index="line", columns="year", values="funding_gbp_k", sort=False)[
        years
    ]
    total = wide.sum()
    fig, ax = charts.new_figure(
        f"Funding grows from {gbp_m_text(total.iloc[0])} to {gbp_m_text(total.iloc[-1])}, almost all from council tax"
    )
    positive = np.zeros(len(years))
    negative = np.zeros(len(years))
    for style, (line, row) in zip(charts.bar_styles(len(wide)), wide.iterrows(), strict=True):
        values = _m(row.to_numpy())
        bottom = np.where(values >= 0, positive, negative)
        ax.bar(range(len(years)), values, bottom=bottom, label=line, **style)
        positive += np.where(values >= 0, values, 0)
        negative += np.where(values < 0, values, 0)
    _finish(fig, ax, years, source, period)
    return fig


def net_budget_chart(net_budget: pd.DataFrame, source: str, period: str):
    years = list(dict.fromkeys(net_budget["year"]))
    wide = net_budget.pivot_table(
        index="line", columns="year", values="net_budget_gbp_k", sort=False
    )[years]
    growth = wide.iloc[:, -1] - wide.iloc[:, 0]
    biggest = growth.idxmax()
    fig, ax = charts.new_figure(
        f"The net budget rises by {gbp_m_text(growth.sum())} by {years[-1]}; {biggest} adds most ({gbp_m_text(growth.max())})"
    )
    bottom = np.zeros(len(years))
    for style, (line, row) in zip(charts.bar_styles(len(wide)), wide.iterrows(), strict=True):
        values = _m(row.to_numpy())
        ax.bar(range(len(years)), values, bottom=bottom, label=line, **style)
        bottom += values
    _finish(fig, ax, years, source, period)
    return fig


def gap_chart(gap: pd.DataFrame, source: str, period: str):
    years = gap["year"].tolist()
    final = gap["budget_gap_cumulative_gbp_k"].iloc[-1]
    fig, ax = charts.new_figure(
        f"If nothing were done, the gap would reach {gbp_m_text(final)} in {years[-1]}"
    )
    bar, line = charts.bar_styles(1)[0], charts.series_styles(2)[1]
    x = np.arange(len(years))
    ax.bar(
        x, _m(gap["budget_gap_incremental_gbp_k"]), label="Incremental gap (new that year)", **bar
    )
    ax.plot(
        x,
        _m(gap["budget_gap_cumulative_gbp_k"]),
        label="Cumulative gap (as if nothing were done)",
        **line,
    )
    _finish(fig, ax, years, source + "; positive = shortfall", period)
    return fig


def gap_sentence(gap: pd.DataFrame) -> str:
    final = gap.iloc[-1]
    first = gap.iloc[0]
    largest = gap.loc[gap["budget_gap_incremental_gbp_k"].idxmax()]
    return (
        f"In {first['year']} the gap is {gbp_m_text(first['budget_gap_cumulative_gbp_k'])}. "
        f"If nothing more were done, the gap would be {gbp_m_text(final['budget_gap_cumulative_gbp_k'])} "
        f"in {final['year']} (cumulative). Measured as the new gap arising each year, assuming earlier "
        f"gaps are closed with lasting savings or income, the largest is "
        f"{gbp_m_text(largest['budget_gap_incremental_gbp_k'])} in {largest['year']}."
    )


# ---------------------------------------------------------------------------------------------
# Reserves and DSG


def reserves_chart(reserves: pd.DataFrame, source: str, period: str):
    years = reserves["year"].tolist()
    below = reserves.loc[reserves["general_fund_below_minimum"], "year"]
    title = (
        f"Meeting the gap from reserves would take the general fund below its minimum in {below.iloc[0]}"
        if len(below)
        else f"The general fund stays above its minimum to {years[-1]} even if the gap is met from it"
    )
    fig, ax = charts.new_figure(title)
    styles = charts.series_styles(3)
    x = np.arange(len(years))
    ax.plot(x, _m(reserves["usable_reserves_gbp_k"]), label="Usable reserves", **styles[0])
    ax.plot(x, _m(reserves["general_fund_gbp_k"]), label="General fund", **styles[1])
    ax.plot(
        x, _m(reserves["minimum_general_fund_gbp_k"]), label="Minimum general fund", **styles[2]
    )
    _finish(fig, ax, years, source + "; balances at 31 March", period)
    return fig


def reserves_sentence(milestones: dict, minimum_policy: str, final_year: str) -> str:
    below = milestones["general_fund_below_minimum_year"]
    out = milestones["usable_reserves_exhausted_year"]
    first = (
        f"If each year's gap were met from reserves, the general fund would fall below its minimum "
        f"({minimum_policy}) in {below}."
        if below
        else f"Even if each year's gap were met from reserves, the general fund stays above its minimum ({minimum_policy}) to {final_year}."
    )
    second = (
        f"Usable reserves would run out in {out}."
        if out
        else f"Usable reserves would not run out by {final_year}."
    )
    return f"{first} {second} Reserves can close a gap only once: they buy time, not a balanced budget."


def dsg_chart(dsg_table: pd.DataFrame, source: str, period: str):
    years = list(dict.fromkeys(dsg_table["year"]))
    wide = dsg_table.pivot(index="year", columns="case", values="cumulative_deficit_gbp_k").loc[
        years
    ]
    fig, ax = charts.new_figure(
        f"The high-needs deficit reaches {gbp_m_text(wide[WITH_MITIGATION].iloc[-1])} by {years[-1]} with the "
        f"recovery plan and {gbp_m_text(wide[WITHOUT_MITIGATION].iloc[-1])} without it"
    )
    styles = charts.series_styles(2)
    x = np.arange(len(years))
    ax.plot(x, _m(wide[WITHOUT_MITIGATION]), label="Without mitigation", **styles[1])
    ax.plot(x, _m(wide[WITH_MITIGATION]), label="With mitigation", **styles[0])
    _finish(fig, ax, years, source + "; cumulative deficit at 31 March", period)
    return fig


def override_chart(effect: pd.DataFrame, ends: str | None, source: str, period: str):
    years = effect["year"].tolist()
    title = (
        f"If the statutory override ended in {ends}, the DSG deficit would wipe out usable reserves"
        if (effect["usable_reserves_if_override_ends_gbp_k"] <= 0).any()
        else f"If the statutory override ended in {ends}, usable reserves would fall but not run out"
    )
    fig, ax = charts.new_figure(
        title if ends else "The statutory override is assumed to last beyond the plan"
    )
    styles = charts.series_styles(3)
    x = np.arange(len(years))
    ax.plot(
        x,
        _m(effect["usable_reserves_gbp_k"]),
        label="Usable reserves (override in place)",
        **styles[0],
    )
    ax.plot(
        x,
        _m(effect["usable_reserves_if_override_ends_gbp_k"]),
        label="Override ends: with mitigation",
        **styles[1],
    )
    ax.plot(
        x,
        _m(effect["usable_reserves_if_override_ends_unmitigated_gbp_k"]),
        label="Override ends: without mitigation",
        **styles[2],
    )
    _finish(fig, ax, years, source + "; usable reserves at 31 March", period)
    return fig


def dsg_sentence(
    dsg_table: pd.DataFrame, effect: pd.DataFrame, ends: str | None, exhausted: dict
) -> str:
    first = dsg_table.iloc[0]
    opening = first["cumulative_deficit_gbp_k"] - first["in_year_overspend_gbp_k"]
    text = (
        f"The high-needs deficit starts at {gbp_m_text(opening)} and grows by "
        f"{gbp_m_text(first['in_year_overspend_gbp_k'])} in {first['year']}. It is held off the council's "
        "accounts by a statutory override."
    )
    if ends:
        when = exhausted["usable_reserves_exhausted_year_if_override_ends"]
        text += (
            f" If the override ended in {ends}, the deficit would count against usable reserves"
            + (
                f", which would run out in {when} even with the recovery plan."
                if when
                else ", which would still not run out."
            )
        )
    return text


# ---------------------------------------------------------------------------------------------
# Scenarios, sensitivity, Monte Carlo


def scenarios_chart(scenarios: pd.DataFrame, source: str, period: str):
    years = list(dict.fromkeys(scenarios["year"]))
    names = list(dict.fromkeys(scenarios["scenario"]))
    final = scenarios[scenarios["year"] == years[-1]].set_index("scenario")[
        "budget_gap_cumulative_gbp_k"
    ]
    fig, ax = charts.new_figure(
        f"By {years[-1]} the gap ranges from {gbp_m_text(final.min())} ({final.idxmin()}) to "
        f"{gbp_m_text(final.max())} ({final.idxmax()})"
    )
    x = np.arange(len(years))
    for style, name in zip(charts.series_styles(len(names)), names, strict=True):
        rows = scenarios[scenarios["scenario"] == name]
        ax.plot(x, _m(rows["budget_gap_cumulative_gbp_k"]), label=name, **style)
    _finish(
        fig, ax, years, source.split(", '")[0] + "; cumulative gap, positive = shortfall", period
    )
    return fig
