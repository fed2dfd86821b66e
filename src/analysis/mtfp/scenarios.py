"""The scenarios side by side, their headline figures, and the sensitivity of the gap to each
assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.mtfp import dsg
from analysis.mtfp.assumptions import resolve_scenario
from analysis.mtfp.delivery import Evidence
from analysis.mtfp.engine import Drivers, project
from analysis.mtfp.projection import (
    Projection,
    budget_gap,
    build_drivers,
    council_tax_detail,
    projection,
    referendum_breaches,
    reserve_milestones,
    reserves_projection,
)
from analysis.mtfp.schema import MTFPAssumptions

SENSITIVITY_STEP = 0.01  # one percentage point


def compare_scenarios(
    assumptions: MTFPAssumptions, council: Council, rates: Evidence = None
) -> pd.DataFrame:
    """Every named scenario's gap and reserves, one row per scenario and year."""
    frames = []
    for name in assumptions.scenario_names():
        plan = resolve_scenario(assumptions, name)
        result = projection(plan, council, rates)
        gap = budget_gap(result)
        reserves = reserves_projection(result)
        frames.append(
            pd.DataFrame(
                {
                    "scenario": name,
                    "year": gap["year"],
                    "net_budget_requirement_gbp_k": gap["net_budget_requirement_gbp_k"],
                    "funding_gbp_k": gap["funding_gbp_k"],
                    "budget_gap_cumulative_gbp_k": gap["budget_gap_cumulative_gbp_k"],
                    "budget_gap_incremental_gbp_k": gap["budget_gap_incremental_gbp_k"],
                    "general_fund_gbp_k": reserves["general_fund_gbp_k"],
                    "minimum_general_fund_gbp_k": reserves["minimum_general_fund_gbp_k"],
                    "usable_reserves_gbp_k": reserves["usable_reserves_gbp_k"],
                    "usable_reserves_after_dsg_gbp_k": reserves["usable_reserves_after_dsg_gbp_k"],
                    "savings_delivery_rate_applied": plan.apply_savings_delivery_rate,
                    "breaches_referendum_limit": council_tax_detail(result)[
                        "breaches_referendum_limit"
                    ].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def scenario_headlines(
    assumptions: MTFPAssumptions, council: Council, rates: Evidence = None
) -> pd.DataFrame:
    """One row per scenario: final-year cumulative gap, reserve milestones, DSG deficit."""
    rows = []
    for name in assumptions.scenario_names():
        plan = resolve_scenario(assumptions, name)
        result = projection(plan, council, rates)
        gap = budget_gap(result)
        reserves = reserves_projection(result)
        milestones = reserve_milestones(reserves)
        ends = milestones["statutory_override_ends"]
        at_end = reserves[reserves["year"] == ends]
        deficit = dsg.dsg_projection(plan)
        final = deficit[deficit["year"] == plan.final_year].set_index("case")[
            "cumulative_deficit_gbp_k"
        ]
        rows.append(
            {
                "scenario": name,
                "scenario_title": assumptions.scenario_title(name),
                "final_year": plan.final_year,
                "cumulative_gap_final_year_gbp_k": float(
                    gap["budget_gap_cumulative_gbp_k"].iloc[-1]
                ),
                **milestones,
                "usable_reserves_at_override_end_gbp_k": float(
                    at_end["usable_reserves_after_dsg_gbp_k"].iloc[0]
                )
                if ends
                else np.nan,
                "dsg_deficit_at_override_end_gbp_k": float(
                    at_end["dsg_deficit_counted_gbp_k"].iloc[0]
                )
                if ends
                else np.nan,
                "referendum_limit_breached_in": _breach_years(result),
                "dsg_deficit_final_year_gbp_k": float(final[dsg.WITH_MITIGATION]),
                "dsg_deficit_final_year_unmitigated_gbp_k": float(final[dsg.WITHOUT_MITIGATION]),
            }
        )
    table = pd.DataFrame(rows)
    for column in (
        "general_fund_below_minimum_year",
        "usable_reserves_exhausted_year",
        "usable_reserves_exhausted_year_override_continues",
        "statutory_override_ends",
        "referendum_limit_breached_in",
    ):
        table[column] = pd.Series([row[column] for row in rows], dtype=object)
    return table


def _breach_years(result: Projection) -> str | None:
    detail = council_tax_detail(result)
    years = detail.loc[detail["breaches_referendum_limit"], "year"].tolist()
    return ", ".join(years) if years else None


def _sensitivity_variants(d: Drivers, m: MTFPAssumptions) -> list[tuple[str, str, str, int]]:
    """(label, driver field, selector, direction) for each test: every assumption moves by one
    percentage point in the direction that widens the gap (+1 on costs, -1 on income, council
    tax and savings delivery)."""
    variants = [
        ("Pay award", "pay_award", "all", 1),
        ("Price inflation", "price_inflation", "all", 1),
        ("Demand growth (all directorates)", "demand_growth", "all", 1),
    ]
    variants += [
        (f"Demand growth: {name}", "demand_growth", str(i), 1)
        for i, name in enumerate(m.directorates)
    ]
    variants += [
        ("Council tax increase (core)", "core_increase", "all", -1),
        ("Tax base growth", "tax_base_growth", "all", -1),
        ("Business rates growth", "business_rates_growth", "all", -1),
    ]
    if m.grants:
        variants.append(("Grant growth (all grants)", "grant_growth", "all", -1))
    if np.any(d.savings_planned):
        variants.append(("Savings delivery rate", "savings_delivery", "all", -1))
    return variants


def sensitivity(
    m: MTFPAssumptions, rates: Evidence = None, step: float = SENSITIVITY_STEP
) -> pd.DataFrame:
    """Change in the cumulative gap per year when each assumption moves one percentage point in
    the direction that widens the gap (``change``: 'up 1 percentage point' or 'down 1
    percentage point').

    Each test moves one assumption in every year (council tax, tax base, business rates and
    grants from the second year, as their first-year figures are known; savings delivery in the
    years not taken from the savings register, kept within 0-100%). All tests run at once, one
    per row of the draws axis. Positive = the gap widens. ``breaches_referendum_limit`` flags a
    year whose council tax increases in that test would need a referendum.
    """
    base = build_drivers(m, rates=rates)
    variants = _sensitivity_variants(base, m)
    d = base.repeated(len(variants) + 1)
    for row, (_label, field, selector, direction) in enumerate(variants, start=1):
        array = getattr(d, field)
        if selector == "all":
            array[row] += direction * step
        else:
            array[row, int(selector)] += direction * step
    np.clip(d.savings_delivery, 0.0, 1.0, out=d.savings_delivery)
    np.maximum(d.grant_growth, -1.0, out=d.grant_growth)  # a grant can fall to nothing, no further
    gap = project(d)["gap_cumulative"]
    change = gap[1:] - gap[0]
    breach = referendum_breaches(m, d.core_increase, d.asc_increase)["any"][1:]
    frames = [
        pd.DataFrame(
            {
                "assumption": label,
                # words, not a sign: a leading + or - is a formula to Excel (see core.tables)
                "change": f"{'up' if direction > 0 else 'down'} {step * 100:g} percentage point",
                "year": m.year_labels,
                "change_in_budget_gap_cumulative_gbp_k": change[i],
                "breaches_referendum_limit": breach[i],
            }
        )
        for i, (label, _f, _s, direction) in enumerate(variants)
    ]
    return pd.concat(frames, ignore_index=True)
