"""Medium Term Financial Plan: funding, net budget, budget gap, reserves, scenarios, sensitivity.

The assumptions live in ``data/raw/<council>/mtfp.yaml`` (see :mod:`analysis.mtfp_assumptions`);
the arithmetic in :mod:`analysis.mtfp_engine`; the DSG high-needs block in :mod:`analysis.dsg`;
the probability view in :mod:`analysis.montecarlo`. Tables here are tidy, in £k, one row per
year (or per year and line); :func:`to_gbp_m` converts them for reports.

Typical use::

    assumptions = load_assumptions(council)
    plan = resolve_scenario(assumptions, "base")
    gap = budget_gap(plan)
    reserves = reserves_projection(plan, council)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import Council
from analysis.errors import InputError, Problem
from analysis.mtfp_assumptions import (
    MTFPAssumptions,
    load_assumptions,
    per_year,
    resolve_scenario,
)
from analysis.mtfp_engine import Drivers, drivers_from, project
from analysis.periods import Period

__all__ = [
    "MTFPAssumptions",
    "load_assumptions",
    "resolve_scenario",
    "validate_inputs",
    "planned_savings",
    "savings_with_delivery",
    "opening_usable_reserves",
    "apply_delivery_rates",
    "delivery_rates_if_needed",
    "funding_by_line",
    "council_tax_detail",
    "referendum_warnings",
    "net_budget_by_directorate",
    "budget_gap",
    "reserves_projection",
    "reserve_milestones",
    "resilience_indicators",
    "compare_scenarios",
    "scenario_headlines",
    "sensitivity",
    "to_gbp_m",
]

SENSITIVITY_STEP = 0.01  # one percentage point


# ---------------------------------------------------------------------------------------------
# Validation hook


def validate_inputs(
    council: Council, period: Period, scenario: str, public_data: Path | None
) -> str:
    """Load and check ``mtfp.yaml`` and the chosen scenario; a one-line summary."""
    assumptions = load_assumptions(council)
    resolve_scenario(assumptions, scenario, council)
    labels = assumptions.year_labels
    if period.year_label not in labels:
        raise InputError.single(
            assumptions.file,
            f"the period {period.label} is outside the plan ({labels[0]} to {labels[-1]})",
            key="base_year",
        )
    return f"MTFP assumptions: {len(assumptions.scenario_names())} scenarios over {labels[0]} to {labels[-1]}"


# ---------------------------------------------------------------------------------------------
# Savings and their delivery


def planned_savings(m: MTFPAssumptions) -> pd.DataFrame:
    """Planned savings, one row per saving line and year: directorate, type, year, planned_gbp_k."""
    rows = [
        {
            "directorate": s.directorate,
            "type": s.type,
            "title": s.title,
            "year": year,
            "planned_gbp_k": value,
        }
        for s in m.planned_savings
        for year, value in s.by_year_gbp_k.items()
    ]
    columns = ["directorate", "type", "title", "year", "planned_gbp_k"]
    return pd.DataFrame(rows, columns=columns)


def apply_delivery_rates(planned: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Haircut planned savings by the council's own past delivery rates.

    ``rates`` has columns ``directorate``, ``type``, ``delivery_rate`` (0-1): a row with ``type``
    empty is the directorate's rate, the row with both empty the overall rate. Each saving takes
    the rate for its directorate and type, else its directorate's, else the overall rate
    (names compared ignoring case, so 'Tactical' matches 'tactical').
    Adds ``delivery_rate``, ``rate_basis``, ``delivered_gbp_k`` and ``undelivered_gbp_k`` (the
    pressure that comes back into the budget).
    """
    missing = {"directorate", "type", "delivery_rate"} - set(rates.columns)
    if missing:
        raise ValueError(
            f"delivery rates need columns directorate, type, delivery_rate (missing {sorted(missing)})"
        )
    values = pd.to_numeric(rates["delivery_rate"], errors="coerce")
    if values.isna().any() or ((values < 0) | (values > 1)).any():
        raise ValueError("delivery_rate must be a fraction between 0 and 1 in every row")

    def norm(value) -> str:
        return str(value).strip().casefold()

    has_dir, has_type = rates["directorate"].notna(), rates["type"].notna()
    both = has_dir & has_type
    pair = {
        (norm(d), norm(t)): r
        for d, t, r in zip(
            rates["directorate"][both], rates["type"][both], values[both], strict=True
        )
    }
    only_dir = has_dir & ~has_type
    by_dir = {
        norm(d): r for d, r in zip(rates["directorate"][only_dir], values[only_dir], strict=True)
    }
    overall = values[~has_dir & ~has_type]
    overall_rate = float(overall.iloc[0]) if len(overall) else None

    out = planned.copy()
    keys = [(norm(d), norm(t)) for d, t in zip(out["directorate"], out["type"], strict=True)]
    rate = pd.Series(
        [pair.get(k, by_dir.get(k[0], overall_rate)) for k in keys], index=out.index, dtype="float"
    )
    basis = [
        "directorate and type" if k in pair else "directorate" if k[0] in by_dir else "overall"
        for k in keys
    ]
    if rate.isna().any():
        missing_lines = zip(out["directorate"], out["type"], rate, strict=True)
        lines = sorted({f"{d} / {t}" for d, t, r in missing_lines if pd.isna(r)})
        raise ValueError(f"no delivery rate (and no overall rate) for: {'; '.join(lines)}")
    out["delivery_rate"] = rate
    out["rate_basis"] = basis
    out["delivered_gbp_k"] = out["planned_gbp_k"] * rate
    out["undelivered_gbp_k"] = out["planned_gbp_k"] - out["delivered_gbp_k"]
    return out


def delivery_rates_if_needed(
    assumptions: MTFPAssumptions, council: Council, period: Period
) -> pd.DataFrame | None:
    """The savings register's historical delivery rates, only when some scenario applies them."""
    needed = [
        n
        for n in assumptions.scenario_names()
        if resolve_scenario(assumptions, n).apply_savings_delivery_rate
    ]
    if not needed:
        return None
    from analysis import savings

    return savings.historical_delivery_rates(council, period)


def _savings_arrays(
    m: MTFPAssumptions, rates: pd.DataFrame | None, haircut: bool = True
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """(planned (D,T), delivered fraction (D,T), savings table) for the projection."""
    table = planned_savings(m)
    if m.apply_savings_delivery_rate and haircut:
        if rates is None:
            raise InputError(
                [
                    Problem(
                        m.file,
                        f"scenario '{m.scenario}' applies historical savings delivery rates "
                        "(apply_savings_delivery_rate: true) but none were given: pass the savings "
                        "register's historical_delivery_rates to the projection",
                        key="apply_savings_delivery_rate",
                    )
                ]
            )
        table = apply_delivery_rates(table, rates)
    else:
        table = table.assign(
            delivery_rate=1.0,
            rate_basis="not applied",
            delivered_gbp_k=table["planned_gbp_k"],
            undelivered_gbp_k=0.0,
        )
    d_index = {d: i for i, d in enumerate(m.directorates)}
    y_index = {label: i for i, label in enumerate(m.year_labels)}
    planned = np.zeros((len(d_index), len(y_index)))
    delivered = np.zeros_like(planned)
    np.add.at(
        planned,
        (table["directorate"].map(d_index).to_numpy(int), table["year"].map(y_index).to_numpy(int)),
        table["planned_gbp_k"].to_numpy(float),
    )
    np.add.at(
        delivered,
        (table["directorate"].map(d_index).to_numpy(int), table["year"].map(y_index).to_numpy(int)),
        table["delivered_gbp_k"].to_numpy(float),
    )
    fraction = np.divide(delivered, planned, out=np.ones_like(planned), where=planned != 0)
    return planned, fraction, table


def savings_with_delivery(m: MTFPAssumptions, rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Planned savings with the delivery assumed in this scenario (all of it, unless the scenario
    applies historical delivery rates): delivery_rate, rate_basis, delivered and undelivered £k."""
    return _savings_arrays(m, rates)[2]


def opening_usable_reserves(m: MTFPAssumptions) -> float:
    """Usable reserves (general fund + earmarked) at the start of the plan, £k."""
    return m.reserves.general_fund_opening_gbp_k + m.reserves.earmarked_opening_gbp_k


def build_drivers(
    m: MTFPAssumptions,
    council: Council | None = None,
    rates: pd.DataFrame | None = None,
    haircut: bool = True,
) -> Drivers:
    """The arrays for one projection of ``m`` (see :mod:`analysis.mtfp_engine`).
    ``haircut=False`` skips the savings delivery rates (for funding, which does not use them)."""
    planned, fraction, _ = _savings_arrays(m, rates, haircut)
    policy = council.minimum_general_fund_reserve if council is not None else None
    return drivers_from(
        m,
        planned,
        fraction,
        policy.percent_of_net_budget if policy else None,
        policy.amount_gbp_k if policy else None,
    )


def _run(
    m: MTFPAssumptions,
    council: Council | None = None,
    rates: pd.DataFrame | None = None,
    haircut: bool = True,
) -> dict[str, np.ndarray]:
    return {k: v[0] for k, v in project(build_drivers(m, council, rates, haircut)).items()}


# ---------------------------------------------------------------------------------------------
# Funding


def council_tax_detail(m: MTFPAssumptions) -> pd.DataFrame:
    """Council tax by year: tax base, Band D (core and ASC precept), increases against limits."""
    out = _run(m, haircut=False)
    ct = m.council_tax
    years = m.years
    core = per_year(ct.core_increase_pct, years)
    asc = per_year(ct.asc_precept_increase_pct, years)
    core_limit = per_year(ct.referendum_limit_core_pct, years)
    asc_limit = per_year(ct.referendum_limit_asc_pct, years)
    tolerance = 1e-9
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "tax_base_band_d_equivalents": out["tax_base"],
            "band_d_gbp": out["band_d"],
            "asc_precept_in_band_d_gbp": out["asc_in_band_d"],
            "core_increase_pct": core,
            "referendum_limit_core_pct": core_limit,
            "asc_precept_increase_pct": asc,
            "referendum_limit_asc_pct": asc_limit,
            "breaches_referendum_limit": (core > core_limit + tolerance)
            | (asc > asc_limit + tolerance),
            "council_tax_core_gbp_k": out["council_tax_core"],
            "asc_precept_gbp_k": out["asc_precept"],
            "council_tax_gbp_k": out["council_tax"],
        }
    )


def referendum_warnings(m: MTFPAssumptions) -> list[str]:
    """One plain-English sentence per year whose assumed increase would need a referendum."""
    detail = council_tax_detail(m)
    messages = []
    for row in detail[detail["breaches_referendum_limit"]].itertuples():
        parts = []
        if row.core_increase_pct > row.referendum_limit_core_pct + 1e-9:
            parts.append(
                f"a core increase of {row.core_increase_pct:.2%} against a limit of {row.referendum_limit_core_pct:.2%}"
            )
        if row.asc_precept_increase_pct > row.referendum_limit_asc_pct + 1e-9:
            parts.append(
                f"an adult social care precept of {row.asc_precept_increase_pct:.2%} against a limit of {row.referendum_limit_asc_pct:.2%}"
            )
        messages.append(
            f"{row.year}: the '{m.scenario}' scenario assumes {' and '.join(parts)}. "
            "An increase above the limit needs a local referendum."
        )
    return messages


def funding_by_line(m: MTFPAssumptions) -> pd.DataFrame:
    """Funding by line and year (long): year, line, certainty, funding_gbp_k,
    breaches_referendum_limit (for the council tax lines)."""
    out = _run(m, haircut=False)
    detail = council_tax_detail(m)
    frames = []

    def add(line: str, values: np.ndarray, certainty: str, breach=False) -> None:
        frames.append(
            pd.DataFrame(
                {
                    "year": m.year_labels,
                    "line": line,
                    "certainty": certainty,
                    "funding_gbp_k": values,
                    "breaches_referendum_limit": breach,
                }
            )
        )

    breach = detail["breaches_referendum_limit"].to_numpy()
    add("Council tax (core)", out["council_tax_core"], "local decision", breach)
    add("Council tax (adult social care precept)", out["asc_precept"], "local decision", breach)
    add("Collection fund surplus (deficit)", out["collection_fund"], "assumed")
    add("Business rates", out["business_rates"], "assumed")
    for i, (name, grant) in enumerate(m.grants.items()):
        add(name, out["grants"][i], grant.certainty)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Spending and the gap


def net_budget_by_directorate(
    m: MTFPAssumptions, rates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Net budget requirement by line and year (long). Directorate rows show pay (after pay
    award and demand), non-pay (after inflation and demand), savings planned to date, savings
    not delivered (a pressure) and the net budget; capital financing and contingency follow."""
    out = _run(m, rates=rates)
    frames = []
    zeros = np.zeros(len(m.years))
    for i, name in enumerate(m.directorates):
        frames.append(
            pd.DataFrame(
                {
                    "year": m.year_labels,
                    "line": name,
                    "line_type": "directorate",
                    "pay_gbp_k": out["pay"][i],
                    "non_pay_gbp_k": out["non_pay"][i],
                    "savings_planned_to_date_gbp_k": out["savings_planned"][i],
                    "savings_undelivered_gbp_k": out["savings_planned"][i]
                    - out["savings_delivered"][i],
                    "net_budget_gbp_k": out["directorate_net"][i],
                }
            )
        )
    for line, values in (
        ("Capital financing", per_year(m.capital_financing_gbp_k, m.years)),
        ("Contingency", per_year(m.contingency_gbp_k, m.years)),
    ):
        frames.append(
            pd.DataFrame(
                {
                    "year": m.year_labels,
                    "line": line,
                    "line_type": "corporate",
                    "pay_gbp_k": zeros,
                    "non_pay_gbp_k": values,
                    "savings_planned_to_date_gbp_k": zeros,
                    "savings_undelivered_gbp_k": zeros,
                    "net_budget_gbp_k": values,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def budget_gap(m: MTFPAssumptions, rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year: net budget requirement, funding, and the gap both ways (positive = shortfall).

    ``budget_gap_cumulative_gbp_k``: the gap in that year as if nothing had been done since the
    first year. ``budget_gap_incremental_gbp_k``: the new gap arising in that year, assuming
    earlier years' gaps were closed with recurring measures (they add up to the cumulative gap).
    """
    out = _run(m, rates=rates)
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "net_budget_requirement_gbp_k": out["net_budget"],
            "funding_gbp_k": out["funding"],
            "budget_gap_cumulative_gbp_k": out["gap_cumulative"],
            "budget_gap_incremental_gbp_k": out["gap_incremental"],
        }
    )


# ---------------------------------------------------------------------------------------------
# Reserves and resilience


def reserves_projection(
    m: MTFPAssumptions, council: Council, rates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Reserves at each year end (31 March) if each year's cumulative gap were met from the
    general fund, with planned contributions (+) and drawdowns (-)."""
    out = _run(m, council, rates)
    years = m.years
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "net_budget_requirement_gbp_k": out["net_budget"],
            "budget_gap_cumulative_gbp_k": out["gap_cumulative"],
            "planned_general_fund_contribution_gbp_k": per_year(
                m.reserves.general_fund_contributions_gbp_k, years
            ),
            "planned_earmarked_contribution_gbp_k": per_year(
                m.reserves.earmarked_contributions_gbp_k, years
            ),
            "general_fund_gbp_k": out["general_fund"],
            "earmarked_reserves_gbp_k": out["earmarked"],
            "usable_reserves_gbp_k": out["usable"],
            "minimum_general_fund_gbp_k": out["minimum_general_fund"],
            "general_fund_below_minimum": out["general_fund"] < out["minimum_general_fund"],
            "usable_reserves_exhausted": out["usable"] <= 0,
        }
    )


def reserve_milestones(reserves: pd.DataFrame) -> dict[str, str | None]:
    """The first year the general fund is below its minimum and the first year usable reserves
    run out (None where that does not happen within the plan)."""

    def first(column: str) -> str | None:
        hits = reserves.loc[reserves[column], "year"]
        return str(hits.iloc[0]) if len(hits) else None

    return {
        "general_fund_below_minimum_year": first("general_fund_below_minimum"),
        "usable_reserves_exhausted_year": first("usable_reserves_exhausted"),
    }


def resilience_indicators(reserves: pd.DataFrame, opening_usable_gbp_k: float) -> pd.DataFrame:
    """Per year: general fund and usable reserves as a share of the net budget, and years of
    cover (usable reserves / that year's fall in usable reserves; 100 where they are not
    falling, as in CIPFA's Financial Resilience Index)."""
    usable = reserves["usable_reserves_gbp_k"].to_numpy(float)
    previous = np.concatenate([[opening_usable_gbp_k], usable[:-1]])
    drawdown = previous - usable
    cover = np.where(
        drawdown > 0, np.maximum(usable, 0) / np.where(drawdown > 0, drawdown, 1.0), 100.0
    )
    net = reserves["net_budget_requirement_gbp_k"].to_numpy(float)
    return pd.DataFrame(
        {
            "year": reserves["year"],
            "general_fund_to_net_budget_pct": reserves["general_fund_gbp_k"].to_numpy(float) / net,
            "usable_reserves_to_net_budget_pct": usable / net,
            "usable_reserves_drawdown_gbp_k": drawdown,
            "years_of_reserves_cover": np.minimum(cover, 100.0),
        }
    )


# ---------------------------------------------------------------------------------------------
# Scenarios and sensitivity


def compare_scenarios(
    assumptions: MTFPAssumptions, council: Council, rates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every named scenario's gap and reserves, one row per scenario and year."""
    frames = []
    for name in assumptions.scenario_names():
        plan = resolve_scenario(assumptions, name)
        gap = budget_gap(plan, rates)
        reserves = reserves_projection(plan, council, rates)
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
                    "savings_delivery_rate_applied": plan.apply_savings_delivery_rate,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def scenario_headlines(
    assumptions: MTFPAssumptions, council: Council, rates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per scenario: final-year cumulative gap, reserve milestones, DSG deficit."""
    from analysis import dsg

    rows = []
    for name in assumptions.scenario_names():
        plan = resolve_scenario(assumptions, name)
        gap = budget_gap(plan, rates)
        milestones = reserve_milestones(reserves_projection(plan, council, rates))
        deficit = dsg.dsg_projection(plan)
        final = deficit[deficit["year"] == plan.final_year].set_index("case")[
            "cumulative_deficit_gbp_k"
        ]
        rows.append(
            {
                "scenario": name,
                "final_year": plan.final_year,
                "cumulative_gap_final_year_gbp_k": float(
                    gap["budget_gap_cumulative_gbp_k"].iloc[-1]
                ),
                **milestones,
                "dsg_deficit_final_year_gbp_k": float(final[dsg.WITH_MITIGATION]),
                "dsg_deficit_final_year_unmitigated_gbp_k": float(final[dsg.WITHOUT_MITIGATION]),
            }
        )
    table = pd.DataFrame(rows)
    for column in ("general_fund_below_minimum_year", "usable_reserves_exhausted_year"):
        table[column] = pd.Series([row[column] for row in rows], dtype=object)
    return table


def _sensitivity_variants(d: Drivers, m: MTFPAssumptions) -> list[tuple[str, str, str]]:
    """(label, driver field, selector) for each +1 percentage point test."""
    variants = [
        ("Pay award", "pay_award", "all"),
        ("Price inflation", "price_inflation", "all"),
        ("Demand growth (all directorates)", "demand_growth", "all"),
    ]
    variants += [
        (f"Demand growth: {name}", "demand_growth", str(i)) for i, name in enumerate(m.directorates)
    ]
    variants += [
        ("Council tax increase (core)", "core_increase", "all"),
        ("Tax base growth", "tax_base_growth", "all"),
        ("Business rates growth", "business_rates_growth", "all"),
    ]
    if m.grants:
        variants.append(("Grant growth (all grants)", "grant_growth", "all"))
    if np.any(d.savings_planned):
        variants.append(("Savings delivery rate", "savings_delivery", "all"))
    return variants


def sensitivity(
    m: MTFPAssumptions, rates: pd.DataFrame | None = None, step: float = SENSITIVITY_STEP
) -> pd.DataFrame:
    """Change in the cumulative gap per year for +1 percentage point on each assumption.

    Each test adds ``step`` to one assumption in every year (council tax, tax base, business
    rates and grants from the second year, as their first-year figures are known). All tests
    run at once, one per row of the draws axis. Positive = the gap widens.
    """
    base = build_drivers(m, rates=rates)
    variants = _sensitivity_variants(base, m)
    d = base.repeated(len(variants) + 1)
    for row, (_label, field, selector) in enumerate(variants, start=1):
        array = getattr(d, field)
        if selector == "all":
            array[row] += step
        else:
            array[row, int(selector)] += step
    gap = project(d)["gap_cumulative"]
    change = gap[1:] - gap[0]
    frames = [
        pd.DataFrame(
            {
                "assumption": label,
                "year": m.year_labels,
                "change_in_budget_gap_cumulative_gbp_k": change[i],
            }
        )
        for i, (label, _f, _s) in enumerate(variants)
    ]
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Presentation helpers


def to_gbp_m(df: pd.DataFrame) -> pd.DataFrame:
    """Every ``_gbp_k`` column divided by 1,000 and renamed ``_gbp_m`` (for reports)."""
    out = df.copy()
    renames = {}
    for column in out.columns:
        if str(column).endswith("_gbp_k"):
            out[column] = out[column].astype(float) / 1000.0
            renames[column] = str(column)[: -len("_gbp_k")] + "_gbp_m"
    return out.rename(columns=renames)
