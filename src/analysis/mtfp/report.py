"""Charts and sentences for the MTFP notebook (``notebooks/01_mtfp_scenarios.ipynb``).

Each chart function takes a table from :mod:`analysis.mtfp.projection`, :mod:`analysis.mtfp.dsg` or
:mod:`analysis.mtfp.montecarlo` (money in £k), draws it in £m in the house style with a title that
states the message, and returns the figure for :func:`analysis.core.charts.show`. Each sentence
function turns a table into plain English for a councillor.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.core import charts
from analysis.core.display import gbp_m_text, half_up, pct_text
from analysis.core.scenarios import titled
from analysis.mtfp.dsg import WITH_MITIGATION, WITHOUT_MITIGATION


def _m(values) -> np.ndarray:
    return np.asarray(values, dtype=float) / 1000.0


def source_text(council_name: str, scenario: str) -> str:
    """The charts' source line; ``scenario`` as readers see it (its title or name in words)."""
    return f"{council_name} MTFP assumptions, {scenario} scenario"


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
        f"{r['scenario']} in {r['referendum_limit_breached_in']}"
        for _i, r in titled(flagged).iterrows()
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


def _finish(fig, ax, years, source: str, period: str, legend: bool = True) -> None:
    charts.label_years(ax, years)
    charts.gbp_m_axis(ax)
    ax.axhline(0, color="#555555", linewidth=0.8)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    charts.add_caption(fig, source, period)


# ---------------------------------------------------------------------------------------------
# Headline


def _present(value) -> bool:
    return isinstance(value, str) and value != ""


def headline_tiles(headline: pd.Series, minimum_policy: str) -> list[tuple[str, str, str]]:
    """Four tiles: the gap by the final year, the general fund year, usable reserves on the
    plan's own terms (the DSG deficit counted from the year the plan says the statutory
    override ends, with the override-continues view beside it) and the DSG deficit."""
    final = headline["final_year"]
    below = headline["general_fund_below_minimum_year"]
    out = headline["usable_reserves_exhausted_year"]
    ends = headline.get("statutory_override_ends")
    if _present(ends):
        alternative = headline["usable_reserves_exhausted_year_override_continues"]
        reserves_note = (
            f"counting the DSG deficit from {ends}, when the plan says the statutory override "
            f"ends; if it continued: {alternative if _present(alternative) else f'not by {final}'}"
        )
    else:
        reserves_note = "the statutory override keeps the DSG deficit off them to the plan's end"
    return [
        (
            f"Budget gap by {final}",
            gbp_m_text(headline["cumulative_gap_final_year_gbp_k"]),
            "cumulative: the shortfall in that year if nothing were done from now",
        ),
        (
            "General fund below its minimum",
            below if _present(below) else f"not by {final}",
            f"if the gaps were met from the general fund (minimum: {minimum_policy})",
        ),
        (
            "Usable reserves run out",
            out if _present(out) else f"not by {final}",
            reserves_note,
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
    ended = ~reserves["statutory_override_in_place"].astype(bool)
    if ended.any():
        ends = reserves.loc[ended, "year"].iloc[0]
        styles = charts.series_styles(4)
        ax.plot(
            x,
            _m(reserves["usable_reserves_after_dsg_gbp_k"]),
            label=f"Usable reserves, DSG deficit counted from {ends} (the plan's terms)",
            **styles[3],
        )
    ax.plot(
        x,
        _m(reserves["usable_reserves_gbp_k"]),
        label="Usable reserves if the override continued" if ended.any() else "Usable reserves",
        **styles[0],
    )
    ax.plot(x, _m(reserves["general_fund_gbp_k"]), label="General fund", **styles[1])
    ax.plot(
        x, _m(reserves["minimum_general_fund_gbp_k"]), label="Minimum general fund", **styles[2]
    )
    _finish(fig, ax, years, source + "; balances at 31 March", period)
    return fig


def reserves_chart_table(reserves: pd.DataFrame) -> pd.DataFrame:
    """The figures :func:`reserves_chart` draws, and only those (£m): the year, usable
    reserves on the plan's terms where the override ends inside the plan, usable reserves (as
    if the override continued), the general fund and its minimum. The whole projection is the
    pack's reserves table."""
    columns = ["year"]
    if (~reserves["statutory_override_in_place"].astype(bool)).any():
        columns.append("usable_reserves_after_dsg_gbp_k")
    columns += ["usable_reserves_gbp_k", "general_fund_gbp_k", "minimum_general_fund_gbp_k"]
    out = reserves[columns].copy()
    for column in columns[1:]:
        out[column.replace("_gbp_k", "_gbp_m")] = out.pop(column) / 1000
    return out


def reserves_sentence(
    reserves: pd.DataFrame, milestones: dict, minimum_policy: str, final_year: str
) -> str:
    """When the general fund falls below its minimum and usable reserves run out, on the plan's
    own terms: where the plan says the statutory override ends within it, the DSG deficit
    counts against usable reserves from that year (saying so, with the balance then), and the
    override-continues view follows as the alternative."""
    below = milestones["general_fund_below_minimum_year"]
    out = milestones["usable_reserves_exhausted_year"]
    ends = milestones.get("statutory_override_ends")
    first = (
        f"If each year's gap were met from reserves, the general fund would fall below its minimum "
        f"({minimum_policy}) in {below}."
        if below
        else f"Even if each year's gap were met from reserves, the general fund stays above its minimum ({minimum_policy}) to {final_year}."
    )
    if ends:
        row = reserves[reserves["year"] == ends].iloc[0]
        alternative = milestones["usable_reserves_exhausted_year_override_continues"]
        second = (
            f"The plan's assumptions say the statutory override for the schools high-needs (DSG) "
            f"deficit ends in {ends}, so from that year this report counts the deficit "
            f"({gbp_m_text(row['dsg_deficit_counted_gbp_k'])} then, with the recovery plan) against "
            f"usable reserves: they would be {gbp_m_text(row['usable_reserves_after_dsg_gbp_k'])} "
            f"at the end of {ends}"
            + (f" and run out in {out}." if out else f" and would not run out by {final_year}.")
            + " If the override continued, usable reserves would "
            + (f"run out in {alternative}." if alternative else f"not run out by {final_year}.")
        )
    else:
        second = (
            f"Usable reserves would run out in {out}."
            if out
            else f"Usable reserves would not run out by {final_year}."
        ) + " The plan assumes the statutory override keeps the DSG deficit off them throughout."
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
        f"When the statutory override ends in {ends}, as the plan assumes, the DSG deficit wipes out usable reserves"
        if (effect["usable_reserves_if_override_ends_gbp_k"] <= 0).any()
        else f"When the statutory override ends in {ends}, as the plan assumes, usable reserves fall but do not run out"
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
        f"{gbp_m_text(first['in_year_overspend_gbp_k'])} in {first['year']}. A statutory override "
        "holds it off the council's accounts"
    )
    if ends:
        when = exhausted["usable_reserves_exhausted_year_if_override_ends"]
        text += (
            f" until {ends}, when the plan's assumptions say it ends; from then the deficit "
            "counts against usable reserves"
            + (
                f", which run out in {when} even with the recovery plan."
                if when
                else ", which still do not run out."
            )
        )
    else:
        text += ", which the plan assumes lasts beyond its final year."
    return text


# ---------------------------------------------------------------------------------------------
# Scenarios, sensitivity, Monte Carlo


def scenarios_chart(
    scenarios: pd.DataFrame, source: str, period: str, titles: Mapping[str, str] | None = None
):
    """One line per scenario, labelled by its title (``titles``; else its name in words)."""
    scenarios = titled(scenarios, titles)
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
        fig, ax, years, source.rsplit(", ", 1)[0] + "; cumulative gap, positive = shortfall", period
    )
    return fig


def sensitivity_chart(sens: pd.DataFrame, source: str, period: str):
    year = sens["year"].iloc[-1]
    rows = sens[sens["year"] == year]
    final = pd.Series(
        rows["change_in_budget_gap_cumulative_gbp_k"].to_numpy(),
        index=[
            f"{a} ({_short(c)})" for a, c in zip(rows["assumption"], rows["change"], strict=True)
        ],
    )
    final = final.reindex(final.abs().sort_values().index)
    top = final.abs().idxmax()
    fig, ax = charts.new_figure(
        f"One percentage point on {top.split(' (')[0].lower()} moves the {year} gap by "
        f"{gbp_m_text(abs(final[top]))}",
        height=5.0,
    )
    colours = [charts.PALETTE[3] if v > 0 else charts.PALETTE[0] for v in final]
    hatches = ["//" if v > 0 else "" for v in final]
    bars = ax.barh(final.index, _m(final.to_numpy()), color=colours, edgecolor="white")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    charts.gbp_m_axis(ax, axis="x", label=f"Change in the {year} gap, £m (+ widens, - narrows)")
    ax.axvline(0, color="#555555", linewidth=0.8)
    charts.add_caption(fig, source, period)
    return fig


def fan_chart(fan: pd.DataFrame, gap: pd.DataFrame, source: str, period: str, draws: int):
    years = fan["year"].tolist()
    x = np.arange(len(years))
    p50 = fan["budget_gap_cumulative_p50_gbp_k"].iloc[-1]
    p95 = fan["budget_gap_cumulative_p95_gbp_k"].iloc[-1]
    fig, ax = charts.new_figure(
        f"In half of {draws:,} simulations the {years[-1]} gap exceeds {gbp_m_text(p50)}; in 1 in 20 it exceeds {gbp_m_text(p95)}"
    )
    ax.fill_between(
        x,
        _m(fan["budget_gap_cumulative_p05_gbp_k"]),
        _m(fan["budget_gap_cumulative_p95_gbp_k"]),
        color=charts.PALETTE[4],
        alpha=0.35,
        label="5th to 95th percentile",
    )
    ax.fill_between(
        x,
        _m(fan["budget_gap_cumulative_p25_gbp_k"]),
        _m(fan["budget_gap_cumulative_p75_gbp_k"]),
        color=charts.PALETTE[0],
        alpha=0.45,
        label="25th to 75th percentile",
    )
    ax.plot(
        x,
        _m(fan["budget_gap_cumulative_p50_gbp_k"]),
        color=charts.PALETTE[0],
        marker="o",
        label="Median",
    )
    ax.plot(
        x,
        _m(gap["budget_gap_cumulative_gbp_k"]),
        color=charts.TEXT,
        linestyle="--",
        marker="s",
        label="Scenario projection",
    )
    _finish(fig, ax, years, source + "; cumulative gap", period)
    return fig


def probability_sentence(probabilities: pd.DataFrame, milestone: str | None = None) -> str:
    """The chance the general fund is below its minimum, the first year that is more likely
    than not, and how that compares with the scenario's single projection (``milestone``: the
    year it falls below the minimum there, None when it does not)."""
    last = probabilities.iloc[-1]
    first_likely = probabilities.loc[
        probabilities["probability_general_fund_below_minimum_fraction"] >= 0.5, "year"
    ]
    text = (
        f"In {last['year']}, the general fund is below its minimum in {pct_text(last['probability_general_fund_below_minimum_fraction'])} "
        f"of simulations and usable reserves are exhausted in {pct_text(last['probability_usable_reserves_exhausted_fraction'])}"
        + (
            f" (counting the DSG deficit once the statutory override ends; "
            f"{pct_text(last['probability_usable_reserves_exhausted_override_continues_fraction'])} "
            "if it continued)."
            if "probability_usable_reserves_exhausted_override_continues_fraction" in last.index
            and last["probability_usable_reserves_exhausted_override_continues_fraction"]
            != last["probability_usable_reserves_exhausted_fraction"]
            else "."
        )
    )
    first = str(first_likely.iloc[0]) if len(first_likely) else None
    if first:
        text += f" It becomes more likely than not in {first}"
        if milestone and first == milestone:
            text += ", the year the single projection of this scenario gives."
        elif milestone is None or first < milestone:
            shown = milestone or "no year within the plan"
            text += f", earlier than the single projection of this scenario ({shown})."
        else:
            text += f", later than the single projection of this scenario ({milestone})."
    elif milestone:
        text += (
            f" It is not more likely than not in any year, though the single projection of this "
            f"scenario falls below the minimum in {milestone}."
        )
    return text


def _points(fraction: float) -> str:
    return f"{abs(fraction) * 100:.1f} percentage points"


def fan_sentence(fan: pd.DataFrame, gap: pd.DataFrame, leanings: pd.DataFrame) -> str:
    """The simulated median of the final year's gap beside the scenario's own projection, and
    why they differ, from the draws themselves (``leanings``: :func:`analysis.mtfp.montecarlo.
    leanings`): the assumptions whose draws lean the same way, by how much on average, or, if
    none does, the way the drawn assumptions combine over the years."""
    last = fan.iloc[-1]
    year = last["year"]
    median = float(last["budget_gap_cumulative_p50_gbp_k"])
    projected = float(gap["budget_gap_cumulative_gbp_k"].iloc[-1])
    spread = float(
        last["budget_gap_cumulative_p95_gbp_k"] - last["budget_gap_cumulative_p05_gbp_k"]
    )
    text = f"The middle of the simulated range for {year} ({gbp_m_text(median)}) is "
    if gbp_m_text(median) == gbp_m_text(projected) or abs(median - projected) <= 0.02 * spread:
        return text + f"in line with this scenario's own projection ({gbp_m_text(projected)})."
    wider = median > projected
    text += (
        f"{'above' if wider else 'below'} this scenario's own projection ({gbp_m_text(projected)})"
    )
    lean = leanings["lean_widening_fraction"].astype(float)
    same_way = leanings[leanings["leans"].astype(bool) & ((lean > 0) if wider else (lean < 0))]
    if same_way.empty:
        return text + (
            f": no assumption's draws lean towards a {'wider' if wider else 'narrower'} gap on "
            "average, so the difference comes from the way the drawn assumptions combine and "
            "compound over the years."
        )
    same_way = same_way.reindex(
        same_way["lean_widening_fraction"].abs().sort_values(ascending=False).index
    )
    parts = [
        f"{row.label} averages {_points(row.mean_offset_fraction)} "
        f"{'above' if row.mean_offset_fraction > 0 else 'below'} this scenario's value"
        for row in same_way.head(3).itertuples()
    ]
    return text + (
        f" because the draws lean towards a {'wider' if wider else 'narrower'} gap: "
        + "; ".join(parts)
        + "."
    )


def _short(change: str) -> str:
    """'up 1 percentage point' -> 'up 1 pp'."""
    return change.replace(" percentage point", " pp")


def sensitivity_sentence(sens: pd.DataFrame) -> str:
    """Which way each assumption was moved, and any test that would need a referendum."""
    text = (
        "Each assumption was moved one percentage point in the direction that widens the gap: "
        "costs up, and council tax, tax base, business rates, grants and savings delivery down "
        "(savings delivery never above 100%)."
    )
    breaches = sens[sens["breaches_referendum_limit"]]
    if breaches.empty:
        return text + " No test takes council tax above a referendum limit."
    parts = [
        f"{assumption} ({_short(change)}): {', '.join(group['year'])}"
        for (assumption, change), group in breaches.groupby(["assumption", "change"], sort=False)
    ]
    return text + (
        " Council tax would be above a referendum limit, so a referendum would be needed, in "
        + "; ".join(parts)
        + "."
    )


def built_from_sentence(assumptions, council_name: str) -> str:
    """What the plan is built from, in the assumptions file's own words (its ``description``),
    so that nothing about one council's sources is written in the notebook."""
    text = " ".join(str(assumptions.description or "").split())
    if not text:
        return (
            f"The assumptions file for {council_name} does not describe its sources, so this "
            "pack cannot say which of its figures are published and which illustrative."
        )
    return f"The assumptions file for {council_name} describes its sources: {text}"
