"""What moved the gap since last quarter: a bridge from the previous quarter's final-year gap to
this quarter's, one step per group of assumptions, and the resolved assumptions a pack ran on.

The two quarters are two sets of projection drivers (:class:`analysis.mtfp.engine.Drivers`).
Starting from last quarter's, the groups are replaced by this quarter's one at a time in a fixed
order (:data:`GROUPS`), and each step is the change in the final-year gap that replacement
makes. Once every group is replaced the drivers are this quarter's, so the steps add up to the
change exactly (up to floating point; :func:`rounded_steps` makes the figures shown in £m add up
too). A step depends on the order where two groups interact (a pay award applies to a demand-
grown budget): the order is fixed so that the same inputs always give the same bridge.

Where last quarter comes from (the robust design): the previous quarter is recomputed from the
repository's own inputs for that period, ``data/raw/<council>/``: the same ``mtfp.yaml`` and
scenario, with the savings register of the previous quarter. It never depends on a previous
pack's output, which may be missing, stale or from another version of the code. Each pack also
saves the resolved assumptions it ran on (:func:`resolved_table`,
``mtfp_assumptions_resolved.csv``), so that a change to ``mtfp.yaml`` between quarters can be
seen by comparing the two packs' tables.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from analysis.core import gap_bridge
from analysis.core.config import Council
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.mtfp.delivery import delivery_evidence
from analysis.mtfp.engine import Drivers, project
from analysis.mtfp.projection import build_drivers, to_gbp_m
from analysis.mtfp.schema import MTFPAssumptions
from analysis.savings.register import register_path

# The groups of assumptions, in the order the bridge replaces them, and the drivers each holds.
GROUPS: dict[str, tuple[str, ...]] = {
    "Pay": ("pay_award",),
    "Prices": ("price_inflation",),
    "Demand": ("demand_growth",),
    "Capital financing": ("capital_financing",),
    "Council tax": (
        "tax_base",
        "band_d",
        "asc_in_band_d",
        "tax_base_growth",
        "core_increase",
        "asc_increase",
        "collection_fund",
    ),
    "Business rates and grants": (
        "business_rates_base",
        "business_rates_growth",
        "grant_base",
        "grant_growth",
    ),
    "Savings and their delivery": (
        "savings_planned",
        "savings_delivery",
        "savings_known",
        "savings_forecast",
    ),
    "Other": (
        "pay_base",
        "non_pay_base",
        "contingency",
        "general_fund_opening",
        "earmarked_opening",
        "general_fund_contributions",
        "earmarked_contributions",
        "minimum_reserve_percent",
        "minimum_reserve_amount",
    ),
}
# Each driver's axes after the draws axis (D directorates, G grants, T years; "" a number).
AXES = {
    "pay_base": "D!",
    "non_pay_base": "D!",
    "pay_award": "_T",
    "price_inflation": "_T",
    "demand_growth": "DT",
    "savings_planned": "DT!",
    "savings_delivery": "DT",
    "capital_financing": "T!",
    "contingency": "T!",
    "tax_base": "",
    "band_d": "",
    "asc_in_band_d": "",
    "tax_base_growth": "T",
    "core_increase": "T",
    "asc_increase": "T",
    "collection_fund": "T!",
    "business_rates_base": "",
    "business_rates_growth": "T",
    "grant_base": "G!",
    "grant_growth": "GT",
    "general_fund_opening": "",
    "earmarked_opening": "",
    "general_fund_contributions": "T!",
    "earmarked_contributions": "T!",
    "minimum_reserve_percent": "",
    "minimum_reserve_amount": "",
    "savings_known": "T!",
    "savings_forecast": "DT!",
}
# (a "!" marks a driver without a draws axis)
DRAW_AXIS = {f for f, axes in AXES.items() if axes and not axes.endswith("!")}


@dataclass(frozen=True)
class Quarter:
    """One quarter's projection drivers for the bridge, and where they come from."""

    period: Period
    drivers: Drivers
    basis: str


@dataclass(frozen=True)
class Bridge:
    """The bridge from ``previous`` to ``current`` (``steps`` None when there is none, and
    ``reason`` says why)."""

    current: Period
    previous: Period | None
    final_year: str
    steps: pd.DataFrame | None
    reason: str
    basis: str = ""


def previous_quarter(
    m: MTFPAssumptions, council: Council, period: Period
) -> tuple[Quarter | None, str]:
    """The previous quarter recomputed from the repository's inputs (``mtfp.yaml`` and the
    previous quarter's savings register), or None and the reason there is none."""
    previous = period.previous
    if previous is None:
        return None, (
            f"{period.label} is the first quarter of the financial year, so there is no earlier "
            "quarter of this year's savings register to compare with"
        )
    needs_register = m.savings_delivery.current_year == "register_forecast" or (
        m.apply_savings_delivery_rate
    )
    if needs_register and register_path(council, previous) is None:
        return None, f"there is no savings register for {previous.label} to recompute it from"
    try:
        evidence = delivery_evidence(m, council, previous)
        drivers = build_drivers(m, council, evidence)
    except InputError as exc:
        return None, f"its inputs cannot be read ({exc.problems[0].message})"
    basis = (
        f"{previous.label} recomputed from this council's inputs: the same MTFP assumptions and "
        f"the {m.scenario_words()} scenario, with the {previous.label} savings register"
    )
    return Quarter(previous, drivers, basis), ""


def bridge_steps(previous: Drivers, current: Drivers) -> pd.DataFrame:
    """One row per group: the final-year cumulative gap before and after replacing that group's
    drivers with ``current``'s, and the change (£k). The changes add up to the whole change."""
    state = previous
    before = float(project(state)["gap_cumulative"][0, -1])
    rows = []
    for order, (group, names) in enumerate(GROUPS.items(), start=1):
        state = replace(state, **{name: getattr(current, name) for name in names})
        after = float(project(state)["gap_cumulative"][0, -1])
        rows.append(
            {
                "step": order,
                "group": group,
                "gap_before_gbp_k": before,
                "gap_after_gbp_k": after,
                "change_gbp_k": after - before,
            }
        )
        before = after
    return pd.DataFrame(rows)


def bridge(
    m: MTFPAssumptions, council: Council, period: Period, current: Drivers | None = None
) -> Bridge:
    """The bridge of scenario ``m``'s final-year gap from the previous quarter to ``period``
    (``current``: this quarter's drivers, built from the register at ``period`` if not given)."""
    quarter, reason = previous_quarter(m, council, period)
    if quarter is None:
        return Bridge(period, period.previous, m.final_year, None, reason)
    if current is None:
        current = build_drivers(m, council, delivery_evidence(m, council, period))
    steps = bridge_steps(quarter.drivers, current)
    return Bridge(period, quarter.period, m.final_year, steps, "", quarter.basis)


def bridge_table(b: Bridge, scenario: str) -> pd.DataFrame:
    """The pack's bridge table: a row for last quarter's gap, one per step, one for this
    quarter's (``row``: start, step, end), money in £k; empty when there is no bridge."""
    columns = ["scenario", "period", "previous_period", "final_year", "row", "step", "group"]
    if b.steps is None:
        return pd.DataFrame(columns=[*columns, "gap_gbp_k", "change_gbp_k", "change_shown_gbp_m"])
    start = float(b.steps["gap_before_gbp_k"].iloc[0])
    end = float(b.steps["gap_after_gbp_k"].iloc[-1])
    rows = [("start", 0, f"Gap at {b.previous.label}", start, np.nan)]
    rows += [
        ("step", int(r.step), r.group, r.gap_after_gbp_k, r.change_gbp_k)
        for r in b.steps.itertuples()
    ]
    rows.append(("end", len(b.steps) + 1, f"Gap at {b.current.label}", end, end - start))
    table = pd.DataFrame(rows, columns=["row", "step", "group", "gap_gbp_k", "change_gbp_k"])
    # The steps in £m as shown (1 dp), adding up to the change as shown.
    shown = rounded_steps(
        b.steps["change_gbp_k"].to_numpy(float) / 1000,
        round(end / 1000, 1) - round(start / 1000, 1),
    )
    table["change_shown_gbp_m"] = np.concatenate([[np.nan], shown, [shown.sum()]])
    table.insert(0, "final_year", b.final_year)
    table.insert(0, "previous_period", str(b.previous))
    table.insert(0, "period", str(b.current))
    table.insert(0, "scenario", scenario)
    return table


def rounded_steps(changes_m: np.ndarray, total_m: float) -> np.ndarray:
    """The steps in £m to 1 dp, adding up to the total as shown (rounded to 1 dp): the tenths
    left over by rounding go to the steps that lost most by it (largest remainder)."""
    tenths = np.asarray(changes_m, dtype=float) * 10
    floor = np.floor(tenths)
    target = int(round(total_m * 10))
    left = target - int(floor.sum())
    order = np.argsort(-(tenths - floor), kind="stable")
    out = floor.copy()
    if left >= 0:
        out[order[:left]] += 1
    else:
        out[order[::-1][:-left]] -= 1
    return out / 10


def bridge_sentence(table: pd.DataFrame, reason: str = "") -> str:
    """One sentence: last quarter's final-year gap, this quarter's, and the largest step
    (:func:`analysis.core.gap_bridge.bridge_sentence`, as the summary says it); or why there is
    no bridge."""
    if table.empty:
        return (
            f"No bridge from last quarter: {reason}." if reason else "No bridge from last quarter."
        )
    return gap_bridge.bridge_sentence(to_gbp_m(table))


def bridge_chart(table: pd.DataFrame, source: str, period: str):
    """A waterfall: last quarter's gap, a bar per step (rising = the gap widened), this
    quarter's gap; the steps as shown (1 dp) add up to the change."""
    return gap_bridge.bridge_chart(
        to_gbp_m(table), source, period, height=4.8, note="+ widens the gap, - narrows it"
    )


def resolved_table(d: Drivers, m: MTFPAssumptions) -> pd.DataFrame:
    """The resolved assumptions a pack ran on, one row per driver cell: ``scenario, group,
    assumption, item`` (directorate or grant, blank otherwise), ``year`` (blank for a single
    figure) and ``value`` (money in £k, rates as fractions)."""
    names = {"D": m.directorates, "G": list(m.grants), "T": m.year_labels}
    group_of = {f: g for g, fs in GROUPS.items() for f in fs}
    rows = []
    for f in fields(d):
        value = getattr(d, f.name)
        if value is None:
            continue
        axes = AXES[f.name].rstrip("!")
        array = np.asarray(value, dtype=float)
        if f.name in DRAW_AXIS:
            array = array[0]
        if axes.startswith("_"):
            array, axes = array[0], axes[1:]
        if axes == "":
            rows.append((group_of[f.name], f.name, "", "", float(array)))
        elif axes in ("D", "G", "T"):
            for label, x in zip(names[axes], array, strict=True):
                item, year = ("", label) if axes == "T" else (label, "")
                rows.append((group_of[f.name], f.name, item, year, float(x)))
        else:  # DT or GT
            for item, row in zip(names[axes[0]], array, strict=True):
                for year, x in zip(names["T"], row, strict=True):
                    rows.append((group_of[f.name], f.name, item, year, float(x)))
    table = pd.DataFrame(rows, columns=["group", "assumption", "item", "year", "value"])
    table.insert(0, "scenario", m.scenario)
    return table


def bridge_for_display(table: pd.DataFrame) -> pd.DataFrame:
    """The bridge beside its chart: each bar's label, the gap after it and the change as shown
    (£m to 1 dp, adding up to the change as shown)."""
    return pd.DataFrame(
        {
            "step": table["group"],
            "gap_gbp_m": (table["gap_gbp_k"].astype(float) / 1000).round(1),
            "change_gbp_m": table["change_shown_gbp_m"],
        }
    )
