"""The shape of ``mtfp.yaml``: one pydantic model per block (council tax, business rates, grants,
savings, reserves, DSG high needs, Monte Carlo), with yearly values as one number or a mapping
from financial year to number. Loading and scenarios are in :mod:`analysis.mtfp.assumptions`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, PrivateAttr, model_validator

from analysis.core.periods import parse_year, year_label
from analysis.core.scenarios import TITLE_KEY, in_sentence, title_of

FILE_NAME = "mtfp.yaml"
BASE_SCENARIO = "base"


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"expected a number (found {value!r})")
    return float(value)


def _by_year(value: Any, check) -> float | dict[str, float]:
    if isinstance(value, dict):
        out: dict[str, float] = {}
        for key, item in value.items():
            try:
                label = year_label(parse_year(str(key)))
            except ValueError:
                raise ValueError(f"'{key}' is not a financial year like 2022-23") from None
            try:
                out[label] = check(item)
            except ValueError as exc:
                raise ValueError(f"{label}: {exc}") from None
        return out
    return check(value)


def _fraction(value: Any) -> float:
    number = _number(value)
    if not -1.0 <= number <= 1.0:
        raise ValueError(
            f"expected a fraction between -1 and 1, e.g. 0.02 for 2% (found {value!r}; "
            "did you type a percentage?)"
        )
    return number


def per_year(value: float | dict[str, float], years: list[int]) -> np.ndarray:
    """One value per plan year (a single number is repeated)."""
    if isinstance(value, dict):
        return np.array([value.get(year_label(y), 0.0) for y in years], dtype=float)
    return np.full(len(years), float(value))


def _share(value: Any) -> float:
    number = _number(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(
            f"expected a share between 0 and 1, e.g. 0.9 for 90% (found {value!r}; "
            "did you type a percentage?)"
        )
    return number


Rate = Annotated[float | dict[str, float], PlainValidator(lambda v: _by_year(v, _fraction))]
Share = Annotated[float | dict[str, float], PlainValidator(lambda v: _by_year(v, _share))]
Amount = Annotated[float | dict[str, float], PlainValidator(lambda v: _by_year(v, _number))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DirectorateBudget(_Strict):
    """The recurring budget brought forward into the base year, before its pressures and savings."""

    pay_gbp_k: float = Field(ge=0)
    non_pay_gbp_k: float


class CouncilTax(_Strict):
    tax_base_band_d_equivalents: float = Field(gt=0)
    tax_base_growth_pct: Rate
    band_d_gbp: float = Field(gt=0)
    asc_precept_in_band_d_gbp: float = Field(ge=0)
    core_increase_pct: Rate
    asc_precept_increase_pct: Rate
    referendum_limit_core_pct: Rate
    referendum_limit_asc_pct: Rate
    # Years whose unused ASC precept limit may be used in a later year (2021-22's rules let
    # councils defer part of the 3% to 2022-23): {from year: to year}.
    asc_precept_carry_forward: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _carry_forward_years(self) -> CouncilTax:
        clean = {}
        for source, target in self.asc_precept_carry_forward.items():
            try:
                a, b = parse_year(str(source)), parse_year(str(target))
            except ValueError as exc:
                raise ValueError(f"asc_precept_carry_forward: {exc}") from None
            if b <= a:
                raise ValueError(
                    f"asc_precept_carry_forward: {year_label(b)} is not after {year_label(a)}"
                )
            clean[year_label(a)] = year_label(b)
        self.asc_precept_carry_forward = clean
        return self


class BusinessRates(_Strict):
    base_gbp_k: float
    growth_pct: Rate


class Grant(_Strict):
    base_gbp_k: float
    growth_pct: Rate
    certainty: Literal["settled", "indicative", "assumed"]


class PlannedSaving(_Strict):
    directorate: str
    type: str
    title: str | None = None
    by_year_gbp_k: dict[str, float]

    @model_validator(mode="before")
    @classmethod
    def _years(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("by_year_gbp_k"), dict):
            data = dict(data)
            data["by_year_gbp_k"] = _by_year(data["by_year_gbp_k"], _number)
        return data


class SavingsDelivery(_Strict):
    """How much of the planned savings the plan counts on.

    ``current_year: register_forecast`` takes the period's year from the savings register's
    forecast for that quarter (by directorate); ``plan`` counts the planned savings in full.
    ``later_years_rate`` (one share or one per year) is the delivery assumed for every other
    year, described for readers by ``later_years_basis``; a scenario with
    ``apply_savings_delivery_rate: true`` uses this year's forecast rates from the register
    instead.
    """

    current_year: Literal["register_forecast", "plan"] = "plan"
    later_years_rate: Share = 1.0
    later_years_basis: str = "the plan's own assumption"


class Reserves(_Strict):
    general_fund_opening_gbp_k: float
    earmarked_opening_gbp_k: float
    general_fund_contributions_gbp_k: Amount = 0.0
    earmarked_contributions_gbp_k: Amount = 0.0


class Placement(_Strict):
    share: Rate
    unit_cost_gbp: float = Field(gt=0)


class DSGMitigation(_Strict):
    """What the recovery plan changes; anything not given stays as without mitigation."""

    description: str | None = None
    plan_growth_pct: Rate | None = None
    placement_shares: dict[str, Rate] | None = None
    unit_costs_gbp: dict[str, float] | None = None
    unit_cost_inflation_pct: Rate | None = None
    other_spend_gbp_k: Amount | None = None


class DSGHighNeeds(_Strict):
    opening_deficit_gbp_k: float
    plans_base_year: float = Field(gt=0)
    plan_growth_pct: Rate
    placements: dict[str, Placement] = Field(min_length=1)
    unit_cost_inflation_pct: Rate
    other_spend_gbp_k: Amount = 0.0
    grant_gbp_k: float = Field(gt=0)
    grant_growth_pct: Rate
    mitigation: DSGMitigation = DSGMitigation()
    statutory_override_ends: str | None = None

    @model_validator(mode="after")
    def _override_year(self) -> DSGHighNeeds:
        if self.statutory_override_ends is not None:
            try:
                self.statutory_override_ends = year_label(parse_year(self.statutory_override_ends))
            except ValueError as exc:
                raise ValueError(f"statutory_override_ends: {exc}") from None
        return self


OLD_DISTRIBUTION_KEYS = ("mean", "low", "mode", "high")


class Distribution(_Strict):
    """The uncertainty of one assumption, around the scenario's own value of it (its central
    value), in fractions like every rate in the file:

    - ``{distribution: normal, sd: 0.0075}``: the central value give or take a standard
      deviation of 0.75 points (``shift: -0.01`` centres it one point lower);
    - ``{distribution: triangular, below: 0.01, above: 0.03}``: from one point below to three
      points above, most likely the central value (or the central value + ``shift``);
    - ``{distribution: uniform, below: 0.005, above: 0.005}``: anywhere from half a point below
      to half a point above, each as likely.

    A draw is central value + offset, so a scenario that changes the assumption moves every
    draw with it. ``sd``, ``below`` and ``above`` of 0 give the central value itself.
    """

    distribution: Literal["normal", "triangular", "uniform"]
    sd: float | None = Field(default=None, ge=0)
    below: float | None = Field(default=None, ge=0)
    above: float | None = Field(default=None, ge=0)
    shift: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in OLD_DISTRIBUTION_KEYS):
            raise ValueError(
                "a range is written around the scenario's own value, not as absolute figures: "
                "use sd (normal), below and above (triangular, uniform) and, to move the most "
                "likely value, shift. For example low 0.01, mode 0.02, high 0.05 where the "
                "assumption is 0.02 becomes {distribution: triangular, below: 0.01, above: 0.03} "
                "(see 'MTFP assumptions' in data/raw/README.md)"
            )
        return data

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        needed = {
            "normal": ("sd",),
            "triangular": ("below", "above"),
            "uniform": ("below", "above"),
        }
        optional = {"normal": ("shift",), "triangular": ("shift",), "uniform": ()}
        wanted = needed[self.distribution]
        missing = [p for p in wanted if getattr(self, p) is None]
        extra = [
            p
            for p in ("sd", "below", "above", "shift")
            if p not in wanted + optional[self.distribution] and getattr(self, p) is not None
        ]
        if missing or extra:
            takes = ", ".join(wanted)
            if optional[self.distribution]:
                takes += f" (and optionally {', '.join(optional[self.distribution])})"
            raise ValueError(f"a {self.distribution} distribution takes {takes}")
        if self.distribution == "triangular" and not -self.below <= self.offset <= self.above:
            raise ValueError(
                "a triangular distribution's shift must lie between -below and above "
                "(the most likely value inside its range)"
            )
        return self

    @property
    def offset(self) -> float:
        """Where the middle (normal) or most likely value (triangular) sits from the central
        value."""
        return self.shift or 0.0

    def bounds(self) -> tuple[float, float]:
        """The lowest and highest offset a draw can take (a normal's: 4 standard deviations)."""
        if self.distribution == "normal":
            return self.offset - 4 * self.sd, self.offset + 4 * self.sd
        return -self.below, self.above

    def describe(self) -> str:
        """The range in words, in percentage points around the scenario's value."""

        def points(x: float) -> str:
            return f"{abs(x) * 100:g} point{'s' if abs(x) * 100 != 1 else ''}"

        where = "the scenario's value"
        if self.offset:
            where = f"{points(self.offset)} {'above' if self.offset > 0 else 'below'} {where}"
        if self.distribution == "normal":
            return f"normal, centred {where}, standard deviation {points(self.sd)}"
        if self.distribution == "triangular":
            return (
                f"triangular, from {points(self.below)} below to {points(self.above)} above "
                f"the scenario's value, most likely {where}"
            )
        return (
            f"uniform, from {points(self.below)} below to {points(self.above)} above "
            "the scenario's value"
        )


class MonteCarlo(_Strict):
    draws: int = Field(default=10_000, ge=100, le=1_000_000)
    seed: int = Field(ge=0)
    distributions: dict[str, Distribution] = Field(default_factory=dict)


class MTFPAssumptions(_Strict):
    """Everything in ``mtfp.yaml``. Use :func:`load_assumptions` and :func:`resolve_scenario`."""

    description: str | None = None
    base_year: str
    horizon_years: int = Field(ge=3, le=5)
    base_budget: dict[str, DirectorateBudget]
    pay_award_pct: Rate
    price_inflation_pct: Rate
    demand_growth_pct: dict[str, Rate]
    capital_financing_gbp_k: Amount
    contingency_gbp_k: Amount
    council_tax: CouncilTax
    collection_fund_gbp_k: Amount = 0.0
    business_rates: BusinessRates
    grants: dict[str, Grant] = Field(default_factory=dict)
    saving_types: list[str] = Field(min_length=1)
    planned_savings: list[PlannedSaving] = Field(default_factory=list)
    apply_savings_delivery_rate: bool = False
    savings_delivery: SavingsDelivery = SavingsDelivery()
    reserves: Reserves
    dsg_high_needs: DSGHighNeeds
    monte_carlo: MonteCarlo
    scenarios: dict[str, dict[str, Any]] = Field(default_factory=dict)

    _scenario: str = PrivateAttr(default=BASE_SCENARIO)
    _file: str = PrivateAttr(default=FILE_NAME)

    @model_validator(mode="after")
    def _base_year(self) -> MTFPAssumptions:
        try:
            self.base_year = year_label(parse_year(self.base_year))
        except ValueError as exc:
            raise ValueError(f"base_year: {exc}") from None
        return self

    @property
    def scenario(self) -> str:
        return self._scenario

    @property
    def file(self) -> str:
        return self._file

    @property
    def years(self) -> list[int]:
        first = parse_year(self.base_year)
        return list(range(first, first + self.horizon_years))

    @property
    def year_labels(self) -> list[str]:
        return [year_label(y) for y in self.years]

    @property
    def final_year(self) -> str:
        return self.year_labels[-1]

    @property
    def directorates(self) -> list[str]:
        return list(self.base_budget)

    def scenario_names(self) -> list[str]:
        return [BASE_SCENARIO] + [n for n in self.scenarios if n != BASE_SCENARIO]

    def scenario_title(self, name: str) -> str:
        """How the pages name scenario ``name``: its ``title:`` where the file gives one, else
        its name in words ("pay_shock" -> "Pay shock")."""
        return title_of(name, self._given_title(name))

    def scenario_titles(self) -> dict[str, str]:
        """Every scenario's title by its name, base first."""
        return {n: self.scenario_title(n) for n in self.scenario_names()}

    def scenario_words(self, name: str | None = None) -> str:
        """Scenario ``name`` (this one's by default) inside a sentence: its title, else its
        name in lower-case words ("the pay shock scenario")."""
        name = self.scenario if name is None else name
        return in_sentence(name, self._given_title(name))

    def _given_title(self, name: str) -> object:
        own = self.scenarios.get(name)
        return own.get(TITLE_KEY) if isinstance(own, dict) else None
