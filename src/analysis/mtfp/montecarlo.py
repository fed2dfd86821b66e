"""The probability view of the MTFP: draw the uncertain assumptions many times.

Each uncertain assumption named under ``monte_carlo.distributions`` in ``mtfp.yaml`` is drawn
once per draw (normal, triangular or uniform) with ``numpy.random.default_rng(seed)`` as an
*offset* from the scenario's own value of that assumption, and holds for every year of that
draw (a persistent shock, not independent noise each year). So the simulation of a scenario is
that scenario's: an assumption the analyst changes moves every draw as it moves the single
projection, and a range of zero width gives the projection itself. All draws are projected at
once by :func:`analysis.mtfp.engine.project` (arrays with a draws axis; no loop over draws).
``savings_delivery_rate`` moves the delivered share of every planned saving (in the years not
taken from the savings register), held within 0-100%; a grant cannot fall by more than 100%.

:func:`leanings` measures, from the draws themselves, which way each assumption leans from the
scenario's value (after those limits): the report's reason for a simulated median away from the
projection comes from these figures, never from the shape of the file's ranges alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.core.errors import Problem
from analysis.mtfp import dsg
from analysis.mtfp.delivery import Evidence
from analysis.mtfp.engine import Drivers, project
from analysis.mtfp.projection import build_drivers
from analysis.mtfp.schema import Distribution, MTFPAssumptions

PERCENTILES = (5, 25, 50, 75, 95)
# A lean smaller than this share of an assumption's spread is sampling noise (the sampling
# error of a mean over 10,000 draws is a hundredth of the spread).
LEAN_THRESHOLD = 0.1
LIMITED = ("savings_delivery", "grant_growth")  # the arrays held within limits after a draw
LEANING_COLUMNS = [
    "assumption",
    "label",
    "range",
    "mean_offset_fraction",
    "sd_offset_fraction",
    "higher_widens_gap",
    "lean_widening_fraction",
    "leans",
]


@dataclass(frozen=True)
class MonteCarloResult:
    percentiles: pd.DataFrame  # year, percentile, budget_gap_cumulative_gbp_k, general_fund_gbp_k
    probabilities: pd.DataFrame  # year, probability_general_fund_below_minimum_fraction, ...
    draws: int
    seed: int
    leanings: pd.DataFrame  # one row per uncertain assumption (see leanings)


@dataclass(frozen=True)
class Target:
    """Where one uncertain assumption sits in :class:`Drivers`."""

    field: str
    index: int | None  # the directorate or grant, None for every one
    higher_widens_gap: bool
    label: str


def target(key: str, directorates: list[str], grants: list[str]) -> Target:
    """The driver array a distribution key moves (``load_assumptions`` has checked the key)."""
    parts = key.split(".")
    if key == "pay_award_pct":
        return Target("pay_award", None, True, "the pay award")
    if key == "price_inflation_pct":
        return Target("price_inflation", None, True, "price inflation")
    if key == "demand_growth_pct":
        return Target("demand_growth", None, True, "demand growth (every directorate)")
    if parts[0] == "demand_growth_pct":
        name = key.split(".", 1)[1]
        return Target("demand_growth", directorates.index(name), True, f"demand growth in {name}")
    if key == "council_tax.tax_base_growth_pct":
        return Target("tax_base_growth", None, False, "tax base growth")
    if key == "council_tax.core_increase_pct":
        return Target("core_increase", None, False, "the core council tax increase")
    if key == "business_rates.growth_pct":
        return Target("business_rates_growth", None, False, "business rates growth")
    if parts[0] == "grants":
        name = ".".join(parts[1:-1])
        return Target("grant_growth", grants.index(name), False, f"growth in {name}")
    if key == "savings_delivery_rate":
        return Target("savings_delivery", None, False, "savings delivery")
    raise KeyError(key)


def draw(rng: np.random.Generator, spec: Distribution, n: int) -> np.ndarray:
    """``n`` offsets from the central value, from one distribution."""
    if spec.distribution == "normal":
        return rng.normal(spec.offset, spec.sd, n)
    if spec.distribution == "triangular":
        if spec.below == spec.above == 0:
            return np.zeros(n)
        return rng.triangular(-spec.below, spec.offset, spec.above, n)
    if spec.below == spec.above == 0:
        return np.zeros(n)
    return rng.uniform(-spec.below, spec.above, n)


def _apply(d: Drivers, where: Target, offsets: np.ndarray) -> None:
    """Add the drawn ``offsets`` (n,) to the scenario's values in the driver arrays, every year."""
    array = getattr(d, where.field)
    if where.index is None:
        array += offsets.reshape((-1,) + (1,) * (array.ndim - 1))
    else:
        array[:, where.index] += offsets[:, None]


def _limit(d: Drivers) -> None:
    """A share delivered stays within 0-100%; a grant falls by 100% at most."""
    np.clip(d.savings_delivery, 0.0, 1.0, out=d.savings_delivery)
    np.maximum(d.grant_growth, -1.0, out=d.grant_growth)


def _relevant(d: Drivers, where: Target) -> np.ndarray:
    """The cells (without the draws axis) where a change of this assumption changes the gap:
    savings delivery where savings are planned outside the register's year, income growth
    from the second year (the first year's figures are known), every cell otherwise."""
    array = getattr(d, where.field)[0]
    mask = np.ones(array.shape, dtype=bool)
    if where.field == "savings_delivery":
        mask &= d.savings_planned != 0
        if d.savings_known is not None:
            mask &= ~d.savings_known
    if where.field in ("tax_base_growth", "core_increase", "business_rates_growth", "grant_growth"):
        mask[..., 0] = False
    if where.index is not None:
        keep = np.zeros(array.shape, dtype=bool)
        keep[where.index] = True
        mask &= keep
    return mask


def _drawn(
    m: MTFPAssumptions, council: Council | None, rates: Evidence, n: int, seed: int | None
) -> tuple[Drivers, Drivers, dict[str, np.ndarray]]:
    """(the scenario's drivers, the drawn drivers, the offsets drawn for each key)."""
    settings = m.monte_carlo
    rng = np.random.default_rng(settings.seed if seed is None else seed)
    central = build_drivers(m, council, rates)
    d = central.repeated(n)
    offsets = {}
    for key, spec in settings.distributions.items():
        offsets[key] = draw(rng, spec, n)
        _apply(d, target(key, m.directorates, list(m.grants)), offsets[key])
    _limit(d)
    return central, d, offsets


def distribution_problems(
    m: MTFPAssumptions, council: Council | None = None, rates: Evidence = None
) -> list[Problem]:
    """The distributions that cannot apply to the scenario ``m``: one with nothing to vary
    (savings delivery where the scenario counts no planned savings at a rate) or whose every
    draw would be held at a limit (a share delivered at 100% or 0%, a grant at -100%)."""
    central = build_drivers(m, council, rates)
    problems = []
    for key, spec in m.monte_carlo.distributions.items():
        where = target(key, m.directorates, list(m.grants))
        mask = _relevant(central, where)
        values = getattr(central, where.field)[0][mask]
        low, high = spec.bounds()
        reason = None
        if not mask.any():
            reason = (
                "the scenario counts no planned savings at a delivery rate (outside the year "
                "the savings register gives), so there is nothing to vary"
            )
        elif high > low and where.field == "savings_delivery":
            if (values + low >= 1.0).all():
                reason = "every draw would deliver 100% or more, and is held at 100%"
            elif (values + high <= 0.0).all():
                reason = "every draw would deliver nothing or less, and is held at 0%"
        elif high > low and where.field == "grant_growth" and (values + high <= -1.0).all():
            reason = "every draw would cut the grant by 100% or more, and is held at -100%"
        if reason:
            problems.append(
                Problem(
                    m.file,
                    f"this distribution ({spec.describe()}) cannot apply to the "
                    f"'{m.scenario}' scenario: {reason}",
                    key=f"monte_carlo.distributions.{key}",
                )
            )
    return problems


def simulate(
    m: MTFPAssumptions,
    council: Council,
    rates: Evidence = None,
    draws: int | None = None,
    seed: int | None = None,
) -> dict[str, np.ndarray]:
    """The projection for every draw: arrays (draws, years) from :func:`project`."""
    return project(_drawn(m, council, rates, draws or m.monte_carlo.draws, seed)[1])


def leanings(
    m: MTFPAssumptions, central: Drivers, drawn: Drivers, offsets: dict[str, np.ndarray]
) -> pd.DataFrame:
    """One row per uncertain assumption: how far, on average over the draws, its drawn value
    sits from the scenario's own value where it matters (after the 0-100% and -100% limits),
    the spread of that difference, and whether a higher value widens the gap.
    ``lean_widening_fraction`` is the average difference signed so that positive widens the
    gap; ``leans`` is True where it is more than a tenth of the spread (beyond sampling
    noise)."""
    rows = []
    for key, spec in m.monte_carlo.distributions.items():
        where = target(key, m.directorates, list(m.grants))
        mask = _relevant(central, where)
        if not mask.any():
            effective = np.zeros(drawn.draws)
        elif where.field in LIMITED:
            diff = getattr(drawn, where.field) - getattr(central, where.field)[:1]
            effective = diff[:, mask].mean(axis=1)
        else:
            effective = offsets[key]
        mean, sd = float(effective.mean()), float(effective.std())
        sign = 1.0 if where.higher_widens_gap else -1.0
        rows.append(
            {
                "assumption": key,
                "label": where.label,
                "range": spec.describe(),
                "mean_offset_fraction": mean,
                "sd_offset_fraction": sd,
                "higher_widens_gap": where.higher_widens_gap,
                "lean_widening_fraction": sign * mean,
                "leans": bool(sd > 0 and abs(mean) > LEAN_THRESHOLD * sd),
            }
        )
    return pd.DataFrame(rows, columns=LEANING_COLUMNS)


def monte_carlo(
    m: MTFPAssumptions,
    council: Council,
    rates: Evidence = None,
    draws: int | None = None,
    seed: int | None = None,
) -> MonteCarloResult:
    """Percentiles of the cumulative gap and general fund per year (for a fan chart) and the
    probability per year that the general fund is below its minimum / usable reserves run out."""
    central, drawn, offsets = _drawn(m, council, rates, draws or m.monte_carlo.draws, seed)
    out = project(drawn)
    gap = np.percentile(out["gap_cumulative"], PERCENTILES, axis=0)  # (P, T)
    fund = np.percentile(out["general_fund"], PERCENTILES, axis=0)
    labels = m.year_labels
    percentiles = pd.DataFrame(
        {
            "year": np.tile(labels, len(PERCENTILES)),
            "percentile": np.repeat(PERCENTILES, len(labels)),
            "budget_gap_cumulative_gbp_k": gap.ravel(),
            "general_fund_gbp_k": fund.ravel(),
        }
    )
    below = out["general_fund"] < out["minimum_general_fund"]
    probabilities = pd.DataFrame(
        {
            "year": labels,
            "probability_general_fund_below_minimum_fraction": below.mean(axis=0),
            # on the plan's terms: the DSG deficit counts from the override's end
            "probability_usable_reserves_exhausted_fraction": (
                out["usable"] - dsg.counted_deficit(m) <= 0
            ).mean(axis=0),
            "probability_usable_reserves_exhausted_override_continues_fraction": (
                out["usable"] <= 0
            ).mean(axis=0),
        }
    )
    n = out["gap_cumulative"].shape[0]
    return MonteCarloResult(
        percentiles,
        probabilities,
        n,
        m.monte_carlo.seed if seed is None else seed,
        leanings(m, central, drawn, offsets),
    )


def fan_table(result: MonteCarloResult) -> pd.DataFrame:
    """The gap percentiles wide, one row per year: p05 ... p95 (for the fan chart)."""
    wide = result.percentiles.pivot(
        index="year", columns="percentile", values="budget_gap_cumulative_gbp_k"
    )
    wide.columns = [f"budget_gap_cumulative_p{p:02d}_gbp_k" for p in wide.columns]
    return wide.reset_index()


def monte_carlo_table(result: MonteCarloResult, scenario: str) -> pd.DataFrame:
    """The pack's Monte Carlo table, one row per year: the scenario simulated, the number of
    draws, the gap percentiles (p05 ... p95) and the probabilities (fractions)."""
    table = fan_table(result).merge(result.probabilities, on="year")
    table.insert(0, "draws", result.draws)
    table.insert(0, "scenario", scenario)
    return table


def leanings_table(result: MonteCarloResult, scenario: str) -> pd.DataFrame:
    """The pack's table of where each uncertain assumption's draws sit from the scenario's
    value (:func:`leanings`), with the scenario simulated (read by the summary)."""
    table = result.leanings.copy()
    table.insert(0, "scenario", scenario)
    return table


def leanings_for_display(leanings: pd.DataFrame) -> pd.DataFrame:
    """The uncertain assumptions for the report: each range in words and the average drawn
    difference from the scenario's value (after the 0-100% and -100% limits)."""
    return pd.DataFrame(
        {
            "assumption": leanings["label"],
            "range_around_scenario_value": leanings["range"],
            "average_draw_from_scenario_value_fraction": leanings["mean_offset_fraction"],
        }
    )
