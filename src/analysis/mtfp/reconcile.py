"""The MTFP's savings for the current year reconciled with the savings register: what the plan
counts on, what the register tracks and what it forecasts, by directorate, and the sentence that
explains the difference to a councillor.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.display import gbp_m_text, pct_text
from analysis.mtfp.delivery import DeliveryEvidence, savings_with_delivery
from analysis.mtfp.schema import MTFPAssumptions

TOTAL = "All directorates"

RECONCILIATION_COLUMNS = [
    "directorate", "year", "planned_in_mtfp_gbp_k", "planned_in_register_gbp_k",
    "forecast_in_register_gbp_k", "counted_in_this_scenario_gbp_k", "mtfp_not_in_register_gbp_k",
    "undelivered_in_this_scenario_gbp_k",
]  # fmt: skip


def savings_reconciliation(m: MTFPAssumptions, evidence: DeliveryEvidence) -> pd.DataFrame:
    """One row per directorate and a total for the register's year: planned in the MTFP, planned
    and forecast in the register, what this scenario counts as delivered, the MTFP's savings
    the register does not track (MTFP - register planned) and the undelivered savings the
    scenario carries as a pressure (MTFP planned - counted). Zeros, never NaN, where a
    directorate has no savings on one side."""
    table = savings_with_delivery(m, evidence)
    year = table[table["year"] == evidence.year]
    mtfp = year.groupby("directorate")["planned_gbp_k"].sum()
    counted = year.groupby("directorate")["delivered_gbp_k"].sum()
    register = evidence.forecast.set_index("directorate")
    names = list(dict.fromkeys([*m.directorates, *register.index]))
    frame = pd.DataFrame({"directorate": names, "year": evidence.year})
    frame["planned_in_mtfp_gbp_k"] = [float(mtfp.get(n, 0.0)) for n in names]
    frame["planned_in_register_gbp_k"] = [
        float(register["planned_gbp_k"].get(n, 0.0)) for n in names
    ]
    frame["forecast_in_register_gbp_k"] = [
        float(register["forecast_gbp_k"].get(n, 0.0)) for n in names
    ]
    frame["counted_in_this_scenario_gbp_k"] = [float(counted.get(n, 0.0)) for n in names]
    frame["mtfp_not_in_register_gbp_k"] = (
        frame["planned_in_mtfp_gbp_k"] - frame["planned_in_register_gbp_k"]
    )
    frame["undelivered_in_this_scenario_gbp_k"] = (
        frame["planned_in_mtfp_gbp_k"] - frame["counted_in_this_scenario_gbp_k"]
    )
    total = frame.drop(columns=["directorate", "year"]).sum()
    frame = pd.concat(
        [frame, pd.DataFrame([{"directorate": TOTAL, "year": evidence.year, **total}])],
        ignore_index=True,
    )
    return frame[RECONCILIATION_COLUMNS]


def reconciliation_sentence(table: pd.DataFrame, m: MTFPAssumptions, period_label: str) -> str:
    """What the plan counts on this year against the register, and what later years assume."""
    total = table[table["directorate"] == TOTAL].iloc[0]
    year = total["year"]
    mtfp, register = total["planned_in_mtfp_gbp_k"], total["planned_in_register_gbp_k"]
    forecast, counted = total["forecast_in_register_gbp_k"], total["counted_in_this_scenario_gbp_k"]
    undelivered = total["undelivered_in_this_scenario_gbp_k"]
    text = (
        f"The MTFP plans {gbp_m_text(mtfp)} of new savings in {year}; the savings register at "
        f"{period_label} tracks {gbp_m_text(register)} and forecasts {gbp_m_text(forecast)} by "
        "the year end. "
    )
    if m.savings_delivery.current_year == "register_forecast":
        text += (
            f"The {m.scenario_words()} scenario counts the register's forecast for {year}, so it carries "
            f"{gbp_m_text(undelivered)} of undelivered savings as a pressure in {year} and, as the "
            "savings were meant to recur, in every later year"
        )
        gap = mtfp - register
        if round(gap / 1000, 1) != 0:
            text += (
                f" ({gbp_m_text(register - forecast)} forecast short in the register and "
                f"{gbp_m_text(gap)} planned in the MTFP but not tracked in the register)"
            )
        text += ". "
    else:
        text += (
            f"The {m.scenario_words()} scenario counts {gbp_m_text(counted)} for {year}: the plan, not the "
            "register's forecast. "
        )
    if m.apply_savings_delivery_rate:
        text += (
            f"Later years' savings are counted at this year's forecast delivery rates from the "
            f"register ({_overall(m, table)})."
        )
    else:
        rates = m.savings_delivery.later_years_rate
        shown = (
            pct_text(rates)
            if isinstance(rates, float)
            else ", ".join(f"{y} {pct_text(r)}" for y, r in rates.items())
        )
        text += (
            f"Later years' savings are counted at {shown} delivery: "
            f"{m.savings_delivery.later_years_basis}."
        )
    return text


def _overall(m: MTFPAssumptions, table: pd.DataFrame) -> str:
    total = table[table["directorate"] == TOTAL].iloc[0]
    register = total["planned_in_register_gbp_k"]
    rate = total["forecast_in_register_gbp_k"] / register if register else float("nan")
    return f"{pct_text(min(rate, 1.0))} overall, by directorate and type"
