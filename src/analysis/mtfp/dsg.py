"""Dedicated Schools Grant (DSG) high-needs block: the cumulative deficit, with and without the
council's mitigation plan, and what happens to reserves if the statutory override ends.

Cumulative deficit at the end of a year = last year's deficit + (high-needs spend - high-needs
grant). Spend = number of education, health and care plans (EHCPs) x the placement mix x the
unit cost of each placement type, plus other high-needs spend. The first year's plans, unit
costs and grant are the base-year figures; growth and inflation apply from the second year.

The statutory override keeps the deficit off the council's general fund. If it ends, from the
year named in ``statutory_override_ends`` (the first financial year without it) the whole
cumulative deficit counts against usable reserves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.periods import parse_year
from analysis.mtfp.engine import growth_index
from analysis.mtfp.schema import MTFPAssumptions, per_year

WITH_MITIGATION = "with mitigation"
WITHOUT_MITIGATION = "without mitigation"


def _case(m: MTFPAssumptions, mitigated: bool) -> pd.DataFrame:
    dsg = m.dsg_high_needs
    mit = dsg.mitigation
    years = m.years
    growth = (
        mit.plan_growth_pct
        if mitigated and mit.plan_growth_pct is not None
        else dsg.plan_growth_pct
    )
    inflation = (
        mit.unit_cost_inflation_pct
        if mitigated and mit.unit_cost_inflation_pct is not None
        else dsg.unit_cost_inflation_pct
    )
    other = (
        mit.other_spend_gbp_k
        if mitigated and mit.other_spend_gbp_k is not None
        else dsg.other_spend_gbp_k
    )
    shares = {t: per_year(p.share, years) for t, p in dsg.placements.items()}
    costs = {t: p.unit_cost_gbp for t, p in dsg.placements.items()}
    if mitigated:
        shares.update({t: per_year(s, years) for t, s in (mit.placement_shares or {}).items()})
        costs.update(mit.unit_costs_gbp or {})
    types = list(dsg.placements)
    share = np.stack([shares[t] for t in types])  # (P, T)
    unit_cost = np.array([costs[t] for t in types])[:, None] * growth_index(
        per_year(inflation, years), True
    )
    plans = dsg.plans_base_year * growth_index(per_year(growth, years), True)
    spend = plans * (share * unit_cost).sum(axis=0) / 1000.0 + per_year(other, years)
    grant = dsg.grant_gbp_k * growth_index(per_year(dsg.grant_growth_pct, years), True)
    overspend = spend - grant
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "case": WITH_MITIGATION if mitigated else WITHOUT_MITIGATION,
            "plans": plans,
            "average_cost_per_plan_gbp": (share * unit_cost).sum(axis=0),
            "high_needs_spend_gbp_k": spend,
            "high_needs_grant_gbp_k": grant,
            "in_year_overspend_gbp_k": overspend,
            "cumulative_deficit_gbp_k": dsg.opening_deficit_gbp_k + np.cumsum(overspend),
        }
    )


def dsg_projection(m: MTFPAssumptions) -> pd.DataFrame:
    """The high-needs deficit by year, with and without mitigation (long, one row per case and year)."""
    return pd.concat([_case(m, True), _case(m, False)], ignore_index=True)


def override_ended(m: MTFPAssumptions) -> np.ndarray:
    """(T,) True from the first year without the statutory override (``statutory_override_ends``)."""
    ends = m.dsg_high_needs.statutory_override_ends
    return np.array([ends is not None and y >= parse_year(ends) for y in m.years])


def counted_deficit(m: MTFPAssumptions) -> np.ndarray:
    """(T,) The cumulative DSG deficit (with the recovery plan) that counts against usable
    reserves on the plan's own terms: from the year the statutory override ends, 0 before."""
    mitigated = _case(m, True)["cumulative_deficit_gbp_k"].to_numpy(float)
    return np.where(override_ended(m), mitigated, 0.0)


def override_ends_effect(
    m: MTFPAssumptions, reserves: pd.DataFrame, ends: str | None = None
) -> pd.DataFrame:
    """Usable reserves by year if the statutory override ends in ``ends`` (default: the
    assumption ``dsg_high_needs.statutory_override_ends``; None = it never ends in the plan).

    From that year the cumulative DSG deficit counts against usable reserves.
    """
    ends = ends if ends is not None else m.dsg_high_needs.statutory_override_ends
    deficit = (
        dsg_projection(m)
        .pivot(index="year", columns="case", values="cumulative_deficit_gbp_k")
        .loc[m.year_labels]
    )
    hits = np.array([ends is not None and y >= parse_year(ends) for y in m.years])
    usable = reserves.set_index("year").loc[m.year_labels, "usable_reserves_gbp_k"].to_numpy(float)
    with_mit = deficit[WITH_MITIGATION].to_numpy()
    without = deficit[WITHOUT_MITIGATION].to_numpy()
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "statutory_override_in_place": ~hits,
            "usable_reserves_gbp_k": usable,
            "dsg_deficit_with_mitigation_gbp_k": with_mit,
            "dsg_deficit_without_mitigation_gbp_k": without,
            "usable_reserves_if_override_ends_gbp_k": usable - np.where(hits, with_mit, 0.0),
            "usable_reserves_if_override_ends_unmitigated_gbp_k": usable
            - np.where(hits, without, 0.0),
        }
    )


def exhaustion_years(effect: pd.DataFrame) -> dict[str, str | None]:
    """The first year usable reserves run out once the DSG deficit counts (None if never)."""

    def first(column: str) -> str | None:
        hits = effect.loc[effect[column] <= 0, "year"]
        return str(hits.iloc[0]) if len(hits) else None

    return {
        "usable_reserves_exhausted_year_if_override_ends": first(
            "usable_reserves_if_override_ends_gbp_k"
        ),
        "usable_reserves_exhausted_year_if_override_ends_unmitigated": first(
            "usable_reserves_if_override_ends_unmitigated_gbp_k"
        ),
    }
