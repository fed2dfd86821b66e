"""Positions computed on arrays equal the general (pandas groupby) path, figure for figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.benchmarking import comparators


def _random_case(seed: int):
    rng = np.random.default_rng(seed)
    codes = [f"E{i:08d}" for i in range(int(rng.integers(2, 30)))]
    lines = list(range(int(rng.integers(1, 5))))
    years = [2015, 2016]
    rows = [
        {"ons_code": c, "line": line, "year": y, "value": float(rng.integers(-3, 8))}
        for c in codes
        for line in lines
        for y in years
        if rng.random() > 0.2  # some authorities have no figure for a line or year
    ]
    values = pd.DataFrame(rows, columns=["ons_code", "line", "year", "value"])
    if len(values):
        scale = rng.choice([1.0, 0.1, 1e-3, 123.456])
        values["value"] = values["value"] * scale  # ties, zeros, negatives, fractions
        values.loc[rng.random(len(values)) < 0.1, "value"] = np.nan
    focal = rng.choice(codes, size=min(len(codes), int(rng.integers(1, 4))), replace=False)
    groups = pd.DataFrame(
        [
            {"ons_code": f, "comparator_code": c}
            for f in focal
            for c in rng.choice(codes, size=int(rng.integers(0, len(codes))), replace=True)
        ],
        columns=["ons_code", "comparator_code"],
    )
    if len(groups) == 0:
        groups = pd.DataFrame({"ons_code": [focal[0]], "comparator_code": [focal[0]]})
    return values, groups


@pytest.mark.parametrize("seed", range(60))
def test_array_path_equals_the_general_path(seed, monkeypatch):
    values, groups = _random_case(seed)
    keys = ["year", "line"]
    fast = comparators.positions(values, groups, keys)
    monkeypatch.setattr(comparators, "_stats_by_arrays", lambda *args: None)
    general = comparators.positions(values, groups, keys)
    pd.testing.assert_frame_equal(fast, general, check_exact=True)


def test_duplicate_authority_values_take_the_general_path():
    values = pd.DataFrame(
        {"ons_code": ["A", "A", "B", "C"], "line": 1, "value": [1.0, 2.0, 3.0, 4.0]}
    )
    groups = pd.DataFrame({"ons_code": "A", "comparator_code": ["B", "C"]})
    focal = values[values["ons_code"] == "A"]
    merged = groups.merge(
        values.rename(columns={"ons_code": "comparator_code", "value": "comparator_value"})
    )
    assert comparators._stats_by_arrays(focal, merged, ["ons_code", "line"]) is None
    assert len(comparators.positions(values, groups, ["line"])) == 2
