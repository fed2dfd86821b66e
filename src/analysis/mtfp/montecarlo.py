"""The probability view of the MTFP: draw the uncertain assumptions many times.

Each uncertain assumption named under ``monte_carlo.distributions`` in ``mtfp.yaml`` is drawn
once per draw (normal, triangular or uniform) with ``numpy.random.default_rng(seed)`` and holds
for every year of that draw (a persistent shock, not independent noise each year). All draws are
projected at once by :func:`analysis.mtfp.engine.project` (arrays with a draws axis; no loop over
draws). ``savings_delivery_rate`` replaces the delivered share of every planned saving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.mtfp.delivery import Evidence
from analysis.mtfp.engine import Drivers, project
from analysis.mtfp.projection import build_drivers
from analysis.mtfp.schema import Distribution, MTFPAssumptions

PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class MonteCarloResult:
    percentiles: pd.DataFrame  # year, percentile, budget_gap_cumulative_gbp_k, general_fund_gbp_k
    probabilities: pd.DataFrame  # year, probability_general_fund_below_minimum_fraction, ...
    draws: int
    seed: int


def draw(rng: np.random.Generator, spec: Distribution, n: int) -> np.ndarray:
    """``n`` values from one distribution."""
    if spec.distribution == "normal":
        return rng.normal(spec.mean, spec.sd, n)
    if spec.distribution == "triangular":
        if spec.low == spec.high:
            return np.full(n, spec.low)
        return rng.triangular(spec.low, spec.mode, spec.high, n)
    return rng.uniform(spec.low, spec.high, n)


def _apply(
    d: Drivers, key: str, values: np.ndarray, directorates: list[str], grants: list[str]
) -> None:
    """Put the drawn ``values`` (n,) into the driver arrays for every year."""
    column = values[:, None]
    parts = key.split(".")
    if key == "pay_award_pct":
        d.pay_award[:] = column[:, None]
    elif key == "price_inflation_pct":
        d.price_inflation[:] = column[:, None]
    elif key == "demand_growth_pct":
        d.demand_growth[:] = column[:, None]
    elif parts[0] == "demand_growth_pct":
        d.demand_growth[:, directorates.index(key.split(".", 1)[1])] = column
    elif key == "council_tax.tax_base_growth_pct":
        d.tax_base_growth[:] = column
    elif key == "council_tax.core_increase_pct":
        d.core_increase[:] = column
    elif key == "business_rates.growth_pct":
        d.business_rates_growth[:] = column
    elif parts[0] == "grants":
        d.grant_growth[:, grants.index(".".join(parts[1:-1]))] = column
    elif key == "savings_delivery_rate":
        # A share delivered: a normal draw outside 0-100% is held at the edge.
        d.savings_delivery[:] = np.clip(column, 0.0, 1.0)[:, None]
    else:  # load_assumptions has already refused anything else
        raise KeyError(key)


def simulate(
    m: MTFPAssumptions,
    council: Council,
    rates: Evidence = None,
    draws: int | None = None,
    seed: int | None = None,
) -> dict[str, np.ndarray]:
    """The projection for every draw: arrays (draws, years) from :func:`project`."""
    settings = m.monte_carlo
    n = draws or settings.draws
    rng = np.random.default_rng(settings.seed if seed is None else seed)
    d = build_drivers(m, council, rates).repeated(n)
    for key, spec in settings.distributions.items():
        _apply(d, key, draw(rng, spec, n), m.directorates, list(m.grants))
    return project(d)


def monte_carlo(
    m: MTFPAssumptions,
    council: Council,
    rates: Evidence = None,
    draws: int | None = None,
    seed: int | None = None,
) -> MonteCarloResult:
    """Percentiles of the cumulative gap and general fund per year (for a fan chart) and the
    probability per year that the general fund is below its minimum / usable reserves run out."""
    out = simulate(m, council, rates, draws, seed)
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
            "probability_usable_reserves_exhausted_fraction": (out["usable"] <= 0).mean(axis=0),
        }
    )
    n = out["gap_cumulative"].shape[0]
    return MonteCarloResult(
        percentiles, probabilities, n, m.monte_carlo.seed if seed is None else seed
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
