"""Medium Term Financial Plan projection: funding, net budget, budget gap and reserves.

Scenarios and sensitivity are in :mod:`analysis.mtfp.scenarios`; the savings delivery assumed in
:mod:`analysis.mtfp.delivery`.

The assumptions live in ``data/raw/<council>/mtfp.yaml`` (see :mod:`analysis.mtfp.assumptions`);
the arithmetic in :mod:`analysis.mtfp.engine`; the DSG high-needs block in :mod:`analysis.mtfp.dsg`;
the probability view in :mod:`analysis.mtfp.montecarlo`. Tables here are tidy, in £k, one row per
year (or per year and line); :func:`to_gbp_m` converts them for reports.

Typical use::

    assumptions = load_assumptions(council)
    plan = resolve_scenario(assumptions, "base")
    gap = budget_gap(plan)
    reserves = reserves_projection(plan, council)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.core.display import percent_text
from analysis.mtfp import dsg
from analysis.mtfp.delivery import Evidence, savings_arrays
from analysis.mtfp.engine import Drivers, drivers_from, project
from analysis.mtfp.schema import MTFPAssumptions, per_year


def opening_usable_reserves(m: MTFPAssumptions) -> float:
    """Usable reserves (general fund + earmarked) at the start of the plan, £k."""
    return m.reserves.general_fund_opening_gbp_k + m.reserves.earmarked_opening_gbp_k


def build_drivers(
    m: MTFPAssumptions,
    council: Council | None = None,
    rates: Evidence = None,
    haircut: bool = True,
) -> Drivers:
    """The arrays for one projection of ``m`` (see :mod:`analysis.mtfp.engine`). ``rates`` is the
    savings register's evidence (:func:`analysis.mtfp.delivery_evidence`, or only its rates).
    ``haircut=False`` skips the savings delivery (for funding, which does not use it)."""
    planned, fraction, _, known, forecast = savings_arrays(m, rates, haircut)
    policy = council.minimum_general_fund_reserve if council is not None else None
    return drivers_from(
        m,
        planned,
        fraction,
        policy.percent_of_net_budget if policy else None,
        policy.amount_gbp_k if policy else None,
        known,
        forecast,
    )


@dataclass(frozen=True)
class Projection:
    """One projection of a scenario that every table reads (:func:`budget_gap`,
    :func:`reserves_projection`, :func:`net_budget_by_directorate`, :func:`funding_by_line`,
    :func:`council_tax_detail`): the plan, the council it was made for (None: no minimum
    reserve) and every line of :func:`analysis.mtfp.engine.project` for its one draw;
    ``drivers``, the arrays it was projected from (the bridge from last quarter ends at them,
    and the resolved-assumptions table shows them)."""

    plan: MTFPAssumptions
    council: Council | None
    lines: dict[str, np.ndarray]
    drivers: Drivers | None = None


def projection(
    m: MTFPAssumptions, council: Council | None = None, rates: Evidence = None
) -> Projection:
    """Project scenario ``m`` once (``rates``: the savings register's evidence)."""
    drivers = build_drivers(m, council, rates)
    lines = project(drivers)
    return Projection(m, council, {k: v[0] for k, v in lines.items()}, drivers)


Source = MTFPAssumptions | Projection


def _lines(
    source: Source, council: Council | None = None, rates: Evidence = None, haircut: bool = True
) -> tuple[MTFPAssumptions, dict[str, np.ndarray]]:
    """The plan and its projected lines: those of a :class:`Projection` as they are, or one
    projection of the plan given (``haircut=False`` where only funding is read, which the
    savings delivery does not change)."""
    if isinstance(source, Projection):
        return source.plan, source.lines
    drivers = build_drivers(source, council, rates, haircut)
    return source, {k: v[0] for k, v in project(drivers).items()}


def referendum_breaches(m: MTFPAssumptions, core: np.ndarray, asc: np.ndarray) -> dict:
    """Which increases would need a referendum, for arrays of core and ASC precept increases
    (draws, years). The ASC precept's limit in a year includes any headroom left unused in a
    year whose rules let it be deferred (``council_tax.asc_precept_carry_forward``, e.g.
    ``{2021-22: 2022-23}``): a deferred precept used within the rules is not a breach.
    Returns ``core``, ``asc`` and ``any`` (bool arrays) and ``asc_limit`` (the limit allowed)."""
    ct = m.council_tax
    years, labels = m.years, m.year_labels
    core_limit = per_year(ct.referendum_limit_core_pct, years)
    own_limit = per_year(ct.referendum_limit_asc_pct, years)
    asc_limit = np.broadcast_to(own_limit, np.shape(asc)).astype(float).copy()
    for source, target in ct.asc_precept_carry_forward.items():
        i, j = labels.index(source), labels.index(target)
        asc_limit[..., j] += np.maximum(0.0, own_limit[i] - asc[..., i])
    tolerance = 1e-9
    core_breach = core > core_limit + tolerance
    asc_breach = asc > asc_limit + tolerance
    return {
        "core": core_breach,
        "asc": asc_breach,
        "any": core_breach | asc_breach,
        "asc_limit": asc_limit,
    }


def council_tax_detail(source: Source) -> pd.DataFrame:
    """Council tax by year: tax base, Band D (core and ASC precept), increases against limits
    (the ASC precept's limit includes headroom carried forward where the rules allow it)."""
    m, out = _lines(source, haircut=False)
    ct = m.council_tax
    years = m.years
    core = per_year(ct.core_increase_pct, years)
    asc = per_year(ct.asc_precept_increase_pct, years)
    checks = referendum_breaches(m, core, asc)
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "tax_base_band_d_equivalents": out["tax_base"],
            "band_d_gbp": out["band_d"],
            "asc_precept_in_band_d_gbp": out["asc_in_band_d"],
            "core_increase_fraction": core,
            "referendum_limit_core_fraction": per_year(ct.referendum_limit_core_pct, years),
            "asc_precept_increase_fraction": asc,
            "referendum_limit_asc_fraction": checks["asc_limit"],
            "breaches_referendum_limit": checks["any"],
            "council_tax_core_gbp_k": out["council_tax_core"],
            "asc_precept_gbp_k": out["asc_precept"],
            "council_tax_gbp_k": out["council_tax"],
        }
    )


def referendum_warnings(source: Source) -> list[str]:
    """One plain-English sentence per year whose assumed increase would need a referendum."""
    m = source.plan if isinstance(source, Projection) else source
    detail = council_tax_detail(source)
    messages = []
    for row in detail[detail["breaches_referendum_limit"]].itertuples():
        parts = []
        if row.core_increase_fraction > row.referendum_limit_core_fraction + 1e-9:
            parts.append(
                f"a core increase of {percent_text(row.core_increase_fraction)} against a limit of "
                f"{percent_text(row.referendum_limit_core_fraction)}"
            )
        if row.asc_precept_increase_fraction > row.referendum_limit_asc_fraction + 1e-9:
            parts.append(
                f"an adult social care precept of {percent_text(row.asc_precept_increase_fraction)} "
                f"against a limit of {percent_text(row.referendum_limit_asc_fraction)}"
            )
        messages.append(
            f"{row.year}: the {m.scenario_words()} scenario assumes {' and '.join(parts)}. "
            "An increase above the limit needs a local referendum."
        )
    return messages


def funding_by_line(source: Source) -> pd.DataFrame:
    """Funding by line and year (long): year, line, certainty, funding_gbp_k,
    breaches_referendum_limit (for the council tax lines)."""
    m, out = _lines(source, haircut=False)
    detail = council_tax_detail(Projection(m, None, out))
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


def net_budget_by_directorate(source: Source, rates: Evidence = None) -> pd.DataFrame:
    """Net budget requirement by line and year (long). Directorate rows show pay (after pay
    award and demand), non-pay (after inflation and demand), savings planned to date, savings
    not delivered (a pressure) and the net budget; capital financing and contingency follow."""
    m, out = _lines(source, rates=rates)
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


def budget_gap(source: Source, rates: Evidence = None) -> pd.DataFrame:
    """Per year: net budget requirement, funding, and the gap both ways (positive = shortfall).

    ``budget_gap_cumulative_gbp_k``: the gap in that year as if nothing had been done since the
    first year. ``budget_gap_incremental_gbp_k``: the new gap arising in that year, assuming
    earlier years' gaps were closed with recurring measures (they add up to the cumulative gap).
    """
    m, out = _lines(source, rates=rates)
    return pd.DataFrame(
        {
            "year": m.year_labels,
            "net_budget_requirement_gbp_k": out["net_budget"],
            "funding_gbp_k": out["funding"],
            "budget_gap_cumulative_gbp_k": out["gap_cumulative"],
            "budget_gap_incremental_gbp_k": out["gap_incremental"],
        }
    )


def reserves_projection(
    source: Source, council: Council | None = None, rates: Evidence = None
) -> pd.DataFrame:
    """Reserves at each year end (31 March) if each year's cumulative gap were met from the
    general fund, with planned contributions (+) and drawdowns (-).

    On the plan's own terms: from the year ``dsg_high_needs.statutory_override_ends`` names (the
    first year without the statutory override), the cumulative DSG deficit with the recovery
    plan counts against usable reserves (``usable_reserves_after_dsg_gbp_k``, and
    ``usable_reserves_exhausted``); ``usable_reserves_gbp_k`` and
    ``usable_reserves_exhausted_override_continues`` are the view if the override continued.
    """
    if isinstance(source, Projection) and source.council is None:
        raise ValueError("reserves need the council's minimum: project with the council")
    m, out = _lines(source, council, rates)
    years = m.years
    counted = dsg.counted_deficit(m)
    after = out["usable"] - counted
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
            "statutory_override_in_place": ~dsg.override_ended(m),
            "dsg_deficit_counted_gbp_k": counted,
            "usable_reserves_after_dsg_gbp_k": after,
            "minimum_general_fund_gbp_k": out["minimum_general_fund"],
            "general_fund_below_minimum": out["general_fund"] < out["minimum_general_fund"],
            "usable_reserves_exhausted": after <= 0,
            "usable_reserves_exhausted_override_continues": out["usable"] <= 0,
        }
    )


def reserve_milestones(reserves: pd.DataFrame) -> dict[str, str | None]:
    """The first year the general fund is below its minimum and the first year usable reserves
    run out, on the plan's terms (the DSG deficit counted from the override's end) and if the
    override continued (None where that does not happen within the plan); the first year
    without the override (None when it lasts the plan)."""

    def first(column: str) -> str | None:
        hits = reserves.loc[reserves[column].astype(bool), "year"]
        return str(hits.iloc[0]) if len(hits) else None

    ended = ~reserves["statutory_override_in_place"].astype(bool)
    return {
        "general_fund_below_minimum_year": first("general_fund_below_minimum"),
        "usable_reserves_exhausted_year": first("usable_reserves_exhausted"),
        "usable_reserves_exhausted_year_override_continues": first(
            "usable_reserves_exhausted_override_continues"
        ),
        "statutory_override_ends": str(reserves.loc[ended, "year"].iloc[0])
        if ended.any()
        else None,
    }


CIPFA_YEARS = 3  # CIPFA's reserves sustainability measure averages the change over three years


def resilience_indicators(reserves: pd.DataFrame, opening_usable_gbp_k: float) -> pd.DataFrame:
    """Per year: the general fund and usable reserves as a fraction of the net budget, and years
    of cover as CIPFA's Financial Resilience Index measures reserves sustainability: usable
    reserves divided by their *average* annual fall over the last three years (100 where they
    are not falling on that average). Early in the plan fewer years are available: the average
    then covers the years there are (from the opening balance), and ``years_in_average`` says
    how many."""
    usable = reserves["usable_reserves_gbp_k"].to_numpy(float)
    previous = np.concatenate([[opening_usable_gbp_k], usable[:-1]])
    drawdown = previous - usable
    counts = np.minimum(np.arange(1, len(usable) + 1), CIPFA_YEARS)
    average = np.array(
        [drawdown[max(0, i - CIPFA_YEARS + 1) : i + 1].mean() for i in range(len(usable))]
    )
    cover = np.where(
        average > 0, np.maximum(usable, 0) / np.where(average > 0, average, 1.0), 100.0
    )
    net = reserves["net_budget_requirement_gbp_k"].to_numpy(float)
    return pd.DataFrame(
        {
            "year": reserves["year"],
            "general_fund_to_net_budget_fraction": reserves["general_fund_gbp_k"].to_numpy(float)
            / net,
            "usable_reserves_to_net_budget_fraction": usable / net,
            "usable_reserves_drawdown_gbp_k": drawdown,
            "average_drawdown_gbp_k": average,
            "years_in_average": counts,
            "years_of_reserves_cover": np.minimum(cover, 100.0),
        }
    )


def to_gbp_m(df: pd.DataFrame) -> pd.DataFrame:
    """Every ``_gbp_k`` column divided by 1,000 and renamed ``_gbp_m`` (for reports)."""
    if df.columns.has_duplicates:
        raise ValueError(f"a table with a column named twice: {list(df.columns)}")
    # Built in one step (a column set at a time costs a millisecond a table; 30 a report).
    columns: dict = {}
    for c in df.columns:
        name, values = c, df[c]
        if str(c).endswith("_gbp_k"):
            name, values = str(c)[: -len("_gbp_k")] + "_gbp_m", values.astype(float) / 1000.0
        if name != c and name in df.columns:  # would stand in for the other column
            raise ValueError(f"a table with both {c} and {name}: {list(df.columns)}")
        columns[name] = values
    out = pd.DataFrame(columns, index=df.index)
    out.columns.name = df.columns.name
    return out
