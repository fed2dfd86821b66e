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


# --- Capital outturn COR B and C ----------------------------------------------------------------

COR_B = "capital/COR_2018-19_outputs_COR_B.xlsx"
COR_C = "capital/COR_2018-19_outputs_COR_C.xlsx"


def test_capital_cor_c_hand_checked_values(shared_public):
    from analysis.public_data.capital import read_capital

    cor = read_capital(shared_public / COR_C)
    assert set(cor["year"]) == {2018}
    assert cor["e_code"].nunique() == 443  # class totals (no LGF code) and notes left out
    assert not cor.duplicated(["e_code", "measure"]).any()
    # 'Capital Financing Requirement', column 'Capital Financing Requirement as at 31 March
    # 2019': B&NES 300,712; Kent (SC) 1,287,818; Cheltenham (SD) 135,225.
    assert value(cor, "E0101", "cfr_31mar") == 300712
    assert value(cor, "E2221", "cfr_31mar") == 1287818
    assert value(cor, "E1631", "cfr_31mar") == 135225
    assert value(cor, "E0101", "cfr_1apr") == 247107
    # 'Borrowing & Lending': gross borrowing at 31 March 2019 B&NES 226,125, Kent 906,206,
    # Cheltenham 120,617; other long-term liabilities Kent 263,000; investments Kent 477,798.
    assert value(cor, "E0101", "gross_borrowing_31mar") == 226125
    assert value(cor, "E2221", "gross_borrowing_31mar") == 906206
    assert value(cor, "E1631", "gross_borrowing_31mar") == 120617
    assert value(cor, "E2221", "other_long_term_liabilities_31mar") == 263000
    assert value(cor, "E2221", "investments_31mar") == 477798


def test_capital_cor_b_hand_checked_values(shared_public):
    from analysis.public_data.capital import read_capital

    cor = read_capital(shared_public / COR_B)
    # 'Financing', asset code FIN1-fingrngov-amt (grants from central government departments):
    # B&NES 7,270; Kent 124,246 total grants (FIN1-fingrn-amt); Cheltenham 144.
    assert value(cor, "E0101", "COR_FIN1-fingrngov") == 7270
    assert value(cor, "E2221", "COR_FIN1-fingrn") == 124246
    assert value(cor, "E1631", "COR_FIN1-fingrngov") == 144


def test_capital_standard_names():
    from analysis.public_data.capital import standard_measure

    assert standard_measure("Capital Financing Requirement as at 31 March 2019") == "cfr_31mar"
    assert standard_measure("Gross borrowing as at 1 April 2018") == "gross_borrowing_1apr"
    assert standard_measure("Change in gross borrowing") is None


# --- Borrowing and investment live table --------------------------------------------------------

BORROWING = "borrowing/Borrowing_and_Investment_Live_Table_Q4_2019_20.xlsx"


def test_borrowing_is_the_sum_of_lenders_at_31_march(shared_public):
    from analysis.public_data.borrowing import read_borrowing

    table = read_borrowing(shared_public / BORROWING)
    # 31 March of 2013-14 to 2019-20: the fourth-quarter and annual sheets; Q1-Q3 left out.
    assert sorted(table["year"].unique()) == list(range(2013, 2020))
    assert set(table["measure"]) == {"external_borrowing", "investments"}
    assert table["e_code"].str.match(r"^E\d{4}$").all()  # no UK, country or Welsh rows
    at_2020 = table[table["year"] == 2019]
    # 'LA Borrowing 19-20 Q4' (as at 31 March 2020), lender columns summed by hand:
    # B&NES households 196 + PWLB 203,315 + banks 20,000 + longer-term LA loans 10,000 = 233,511;
    # Kent PWLB 473,277 + banks 351,800 + other financial intermediaries 38,746 + other sources
    # 20,000 = 883,823; Cheltenham PWLB 100,050 + banks 15,900 + short-term LA loans 69,000
    # = 184,950. The ONS code is the last column.
    assert value(at_2020, "E0101", "external_borrowing") == 233511
    assert value(at_2020, "E2221", "external_borrowing") == 883823
    assert value(at_2020, "E1631", "external_borrowing") == 184950
    kent = at_2020[at_2020["e_code"] == "E2221"]
    assert set(kent["ons_code"]) == {"E10000016"} and set(kent["authority_class"]) == {"SC"}
    # 'LA Borrowing 17-18' (31 March 2018; columns Country and Class swapped in older sheets):
    # B&NES 243 + 143,965 + 20,000 + 28,500 = 192,708.
    assert value(table[table["year"] == 2017], "E0101", "external_borrowing") == 192708
    assert not table["authority_class"].isin(["ENG", "SCO", "WAL", "NI"]).any()


def test_borrowing_no_return_row_is_missing(tmp_path):
    from analysis.public_data.borrowing import read_borrowing

    path = tmp_path / "borrowing.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "LA Borrowing 24-25 Q4"
    sheet.append(["Outstanding borrowing by local authority and category, as at 31 March 2025"])
    sheet.append(["LGF code", "Local authority name", "Loans - PWLB", "Loans - Banks", "ONS code"])
    sheet.append(["ENG", "England", 100, 50, ""])
    sheet.append(["E0101", "Bath & North East Somerset", 1000, None, "E06000022"])
    sheet.append(["E2221", "Kent", "[x]", "..", "E10000016"])
    q3 = book.create_sheet("LA Borrowing 24-25 Q3")
    q3.append(["Outstanding borrowing by local authority and category, as at 31 December 2024"])
    q3.append(["LGF code", "Local authority name", "Loans - PWLB", "ONS code"])
    q3.append(["E0101", "Bath & North East Somerset", 999, "E06000022"])
    book.save(path)
    table = read_borrowing(path)
    assert set(table["year"]) == {2024}
    assert value(table, "E0101", "external_borrowing") == 1000
    assert math.isnan(value(table, "E2221", "external_borrowing"))


# --- The panel: new publications beside the RS, one rule for two releases -----------------------


def test_panel_keeps_each_new_value_with_its_file(shared_public, tmp_path):
    from analysis.public_data.panel import build_panel

    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "RS_2023-24_data_by_LA.ods").symlink_to(shared_public / RS23)
    (folder / "RA_2023-24_data_Part_1.csv").symlink_to(shared_public / RA)
    # A revision of the RA beside the first release: B&NES education budget 70,674 -> 70,000.
    text = (
        (shared_public / RA)
        .read_bytes()
        .replace(
            b'E0101,E06000022,Bath & North East Somerset,UA,UA,,"12,108","15,643","10,114","18,175",'
            b'"2,798","11,836","70,674"',
            b'E0101,E06000022,Bath & North East Somerset,UA,UA,,"12,108","15,643","10,114","18,175",'
            b'"2,798","11,836","70,000"',
        )
    )
    assert b'"70,000"' in text
    (folder / "RA_2023-24_data_Part_1_-_Revision.csv").write_bytes(text)
    panel = build_panel(folder)
    ra190 = panel[(panel["measure"] == "RA190") & (panel["ons_code"] == "E06000022")]
    assert len(ra190) == 1
    assert ra190["value"].iloc[0] == 70000
    assert ra190["source_file"].iloc[0] == "RA_2023-24_data_Part_1_-_Revision.csv"
    dsg = panel[
        (panel["measure"] == "dsg_adjustment_account_31mar") & (panel["ons_code"] == "E06000022")
    ]
    assert dsg["value"].tolist() == [-22264]
    assert dsg["source_file"].tolist() == ["RS_2023-24_data_by_LA.ods"]
    assert dsg["sha256"].notna().all()


def test_csv_edge_cases(tmp_path):
    # Binary data with a .csv name: a clear error, not a garbled table.
    binary = tmp_path / "RA_binary.csv"
    binary.write_bytes(b"E-code,\x00\x00\x01\x02" * 10)
    with pytest.raises(InputError, match="binary data"):
        open_workbook(binary, "test")
    # A workbook saved with a .csv name is opened as the workbook it is.
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["E-code", "ONS Code"])
    disguised = tmp_path / "really_a_workbook.csv"
    book.save(disguised)
    assert open_workbook(disguised, "test").sheetnames == ["Data"]
    # Semicolon-separated, UTF-8 without BOM: the delimiter is sniffed.
    semi = tmp_path / "semi.csv"
    semi.write_text('E-code;ONS Code;Value\nE0101;E06000022;"1,234"\n', encoding="utf-8")
    rows = open_workbook(semi, "test").rows("semi")
    assert rows == [("E-code", "ONS Code", "Value"), ("E0101", "E06000022", 1234)]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        open_workbook(empty, "test")


def test_ra_part_2_is_not_taken_for_part_1(tmp_path):
    import csv

    from analysis.public_data.panel import find_files

    for name in ("RA_2023-24_data_Part_1.csv", "RA_2023-24_data_Part_2.csv", "RA_2024-25.ods"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in find_files(tmp_path)["ra"]] == [
        "RA_2023-24_data_Part_1.csv",
        "RA_2024-25.ods",
    ]
    # Without asset codes, a title and lines 190 and 799 mark part 1; a grants table is refused.
    lines = _ra_csv_lines()
    lines[2] = ["Asset ID code row"] + [""] * 9
    path = tmp_path / "no_assets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    assert value(read_ra(path), "E0101", "RA190") == 70674
    lines[3] = ["Line number row", "", "", "", "", "", "110", "120", "130", "140"]
    other = tmp_path / "grants.csv"
    with other.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    with pytest.raises(InputError, match="RA line numbers"):
        read_ra(other)
