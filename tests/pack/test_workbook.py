"""tables.xlsx: one sheet per CSV table, the same rows, headers in words, formats by unit."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.core.tables import save_table
from analysis.pack.workbook import (
    CONTENTS,
    FORMAT_GBP_M,
    FORMAT_INTEGER,
    FORMAT_PENCE,
    FORMAT_PERCENT,
    FORMAT_WHOLE,
    header_words,
    sheet_names,
    write_workbook,
)


def _same(sheet_value, csv_value) -> bool:
    if csv_value is None or (isinstance(csv_value, float) and math.isnan(csv_value)):
        return sheet_value is None
    if isinstance(csv_value, bool):
        return sheet_value is csv_value
    if isinstance(csv_value, (int, float)):
        return isinstance(sheet_value, (int, float)) and math.isclose(sheet_value, csv_value)
    return sheet_value == str(csv_value)


def assert_sheets_equal_csvs(workbook: Path, tables: Path) -> int:
    """Every CSV in ``tables`` has a sheet with its rows (read independently, by pandas, with
    the CSV's text as written: formula-like text keeps its apostrophe)."""
    book = openpyxl.load_workbook(workbook)
    contents = book[CONTENTS]
    listed = {row[3]: row[1] for row in contents.iter_rows(min_row=2, values_only=True)}
    files = sorted(tables.glob("*.csv"))
    assert len(listed) == len(files)
    for path in files:
        sheet = book[listed[f"tables/{path.name}"]]
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=None)
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(frame), path.name
        headers = [c.value for c in sheet[1]]
        assert headers == [header_words(str(c)) for c in frame.columns], path.name
        for r, (sheet_row, (_i, csv_row)) in enumerate(zip(rows, frame.iterrows(), strict=True)):
            for column, sheet_value in zip(frame.columns, sheet_row, strict=True):
                csv_value = csv_row[column]
                csv_value = csv_value.item() if hasattr(csv_value, "item") else csv_value
                assert _same(sheet_value, csv_value), (path.name, r + 2, column, sheet_value)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
    return len(files)


def test_every_sheet_equals_its_csv_with_words_formats_and_no_formula(tmp_path):
    tables = tmp_path / "tables"
    save_table(
        pd.DataFrame(
            {
                "scenario": ["base", "pay_shock"],
                "year": [2021, 2022],
                "budget_gap_cumulative_gbp_m": [24.273408, -1.25],
                "band_d_gbp": [1779.39, 1814.8],
                "planned_gbp_k": [1570.0, 0.0],
                "delivery_rate": [0.0199, 0.5],
                "n_ranked": [12, 1500],
                "note": ['=HYPERLINK("http://x")', None],
                "breaches_referendum_limit": [True, False],
            }
        ),
        "mtfp_headline",
        tables,
    )
    save_table(pd.DataFrame({"reference": ["AH01", "123"]}), "savings_at_risk", tables)
    path = write_workbook(tables)
    assert path == tmp_path / "tables.xlsx"
    assert assert_sheets_equal_csvs(path, tables) == 2

    book = openpyxl.load_workbook(path)
    sheet = book["mtfp_headline"]
    assert [c.value for c in sheet[1]] == [
        "Scenario",
        "Year",
        "Budget gap cumulative (£m)",
        "Band D (£)",
        "Planned (£k)",
        "Delivery rate (%)",
        "Number of ranked",
        "Note",
        "Breaches referendum limit",
    ]
    formats = [c.number_format for c in sheet[2]]
    assert formats[1:7] == [
        FORMAT_INTEGER,  # a year: 2021, not 2,021
        FORMAT_GBP_M,
        FORMAT_PENCE,  # £1,779.39
        FORMAT_WHOLE,
        FORMAT_PERCENT,  # 0.0199 shows as 1.99%
        FORMAT_WHOLE,  # 1,500
    ]
    # The formula-like text is text with the CSV's apostrophe, never a formula.
    cell = sheet["H2"]
    assert cell.value == '\'=HYPERLINK("http://x")' and cell.data_type == "s"
    assert sheet["I2"].value is True
    # "123" stays the text it is in a text column.
    assert book["savings_at_risk"]["A3"].value == "123"
    contents = book[CONTENTS]
    assert contents["A2"].value == "MTFP headline"
    assert contents["B2"].hyperlink.location == "'mtfp_headline'!A1" or contents[
        "B2"
    ].hyperlink.target.endswith("mtfp_headline'!A1")


def test_no_tables_no_workbook(tmp_path):
    (tmp_path / "tables").mkdir()
    assert write_workbook(tmp_path / "tables") is None
    assert not (tmp_path / "tables.xlsx").exists()


def test_sheet_names_are_short_unique_and_legal():
    names = sheet_names(["a" * 40, "a" * 41, "contents", "x[1]", "'quoted'"])
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == 5
    assert names["contents"] != CONTENTS and names["x[1]"] == "x_1_"
    assert names["'quoted'"] == "_quoted_"  # Excel refuses an apostrophe at either end


def test_every_table_name_makes_a_sheet_excel_accepts(tmp_path):
    tables = tmp_path / "tables"  # CSVs put there by hand, not by save_table
    tables.mkdir()
    for stem in ["'quoted'", "it's", "a" * 40, "a" * 41, "x[1]", "Contents"]:
        (tables / f"{stem}.csv").write_text("value\n1\n", encoding="utf-8")
    book = openpyxl.load_workbook(write_workbook(tables))
    assert len(book.sheetnames) == 7 and book.sheetnames[0] == CONTENTS
    links = [row[1].hyperlink.location for row in book[CONTENTS].iter_rows(min_row=2)]
    # each link names its sheet, quoted as Excel quotes it ("it's" as 'it''s')
    assert "'it''s'!A1" in links and all(link.endswith("!A1") for link in links)


def test_header_words():
    assert header_words("budget_gap_cumulative_p05_gbp_m") == (
        "Budget gap cumulative 5th percentile (£m)"
    )
    assert header_words("budget_gap_cumulative_p50_gbp_m") == "Budget gap cumulative median (£m)"
    assert header_words("share_of_staff_budget_fraction") == "Share of staff budget (%)"
    assert header_words("dsg_deficit_gbp_m") == "DSG deficit (£m)"


@pytest.mark.slow
def test_default_pack_has_tables_xlsx_equal_to_its_csvs(default_pack):
    assert assert_sheets_equal_csvs(default_pack / "tables.xlsx", default_pack / "tables") > 30
