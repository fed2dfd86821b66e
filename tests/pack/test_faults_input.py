"""A run refused for its inputs writes nothing: no output folder, no lock, no scratch."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook

from analysis.cli import main
from analysis.core import paths


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "hostile")
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    return raw / "hostile"


def _run(tmp_path, *extra) -> int:
    out = tmp_path / "out"
    return main(
        ["run", "--council", "hostile", "--period", "2021-22-Q2", "--output-dir", str(out), *extra]
    )


@pytest.mark.parametrize(
    "old, new, where",
    [
        ("general_fund_opening_gbp_k: 31500", "general_fund_opening_gbp_k: .inf", "key 'reserves."),
        ("reserves:", "reserves:\nreserves:", "appears twice"),
    ],
)
def test_hostile_mtfp_yaml_stops_the_run_before_anything_is_written(
    hostile, tmp_path, capsys, old, new, where
):
    path = hostile / "mtfp.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    assert _run(tmp_path) == 2
    err = capsys.readouterr().err
    assert "mtfp.yaml" in err and where in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_nan_in_the_register_stops_the_run_naming_row_and_column(hostile, tmp_path, capsys):
    path = hostile / "savings" / "2021-22-Q2.xlsx"
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(2, headers["Planned (£k)"]).value = float("nan")
    sheet.cell(3, headers["Forecast (£k)"]).value = 1e308
    workbook.save(path)
    assert _run(tmp_path, "--notebooks", "savings") == 2
    err = capsys.readouterr().err
    assert "2021-22-Q2.xlsx, sheet 'Savings', row 3, column 'Forecast (£k)'" in err
    assert "row 2, column 'Planned (£k)'" in err
    assert not (tmp_path / "out").exists()


def test_a_broken_register_read_by_two_checks_is_reported_once(hostile, tmp_path, capsys):
    """The MTFP check reads the savings register too (to reconcile the two): each problem in it
    is listed once, not once for each check that read it."""
    path = hostile / "savings" / "2021-22-Q2.xlsx"
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(3, headers["Forecast (£k)"]).value = 1e308
    workbook.save(path)
    assert _run(tmp_path, "--notebooks", "mtfp,savings") == 2
    err = capsys.readouterr().err
    assert err.count("row 3, column 'Forecast (£k)'") == 1, err
