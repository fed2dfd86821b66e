"""Properties of the comparator positions that hold for any figures (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.benchmarking import comparators
from analysis.benchmarking.positions import unit_costs

# Whole pounds (and their negatives: net income), so medians and differences are exact.
figures = st.lists(st.integers(-50, 200), min_size=1, max_size=25)


def frames(council: int, others: list[int]):
    codes = [f"C{i:03d}" for i in range(len(others))]
    values = pd.DataFrame(
        {"ons_code": ["A", *codes], "line": 1, "value": [float(council), *map(float, others)]}
    )
    groups = pd.DataFrame({"ons_code": "A", "comparator_code": codes})
    return values, groups


def position(values, groups) -> pd.Series:
    return comparators.positions(values, groups, ["line"]).iloc[0]


@settings(max_examples=30, deadline=None)
@given(council=st.integers(-50, 200), others=figures, seed=st.integers(0, 2**32 - 1))
def test_permuting_comparators_changes_nothing(council, others, seed):
    values, groups = frames(council, others)
    rng = np.random.default_rng(seed)
    shuffled_values = values.iloc[rng.permutation(len(values))]
    shuffled_groups = groups.iloc[rng.permutation(len(groups))]
    pd.testing.assert_series_equal(
        position(values, groups), position(shuffled_values, shuffled_groups)
    )


@settings(max_examples=30, deadline=None)
@given(council=st.integers(-50, 200), others=figures)
def test_a_comparator_at_the_median_leaves_the_median(council, others):
    values, groups = frames(council, others)
    before = position(values, groups)["comparator_median"]
    extra = values.iloc[[0]].assign(ons_code="EXTRA", value=before)
    more = pd.concat([values, extra], ignore_index=True)
    groups_more = pd.concat(
        [groups, pd.DataFrame({"ons_code": ["A"], "comparator_code": ["EXTRA"]})]
    )
    assert position(more, groups_more)["comparator_median"] == before


@settings(max_examples=40, deadline=None)
@given(council=st.integers(-50, 200), others=figures)
def test_tied_with_every_comparator_is_the_middle_rank(council, others):
    values, groups = frames(council, [council] * len(others))
    pos = position(values, groups)
    # n comparators and the council: places 1 .. n + 1, the middle one (n + 2) / 2.
    assert pos["rank"] == (len(others) + 2) / 2
    assert pos["n_ranked"] == len(others) + 1


def rs_and_population(spend: list[int], people: list[int], k: int):
    codes = [f"E0{i:07d}" for i in range(len(spend))]
    rs = pd.DataFrame(
        {
            "ons_code": codes,
            "e_code": codes,
            "name": codes,
            "authority_class": "SD",
            "year": 2020,
            "measure": "RS190",
            "line": 190,
            "value": [float(s) for s in spend],
        }
    )
    population = pd.DataFrame(
        {
            "ons_code": codes,
            "name": codes,
            "authority_class": "SD",
            "year": 2020,
            "measure": "population",
            "value": [float(p * k) for p in people],
        }
    )
    return rs, population


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(-500, 5000), st.integers(1_000, 500_000)), min_size=2),
    k=st.integers(2, 7),
)
def test_scaling_every_population_by_k_scales_per_head_by_one_over_k(rows, k):
    spend, people = [r[0] for r in rows], [r[1] for r in rows]
    base, _ = unit_costs(*rs_and_population(spend, people, 1), 2020)
    scaled, _ = unit_costs(*rs_and_population(spend, people, k), 2020)
    np.testing.assert_allclose(
        scaled["net_expenditure_per_head_gbp"], base["net_expenditure_per_head_gbp"] / k
    )
    # Positions: every per-head figure scales by 1/k; ranks, quartiles and percentages do not.
    groups = pd.DataFrame(
        {"ons_code": base["ons_code"].iloc[0], "comparator_code": base["ons_code"].iloc[1:]}
    )

    def pos(costs):
        values = costs.rename(columns={"net_expenditure_per_head_gbp": "value"})
        return comparators.positions(values[["ons_code", "line", "value"]], groups, ["line"])

    a, b = pos(base).iloc[0], pos(scaled).iloc[0]
    for column in ("value", "comparator_median", "diff", "mad"):
        np.testing.assert_allclose(b[column], a[column] / k, rtol=1e-12, atol=1e-12)
    assert (a["rank"], a["quartile"]) == (b["rank"], b["quartile"])
    np.testing.assert_allclose(
        b["diff_fraction"], a["diff_fraction"], rtol=1e-9, atol=1e-12, equal_nan=True
    )


def test_no_percentage_of_a_nil_or_negative_figure():
    # Net income: council -2.81, comparators' median -8.45: no percentage; the difference in £.
    values, groups = frames(0, [0])
    values["value"] = [-2.81, -8.45]
    pos = position(values, groups)
    assert np.isnan(pos["diff_fraction"]) and round(pos["diff"], 2) == 5.64
    values["value"] = [14.18, 0.0]  # a nil median
    assert np.isnan(position(values, groups)["diff_fraction"])


def test_each_authority_against_its_own_comparators_on_each_key():
    """Two councils, each with its own comparators, on two keys (figures worked by hand)."""
    values = pd.DataFrame(
        {
            "ons_code": ["A", "B", "C", "D", "A", "B", "C", "D", "E"],
            "line": [1, 1, 1, 1, 2, 2, 2, 2, 2],
            "value": [10.0, 20.0, 30.0, 40.0, 5.0, 5.0, 7.0, np.nan, 1.0],
        }
    )
    groups = pd.DataFrame(
        {"ons_code": ["A", "A", "A", "B", "B"], "comparator_code": ["B", "C", "D", "A", "C"]}
    )
    out = comparators.positions(values, groups, ["line"]).set_index(["ons_code", "line"])
    # A on line 1 against B, C, D (20, 30, 40): median 30, MAD 10, lowest of 4.
    assert out.loc[("A", 1), ["comparator_median", "mad", "rank"]].tolist() == [30.0, 10.0, 4.0]
    # A on line 2 against B and C (D has no figure; E is no comparator of A): 5 and 7.
    assert out.loc[("A", 2), "comparator_median"] == 6.0
    assert out.loc[("A", 2), "n_comparators_with_data"] == 2
    assert out.loc[("A", 2), "rank"] == 2.5  # level with B (5), below C (7): ranks 2 and 3
    # B on line 1 against A and C (10, 30): median 20 = B's own, so no difference.
    assert out.loc[("B", 1), ["comparator_median", "diff", "rank"]].tolist() == [20.0, 0.0, 2.0]
    assert list(out.index.get_level_values("ons_code").unique()) == ["A", "B"]


def test_two_figures_for_one_authority_and_key_are_refused():
    values = pd.DataFrame(
        {"ons_code": ["A", "A", "B"], "line": [1, 1, 1], "value": [1.0, 2.0, 3.0]}
    )
    groups = pd.DataFrame({"ons_code": ["A"], "comparator_code": ["B"]})
    with pytest.raises(ValueError, match="two values for one authority and key.*'A'"):
        comparators.positions(values, groups, ["line"])
