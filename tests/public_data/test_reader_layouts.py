"""The readers recognise the publication, not the file: every shared file read with figures checked
by hand (the cell is named beside each, read with python-calamine), and layouts the shared folder
does not hold (other column orders, no line-number row, the 2023-24 CTR sheets, other mid-years)
written here in the shapes the publishers have used."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import public_data
from analysis.core.errors import InputError
from analysis.public_data._cells import numbers

RS = "revenue_outturn_summary/"
RS_FILES = {
    2010: RS + "Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls",
    2011: RS + "Revenue_Outturn_Summary__RS__data_2011-12_by_LA_-_Revised_28-Nov-2013.xls",
    2012: RS + "Revenue_Outturn_Summary__RS__data_2012-13_by_LA__Revised__-_18-Feb-2014.xls",
    2013: RS + "Revenue_Outturn_Summary__RS__data_2013-14_by_LA_-_Revised_28-Jan-2015.xls",
    2015: RS + "RS_2015-16_data_by_LA_-_Revision.xlsx",
    2016: RS + "RS_2016-17_data_by_LA.xlsx",
    2023: RS + "RS_2023-24_data_by_LA.ods",
}
CTR_FILES = {
    2015: "ctr_1516.xlsx",
    2016: "ctr_1617.xlsx",
    2017: "ctr_1718.xlsx",
    2018: "ctr_1819.xlsx",
    2020: "ctr_2021.xlsx",
    2021: "ctr_2122.xlsx",
    2022: "ctr_2223.xlsx",
}
MYE23 = "population/mye23tablesew.xlsx"
MYE20 = "population/ukpopestimatesmid2020on2021geography.xlsx"
CTB = "council_taxbase/Council_Taxbase_local_authority_level_data_2022.ods"


def one(frame, e_code, measure, year=None, column="measure", code="e_code"):
    rows = frame[(frame[code] == e_code) & (frame[column] == measure)]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture(scope="module")
def rs(shared_public):
    return {year: public_data.read_rs(shared_public / path) for year, path in RS_FILES.items()}


# (year, e_code, measure, value): Hampshire (county, E1721), with a district, a unitary or a
# metropolitan district beside it, in every RS file shared.
RS_HAND = [
    (2010, "E1721", "RS805", 639412),  # 'RS LA Data 2010-11 (1)' BC113 ('Net revenue expenditure')
    (2010, "E1721", "RS190", 933965),  # F113
    (2011, "E1721", "RS805", 679878),  # 'RS LA Data 2011-12 (1)' BF113
    (2011, "E1721", "RS190", 842741),  # F113
    (2012, "E1721", "RS805", 634667),  # 'RS LA Data 2012-13 (1)' BF113
    (2012, "E1721", "RS190", 781990),  # F113
    (2013, "E1721", "RS805", 688253),  # 'RS LA Data 2013-14 (1)' BF113
    (2013, "E1721", "RS190", 779825),  # F113
    (2015, "E1721", "RS805", 716077),  # 'RS LA Data 2015-16' BF113 (line 805)
    (2015, "E1721", "RS360", 324734),  # I113 (line 360)
    (2015, "E2721", "RS805", 351679),  # North Yorkshire county, BF205
    (2016, "E1721", "RS805", 732282),  # 'RS LA Data 2016-17' BG113
    (2023, "E1721", "RS805", 980062),  # 'RS_LA_Data_2023-24' BU160 (line 805)
    (2023, "E1721", "RS912_31mar", -123919),  # CY160: DSG adjustment account at 31 March 2024
    (2023, "E1721", "RS916_31mar", 25898),  # DM160: unallocated reserves at 31 March 2024
    (2023, "E3831", "RS805", 10534),  # Adur (district) BU14
    (2023, "E3831", "RS916_31mar", 1051),  # DM14
    (2023, "E0101", "RS805", 158381),  # Bath & North East Somerset BU28
    (2023, "E0101", "RS912_31mar", -22264),  # CY28
    (2023, "E2702", "RS190", 368449),  # North Yorkshire unitary H259 (line 190)
    (2023, "E2702", "RS360", 253909),  # K259
]


@pytest.mark.parametrize("year, e_code, measure, expected", RS_HAND)
def test_rs_hand_checked_in_every_file(rs, year, e_code, measure, expected):
    assert one(rs[year], e_code, measure)["value"] == expected


def test_rs_no_return_markers_are_missing_not_zero(rs):
    # Woking (E3641) made no return in 2023-24: '[x]' in BU414 and across its row.
    woking = rs[2023][rs[2023]["e_code"] == "E3641"]
    assert len(woking) > 100 and woking["value"].isna().all()
    # Adur prints 0 for education (H14): a zero stays a zero.
    assert one(rs[2023], "E3831", "RS190")["value"] == 0


def test_rs_identifiers_as_printed_and_aggregates_left_out(rs):
    # 2015-16 prints North Yorkshire's ONS code as E10000022 (its code is E10000023): kept as
    # printed here; the panel corrects it.
    assert one(rs[2015], "E2721", "RS805")["ons_code"] == "E10000022"
    for year, frame in rs.items():
        assert frame["e_code"].str.fullmatch(r"E\d{4}").all(), year
        assert not frame["name"].str.upper().isin(["ENGLAND", "SHIRE COUNTIES"]).any(), year
        assert not frame.duplicated(["e_code", "measure"]).any(), year
    # 2023-24: the class-breakdown table under the data repeats the GLA (E5100): read once, from
    # the authority table (row 151: education 376,924... the breakdown's row 432 is not read).
    gla = rs[2023][rs[2023]["e_code"] == "E5100"]
    assert not gla.duplicated("measure").any()
    assert one(rs[2023], "E2702", "RS805")["authority_class"] == "UA"
    assert one(rs[2023], "E1721", "RS805")["authority_class"] == "SC"


def test_rs_2023_24_lines_without_a_three_digit_number_are_kept(rs):
    measures = set(rs[2023]["measure"])
    # Lettered lines (915b adjusted earmarked reserves), four-digit lines (1026 budget
    # stabilisation reserve) at both dates, and the investment-property memo columns (no line
    # number: kept under their asset code).
    assert {"RS915b_1apr", "RS915b_31mar", "RS1026_1apr", "RS1026_31mar"} <= measures
    assert "RS-invprp-netinc-net-exp" in measures
    assert one(rs[2023], "E1721", "RS1026_31mar")["line"] == 1026


# --- RS layouts written here ----------------------------------------------------------------


def _write(path, sheets: dict[str, list[list]]):
    engine = "odf" if path.suffix == ".ods" else "openpyxl"
    with pd.ExcelWriter(path, engine=engine) as writer:
        for name, rows in sheets.items():
            width = max(len(r) for r in rows)
            padded = [list(r) + [None] * (width - len(r)) for r in rows]
            pd.DataFrame(padded).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def _rs_rows(lines: bool, assets: bool, title_rows: list[str]):
    """An RS data sheet with the identifiers in another order and the columns shuffled."""
    columns = [
        # (asset code, line, title)
        ("RS-resunall-end-cy", 916, "Estimated unallocated financial reserves level at 31 March"),
        ("RS-netrevexp-net-exp", 805, "NET REVENUE EXPENDITURE"),
        ("RS-asc-net-exp", 360, "Adult Social Care"),
        ("RS-resunall-start-cy", 916, "Estimated unallocated financial reserves level at 1 April"),
        ("RS-intextpay-net-exp", 781, "Interest: external payments"),
        ("RS-edu-net-exp", 190, "Education services"),
    ]
    rows = [[t] + [None] * 10 for t in title_rows]
    if assets:
        rows.append([None] * 5 + [c[0] for c in columns])
    rows.append([None] * 5 + ["Service expenditure"] + [None] * 5)
    if lines:
        rows.append([None] * 5 + [c[1] for c in columns])
    rows.append(
        ["Class", "Local authority", "Notes", "ONS Code", "E-code"] + [c[2] for c in columns]
    )
    rows += [
        ["SC", "Kent CC", None, "E10000016", "E2221", 60, 1000, 500, 55, 12, 300],
        ["SD", "Adur", "M", "E07000223", "E3831", "[x]", "..", "[x]", None, "[x]", "[x]"],
        ["UA", "Rutland UA", None, "E06000017", "E2401", "1,234", "20,001.5", 9, 1100, 3, 40],
        [None, "ENGLAND", None, "E92000001", "Eng", 9, 9, 9, 9, 9, 9],
        ["Class", "Class breakdown", None, "ONS Code", "E-code"] + [None] * 6,
        ["SC", "Shire counties", None, "E10", "[Y]", 1, 1, 1, 1, 1, 1],
        ["O", "Kent CC", None, "E10000016", "E2221", 2, 2, 2, 2, 2, 2],
    ]
    return rows


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_rs_asset_codes_and_line_numbers_in_another_order(tmp_path, suffix):
    rows = _rs_rows(True, True, ["Revenue Outturn (RO) 2030-31: RS data", "Notes: see front page"])
    path = _write(
        tmp_path / f"next_year{suffix}", {"Front": [["About this release"]], "Data": rows}
    )
    frame = public_data.read_rs(path)
    assert set(frame["year"]) == {2030}
    kent = frame[frame["e_code"] == "E2221"].set_index("measure")["value"]
    assert kent["RS805"] == 1000 and kent["RS190"] == 300 and kent["RS360"] == 500
    assert kent["RS916_31mar"] == 60 and kent["RS916_1apr"] == 55
    assert one(frame, "E2401", "RS805")["value"] == 20001.5  # '20,001.5' as text
    assert one(frame, "E2401", "RS916_31mar")["value"] == 1234
    assert math.isnan(one(frame, "E3831", "RS805")["value"])  # '..'
    assert math.isnan(one(frame, "E3831", "RS916_1apr")["value"])  # blank
    assert one(frame, "E2221", "RS805")["ons_code"] == "E10000016"
    assert one(frame, "E2221", "RS805")["authority_class"] == "SC"
    # England and the class breakdown (which repeats Kent) are not authorities.
    assert set(frame["e_code"]) == {"E2221", "E3831", "E2401"}


def test_rs_asset_codes_without_line_numbers(tmp_path):
    rows = _rs_rows(False, True, ["Revenue Outturn (RO) 2031-32: RS data"])
    frame = public_data.read_rs(_write(tmp_path / "rs.ods", {"RS_LA_Data": rows}))
    kent = frame[frame["e_code"] == "E2221"].set_index("measure")["value"]
    assert kent["RS805"] == 1000 and kent["RS916_31mar"] == 60 and kent["RS916_1apr"] == 55
    assert kent["RS781"] == 12


def test_rs_without_a_line_number_row_reads_the_titles(tmp_path):
    # The 2014-15 layout: E-code and ONS code, titles, no line numbers and no asset codes; the
    # title rows say the sheet holds net current expenditure. Two lines share a title ('Interest
    # payable and similar charges'): the one under 'Icelandic bank impairment' is line 951.
    rows = _rs_rows(False, False, ["Revenue Outturn (RO) 2014-15:", "Net current expenditure"])
    rows[2] = [None] * 5 + ["Service expenditure"] + [None] * 4 + ["Icelandic bank impairment"]
    header = rows[3]
    header[10] = "Interest payable and similar charges"
    frame = public_data.read_rs(_write(tmp_path / "rs_2014-15.xlsx", {"RS LA Data 2014-15": rows}))
    assert set(frame["year"]) == {2014}
    kent = frame[frame["e_code"] == "E2221"].set_index("measure")["value"]
    assert kent["RS805"] == 1000 and kent["RS360"] == 500 and kent["RS781"] == 12
    assert kent["RS916_31mar"] == 60 and kent["RS916_1apr"] == 55
    assert kent["RS951"] == 300
    assert not frame["measure"].str.startswith("RSX").any()


def test_rs_sheets_by_measure_with_ons_codes(tmp_path):
    # The legacy split over sheets by measure, each saying which on its title rows, here with an
    # ONS code column: service lines on the capital and net total cost sheets get their own
    # measures; reserves are at 1 April on the net sheet and 31 March on the capital sheet.
    def sheet(kind, education, reserves):
        return [
            ["Revenue Outturn Summary (RS): 2014-15 data"],
            [kind],
            [None] * 4 + ["Financial reserves levels"],
            ["E-code", "ONS Code", "Local authority", "Class", "Education services"]
            + [
                "Net revenue expenditure",
                "Adult Social Care",
                "Unallocated financial reserves level",
                "Other earmarked financial reserves level",
                "Schools reserves level",
            ],
            ["E2221", "E10000016", "Kent CC", "SC", education, 900, 400, reserves, 70, 8],
        ]

    path = _write(
        tmp_path / "rs_2014-15.xlsx",
        {
            "Cover": [["Revenue Outturn Summary"]],
            "RS LA Data (1)": sheet("Net current expenditure (£ thousand)", 100, 50),
            "RS LA Data (2)": sheet("Capital items (£ thousand)", 10, 60),
            "RS LA Data (3)": sheet("Net total cost excluding specific grants", 110, 0),
        },
    )
    kent = public_data.read_rs(path).set_index("measure")["value"]
    assert kent["RS190"] == 100 and kent["RS190_capital"] == 10 and kent["RS190_total"] == 110
    assert kent["RS805"] == 900 and kent["RS360"] == 400
    assert kent["RS916_1apr"] == 50 and kent["RS916_31mar"] == 60
    assert "RS805_capital" not in kent and "RS916_total" not in kent


def test_rs_modern_sheet_stripped_of_its_line_numbers_reads_the_same(shared_public, tmp_path):
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_path(shared_public / RS_FILES[2016])
        .get_sheet_by_name("RS LA Data 2016-17")
        .to_python()
    )
    stripped = [list(r) for r in rows[:60]]
    stripped[5] = [None] * len(stripped[5])  # the line-number row
    stripped[2] = [None] * len(stripped[2])  # 'Hide or delete' form numbers
    frame = public_data.read_rs(_write(tmp_path / "rs.xlsx", {"RS LA Data 2016-17": stripped}))
    printed = public_data.read_rs(shared_public / RS_FILES[2016])
    both = printed.merge(frame, on=["e_code", "measure"], suffixes=("", "_titles"))
    assert len(both) == len(frame) and set(frame["measure"]) == set(printed["measure"])
    assert (both["value"] - both["value_titles"]).abs().max() < 1e-6


# --- CTR ------------------------------------------------------------------------------------

# (file year, e_code, standard, value): Hampshire county council (precepting block of sheet
# 'Data') and Adur (district, billing block), current year of each table.
CTR_HAND = [
    (2015, "E1721", "council_tax_requirement", 504890644),  # J373 (line 3)
    (2015, "E1721", "tax_base", 486463),  # V373 (line 8)
    (2015, "E1721", "band_d", 1037.88),  # AA373 (line 11)
    (2015, "E3831", "tax_base", 20155.6),  # V8
    (2016, "E1721", "tax_base", 493532.24),  # T376 (line 7)
    (2017, "E1721", "band_d", 1133.1),  # X376 (line 9)
    (2018, "E1721", "council_tax_requirement", 608452464.86),  # J375
    (2018, "E3831", "band_d", 290.79),  # X8
    (2020, "E1721", "council_tax_requirement", 670214881.99),  # F361 (precepting line 1)
    (2020, "E1721", "tax_base", 521048.98),  # T361 (precepting line 2)
    (2020, "E1721", "band_d", 1286.28),  # V361 (precepting line 3)
    (2021, "E1721", "tax_base", 523813.43),  # V356
    (2021, "E3831", "council_tax_requirement", 6611890),  # L8
    (2022, "E1721", "council_tax_requirement", 738072348.9),  # F356
    (2022, "E1721", "band_d", 1390.86),  # X356
    (2022, "E3831", "tax_base", 21699.7),  # V8
]


@pytest.mark.parametrize("file_year, e_code, standard, expected", CTR_HAND)
def test_ctr_counties_and_districts_hand_checked(
    shared_public, file_year, e_code, standard, expected
):
    frame = public_data.read_ctr(shared_public / "council_tax" / CTR_FILES[file_year])
    row = one(frame, e_code, standard, file_year, column="standard")
    assert row["value"] == pytest.approx(expected)


def test_ctr_county_rows_carry_class_and_no_collection_rate(shared_public):
    frame = public_data.read_ctr(shared_public / "council_tax" / CTR_FILES[2022])
    hants = frame[(frame["e_code"] == "E1721") & (frame["year"] == 2022)]
    assert set(hants["authority_class"]) == {"SC"}
    assert set(hants["measure"]) >= {"CTRP1", "CTRP2", "CTRP3"}
    # The county's collection-rate cells print '-': missing, never 0; no standard measure.
    assert "collection_rate" not in set(hants["standard"].dropna())
    # Aggregate rows ('SC Shire Counties', 'Eng England') have no E-code and are not read.
    assert frame["e_code"].str.fullmatch(r"E\d{4}").all()


def _ctr_2023_24(path):
    """The 2023-24 release's layout: two data sheets, one header row, 'previous year' / 'current
    year' in each title, the year on the title rows, [z] for lines that do not apply."""
    billing = [
        ["Table 9: Council tax requirement for billing authorities, England, 2023-24"],
        ["This worksheet contains one table."],
        ["Source: DLUHC CTR1 returns"],
        [None],
        [
            "E-code",
            "ONS Code",
            "Authority",
            "Region",
            "Class",
            "1. Council Tax Requirement including special expenses, local precepts and Adult "
            "Social Care Precept (previous year)",
            "1. Council Tax Requirement including special expenses, local precepts and Adult "
            "Social Care Precept (current year)",
            "2. Parish precepts (previous year)",
            "2. Parish precepts (current year)",
            "3. Council Tax Requirement for billing authority (including special expenses and "
            "Adult Social Care precept but excluding local precepts) (previous year)",
            "3. Council Tax Requirement for billing authority (including special expenses and "
            "Adult Social Care precept but excluding local precepts) (current year)",
            "5. Estimated collection rate (%) (previous year)",
            "5. Estimated collection rate (%) (current year)",
            "7. Council tax base for council tax setting purposes (previous year)",
            "7. Council tax base for council tax setting purposes (current year)",
            "9. Average (Band D 2 Adult equivalent) council tax (including Adult Social Care "
            "precept and excluding local precepts) (previous year)",
            "9. Average (Band D 2 Adult equivalent) council tax (including Adult Social Care "
            "precept and excluding local precepts) (current year)",
        ],
        ["Eng", "E92000001", "England", None, None] + [1e9] * 12,
        ["E3831", "E07000223", "Adur", "SE", "SD", 7.3e6, 7.6e6, 4.4e5, 4.6e5, 6.9e6, 7.1e6]
        + [97.0, 97.5, 21699.7, 22000.0, 317.61, 322.9],
        ["E0101", "E06000022", "Bath and NE Somerset", "SW", "UA", 1, 2, 3, 4, 5, 6]
        + [0.98, 0.98, 7, 8, "[x]", "[x]"],
        ["ILB", None, "Inner London Boroughs", None, None] + [5] * 12,
    ]
    precepting = [
        ["Table 9: Council tax requirement for major precepting authorities, England, 2023-24"],
        ["This worksheet contains one table."],
        [None],
        [None],
        [None],
        [
            "E-code",
            "ONS Code",
            "Authority",
            "Region",
            "Class",
            "1. Council Tax Requirement including special expenses (previous year)",
            "1. Council Tax Requirement including special expenses (current year)",
            "2. Council tax base for the major precepting authority's area for precept purposes "
            "after council tax reduction scheme (to 1 decimal place) (previous year)",
            "2. Council tax base for the major precepting authority's area for precept purposes "
            "after council tax reduction scheme (to 1 decimal place) (current year)",
            "3. Average (Band D 2 Adult equivalent) council tax of major precepting authority "
            "(line 1 / line 2) (previous year)",
            "3. Average (Band D 2 Adult equivalent) council tax of major precepting authority "
            "(line 1 / line 2) (current year)",
        ],
        ["E1721", "E10000014", "Hampshire", "SE", "SC", 738e6, 770e6, 530659.0, 537000.0]
        + [1390.86, 1433.9],
        ["E7012", "E23000030", "Hampshire Police", "SE", "PCC", 1, 2, "[z]", "[z]", 3, 4],
        ["SC", None, "Shire Counties", None, None, 9, 9, 9, 9, 9, 9],
    ]
    return _write(
        path,
        {"Cover": [["Council tax levels"]], "Data_Billing": billing, "Data_Precepting": precepting},
    )


def test_ctr_2023_24_two_sheet_ods(tmp_path):
    pytest.importorskip("odf")
    frame = public_data.read_ctr(_ctr_2023_24(tmp_path / "Table_9_2023-24.ods"))
    assert set(frame["year"]) == {2022, 2023}
    assert set(frame["e_code"]) == {"E3831", "E0101", "E1721", "E7012"}
    adur = frame[frame["e_code"] == "E3831"]
    assert one(adur, "E3831", "tax_base", 2023, column="standard")["value"] == 22000
    assert one(adur, "E3831", "band_d", 2022, column="standard")["value"] == 317.61
    assert one(adur, "E3831", "collection_rate", 2023, column="standard")["value"] == 0.975
    assert one(adur, "E3831", "council_tax_requirement", 2023, column="standard")["value"] == 7.1e6
    assert one(adur, "E3831", "CTR7", 2023)["ons_code"] == "E07000223"
    # [x] is missing, not 0; a collection rate printed as a fraction stays one.
    assert math.isnan(one(frame, "E0101", "band_d", 2023, column="standard")["value"])
    assert one(frame, "E0101", "collection_rate", 2023, column="standard")["value"] == 0.98
    hants = frame[frame["e_code"] == "E1721"]
    assert one(hants, "E1721", "council_tax_requirement", 2023, column="standard")["value"] == 770e6
    assert one(hants, "E1721", "tax_base", 2022, column="standard")["value"] == 530659
    assert one(hants, "E1721", "band_d", 2023, column="standard")["value"] == 1433.9
    assert set(hants["authority_class"]) == {"SC"} and set(hants["measure"]) == {
        "CTRP1",
        "CTRP2",
        "CTRP3",
    }
    assert math.isnan(one(frame, "E7012", "tax_base", 2023, column="standard")["value"])  # [z]


def test_ctr_precepting_table_alone_is_known_by_its_lines(tmp_path):
    # The precepting sheet saved on its own (a CSV save has no sheet name): its lines say it is
    # the precepting return, so the county's requirement, tax base and Band D are read.
    from python_calamine import CalamineWorkbook

    source = _ctr_2023_24(tmp_path / "Table_9_2023-24.xlsx")
    rows = CalamineWorkbook.from_path(source).get_sheet_by_name("Data_Precepting").to_python()
    frame = public_data.read_ctr(_write(tmp_path / "saved.xlsx", {"Sheet1": rows}))
    assert one(frame, "E1721", "council_tax_requirement", 2023, column="standard")["value"] == 770e6
    assert one(frame, "E1721", "band_d", 2022, column="standard")["value"] == 1390.86


# --- Population and taxbase -----------------------------------------------------------------

POP_HAND = [
    # (file, ONS code, year, value, class): sheet 'MYE4'
    (MYE23, "E10000014", 2023, 1428559, "SC"),  # Hampshire, D262
    (MYE23, "E07000223", 2023, 64687, "SD"),  # Adur, D306
    (MYE23, "E06000022", 2023, 199818, "UA"),  # Bath and North East Somerset, D314
    (MYE23, "E06000066", 2022, 577091, "UA"),  # Somerset (2023 unitary), E322
    (MYE20, "E10000014", 2020, 1389206, "SC"),  # D276
    (MYE20, "E07000223", 2016, 63621, "SD"),  # H320
    (MYE20, "E06000022", 2020, 196357, "UA"),  # D328
]


@pytest.mark.parametrize("name, code, year, expected, cls", POP_HAND)
def test_population_hand_checked(shared_public, name, code, year, expected, cls):
    frame = public_data.read_population(shared_public / name)
    row = one(frame, code, "population", year, code="ons_code")
    assert row["value"] == expected and row["authority_class"] == cls


@pytest.mark.parametrize("name, years", [(MYE23, (2011, 2023)), (MYE20, (2001, 2020))])
def test_population_every_mid_year_and_no_aggregates(shared_public, name, years):
    frame = public_data.read_population(shared_public / name)
    assert (frame["year"].min(), frame["year"].max()) == years
    # England (E92), regions (E12) and metropolitan counties (E11) are sums, not authorities.
    assert not frame["ons_code"].str.match(r"^(E92|E12|E11|K0)").any()
    english = frame[frame["ons_code"].str.startswith("E")]
    assert english["authority_class"].isin(["SC", "SD", "UA", "MD", "LB"]).all()


def test_population_other_years_and_order(tmp_path):
    rows = [
        ["MYE4: Population estimates, mid-2024 and mid-2025"],
        ["Notes row"],
        ["Name", "Geography", "Mid-2025", "Code", "Mid-2024"],
        ["ENGLAND", "Country", 58e6, "E92000001", 57.9e6],
        ["Kent", "County", 1600000, "E10000016", "1,590,000"],
        ["Adur", "Non-metropolitan District", "[x]", "E07000223", 65000],
    ]
    frame = public_data.read_population(_write(tmp_path / "mye.ods", {"MYE4": rows}))
    assert set(frame["year"]) == {2024, 2025}
    assert one(frame, "E10000016", "population", 2024, code="ons_code")["value"] == 1590000
    assert one(frame, "E10000016", "population", 2025, code="ons_code")["authority_class"] == "SC"
    assert math.isnan(one(frame, "E07000223", "population", 2025, code="ons_code")["value"])
    assert "E92000001" not in set(frame["ons_code"])


def test_population_table_found_by_its_title_not_its_sheet_name(tmp_path):
    # A median-age table has the same header of mid-years: its title says so and it is passed
    # over; the counts are read from whatever the sheet is called (a CSV save has no MYE name).
    median = [
        ["MYE6: Median age of population for local authorities, mid-2024"],
        ["Code", "Name", "Geography", "Mid-2024"],
        ["E10000016", "Kent", "County", 42.1],
    ]
    counts = [
        ["Population estimates: summary, mid-2024"],
        ["Code", "Name", "Geography", "Mid-2024"],
        ["E10000016", "Kent", "County", 1600000],
    ]
    path = _write(tmp_path / "estimates.xlsx", {"MYE6": median, "Table 4": counts})
    frame = public_data.read_population(path)
    assert one(frame, "E10000016", "population", 2024, code="ons_code")["value"] == 1600000


def test_taxbase_district_hand_checked(shared_public):
    frame = public_data.read_taxbase(shared_public / CTB)
    # Sheet 'Council_Taxbase_Data' column N (Table 1.01 total dwellings): Adur N8, Dorset N81.
    assert one(frame, "E3831", "CTB1.01")["value"] == 28804
    assert one(frame, "E1203", "CTB1.01")["value"] == 183265
    assert one(frame, "E3831", "CTB1.01")["ons_code"] == "E07000223"


def test_taxbase_other_layout_year_from_the_cover(tmp_path):
    # No ONS code column, the columns in another order, the count's month only on the cover.
    data = [
        ["Council Taxbase data"],
        [None, None, None, "Table 1.01 Total number of dwellings", None, "Table 1.33 Tax base"],
        ["Local Authority", "E-code", "Notes", "Band A", "Total", "Total"],
        ["England", "ENG", None, 5, 9, 9],
        ["Adur", "E3831", None, 2769, "28,804", "[x]"],
    ]
    path = _write(
        tmp_path / "taxbase.xlsx",
        {"Cover": [["Council Taxbase, October 2030"]], "Council_Taxbase_Data": data},
    )
    frame = public_data.read_taxbase(path)
    assert set(frame["e_code"]) == {"E3831"} and set(frame["year"]) == {2031}
    assert one(frame, "E3831", "CTB1.01")["value"] == 28804
    assert math.isnan(one(frame, "E3831", "CTB1.33")["value"])
    assert one(frame, "E3831", "CTB1.33")["unit"] == "band_d_equivalents"


# --- The wrong file -------------------------------------------------------------------------

WRONG = [
    # (reader, file handed to it, what the error must say it could not find)
    ("read_rs", MYE23, "E-code"),
    ("read_ctr", RS_FILES[2016], "Ecode"),
    ("read_ctr", MYE23, "Council Tax Requirement"),
    ("read_population", CTB, "Mid-YYYY"),
    ("read_taxbase", MYE23, "E-code"),
    ("read_rs", "council_tax/ctr_2223.xlsx", "RS line numbers"),
    ("read_rs", "revenue_outturn_service/RSX_2022-23_data_by_LA.ods", "RS line numbers"),
]


@pytest.mark.parametrize("reader, name, missing", WRONG)
def test_wrong_file_names_file_and_what_is_missing(shared_public, reader, name, missing):
    with pytest.raises(InputError) as info:
        getattr(public_data, reader)(shared_public / name)
    text = str(info.value)
    assert name.split("/")[-1] in text and missing in text


def test_csv_saved_from_the_sheet_reads_the_same(tmp_path):
    # A CSV saved from an RS data sheet reads as the sheet does (once open_workbook reads CSV).
    from analysis.public_data._common import open_workbook

    rows = _rs_rows(True, True, ["Revenue Outturn (RO) 2030-31: RS data"])
    path = tmp_path / "RS_2030-31.csv"
    pd.DataFrame(rows).to_csv(path, header=False, index=False, encoding="cp1252")
    try:
        open_workbook(path, "RS").close()
    except InputError:
        pytest.skip("open_workbook does not read CSV in this checkout")
    frame = public_data.read_rs(path)
    kent = frame[frame["e_code"] == "E2221"].set_index("measure")["value"]
    assert kent["RS805"] == 1000 and kent["RS916_31mar"] == 60
    assert one(frame, "E2401", "RS805")["value"] == 20001.5


def test_numbers_reads_text_numbers_and_markers():
    got = numbers([[1, "2,500", "[x]", "..", None, "-", " 3.5 ", "n/a", "text", "(1,234)"]])
    assert got[0, 0] == 1 and got[0, 1] == 2500 and got[0, 6] == 3.5 and got[0, 9] == -1234
    assert all(math.isnan(v) for v in got[0, [2, 3, 4, 5, 7, 8]])
