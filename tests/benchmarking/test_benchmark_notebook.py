"""Notebook 03 runs on the illustrative panel and on the published files, and saves its tables."""

from __future__ import annotations

import pandas as pd
import papermill as pm
import pytest

from analysis.core import paths

TABLES = [
    "benchmark_positions",
    "benchmark_resilience",
    "benchmark_quadrants",
    "benchmark_priorities",
    "benchmark_unmatched",
    "benchmark_comparators",
]


def run_notebook(tmp_path, **parameters):
    tables = tmp_path / "tables"
    pm.execute_notebook(
        str(paths.notebooks_dir() / "03_vfm_benchmarking.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"tables_dir": str(tables), **parameters},
        kernel_name="council-finance",
        progress_bar=False,
    )
    return tables


def no_stderr(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr" or o.get("output_type") == "error"
    ]


@pytest.mark.slow
def test_notebook_on_illustrative_panel(tmp_path):
    tables = run_notebook(tmp_path)
    for name in TABLES:
        assert (tables / f"{name}.csv").is_file(), name
    priorities = pd.read_csv(tables / "benchmark_priorities.csv")
    assert list(priorities.columns[:4]) == ["rank", "service", "line", "priority_score"]
    assert list(priorities["rank"]) == list(range(1, len(priorities) + 1))
    assert priorities["priority_score"].is_monotonic_decreasing
    assert not no_stderr(tmp_path / "out.ipynb")


@pytest.mark.slow
def test_notebook_on_public_data_for_bath(tmp_path, shared_public):
    tables = run_notebook(tmp_path, council="bath-ne-somerset", public_data=str(shared_public))
    positions = pd.read_csv(tables / "benchmark_positions.csv")
    asc = positions[positions["line"] == 360].iloc[0]
    assert asc["net_expenditure_gbp_k"] == 60433 and asc["year"] == 2016
    unmatched = pd.read_csv(tables / "benchmark_unmatched.csv")
    assert {"E06000061", "E06000062", "E10000009"} <= set(unmatched["code"])
    assert not no_stderr(tmp_path / "out.ipynb")
