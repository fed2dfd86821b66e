"""The savings notebook runs under papermill and writes its tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import paths


@pytest.mark.slow
def test_savings_notebook_executes(tmp_path):
    papermill = pytest.importorskip("papermill")
    source = paths.notebooks_dir() / "02_savings_delivery.ipynb"
    tables = tmp_path / "tables"
    out = papermill.execute_notebook(
        str(source),
        str(tmp_path / "out.ipynb"),
        parameters={"council": "dorset", "period": "2021-22-Q2", "tables_dir": str(tables)},
        kernel_name="council-finance",
        progress_bar=False,
    )
    streams = [
        o
        for c in out.cells
        for o in c.get("outputs", [])
        if o.get("output_type") in ("stream", "error")
    ]
    assert streams == [], "no printed output, warnings or errors may reach the report"
    headline = pd.read_csv(tables / "savings_headline.csv")
    assert list(headline.columns) == [
        "financial_year", "planned_gbp_m", "delivered_gbp_m", "forecast_gbp_m", "at_risk_gbp_m",
        "lost_gbp_m", "delivery_rate", "forecast_delivery_rate",
    ]  # fmt: skip
    assert len(headline) == 1 and headline.loc[0, "financial_year"] == "2021-22"
    for name in ("by_directorate", "by_type", "at_risk", "movement", "trend", "slippage",
                 "delivery_rates", "mtfp_pressure"):  # fmt: skip
        assert (tables / f"savings_{name}.csv").is_file(), name


@pytest.mark.slow
def test_savings_notebook_runs_for_the_first_quarter(tmp_path):
    papermill = pytest.importorskip("papermill")
    source = paths.notebooks_dir() / "02_savings_delivery.ipynb"
    papermill.execute_notebook(
        str(source),
        str(tmp_path / "out.ipynb"),
        parameters={"period": "2021-22-Q1", "tables_dir": str(tmp_path / "tables")},
        kernel_name="council-finance",
        progress_bar=False,
    )
    assert pd.read_csv(tmp_path / "tables" / "savings_movement.csv").empty
