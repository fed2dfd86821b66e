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
    "benchmark_review_proposals",
    "benchmark_status",
    "benchmark_comparator_sets",
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
    """Outputs that are errors or stderr, except the analyst notes the pipeline logs on purpose
    (the rendered report drops stderr; the executed notebook keeps them for the analyst)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
        or (
            o.get("name") == "stderr"
            and any(
                line and not line.startswith("Analyst note (not shown to the committee):")
                for line in o.get("text", "").splitlines()
            )
        )
    ]


def analyst_notes(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return "".join(
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    )


def visible_text(path):
    """What a reader sees: every output except stderr."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    parts = []
    for c in nb.cells:
        if c.cell_type == "markdown":
            parts.append(c.source)
        for o in c.get("outputs", []):
            if o.get("name") == "stderr":
                continue
            parts.append(o.get("text", ""))
            parts.append(str(o.get("data", {}).get("text/html", "")))
    return "\n".join(parts)


@pytest.mark.slow
def test_notebook_on_illustrative_panel(tmp_path):
    tables = run_notebook(tmp_path)
    for name in TABLES:
        assert (tables / f"{name}.csv").is_file(), name
    priorities = pd.read_csv(tables / "benchmark_priorities.csv")
    assert list(priorities.columns[:5]) == ["rank", "service", "line", "proposed", "evidence"]
    proposed = priorities[priorities["proposed"]]
    assert list(proposed["rank"]) == list(range(1, len(proposed) + 1))
    assert proposed["priority_score"].is_monotonic_decreasing
    assert priorities.loc[~priorities["proposed"], "rank"].isna().all()
    review = pd.read_csv(tables / "benchmark_review_proposals.csv")
    assert {
        "service",
        "line",
        "cost_diff_from_median_fraction",
        "performance_position",
        "reason",
    } <= set(review.columns)
    assert review["service"].tolist() == proposed["service"].tolist()
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
    # Committee wording: no analyst terms; the polarity advice goes to the analyst's log only.
    seen = visible_text(tmp_path / "out.ipynb")
    import re

    headers = set(re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', seen))
    assert headers and not headers & {"N ranked", "Robust score", "Year label", "Cost rank"}
    for term in ("polarity_overrides", "is unusual"):
        assert term not in seen, term
    assert "polarity_overrides" in analyst_notes(tmp_path / "out.ipynb")
    # The unmatched section is collapsed, counted, and lists no police, fire or waste body.
    assert "<details><summary>Show the list</summary>" in seen and "could not be matched" in seen
    status = pd.read_csv(tables / "benchmark_status.csv").iloc[0]
    assert status["n_comparators_with_data"] == 13 and status["n_comparators_in_group"] == 15
