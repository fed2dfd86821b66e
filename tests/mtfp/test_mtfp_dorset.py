"""The default council: the base scenario reproduces Dorset's published 2021-22 MTFS figures
from its assumptions (LGA Finance Peer Challenge report, Cabinet 5 October 2021; CTR tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import config
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.mtfp import (
    budget_gap,
    compare_scenarios,
    council_tax_detail,
    dsg,
    funding_by_line,
    load_assumptions,
    montecarlo,
    referendum_warnings,
    reserves_projection,
    resolve_scenario,
    validate_inputs,
)


@pytest.fixture(scope="module")
def dorset():
    council = config.load_council("dorset")
    assumptions = load_assumptions(council)
    return council, assumptions, resolve_scenario(assumptions, "base")


def test_council_tax_263_9m_rising_to_294_3m(dorset):
    _, _, base = dorset
    ct = council_tax_detail(base).set_index("year")["council_tax_gbp_k"]
    assert ct["2021-22"] == pytest.approx(263_918.6, abs=0.1)  # 148,319.7 x £1,779.39
    assert abs(ct["2025-26"] - 294_300) < 500


def test_business_rates_44_3m_rising_by_just_under_1m(dorset):
    _, _, base = dorset
    rates = (
        funding_by_line(base).query("line == 'Business rates'").set_index("year")["funding_gbp_k"]
    )
    assert rates["2021-22"] == pytest.approx(44_300)
    assert 500 < rates["2025-26"] - rates["2021-22"] < 1_000


def test_net_budget_about_312m_and_balanced_in_2021_22(dorset):
    _, _, base = dorset
    gap = budget_gap(base).set_index("year")
    assert abs(gap.loc["2021-22", "net_budget_requirement_gbp_k"] - 312_000) < 1_000
    assert abs(gap.loc["2021-22", "budget_gap_cumulative_gbp_k"]) < 100


def test_reserves_at_31_march_2021(dorset):
    _, assumptions, _ = dorset
    assert assumptions.reserves.general_fund_opening_gbp_k == 31_500
    assert (
        assumptions.reserves.general_fund_opening_gbp_k
        + assumptions.reserves.earmarked_opening_gbp_k
        == 65_000
    )


def test_dsg_deficit_70m_with_mitigation_and_110m_without(dorset):
    _, _, base = dorset
    table = dsg.dsg_projection(base).set_index(["case", "year"])["cumulative_deficit_gbp_k"]
    assert table[(dsg.WITH_MITIGATION, "2021-22")] == pytest.approx(37_900 + 17_000, abs=100)
    assert abs(table[(dsg.WITH_MITIGATION, "2025-26")] - 70_000) < 1_000
    assert abs(table[(dsg.WITHOUT_MITIGATION, "2025-26")] - 110_000) < 1_000


def test_base_respects_the_referendum_limits(dorset):
    _, _, base = dorset
    assert referendum_warnings(base) == []


def test_pessimistic_needs_the_savings_delivery_rates(dorset):
    council, assumptions, _ = dorset
    with pytest.raises(InputError, match="apply_savings_delivery_rate"):
        compare_scenarios(assumptions, council)


def test_validate_inputs(dorset):
    council, _, _ = dorset
    assert validate_inputs(council, Period.parse("2021-22-Q2"), "base", None).startswith(
        "MTFP assumptions:"
    )


def test_monte_carlo_uses_the_yaml_draws_and_seed(dorset):
    # Its speed is measured by benchmarks/run_benchmarks.py, not by a timed test.
    council, _, base = dorset
    result = montecarlo.monte_carlo(base, council)
    assert result.draws == 10_000
    again = montecarlo.monte_carlo(base, council)
    pd.testing.assert_frame_equal(result.percentiles, again.percentiles)


def test_gap_is_deterministic(dorset):
    council, _, base = dorset
    assert reserves_projection(base, council).equals(reserves_projection(base, council))
