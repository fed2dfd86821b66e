"""CSV formula injection through a whole run: no table cell of a pack starts a formula."""

from __future__ import annotations

import csv
import shutil

import pytest
from openpyxl import load_workbook

from analysis.core import paths
from analysis.core.tables import FORMULA_TRIGGERS
from analysis.pack.build import build_pack

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
    "\t=1+1",
]


def _raw_cells(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def assert_no_live_formula(path) -> None:
    for row in _raw_cells(path):
        for cell in row:
            if cell.startswith(FORMULA_TRIGGERS):
                float(cell)  # only a plain number may start with a sign


@pytest.mark.slow
def test_default_pack_tables_hold_no_live_formula(default_pack):
    tables = sorted((default_pack / "tables").glob("*.csv"))
    assert len(tables) >= 10
    for path in tables:
        assert_no_live_formula(path)


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A project root holding a copy of Dorset's inputs as 'hostile', seen by notebook kernels
    too (through $COUNCIL_FINANCE_ROOT); the notebooks are the real ones."""
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "notebooks").symlink_to(paths.notebooks_dir())
    shutil.copytree(paths.council_dir("dorset"), root / "data" / "raw" / "hostile")
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    paths.project_root.cache_clear()
    yield root
    monkeypatch.undo()
    paths.project_root.cache_clear()


@pytest.mark.slow
def test_hostile_register_text_reaches_the_tables_neutralised(project_copy, tmp_path):
    raw = project_copy / "data" / "raw"
    council_yaml = raw / "hostile" / "council.yaml"
    council_yaml.write_text(
        council_yaml.read_text().replace("- Adults and Housing", "- '=Adults and Housing'", 1)
    )
    path = raw / "hostile" / "savings" / "2021-22-Q2.xlsx"
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    for row, text in enumerate(HOSTILE, start=2):
        for column in ("Title", "Owner", "Mitigation"):
            cell = sheet.cell(row, headers[column])
            cell.value = text
            cell.data_type = "s"  # text typed into the cell, not a formula
    workbook.save(path)
    result = build_pack(
        "hostile", "2021-22-Q2", notebooks=["savings"], output_root=tmp_path / "out"
    )
    assert result.ok, result.message
    written = sorted((result.directory / "tables").glob("*.csv"))
    assert written
    cells = set()
    for path in written:
        assert_no_live_formula(path)
        cells |= {cell for row in _raw_cells(path) for cell in row}
    assert "'=Adults and Housing" in cells  # the directorate reached a table, neutralised
