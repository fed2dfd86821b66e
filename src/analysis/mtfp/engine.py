"""The MTFP arithmetic on numpy arrays, for one projection or for thousands at once.

Every driver carries a leading axis of *draws* (length 1 for a single projection, 10,000 for a
Monte Carlo run, one per assumption for a sensitivity run), so the same code serves all three
with no loop over draws. Shapes: ``n`` draws, ``D`` directorates, ``G`` grants, ``T`` years.

Conventions of the projection:

- Spending: the base budget is the recurring budget brought forward *into* the first year; each
  year (the first included) applies the pay award to pay, price inflation to non-pay, and the
  directorate's demand growth to both. Savings are recurring: a saving planned in a year
  reduces that year's budget and every later one. Undelivered savings come back as a pressure.
  In a year marked ``savings_known`` (the current year, from the savings register) the savings
  delivered are the register's forecast by directorate, not planned x delivery rate.
- Funding: the tax base, Band D, business rates, grants and the DSG are the first year's
  figures; growth and increases apply from the second year. The first year's council tax
  increase is already in its Band D, and is only checked against the referendum limit.
- Budget gap = net budget requirement - funding (positive = shortfall). The *cumulative* gap
  is the gap in each year as if nothing had been done; the *incremental* gap is the new gap
  arising that year, assuming earlier gaps were closed with recurring measures.
- Reserves: if each year's cumulative gap were met from the general fund, its balance falls by
  that gap; usable reserves are the general fund plus earmarked reserves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analysis.mtfp.schema import MTFPAssumptions, per_year


@dataclass(frozen=True)
class Drivers:
    """The assumptions as arrays (money in £k)."""

    pay_base: np.ndarray  # (D,)
    non_pay_base: np.ndarray  # (D,)
    pay_award: np.ndarray  # (n, 1, T)
    price_inflation: np.ndarray  # (n, 1, T)
    demand_growth: np.ndarray  # (n, D, T)
    savings_planned: np.ndarray  # (D, T) new savings planned in each year
    savings_delivery: np.ndarray  # (n, D, T) fraction of each year's planned savings delivered
    capital_financing: np.ndarray  # (T,)
    contingency: np.ndarray  # (T,)
    tax_base: float
    band_d: float
    asc_in_band_d: float
    tax_base_growth: np.ndarray  # (n, T)
    core_increase: np.ndarray  # (n, T)
    asc_increase: np.ndarray  # (n, T)
    collection_fund: np.ndarray  # (T,)
    business_rates_base: float
    business_rates_growth: np.ndarray  # (n, T)
    grant_base: np.ndarray  # (G,)
    grant_growth: np.ndarray  # (n, G, T)
    general_fund_opening: float
    earmarked_opening: float
    general_fund_contributions: np.ndarray  # (T,)
    earmarked_contributions: np.ndarray  # (T,)
    minimum_reserve_percent: float | None
    minimum_reserve_amount: float | None
    savings_known: np.ndarray | None = None  # (T,) years whose delivered savings are known
    savings_forecast: np.ndarray | None = None  # (D, T) delivered in those years (register)

    @property
    def draws(self) -> int:
        return max(
            a.shape[0]
            for a in (
                self.pay_award,
                self.price_inflation,
                self.demand_growth,
                self.savings_delivery,
                self.tax_base_growth,
                self.core_increase,
                self.asc_increase,
                self.business_rates_growth,
                self.grant_growth,
            )
        )

    def repeated(self, n: int) -> Drivers:
        """The same drivers with every draw-indexed array repeated to ``n`` draws."""
        fields = (
            "pay_award",
            "price_inflation",
            "demand_growth",
            "savings_delivery",
            "tax_base_growth",
            "core_increase",
            "asc_increase",
            "business_rates_growth",
            "grant_growth",
        )
        return replace(
            self, **{f: np.repeat(getattr(self, f)[:1], n, axis=0).copy() for f in fields}
        )


def drivers_from(
    m: MTFPAssumptions,
    savings_planned: np.ndarray,
    savings_delivery: np.ndarray,
    minimum_reserve_percent: float | None,
    minimum_reserve_amount: float | None,
    savings_known: np.ndarray | None = None,
    savings_forecast: np.ndarray | None = None,
) -> Drivers:
    """Arrays for one projection (one draw) from validated assumptions."""
    years = m.years
    ct = m.council_tax
    directorates = m.directorates
    return Drivers(
        pay_base=np.array([m.base_budget[d].pay_gbp_k for d in directorates]),
        non_pay_base=np.array([m.base_budget[d].non_pay_gbp_k for d in directorates]),
        pay_award=per_year(m.pay_award_pct, years)[None, None, :],
        price_inflation=per_year(m.price_inflation_pct, years)[None, None, :],
        demand_growth=np.stack([per_year(m.demand_growth_pct[d], years) for d in directorates])[
            None
        ],
        savings_planned=savings_planned,
        savings_delivery=savings_delivery[None],
        capital_financing=per_year(m.capital_financing_gbp_k, years),
        contingency=per_year(m.contingency_gbp_k, years),
        tax_base=ct.tax_base_band_d_equivalents,
        band_d=ct.band_d_gbp,
        asc_in_band_d=ct.asc_precept_in_band_d_gbp,
        tax_base_growth=per_year(ct.tax_base_growth_pct, years)[None],
        core_increase=per_year(ct.core_increase_pct, years)[None],
        asc_increase=per_year(ct.asc_precept_increase_pct, years)[None],
        collection_fund=per_year(m.collection_fund_gbp_k, years),
        business_rates_base=m.business_rates.base_gbp_k,
        business_rates_growth=per_year(m.business_rates.growth_pct, years)[None],
        grant_base=np.array([g.base_gbp_k for g in m.grants.values()], dtype=float),
        grant_growth=np.stack([per_year(g.growth_pct, years) for g in m.grants.values()])[None]
        if m.grants
        else np.zeros((1, 0, len(years))),
        general_fund_opening=m.reserves.general_fund_opening_gbp_k,
        earmarked_opening=m.reserves.earmarked_opening_gbp_k,
        general_fund_contributions=per_year(m.reserves.general_fund_contributions_gbp_k, years),
        earmarked_contributions=per_year(m.reserves.earmarked_contributions_gbp_k, years),
        minimum_reserve_percent=minimum_reserve_percent,
        minimum_reserve_amount=minimum_reserve_amount,
        savings_known=savings_known,
        savings_forecast=savings_forecast,
    )


def growth_index(rates: np.ndarray, from_second_year: bool) -> np.ndarray:
    """Cumulative growth factor per year: (1+r1)(1+r2)...; the first year's rate is skipped
    when ``from_second_year`` (its figure is already the first year's)."""
    factors = 1.0 + rates
    if from_second_year:
        factors = factors.copy()
        factors[..., 0] = 1.0
    return np.cumprod(factors, axis=-1)


def project(d: Drivers) -> dict[str, np.ndarray]:
    """Every line of the projection, each with a leading draws axis."""
    demand = 1.0 + d.demand_growth
    pay = d.pay_base[:, None] * np.cumprod((1.0 + d.pay_award) * demand, axis=-1)
    non_pay = d.non_pay_base[:, None] * np.cumprod((1.0 + d.price_inflation) * demand, axis=-1)
    savings_planned = np.cumsum(d.savings_planned, axis=-1) * np.ones_like(pay)
    new_delivered = d.savings_planned * d.savings_delivery
    if d.savings_known is not None and d.savings_known.any():
        # The year the register forecasts: its delivered savings are that forecast, whatever
        # delivery rate a draw or a sensitivity test assumes for the other years.
        new_delivered = np.where(d.savings_known, d.savings_forecast, new_delivered)
    savings_delivered = np.cumsum(new_delivered, axis=-1) * np.ones_like(pay)
    directorate_net = pay + non_pay - savings_delivered
    net_budget = directorate_net.sum(axis=-2) + d.capital_financing + d.contingency

    tax_base = d.tax_base * growth_index(d.tax_base_growth, True)
    band_d = d.band_d * growth_index(d.core_increase + d.asc_increase, True)
    # ASC precept element of Band D: last year's element + last year's whole Band D x ASC increase.
    asc_added = band_d[..., :-1] * d.asc_increase[..., 1:]
    asc_in_band_d = d.asc_in_band_d + np.concatenate(
        [np.zeros(asc_added.shape[:-1] + (1,)), np.cumsum(asc_added, axis=-1)], axis=-1
    )
    council_tax = tax_base * band_d / 1000.0
    asc_precept = tax_base * asc_in_band_d / 1000.0
    business_rates = d.business_rates_base * growth_index(d.business_rates_growth, True)
    grants = d.grant_base[:, None] * growth_index(d.grant_growth, True)
    collection_fund = np.broadcast_to(d.collection_fund, council_tax.shape)
    funding = council_tax + collection_fund + business_rates + grants.sum(axis=-2)

    gap_cumulative = net_budget - funding
    gap_incremental = np.diff(gap_cumulative, axis=-1, prepend=0.0)
    general_fund = d.general_fund_opening + np.cumsum(
        d.general_fund_contributions - gap_cumulative, axis=-1
    )
    earmarked = d.earmarked_opening + np.cumsum(d.earmarked_contributions, axis=-1) * np.ones_like(
        general_fund
    )
    if d.minimum_reserve_amount is not None:
        minimum = np.full_like(net_budget, d.minimum_reserve_amount)
    else:
        minimum = net_budget * (d.minimum_reserve_percent or 0.0) / 100.0
    return {
        "pay": pay,
        "non_pay": non_pay,
        "savings_planned": savings_planned,
        "savings_delivered": savings_delivered,
        "directorate_net": directorate_net,
        "net_budget": net_budget,
        "tax_base": tax_base,
        "band_d": band_d,
        "asc_in_band_d": asc_in_band_d,
        "council_tax": council_tax,
        "council_tax_core": council_tax - asc_precept,
        "asc_precept": asc_precept,
        "business_rates": business_rates,
        "grants": grants,
        "collection_fund": collection_fund,
        "funding": funding,
        "gap_cumulative": gap_cumulative,
        "gap_incremental": gap_incremental,
        "general_fund": general_fund,
        "earmarked": earmarked,
        "usable": general_fund + earmarked,
        "minimum_general_fund": minimum,
    }
