"""Savings in the plan and the delivery assumed for them: the planned savings by directorate, type
and year; the current year taken from the savings register's forecast for the quarter (where
``savings_delivery.current_year`` is ``register_forecast``); later years at the labelled
``savings_delivery.later_years_rate``, or at this year's forecast rates from the register where
a scenario sets ``apply_savings_delivery_rate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import savings
from analysis.core.config import Council
from analysis.core.errors import InputError, Problem
from analysis.core.periods import Period
from analysis.mtfp.assumptions import resolve_scenario
from analysis.mtfp.schema import MTFPAssumptions, per_year


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
    pooled = {}
    if "rate_basis" in rates.columns:
        pooled = {
            (norm(d), norm(t)): b
            for d, t, b in zip(
                rates["directorate"][both],
                rates["type"][both],
                rates["rate_basis"][both],
                strict=True,
            )
        }
    basis = [
        ("directorate and type" if pooled.get(k, "own") == "own" else f"{pooled[k]} (few savings)")
        if k in pair
        else "directorate"
        if k[0] in by_dir
        else "overall"
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


@dataclass(frozen=True)
class DeliveryEvidence:
    """What the savings register says, for the MTFP: the period's year by directorate
    (``directorate, number_of_savings, planned_gbp_k, forecast_gbp_k``), this year's forecast
    delivery rates (:func:`analysis.savings.delivery_rates`), and where they come from."""

    year: str
    period_label: str
    forecast: pd.DataFrame
    rates: pd.DataFrame
    file: str


def delivery_evidence(
    assumptions: MTFPAssumptions, council: Council, period: Period
) -> DeliveryEvidence | None:
    """The savings register's evidence for the MTFP, when some scenario uses it (else None)."""
    plans = [resolve_scenario(assumptions, n) for n in assumptions.scenario_names()]
    if not any(
        p.apply_savings_delivery_rate or p.savings_delivery.current_year == "register_forecast"
        for p in plans
    ):
        return None
    forecast, file = savings.register_forecast(council, period)
    rates = savings.historical_delivery_rates(council, period)
    return DeliveryEvidence(period.year_label, period.label, forecast, rates, file)


def delivery_rates_if_needed(
    assumptions: MTFPAssumptions, council: Council, period: Period
) -> pd.DataFrame | None:
    """This year's forecast delivery rates from the register, only when some scenario applies
    them (see :func:`delivery_evidence` for the register's current-year forecast too)."""
    needed = [
        n
        for n in assumptions.scenario_names()
        if resolve_scenario(assumptions, n).apply_savings_delivery_rate
    ]
    if not needed:
        return None
    return savings.historical_delivery_rates(council, period)


Evidence = DeliveryEvidence | pd.DataFrame | None


def _missing(m: MTFPAssumptions, key: str, what: str) -> InputError:
    return InputError(
        [
            Problem(
                m.file,
                f"scenario '{m.scenario}' {what} but no savings register evidence was given: pass "
                "mtfp.delivery_evidence(...) from the savings register to the projection",
                key=key,
            )
        ]
    )


def _known_year(m: MTFPAssumptions, evidence: Evidence, haircut: bool) -> DeliveryEvidence | None:
    """The register evidence for the current year, when this scenario takes it from there."""
    if not haircut or m.savings_delivery.current_year != "register_forecast":
        return None
    if not isinstance(evidence, DeliveryEvidence):
        raise _missing(
            m,
            "savings_delivery.current_year",
            "takes the current year's savings from the register's forecast "
            "(savings_delivery.current_year: register_forecast)",
        )
    return evidence if evidence.year in m.year_labels else None


def savings_arrays(
    m: MTFPAssumptions, evidence: Evidence, haircut: bool = True
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]:
    """(planned (D,T), delivered fraction (D,T), savings table, known (T,), forecast (D,T)).

    ``known`` marks the year whose delivered savings are the register's forecast, ``forecast``
    holds them by directorate; elsewhere delivered = planned x fraction."""
    table = planned_savings(m)
    rates = evidence.rates if isinstance(evidence, DeliveryEvidence) else evidence
    if m.apply_savings_delivery_rate and haircut:
        if rates is None:
            raise _missing(
                m,
                "apply_savings_delivery_rate",
                "applies this year's forecast savings delivery rates (apply_savings_delivery_rate: true)",
            )
        table = apply_delivery_rates(table, rates)
        table["rate_basis"] = "register forecast rate: " + table["rate_basis"]
    else:
        years = m.year_labels
        rates_by_year = per_year(m.savings_delivery.later_years_rate, m.years)
        later = dict(zip(years, rates_by_year, strict=True))
        rate = table["year"].map(later).astype(float) if haircut else 1.0
        table = table.assign(
            delivery_rate=rate,
            rate_basis=m.savings_delivery.later_years_basis if haircut else "not applied",
            delivered_gbp_k=table["planned_gbp_k"] * rate,
            undelivered_gbp_k=table["planned_gbp_k"] * (1 - rate),
        )
    d_index = {d: i for i, d in enumerate(m.directorates)}
    y_index = {label: i for i, label in enumerate(m.year_labels)}
    known = np.zeros(len(y_index), dtype=bool)
    forecast = np.zeros((len(d_index), len(y_index)))
    register = _known_year(m, evidence, haircut)
    if register is not None:
        table = _current_year_lines(table, register, m)
        c = y_index[register.year]
        known[c] = True
        unknown = sorted(set(register.forecast["directorate"]) - set(d_index))
        if unknown:
            raise InputError.single(
                register.file,
                f"savings for {', '.join(unknown)}, which is not a directorate of the MTFP "
                f"({'; '.join(d_index)})",
                column="directorate",
            )
        for name, value in zip(
            register.forecast["directorate"], register.forecast["forecast_gbp_k"], strict=True
        ):
            forecast[d_index[name], c] += float(value)
    planned = np.zeros((len(d_index), len(y_index)))
    delivered = np.zeros_like(planned)
    where = (
        table["directorate"].map(d_index).to_numpy(int),
        table["year"].map(y_index).to_numpy(int),
    )
    np.add.at(planned, where, table["planned_gbp_k"].to_numpy(float))
    np.add.at(delivered, where, table["delivered_gbp_k"].to_numpy(float))
    fraction = np.divide(delivered, planned, out=np.ones_like(planned), where=planned != 0)
    fraction[:, known] = 1.0  # not used: the known year's delivered savings are the forecast
    return planned, fraction, table, known, forecast


def _current_year_lines(
    table: pd.DataFrame, register: DeliveryEvidence, m: MTFPAssumptions
) -> pd.DataFrame:
    """The savings table with the current year's delivery from the register's forecast: each
    directorate's forecast shared over its planned lines in proportion to their value, and a
    line for register savings of a directorate with none planned in the MTFP."""
    out = table.copy()
    current = (out["year"] == register.year).to_numpy(dtype=bool)
    basis = f"register forecast at {register.period_label}"
    # (The register's forecast has one row a directorate: savings.register_forecast.)
    value = dict(
        zip(register.forecast["directorate"], register.forecast["forecast_gbp_k"], strict=True)
    )
    planned_by = out.loc[current].groupby("directorate", sort=False)["planned_gbp_k"].sum()
    names = out["directorate"]
    planned = names.map(planned_by).to_numpy(dtype=float)  # NaN outside the current year
    lines = current & names.isin(value).to_numpy(dtype=bool) & (planned > 0)
    forecast = np.array([value[name] for name in names[lines]], dtype=float)
    # A directorate the register does not list: nothing delivered this year.
    orphan = current & ~lines & (out["rate_basis"] != basis).to_numpy(dtype=bool)
    # The columns are computed as arrays and set once each (a table's rows set in place cost
    # five times as much, and this runs for every scenario and sensitivity).
    delivered = out["delivered_gbp_k"].to_numpy(dtype=float, copy=True)
    rate = out["delivery_rate"].to_numpy(dtype=float, copy=True)
    delivered[lines] = out["planned_gbp_k"].to_numpy(dtype=float)[lines] / planned[lines] * forecast
    rate[lines] = forecast / planned[lines]
    delivered[orphan] = 0.0
    rate[orphan] = 0.0
    out["delivered_gbp_k"] = delivered
    out["delivery_rate"] = rate
    out["rate_basis"] = out["rate_basis"].mask(lines | orphan, basis)
    extra = [
        {
            "directorate": name,
            "type": "",
            "title": "In the savings register, not in the MTFP's planned savings",
            "year": register.year,
            "planned_gbp_k": 0.0,
            "delivery_rate": np.nan,
            "rate_basis": basis,
            "delivered_gbp_k": float(forecast_k),
        }
        for name, forecast_k in value.items()
        if forecast_k and not float(planned_by.get(name, 0.0)) > 0
    ]
    if extra:
        out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    out["undelivered_gbp_k"] = out["planned_gbp_k"] - out["delivered_gbp_k"]
    return out


def savings_with_delivery(m: MTFPAssumptions, evidence: Evidence = None) -> pd.DataFrame:
    """Planned savings with the delivery assumed in this scenario: delivery_rate, rate_basis,
    delivered and undelivered £k (the current year from the register's forecast where the
    scenario says so)."""
    return savings_arrays(m, evidence)[2]
