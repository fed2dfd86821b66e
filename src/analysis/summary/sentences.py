"""The summary's sentences, each generated from one of the pack's tables.

:func:`gap_sentence`, :func:`reserves_sentence`, :func:`dsg_sentence` and
:func:`savings_sentence` each turn one table into one sentence (the value-for-money ones are in
:mod:`.vfm`); :mod:`.messages` gathers them for the first screen.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.core.display import in_sentence, join_words, pct_text, percent_text
from analysis.core.periods import parse_year, year_label
from analysis.core.scenarios import in_sentence as scenario_in_sentence
from analysis.summary.tables import (
    BASE,
    scenario_title,
    without_schools,
)


def money(value_gbp_m: float) -> str:
    """£m value -> '£12.3m' ('-£1.2m' when negative), as in the rest of the pack's prose."""
    value = round(float(value_gbp_m), 1)
    if value == 0:
        value = 0.0  # no '-£0.0m'
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.1f}m"


def percent(fraction: float) -> str:
    """0.85 -> '85%'; an input such as 0.0199 keeps its precision ('1.99%')."""
    return percent_text(float(fraction))


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


def sort_year(value: str) -> int:
    return parse_year(value)


def scenario_row(headline: pd.DataFrame, scenario: str) -> pd.Series:
    """The headline row of ``scenario``; falls back to 'base', then to the first row."""
    for name in (scenario, BASE):
        rows = headline[headline["scenario"].astype(str) == name]
        if not rows.empty:
            return rows.iloc[0]
    return headline.iloc[0]


def scenario_words(name: str, headline: pd.DataFrame | None = None) -> str:
    """A scenario inside a sentence: its ``title`` as written, else its name in lower-case
    words ("pay_shock" -> "pay shock"); never the raw key."""
    words = scenario_title(name, headline)
    plain = scenario_title(name)
    return scenario_in_sentence(name) if words == plain else words


def scenario_case(name: str, headline: pd.DataFrame | None = None) -> str:
    return "base-case" if name == BASE else f"{scenario_words(name, headline)} scenario"


def gap_sentence(headline: pd.DataFrame, scenario: str = BASE) -> str:
    """'The base-case cumulative gap reaches £45.2m by 2025-26 (£60.1m under the pessimistic
    scenario, £30.0m under the optimistic one), if nothing is done to close it.'"""
    row = scenario_row(headline, scenario)
    name = str(row["scenario"])
    final = year_text(row["final_year"])
    gap = float(row["cumulative_gap_final_year_gbp_m"])
    others = headline[headline["scenario"].astype(str) != name]
    verb = "reaches" if gap > 0 else "is"
    sentence = (
        f"The {scenario_case(name, headline)} cumulative budget gap {verb} {money(gap)} by {final}"
    )
    if gap <= 0:
        sentence = (
            f"The {scenario_case(name, headline)} plan shows no cumulative budget gap by {final}"
        )
        if round(gap, 1) < 0:
            sentence += f" ({_gap_or_surplus(gap)})"
    if not others.empty:
        ordered = others.sort_values(
            "cumulative_gap_final_year_gbp_m", ascending=False, kind="mergesort"
        )
        parts = [
            f"{_gap_or_surplus(r['cumulative_gap_final_year_gbp_m'])} under the {scenario_words(str(r['scenario']), headline)} scenario"
            for _i, r in ordered.iterrows()
        ]
        sentence += f" ({join_words(parts)})"
    return sentence + ", before any further action to close it."


def _gap_or_surplus(value_gbp_m: float) -> str:
    """'£12.0m' for a gap, 'a £7.2m surplus' for a negative gap (no minus sign in prose)."""
    value = float(value_gbp_m)
    return f"a {money(-value)} surplus" if round(value, 1) < 0 else money(value)


def _under(name: str, headline: pd.DataFrame | None = None) -> str:
    return "the base case" if name == BASE else f"the {scenario_words(name, headline)} scenario"


def reserves_sentence(
    headline: pd.DataFrame,
    scenario: str = BASE,
    monte_carlo: pd.DataFrame | None = None,
    leanings: pd.DataFrame | None = None,
) -> str:
    """When the general fund falls below its minimum (and usable reserves run out), for the
    chosen scenario, reconciled with the Monte Carlo simulation of that scenario where the pack
    has it (:func:`probability_sentence`), and the earliest such year under any other scenario."""
    row = scenario_row(headline, scenario)
    name = str(row["scenario"])
    final = year_text(row["final_year"])
    below = year_text(row["general_fund_below_minimum_year"])
    exhausted = year_text(row["usable_reserves_exhausted_year"])
    if below:
        sentence = f"Under {_under(name, headline)}, the general fund falls below its minimum prudent level in {below}"
    else:
        sentence = f"Under {_under(name, headline)}, the general fund stays above its minimum prudent level to {final}"
    ends = override_end(row)
    if ends:
        sentence += ". " + override_sentence(row, ends)
    else:
        if exhausted:
            sentence += f" and usable reserves run out in {exhausted}"
        sentence += "."
    if monte_carlo is not None and not monte_carlo.empty:
        simulated = monte_carlo[monte_carlo["scenario"].astype(str) == name]
        if not simulated.empty:
            sentence += " " + probability_sentence(row, simulated, leanings)

    others = headline[headline["scenario"].astype(str) != name].copy()
    if others.empty:
        return sentence
    others["_below"] = others["general_fund_below_minimum_year"].map(year_text)
    falling = others.dropna(subset=["_below"])
    if falling.empty:
        return sentence + " It stays above the minimum under every other scenario modelled."
    falling = falling.assign(_order=falling["_below"].map(sort_year)).sort_values(
        ["_order", "scenario"], kind="mergesort"
    )
    first = falling.iloc[0]
    if below and sort_year(first["_below"]) >= sort_year(below):
        return sentence
    return sentence + (
        f" Under the {scenario_words(str(first['scenario']), headline)} scenario it falls below the minimum in {first['_below']}."
    )


def override_end(row: pd.Series) -> str | None:
    """The first year without the DSG statutory override within the plan, as the plan's
    assumptions say (None when it lasts the plan, or in a pack made before it was recorded)."""
    return year_text(row.get("statutory_override_ends"))


def override_sentence(row: pd.Series, ends: str) -> str:
    """Usable reserves on the plan's own terms (the DSG deficit counted from the year the
    override ends), with the balance that year and the override-continues view."""
    final = year_text(row["final_year"])
    exhausted = year_text(row["usable_reserves_exhausted_year"])
    alternative = year_text(row.get("usable_reserves_exhausted_year_override_continues"))
    at_end = row.get("usable_reserves_at_override_end_gbp_m")
    text = (
        f"Usable reserves {f'run out in {exhausted}' if exhausted else f'last to {final}'} with "
        f"the schools high-needs (DSG) deficit counted from {ends}"
    )
    if at_end is not None and not pd.isna(at_end):
        text += f" ({money(at_end)} at the end of {ends})"
    return text + (
        "; if the statutory override continued, they would "
        + (f"run out in {alternative}." if alternative else f"last to {final}.")
    )


def likely_below_year(monte_carlo: pd.DataFrame | None, scenario: str) -> str | None:
    """The first year the simulation puts the general fund below its minimum in at least half
    of the draws, for ``scenario`` (None when never, or when the pack has no simulation)."""
    if monte_carlo is None or monte_carlo.empty:
        return None
    rows = monte_carlo[monte_carlo["scenario"].astype(str) == scenario]
    likely = rows[rows["probability_general_fund_below_minimum_fraction"].astype(float) >= 0.5]
    years = sorted((year_text(y) for y in likely["year"]), key=sort_year)
    return years[0] if years else None


def _lean_reason(leanings: pd.DataFrame | None, scenario: str, wider: bool) -> str | None:
    """The assumptions whose draws lean towards a wider (narrower) gap on average, from the
    pack's ``mtfp_monte_carlo_leanings`` (None without it); a sentence part."""
    if leanings is None or leanings.empty:
        return None
    rows = leanings[leanings["scenario"].astype(str) == scenario]
    if rows.empty:
        return None
    lean = rows["lean_widening_fraction"].astype(float)
    leans = rows["leans"].astype(str).str.lower().isin(("true", "1"))
    same = rows[leans & ((lean > 0) if wider else (lean < 0))]
    if same.empty:
        return (
            f"no assumption's draws lean towards a {'wider' if wider else 'narrower'} gap on "
            "average, so the difference comes from the way the drawn assumptions combine over "
            "the years"
        )
    same = same.reindex(
        same["lean_widening_fraction"].astype(float).abs().sort_values(ascending=False).index
    )
    parts = [
        f"{r.label} averages {abs(float(r.mean_offset_fraction)) * 100:.1f} points "
        f"{'above' if float(r.mean_offset_fraction) > 0 else 'below'} its value"
        for r in same.head(2).itertuples()
    ]
    return (
        f"the draws lean towards a {'wider' if wider else 'narrower'} gap than its central "
        f"figures ({'; '.join(parts)})"
    )


def probability_sentence(
    row: pd.Series, simulated: pd.DataFrame, leanings: pd.DataFrame | None = None
) -> str:
    """The Monte Carlo view of the same scenario's reserve milestone, and why the two differ,
    from the draws themselves (``leanings``: the pack's ``mtfp_monte_carlo_leanings``, which
    says which assumptions' draws lean which way from the scenario's values): without it the
    sentence gives the medians and no reason."""
    name = str(row["scenario"])
    own = row.to_frame().T  # the row's own title, where the MTFP table has one
    below = year_text(row["general_fund_below_minimum_year"])
    ordered = simulated.assign(_order=simulated["year"].map(lambda y: sort_year(year_text(y))))
    ordered = ordered.sort_values("_order", kind="mergesort")
    chance = ordered["probability_general_fund_below_minimum_fraction"].astype(float)
    likely = ordered.loc[chance >= 0.5, "year"]
    first = year_text(likely.iloc[0]) if len(likely) else None
    draws = int(ordered["draws"].iloc[0])
    last = ordered.iloc[-1]
    final = year_text(last["year"])
    median = float(last["budget_gap_cumulative_p50_gbp_m"])
    projected = float(row["cumulative_gap_final_year_gbp_m"])
    if first:
        view = (
            f"In {draws:,} simulations of {_under(name, own)}, it is more likely than not to be below "
            f"its minimum from {first} ({pct_text(chance[likely.index[0]])} of simulations)"
        )
    else:
        view = (
            f"In {draws:,} simulations of {_under(name, own)}, it is below its minimum in at most "
            f"{pct_text(chance.max())} of simulations in any year"
        )
    same = (first is None and below is None) or (
        first is not None and below is not None and sort_year(first) == sort_year(below)
    )
    if same:
        return view + ", which agrees with the single projection."
    timing = (
        "earlier than"
        if below is None or (first and sort_year(first) < sort_year(below))
        else "later than"
    )
    if round(median, 1) == round(projected, 1):
        return view + (
            f", {timing} the single projection says, though the median "
            f"simulated gap by {final} matches its projection ({money(projected)}): the spread "
            "of outcomes, not their middle, makes the difference."
        )
    wider = median > projected
    compare = (
        f"the median simulated gap by {final} ({money(median)}) is "
        f"{'above' if wider else 'below'} the single projection's ({money(projected)})"
    )
    reason = _lean_reason(leanings, name, wider)
    if reason is None:
        return view + f", {timing} the single projection says: {compare}."
    return view + f", {timing} the single projection says: {compare}, because {reason}."


def dsg_sentence(headline: pd.DataFrame, scenario: str = BASE) -> str:
    """'The schools high-needs (DSG) deficit reaches £70.0m by 2025-26 with the mitigation plan,
    £110.0m without it.'"""
    row = scenario_row(headline, scenario)
    final = year_text(row["final_year"])
    mitigated = float(row["dsg_deficit_final_year_gbp_m"])
    unmitigated = float(row["dsg_deficit_final_year_unmitigated_gbp_m"])
    if mitigated <= 0 and unmitigated <= 0:
        return f"The schools high-needs (DSG) budget shows no cumulative deficit by {final}."
    text = (
        f"The schools high-needs (DSG) cumulative deficit reaches {money(mitigated)} by {final} with "
        f"the mitigation plan, {money(unmitigated)} without it; "
    )
    ends = override_end(row)
    if ends:
        return text + (
            f"the plan assumes the statutory override that keeps it off the general fund ends in "
            f"{ends}, after which it counts against usable reserves."
        )
    return text + "a statutory override keeps it off the general fund for now."


def published_dsg_sentence(position: pd.DataFrame | None) -> str | None:
    """Without the MTFP report, the schools deficit as the council last published it (the DSG
    adjustment account in its outturn return, from the benchmarking report's financial position):
    'At 31 March 2024 the published schools high-needs (DSG) deficit was £22.3m (£113 a head,
    26% of usable reserves); the Medium Term Financial Plan report, which projects it, was not
    part of this run.' None when the benchmarking report has no such figure."""
    if position is None or position.empty:
        return None
    row = position.iloc[0]
    if without_schools(position):
        return (
            "Schools are not among the council's services, so it has no schools high-needs "
            "(DSG) deficit of its own."
        )
    if pd.isna(row["dsg_year"]):
        return None
    balance = f"At 31 March {int(row['dsg_year']) + 1} the published schools high-needs (DSG)"
    after = "; the Medium Term Financial Plan report, which projects it, was not part of this run."
    deficit_k = float(row["dsg_deficit_gbp_k"])
    if round(deficit_k / 1000, 1) <= 0:
        return f"{balance} adjustment account showed no deficit" + after
    parts = []
    per_head = row["dsg_deficit_per_head_gbp"]
    if pd.notna(per_head):
        parts.append(f"£{float(per_head):,.0f} a head")
    share = row["dsg_deficit_to_usable_reserves"]
    if pd.notna(share):
        parts.append(f"{pct_text(float(share))} of usable reserves")
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"{balance} deficit was {money(deficit_k / 1000)}{detail}" + after


def savings_sentence(savings: pd.DataFrame, period_label: str | None = None) -> str:
    """'Of £30.0m of savings planned for 2021-22, £12.0m (40%) had been delivered by 2021-22 Q2
    and £25.5m (85%) is forecast by the year end; £6.0m is at risk (amber or red) and £4.5m
    (planned minus forecast) is not expected this year.'"""
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
        f"by the year end; {money(row['at_risk_gbp_m'])} is at risk (rated amber or red) and "
        f"{money(row['lost_gbp_m'])} (planned minus forecast) is not expected this year."
    )


def productivity_sentences(
    productivity: pd.DataFrame | None, pack_year: str | None = None, in_run: bool = True
) -> list[str]:
    """The productivity plan's figures in words: each item's share of the total staff budget
    (with the spend where the budget is given), their total, the plan's year (said to differ
    from ``pack_year`` where it does) and where the figures come from. ``in_run`` False: the
    MTFP report, which carries them, was not part of this run."""
    if not in_run:
        return [
            "The productivity plan figures come with the Medium Term Financial Plan report, which "
            "was not part of this run."
        ]
    if productivity is None or productivity.empty:
        return ["The council has not supplied its productivity plan figures for this pack."]
    year = year_text(productivity["year"].iloc[0])
    parts = []
    for i, (_index, row) in enumerate(productivity.iterrows()):
        share = percent_text(float(row["share_of_staff_budget_fraction"]), computed=2)
        spend = row.get("spend_gbp_k")
        amount = f" ({money(float(spend) / 1000)})" if spend is not None and pd.notna(spend) else ""
        name = in_sentence(str(row["item"]))
        if i == 0:
            parts.append(f"{name} cost {share}{amount} of its total staff budget")
        else:
            parts.append(f"{name} {share}{amount}")
    total = float(productivity["share_of_staff_budget_fraction"].sum())
    when = (
        f" (a different year from this pack's {year_text(pack_year)})"
        if pack_year and year_text(pack_year) != year
        else ""
    )
    together = f" ({percent_text(total, computed=2)} together)" if len(parts) > 1 else ""
    return [
        f"In its {year} productivity plan{when} the council reports that {join_words(parts)}{together}.",
        f"Source: {productivity['source'].iloc[0]}.",
    ]


def share_of(part: float, whole: float) -> float:
    whole = float(whole)
    return float(part) / whole if whole else float("nan")
