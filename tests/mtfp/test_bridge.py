"""The bridge from last quarter's final-year gap to this quarter's (toy plan of
tests/mtfp/test_mtfp.py, and Dorset's Q1 and Q2 registers)."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest
from test_mtfp import toy, toy_data

from analysis.core import config
from analysis.core.periods import Period
from analysis.mtfp import (
    bridge,
    budget_gap,
    build_drivers,
    delivery_evidence,
    load_assumptions,
    projection,
    resolve_scenario,
)
from analysis.mtfp.engine import Drivers, project


def test_every_driver_is_in_exactly_one_group_and_has_its_axes():
    grouped = [name for names in bridge.GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(f.name for f in fields(Drivers))
    assert len(grouped) == len(set(grouped))
    assert set(bridge.AXES) == {f.name for f in fields(Drivers)}
    assert list(bridge.GROUPS) == [
        "Pay",
        "Prices",
        "Demand",
        "Capital financing",
        "Council tax",
        "Business rates and grants",
        "Savings and their delivery",
        "Other",
    ]


def test_one_step_per_group_adding_up_to_the_change():
    # Last quarter: the toy (2023-24 gap 6.59965). This quarter: pay award 12% not 10%, and a
    # core council tax increase of 4% not 3%.
    #   Pay: A's pay 100 x 1.12^3 = 140.4928 instead of 100 x 1.1^3 = 133.1: +7.3928
    #   Council tax: 102.01 x £4,000 x 1.06^2 = 458.473744 instead of x 1.05^2 = 449.8641:
    #   income +8.609644, so the gap -8.609644
    data = toy_data()
    data["pay_award_pct"] = 0.12
    data["council_tax"]["core_increase_pct"] = 0.04
    previous, current = build_drivers(toy()), build_drivers(toy(data))
    steps = bridge.bridge_steps(previous, current).set_index("group")["change_gbp_k"]
    assert steps["Pay"] == pytest.approx(7.3928)
    assert steps["Council tax"] == pytest.approx(-8.609644)
    assert (steps.drop(["Pay", "Council tax"]) == 0).all()
    start = project(previous)["gap_cumulative"][0, -1]
    end = project(current)["gap_cumulative"][0, -1]
    assert math.fsum(steps) == pytest.approx(end - start, abs=1e-9)


def test_rounded_steps_add_up_to_the_change_as_shown():
    # 1.04 three times is 3.12, shown 3.1: one step loses its tenth (the largest remainders
    # go first, ties in order): 1.1 + 1.0 + 1.0.
    assert bridge.rounded_steps(np.array([1.04, 1.04, 1.04]), 3.1).tolist() == [1.1, 1.0, 1.0]
    shown = bridge.rounded_steps(np.array([-12.14667, 0.0, 3.639]), 24.3 - 32.8)
    assert shown.tolist() == [-12.1, 0.0, 3.6]
    assert round(shown.sum(), 1) == -8.5


@pytest.fixture(scope="module")
def dorset():
    council = config.load_council("dorset")
    return council, load_assumptions(council)


def test_dorset_q2_bridges_from_q1_through_the_savings_register(dorset):
    # Q1 and Q2 differ only in the savings register, so the whole move is the savings step:
    # the 2025-26 gap £20.6m at Q1 (recomputed from the Q1 register), £24.3m at Q2.
    council, assumptions = dorset
    plan = resolve_scenario(assumptions, "base")
    moved = bridge.bridge(plan, council, Period.parse("2021-22-Q2"))
    table = bridge.bridge_table(moved, "base")
    assert table["row"].tolist() == ["start"] + ["step"] * 8 + ["end"]
    steps = table[table["row"] == "step"].set_index("group")
    assert steps["change_gbp_k"].drop("Savings and their delivery").abs().max() == 0
    assert steps.loc["Savings and their delivery", "change_gbp_k"] == pytest.approx(3_639, abs=1)
    ends = table.set_index("row")["gap_gbp_k"]
    assert ends["start"] == pytest.approx(20_634.4, abs=1)
    assert ends["end"] == pytest.approx(24_273.4, abs=1)
    # As shown: 20.6 + 3.7 = 24.3 (3.639 rounds to 3.6, but the shown figures must add up).
    assert steps["change_shown_gbp_m"].sum() == pytest.approx(3.7)
    assert bridge.bridge_sentence(table) == (
        "The 2025-26 gap was £20.6m at 2021-22 Q1 and is £24.3m at 2021-22 Q2; the largest step "
        "is savings and their delivery, which widened it by £3.7m."
    )
    assert "2021-22 Q1 savings register" in moved.basis


def test_without_a_previous_quarter_the_report_says_so(dorset):
    council, assumptions = dorset
    plan = resolve_scenario(assumptions, "base")
    moved = bridge.bridge(plan, council, Period.parse("2021-22-Q1"))
    assert moved.steps is None
    table = bridge.bridge_table(moved, "base")
    assert table.empty and "change_shown_gbp_m" in table.columns
    assert bridge.bridge_sentence(table, moved.reason) == (
        "No bridge from last quarter: 2021-22 Q1 is the first quarter of the financial year, so "
        "there is no earlier quarter of this year's savings register to compare with."
    )


def test_resolved_assumptions_table_holds_every_driver_cell(dorset):
    council, assumptions = dorset
    plan = resolve_scenario(assumptions, "base")
    evidence = delivery_evidence(assumptions, council, Period.parse("2021-22-Q2"))
    table = bridge.resolved_table(build_drivers(plan, council, evidence), plan)
    cell = table.set_index(["assumption", "item", "year"])["value"]
    assert cell[("pay_award", "", "2023-24")] == 0.02
    assert cell[("demand_growth", "Children's Services", "2022-23")] == 0.035
    assert cell[("band_d", "", "")] == 1779.39
    assert cell[("grant_base", "New Homes Bonus", "")] == 2400
    # 5 directorates x 2 bases + 5 x 5 demand + ... : every cell once
    assert not table.duplicated(["assumption", "item", "year"]).any()
    assert set(table["group"]) == set(bridge.GROUPS)


def test_the_bridge_ends_at_the_projection_every_table_reads(dorset):
    # The report passes its one projection's drivers: the bridge is the one it would build
    # itself, and its end is the final-year gap of the gap table (£24.3m at Q2).
    council, assumptions = dorset
    period = Period.parse("2021-22-Q2")
    plan = resolve_scenario(assumptions, "base")
    result = projection(plan, council, delivery_evidence(assumptions, council, period))
    given = bridge.bridge_table(bridge.bridge(plan, council, period, result.drivers), "base")
    built = bridge.bridge_table(bridge.bridge(plan, council, period), "base")
    assert given.equals(built)
    final = budget_gap(result)["budget_gap_cumulative_gbp_k"].iloc[-1]
    assert given.set_index("row")["gap_gbp_k"]["end"] == pytest.approx(final, abs=1e-6)
    assert final == pytest.approx(24_273.4, abs=1)
    assert bridge.resolved_table(result.drivers, plan).equals(
        bridge.resolved_table(
            build_drivers(plan, council, delivery_evidence(plan, council, period)), plan
        )
    )
