"""Back tests on the default pack (Dorset, latest period, base scenario).

The MTFP tables must equal the checked-in expected copies in ``tests/pack/expected/``; a change to
the numbers is a deliberate act: rebuild the pack, review the diff, and refresh the copies with
``python tests/pack/refresh_expected.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.pack.build import build_pack

EXPECTED = Path(__file__).parent / "expected"

pytestmark = pytest.mark.slow


def _expected_tables() -> list[Path]:
    return sorted(EXPECTED.glob("mtfp_*.csv"))


def test_expected_copies_exist():
    assert len(_expected_tables()) >= 5


@pytest.mark.parametrize("expected", _expected_tables(), ids=lambda p: p.stem)
def test_mtfp_tables_equal_the_expected_copies(default_pack, expected):
    actual = pd.read_csv(default_pack / "tables" / expected.name)
    pd.testing.assert_frame_equal(actual, pd.read_csv(expected), check_exact=False, rtol=1e-9)


def test_every_report_and_the_cover_are_in_the_pack(default_pack):
    names = sorted(p.name for p in default_pack.glob("*.html"))
    assert names == [
        "00_summary.html",
        "01_mtfp_scenarios.html",
        "02_savings_delivery.html",
        "03_vfm_benchmarking.html",
        "index.html",
    ]
    manifest = json.loads((default_pack / "manifest.json").read_text())
    assert all(n["status"] == "ok" for n in manifest["notebooks"])
    assert any(k.startswith("data/raw/dorset/savings/") for k in manifest["inputs"])
    assert any(k.endswith("mtfp.yaml") for k in manifest["inputs"])
    for prefix in ("mtfp_", "savings_", "benchmark_", "summary_"):
        assert any(t.startswith(prefix) for t in manifest["tables"]), prefix


def test_no_saved_column_holds_a_fraction_under_a_pct_name(default_pack):
    # One convention for the whole pack (CONTRIBUTING): fractions are named _fraction or _rate.
    named_pct = {
        f"{path.name}: {column}"
        for path in sorted((default_pack / "tables").glob("*.csv"))
        for column in pd.read_csv(path, nrows=0).columns
        if column.endswith("_pct")
    }
    assert named_pct == set()


def test_the_same_run_twice_gives_identical_tables(default_pack, tmp_path):
    again = build_pack("dorset", "latest", "base", output_root=tmp_path)
    assert again.ok, again.message
    first = {p.name: p.read_bytes() for p in (default_pack / "tables").glob("*.csv")}
    second = {p.name: p.read_bytes() for p in (again.directory / "tables").glob("*.csv")}
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different


def test_bad_input_stops_before_any_notebook_and_writes_nothing(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "broken")
    mtfp = raw / "broken" / "mtfp.yaml"
    mtfp.write_text(mtfp.read_text().replace("horizon", "horizon_typo", 1))
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    out = tmp_path / "outputs"
    with pytest.raises(InputError) as caught:
        build_pack("broken", "latest", "base", output_root=out)
    assert any("mtfp.yaml" in p.file for p in caught.value.problems)
    assert not out.exists()


def test_a_broken_savings_register_stops_the_run_naming_row_and_column(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(paths.council_dir("dorset"), raw / "broken")
    register = raw / "broken" / "savings" / "2021-22-Q2.xlsx"
    book = openpyxl.load_workbook(register)
    sheet = book.worksheets[0]
    header_row = next(
        row[0].row for row in sheet.iter_rows() if any(c.value == "Reference" for c in row)
    )
    headers = [c.value for c in sheet[header_row]]
    column = next(i for i, h in enumerate(headers) if h and "planned" in str(h).lower()) + 1
    sheet.cell(row=header_row + 2, column=column, value="lots")  # text where money belongs
    book.save(register)
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    out = tmp_path / "outputs"
    with pytest.raises(InputError) as caught:
        build_pack("broken", "2021-22-Q2", "base", output_root=out)
    problem = next(p for p in caught.value.problems if "2021-22-Q2.xlsx" in p.file)
    assert problem.row == header_row + 2 and problem.column == headers[column - 1]
    assert not out.exists()
