"""Savings in the plan and the delivery assumed for them: the planned savings by directorate, type
and year, and the council's delivery rates applied where a scenario asks for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import savings
from analysis.core.config import Council
from analysis.core.errors import InputError, Problem
from analysis.core.periods import Period
from analysis.mtfp.assumptions import resolve_scenario
from analysis.mtfp.schema import MTFPAssumptions


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
