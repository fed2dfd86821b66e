"""Readers of the publications new to the project (RSX, RA budget, capital outturn COR B and C,
the borrowing and investment table) and the CSV reading every reader shares, checked against
figures read by hand from the files (sheet, row and column named beside each)."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.public_data._common import open_workbook, to_number
from analysis.public_data._csv import decode_text, text_cell
from analysis.public_data.ra import read_ra
from analysis.public_data.rsx import read_rsx

RSX = "revenue_outturn_service/RSX_2022-23_data_by_LA.ods"
RA = "revenue_account_budget/RA_2023-24_data_Part_1.csv"


def value(frame, e_code, measure):
    rows = frame[(frame["e_code"] == e_code) & (frame["measure"] == measure)]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


# --- CSV reading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", 1234),
        ("-2,305", -2305),
        ("(1,234)", -1234),
        ("1,016,514", 1016514),
        ("12.5", 12.5),
        ("£1,234", 1234),
        ("1.5E+05", 150000.0),
        ("E0101", "E0101"),
        ("0101", "0101"),
        ("[x]", "[x]"),
        ("-", "-"),
        ("", None),
        ("(12", "(12"),
    ],
)
def test_text_cell(text, expected):
    assert text_cell(text) == expected


@pytest.mark.parametrize("marker", ["[x]", "..", "...", "\u2026", "-", "", "Category discontinued"])
def test_no_return_markers_are_missing_not_zero(marker):
    assert math.isnan(to_number(marker))


def test_decode_text_encodings():
    assert decode_text("£1 – x".encode("utf-8-sig")) == ("£1 – x", "utf-8-sig")
    assert decode_text("£1 – x".encode()) == ("£1 – x", "utf-8")
    assert decode_text("£1 – x".encode("cp1252")) == ("£1 – x", "cp1252")
    # Excel for Mac saves Mac Roman: the en dash is 0xD0, the ellipsis 0xC9 (the shared RA CSV).
    assert decode_text("£1 – x …".encode("mac_roman")) == ("£1 – x …", "mac_roman")
    # '£' alone (0xA3 in both) is read as Windows-1252.
    assert decode_text(b"\xa3 thousand")[1] == "cp1252"


def _ra_csv_lines():
    """An RA part 1 data sheet as a CSV save: title and notes rows, asset codes, line numbers, the
    header of identifiers, authorities, an England row, a blank row and a footnote."""
    return [
        ["Worksheet 2: Revenue Account Budget (RA) 2025-26: Revenue Account data", "", "", "", ""],
        ["Data are reported in £ thousand – budget", "", "", "", "", "", "", "", ""],
        ["Asset ID code row", "", "", "", "", "", "edutot", "asctot", "servicetot", "ctrtot"],
        ["Line number row", "", "", "", "", "", "190", "360", "799", "990"],
        [
            "E-code",
            "ONS Code",
            "Local authority",
            "Class",
            "Subclass",
            "Notes",
            "TOTAL EDUCATION SERVICES",
            "TOTAL ADULT SOCIAL CARE",
            "TOTAL SERVICE EXPENDITURE",
            "COUNCIL TAX REQUIREMENT",
        ],  # fmt: skip
        [
            "E0101",
            "E06000022",
            "Bath & North East Somerset",
            "UA",
            "UA",
            "",
            "70,674",
            "72,642",
            "231,455",
            "116,839",
        ],  # fmt: skip
        ["E2221", "E10000016", "Kent", "SC", "SC", "", "1,016,514", "623,684", "[x]", ".."],
        ["E1631", "E07000078", "Cheltenham", "SD", "SD", "", "0", "(1,234)", "18,536", "-"],
        ["Eng", "E92000001", "ENGLAND", "Eng", "Eng", "", "1", "2", "3", "4"],
        ["", "", "", "", "", "", "", "", "", ""],
        ["Note: figures are budgets, not outturn", "", "", "", "", "", "", "", "", ""],
    ]


def test_ra_from_windows_1252_csv_written_here(tmp_path):
    import csv

    path = tmp_path / "RA_2025-26_data_Part_1.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle).writerows(_ra_csv_lines())
    assert b"\xa3" in path.read_bytes() and b"\x96" in path.read_bytes()
    book = open_workbook(path, "test")
    assert book.encoding == "cp1252" and book.sheetnames == ["RA_2025-26_data_Part_1"]
    assert book.rows(book.sheetnames[0])[1][0] == "Data are reported in £ thousand – budget"
    frame = read_ra(path)
    assert set(frame["year"]) == {2025}
    assert sorted(frame["e_code"].unique()) == ["E0101", "E1631", "E2221"]  # not England
    assert value(frame, "E2221", "RA190") == 1016514
    assert value(frame, "E1631", "RA360") == -1234
    assert value(frame, "E1631", "RA190") == 0
    for e_code, measure in [("E2221", "RA799"), ("E2221", "RA990"), ("E1631", "RA990")]:
        assert math.isnan(value(frame, e_code, measure))
    assert frame.loc[frame["measure"].eq("RA190"), "asset_code"].eq("edutot").all()


def test_ra_from_xlsx_written_here(tmp_path):
    path = tmp_path / "budget.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Revenue Account budget notes"])
    sheet = book.create_sheet("RA_LA_Data_2025-26")
    for row in _ra_csv_lines():
        sheet.append([text_cell(v) for v in row])
    book.save(path)
    frame = read_ra(path)
    assert value(frame, "E0101", "RA799") == 231455
    assert value(frame, "E1631", "RA360") == -1234
    assert math.isnan(value(frame, "E2221", "RA990"))


def test_csv_that_is_not_the_publication(tmp_path):
    path = tmp_path / "RA_2023-24.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="Revenue Account budget"):
        read_ra(path)
    page = tmp_path / "RA_2023-24_page.csv"
    page.write_text("<!DOCTYPE html><html><body>Not found</body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="web page"):
        read_ra(page)


# --- RSX ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsx(shared_public):
    return read_rsx(shared_public / RSX)


def test_rsx_shape(rsx):
    # Sheet 'RSX_LA_Data_2022-23': 426 authority rows (E-codes) in the first table; 14 service
    # lines (190 ... 699) x 7 columns; the class breakdown's second GLA row and England left out.
    assert set(rsx["year"]) == {2022}
    assert rsx["e_code"].nunique() == 426
    assert not rsx.duplicated(["e_code", "measure"]).any()
    assert rsx["measure"].nunique() == 98
    assert "ENGLAND" not in set(rsx["name"])


def test_rsx_hand_checked_values(rsx):
    # Row 28 (E0101 Bath & North East Somerset), columns H..N (asset codes RSX-edu-empl ...):
    # 22,244 / 73,263 / 95,508 / 9,470 / 8,609 / 18,079 / 77,428.
    expected = [22244, 73263, 95508, 9470, 8609, 18079, 77428]
    kinds = [
        "employees",
        "running_expenses",
        "total_expenditure",
        "sales_fees_charges",
        "other_income",
        "total_income",
        "net",
    ]
    for kind, figure in zip(kinds, expected, strict=True):
        assert value(rsx, "E0101", f"RSX190_{kind}") == figure
    # Kent (E2221, SC): education employees 564,112, net 1,027,091; adult social care net 574,994.
    assert value(rsx, "E2221", "RSX190_employees") == 564112
    assert value(rsx, "E2221", "RSX190_net") == 1027091
    assert value(rsx, "E2221", "RSX360_net") == 574994
    # Cheltenham (E1631, SD): environmental and regulatory (RSX-env-*) 1,829 / 9,388 / 11,217 /
    # 5,649 / 1,696 / 7,345 / 3,872.
    assert value(rsx, "E1631", "RSX590_employees") == 1829
    assert value(rsx, "E1631", "RSX590_sales_fees_charges") == 5649
    assert value(rsx, "E1631", "RSX590_net") == 3872
    assert value(rsx, "E1631", "RSX190_net") == 0  # a real zero stays zero


def test_rsx_no_return_is_missing(rsx):
    # Adur (E3831): Notes 'M', every figure '[x]' (return not received in time).
    adur = rsx[rsx["e_code"] == "E3831"]
    assert adur["value"].isna().all()
    assert adur["note"].str.contains("not received").all()


def test_rsx_csv_save_reads_the_same(rsx, shared_public, tmp_path):
    # The data sheet saved as CSV (UTF-8 with BOM, numbers with thousands separators).
    rows = open_workbook(shared_public / RSX, "RSX").rows("RSX_LA_Data_2022-23")
    path = tmp_path / "rsx.csv"
    text = pd.DataFrame(
        [[f"{v:,.0f}" if isinstance(v, float) and v.is_integer() else v for v in r] for r in rows]
    )
    text.to_csv(path, header=False, index=False, encoding="utf-8-sig")
    again = read_rsx(path)
    assert value(again, "E2221", "RSX190_net") == 1027091
    assert value(again, "E1631", "RSX590_net") == 3872
    assert again["e_code"].nunique() == 426


# --- RA -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ra(shared_public):
    return read_ra(shared_public / RA)


def test_ra_shape(ra):
    # The shared CSV (Mac Roman): 410 authority rows, 210 RA lines, budget year 2023-24.
    assert set(ra["year"]) == {2023}
    assert ra["e_code"].nunique() == 410
    assert ra["measure"].nunique() == 210
    assert not ra.duplicated(["e_code", "measure"]).any()


def test_ra_hand_checked_values(ra):
    # Row 26 (E0101 B&NES): line 190 "70,674", 360 "72,642", 799 "231,455", 990 "116,839".
    assert value(ra, "E0101", "RA190") == 70674
    assert value(ra, "E0101", "RA360") == 72642
    assert value(ra, "E0101", "RA799") == 231455
    assert value(ra, "E0101", "RA990") == 116839
    # Row 188 (E2221 Kent, SC): 190 "1,016,514", 330 "299,643".
    assert value(ra, "E2221", "RA190") == 1016514
    assert value(ra, "E2221", "RA330") == 299643
    # Row 70 (E1631 Cheltenham, SD): 290 "-2,723", 590 "6,896".
    assert value(ra, "E1631", "RA290") == -2723
    assert value(ra, "E1631", "RA590") == 6896


def test_ra_no_return_markers(ra):
    # Line 357 (COVID-19 discharge costs) reads "Category discontinued" everywhere; E1033 has
    # '...' in its row: missing, never 0.
    assert ra.loc[ra["measure"] == "RA357", "value"].isna().all()
    e1033 = ra[ra["e_code"] == "E1033"]
    assert e1033["value"].isna().any()
    assert ra["description"].str.contains("–").any()  # Mac Roman en dash decoded


# --- RS lines found by description, and the RS read from a CSV save -----------------------------

RS23 = "revenue_outturn_summary/RS_2023-24_data_by_LA.ods"


def test_dsg_adjustment_account_found_by_description(shared_public):
    from analysis.public_data.finance_lines import dsg_account
    from analysis.public_data.rs import read_rs

    dsg = dsg_account(read_rs(shared_public / RS23))
    # Sheet 'RS_LA_Data_2023-24', column 'Estimated dedicated schools grant adjustment account
    # level at 31 March' (asset code RS-resdsgadj-end-cy): B&NES -22,264; Kent -103,430;
    # Cheltenham (SD) 0. At 1 April: B&NES -13,453.
    assert value(dsg, "E0101", "dsg_adjustment_account_31mar") == -22264
    assert value(dsg, "E2221", "dsg_adjustment_account_31mar") == -103430
    assert value(dsg, "E1631", "dsg_adjustment_account_31mar") == 0
    assert value(dsg, "E0101", "dsg_adjustment_account_1apr") == -13453
    # The 2016-17 RS has no such line.
    assert dsg_account(
        read_rs(shared_public / "revenue_outturn_summary/RS_2016-17_data_by_LA.xlsx")
    ).empty


def test_rs_reads_a_csv_save_in_windows_1252(shared_public, tmp_path):
    from analysis.public_data.rs import read_rs

    rows = open_workbook(shared_public / RS23, "RS").rows("RS_LA_Data_2023-24")
    path = tmp_path / "RS_2023-24_data_by_LA.csv"
    text = pd.DataFrame(
        [[f"{v:,.0f}" if isinstance(v, float) and v.is_integer() else v for v in r] for r in rows]
    )
    text.to_csv(path, header=False, index=False, encoding="cp1252", errors="replace")
    csv_rs = read_rs(path)
    assert value(csv_rs, "E0101", "RS912_31mar") == -22264
    assert value(csv_rs, "E2221", "RS805") == value(read_rs(shared_public / RS23), "E2221", "RS805")
