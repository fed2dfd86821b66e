"""Readers of every published file shared with the project, checked against figures read by hand
from the workbooks (the cell, sheet and column are named beside each)."""

from __future__ import annotations

import pytest

from analysis import public_data
from analysis.core.errors import InputError
from analysis.public_data.rs_legacy import concordance

RS = "revenue_outturn_summary/"
LEGACY = {
    2010: RS + "Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls",
    2011: RS + "Revenue_Outturn_Summary__RS__data_2011-12_by_LA_-_Revised_28-Nov-2013.xls",
    2012: RS + "Revenue_Outturn_Summary__RS__data_2012-13_by_LA__Revised__-_18-Feb-2014.xls",
    2013: RS + "Revenue_Outturn_Summary__RS__data_2013-14_by_LA_-_Revised_28-Jan-2015.xls",
}
CTB = "council_taxbase/Council_Taxbase_local_authority_level_data_2022.ods"
# Billing authorities (rows with an E-code above the precepting block) in each table, and the
# county councils among the precepting authorities below it (sheet 'Data', class SC).
CTR_ROWS = {2015: 326, 2016: 326, 2017: 326, 2018: 326, 2020: 314, 2021: 309, 2022: 309}
CTR_COUNTIES = {2015: 27, 2016: 27, 2017: 27, 2018: 27, 2020: 25, 2021: 24, 2022: 24}
CTR = {
    2015: "ctr_1516.xlsx",
    2016: "ctr_1617.xlsx",
    2017: "ctr_1718.xlsx",
    2018: "ctr_1819.xlsx",
    2020: "ctr_2021.xlsx",
    2021: "ctr_2122.xlsx",
    2022: "ctr_2223.xlsx",
}


def value(frame, e_code, measure, year=None, column="measure"):
    rows = frame[(frame["e_code"] == e_code) & (frame[column] == measure)]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


@pytest.fixture(scope="module")
def legacy(shared_public):
    return {year: public_data.read_rs(shared_public / path) for year, path in LEGACY.items()}


def test_legacy_rs_shape(legacy):
    # Every legacy year: 444 authorities (E-codes on 'RS LA Data YYYY-YY (1)'), one year each,
    # no ONS codes in the file (attached later from E-codes), no column the concordance missed.
    for year, frame in legacy.items():
        assert frame["e_code"].nunique() == 444, year
        assert set(frame["year"]) == {year}
        assert frame["ons_code"].isna().all()
        assert not frame["measure"].str.startswith("RSX").any(), year
        # one row per authority and measure
        assert not frame.duplicated(["e_code", "measure"]).any(), year


def test_legacy_rs_hand_checked_values(legacy):
    # 2013-14, sheet 'RS LA Data 2013-14 (1)', row 8 (B&NES): Education services 95,450;
    # Bristol 255,243; South Gloucestershire 185,233 (column F, no line number on the sheet).
    assert value(legacy[2013], "E0101", "RS190") == 95450
    assert value(legacy[2013], "E0102", "RS190") == 255243
    assert value(legacy[2013], "E0103", "RS190") == 185233
    # Sheet (2) 'Capital items': B&NES education 10,268; its reserves are at 31 March 2014.
    assert value(legacy[2013], "E0101", "RS190_capital") == 10268
    assert value(legacy[2013], "E0101", "RS190_total") == 105718  # sheet (3) net total cost
    assert value(legacy[2013], "E0101", "RS916_1apr") == 10497
    assert value(legacy[2013], "E0101", "RS916_31mar") == 10472
    assert value(legacy[2013], "E0101", "RS915_31mar") == 38883
    # 2010-11 prints net revenue expenditure as line 799 and one 'Social care' line: the
    # concordance gives RS805 and RS330_360. Birmingham NRE 994,228, social care 484,118;
    # Redditch 11,158; Poole 96,204.
    assert value(legacy[2010], "E4601", "RS805") == 994228
    assert value(legacy[2010], "E4601", "RS330_360") == 484118
    assert value(legacy[2010], "E1835", "RS805") == 11158
    assert value(legacy[2010], "E1201", "RS805") == 96204
    assert "RS360" not in set(legacy[2010]["measure"])
    # 2011-12 printed adult social care as line 399; harmonised to RS360: Birmingham 295,017.
    assert value(legacy[2011], "E4601", "RS360") == 295017
    assert value(legacy[2011], "E1835", "RS805") == 10990
    assert value(legacy[2011], "E1201", "RS805") == 98359
    assert value(legacy[2012], "E1201", "RS360") == 39652
    assert value(legacy[2012], "E1835", "RS916_1apr") == 1073
    # A reserve at 31 March of one year is the 1 April figure of the next (B&NES 916).
    assert value(legacy[2011], "E0101", "RS916_31mar") == value(legacy[2012], "E0101", "RS916_1apr")


def test_concordance_is_keyed_on_titles_and_unique():
    known = concordance()
    assert known[("net revenue expenditure", 1)] == ("RS805", 805)
    assert known[("interest payable and similar charges", 1)] == ("RS781", 781)
    assert known[("interest payable and similar charges", 2)] == ("RS951", 951)
    measures = [m for m, _ in known.values()]
    # Two titles may name one measure (renamed lines), but a title never names two.
    assert len(known) == len(set(known))
    assert "RS330_360" in measures


def test_legacy_sheet_without_a_measure_title_is_refused(shared_public, tmp_path):
    # A legacy sheet whose title rows do not say what it holds cannot be read safely.
    import openpyxl
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_path(shared_public / LEGACY[2013])
        .get_sheet_by_name("RS LA Data 2013-14 (1)")
        .to_python()
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "RS LA Data 2013-14 (1)"
    for row in rows[:12]:
        sheet.append(list(row))
    sheet["A3"] = "Something else (£ thousand)"
    path = tmp_path / "rs_2013-14.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        public_data.read_rs(path)
    problem = info.value.problems[0]
    assert problem.file.endswith("rs_2013-14.xlsx") and problem.sheet == "RS LA Data 2013-14 (1)"
    assert "Net current expenditure" in problem.message


@pytest.mark.parametrize("year", sorted(CTR))
def test_ctr_every_year_standard_measures(shared_public, year):
    frame = public_data.read_ctr(shared_public / "council_tax" / CTR[year])
    classes = frame.drop_duplicates("e_code")["authority_class"]
    assert classes.isin(["SD", "UA", "MD", "LB"]).sum() == CTR_ROWS[year]
    assert classes.eq("SC").sum() == CTR_COUNTIES[year]
    assert set(frame["year"]) == {year - 1, year}
    current = frame[
        (frame["year"] == year) & frame["authority_class"].isin(["SD", "UA", "MD", "LB"])
    ]
    wide = current.pivot_table(index="e_code", columns="standard", values="value")
    assert set(wide.columns) >= {
        "band_d",
        "collection_rate",
        "council_tax_requirement",
        "tax_base",
        "parish_precepts",
    }
    # The collection rate is a fraction in every year (2015-16 to 2018-19 print 98.75).
    assert wide["collection_rate"].between(0.8, 1.0).all(), year
    # Band D x tax base = requirement, to the pound, for nearly every authority.
    implied = wide["band_d"] * wide["tax_base"] / wide["council_tax_requirement"]
    assert (implied.sub(1).abs() < 0.001).mean() > 0.97


CTR_HAND = [
    # (file year, e_code, standard, financial year, value as printed on sheet 'Data')
    (2015, "E0101", "council_tax_requirement", 2015, 74455349.9),  # line 3
    (2015, "E0101", "tax_base", 2015, 61950.6),  # line 8 in 2015-16
    (2015, "E0101", "collection_rate", 2015, 0.9875),  # printed 98.75
    (2015, "E4601", "band_d", 2015, 1158.43),  # line 11 in 2015-16
    (2015, "E4601", "tax_base", 2015, 234089),
    (2016, "E0101", "tax_base", 2016, 62734.6),  # line 7 from 2016-17 on
    (2016, "E0101", "band_d", 2016, 1240.9),  # line 9 from 2016-17 on
    (2016, "E4601", "council_tax_requirement", 2016, 287962162),
    (2016, "E4601", "collection_rate", 2016, 0.971005),  # printed 97.1005
    (2017, "E0101", "council_tax_requirement", 2017, 82192200),
    (2017, "E4601", "tax_base", 2017, 243955),
    (2017, "E4601", "band_d", 2017, 1264.76),
    (2018, "E4601", "tax_base", 2018, 248838),
    (2018, "E0101", "council_tax_requirement", 2018, 86732200),
    (2018, "E0101", "band_d", 2018, 1347.89),
    (2020, "E1203", "band_d", 2020, 1694.79),  # Dorset Council
    (2020, "E1203", "collection_rate", 2020, 0.985),  # printed as a fraction
    (2020, "E0101", "tax_base", 2020, 66879.9),
    (2020, "E4601", "band_d", 2020, 1435.95),
    (2021, "E0101", "council_tax_requirement", 2021, 102040444),
    (2021, "E4601", "tax_base", 2021, 253995),
    (2021, "E1203", "band_d", 2021, 1779.39),
    (2022, "E1203", "council_tax_requirement", 2022, 276032907),
    (2022, "E0101", "tax_base", 2022, 67853.7),
    (2022, "E4601", "band_d", 2022, 1552.67523),
]


@pytest.mark.parametrize("file_year, e_code, standard, year, expected", CTR_HAND)
def test_ctr_hand_checked(shared_public, file_year, e_code, standard, year, expected):
    frame = public_data.read_ctr(shared_public / "council_tax" / CTR[file_year])
    assert value(frame, e_code, standard, year, column="standard") == pytest.approx(expected)


def test_ctr_band_d_of_zero_is_derived_and_flagged(shared_public):
    # ctr_2021.xlsx prints a Band D of 0 for BCP (E1204), created 1 April 2019.
    frame = public_data.read_ctr(shared_public / "council_tax" / "ctr_2021.xlsx")
    rows = frame[(frame["e_code"] == "E1204") & (frame["standard"] == "band_d")]
    req = value(frame, "E1204", "council_tax_requirement", 2019, column="standard")
    base = value(frame, "E1204", "tax_base", 2019, column="standard")
    row = rows[rows["year"] == 2019].iloc[0]
    assert row["value"] == pytest.approx(req / base) and row["value"] > 1000
    assert "derived" in row["flag"]


def test_council_taxbase_ods(shared_public):
    frame = public_data.read_taxbase(shared_public / CTB)
    # 309 billing authorities; 32 table totals each; the 100-odd phantom sheets are ignored.
    assert frame["e_code"].nunique() == 309
    assert len(frame) == 309 * 32
    assert set(frame["year"]) == {2023}  # October 2022 count, the 2023-24 tax base
    # Sheet 'Council_Taxbase_Data': Table 1.01 total dwellings, column N; Table 1.33 tax base.
    assert value(frame, "E0101", "CTB1.01") == 85639
    assert value(frame, "E4601", "CTB1.01") == 456736
    assert value(frame, "E1203", "CTB1.01") == 183265
    assert value(frame, "E1203", "CTB1.33") == pytest.approx(154575.1)
    assert frame.loc[frame["measure"] == "CTB1.33", "unit"].iloc[0] == "band_d_equivalents"


def test_phantom_sheets_are_not_sheets(shared_public):
    from analysis.public_data._common import open_workbook

    book = open_workbook(shared_public / CTB, "CTB")
    assert len(book.sheetnames) < 20 and "Council_Taxbase_Data" in book.sheetnames
    assert all("file:" not in s for s in book.sheetnames)


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_damaged_old_and_new_formats(shared_public, tmp_path, suffix):
    source = shared_public / (LEGACY[2012] if suffix == ".xls" else CTB)
    damaged = tmp_path / f"damaged{suffix}"
    data = source.read_bytes()
    damaged.write_bytes(data[: len(data) // 3])
    reader = public_data.read_rs if suffix == ".xls" else public_data.read_taxbase
    with pytest.raises(InputError) as info:
        reader(damaged)
    assert damaged.name in str(info.value) and "damaged" in str(info.value)


def test_html_saved_as_xls_is_refused(tmp_path):
    page = tmp_path / "RS_2012-13.xls"
    page.write_text("<html><body>moved</body></html>")
    with pytest.raises(InputError, match=r"a web page \(HTML\), not an Excel workbook"):
        public_data.read_rs(page)


def test_modern_rs_three_authorities_each_year(shared_public):
    # 'RS LA Data' sheets, line 805 (NRE) and 360 (adult social care), read by hand.
    rs15 = public_data.read_rs(shared_public / RS / "RS_2015-16_data_by_LA_-_Revision.xlsx")
    rs16 = public_data.read_rs(shared_public / RS / "RS_2016-17_data_by_LA.xlsx")
    assert value(rs15, "E4601", "RS805") == 873053 and value(rs15, "E4601", "RS360") == 274135
    assert value(rs15, "E1835", "RS805") == 9916
    assert value(rs15, "E1201", "RS360") == 41191
    assert value(rs16, "E4601", "RS805") == 936900
    assert value(rs16, "E1835", "RS805") == 8464
    assert value(rs16, "E1201", "RS360") == 41461


def test_ctr_layout_without_a_tax_base_column_names_file_and_sheet(shared_public, tmp_path):
    import openpyxl
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_path(shared_public / "council_tax" / "ctr_2122.xlsx")
        .get_sheet_by_name("Data")
        .to_python()
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows[:20]:
        sheet.append(
            [
                "7. A renamed column"
                if isinstance(v, str) and "council tax setting purposes" in v
                else v
                for v in row
            ]
        )
    path = tmp_path / "ctr_2122.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        public_data.read_ctr(path)
    problem = info.value.problems[0]
    assert problem.file.endswith("ctr_2122.xlsx") and problem.sheet == "Data"
    assert "Council tax base for council tax setting purposes" in problem.message


def _as_ods(source, sheets, target, rows=30):
    """The first ``rows`` rows of ``sheets`` of a published workbook, re-saved as OpenDocument,
    with a cover sheet in front, as the government now publishes."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(source)
    with pd.ExcelWriter(target, engine="odf") as writer:
        pd.DataFrame([["Cover: about these tables"]]).to_excel(
            writer, sheet_name="Cover", header=False, index=False
        )
        for name in sheets:
            data = book.get_sheet_by_name(name).to_python()[:rows]
            pd.DataFrame(data).to_excel(writer, sheet_name=name, header=False, index=False)
    return target


def test_years_never_shown_as_ods_read_the_same(shared_public, tmp_path):
    pytest.importorskip("odf")
    # A modern RS year as .ods: B&NES adult social care 60,433 (as in the .xlsx).
    rs = _as_ods(
        shared_public / RS / "RS_2016-17_data_by_LA.xlsx",
        ["RS LA Data 2016-17"],
        tmp_path / "RS_2016-17.ods",
    )
    assert value(public_data.read_rs(rs), "E0101", "RS360") == 60433
    # A legacy year, three sheets by measure, as .ods: the same figures as the .xls.
    legacy = _as_ods(
        shared_public / LEGACY[2013],
        [f"RS LA Data 2013-14 ({n})" for n in (1, 2, 3)],
        tmp_path / "RS_2013-14.ods",
    )
    frame = public_data.read_rs(legacy)
    assert value(frame, "E0101", "RS190") == 95450
    assert value(frame, "E0101", "RS916_31mar") == 10472
    # A CTR table as .ods: Dorset's 2022-23 requirement.
    ctr = _as_ods(
        shared_public / "council_tax" / "ctr_2223.xlsx", ["Data"], tmp_path / "ctr.ods", 400
    )
    frame = public_data.read_ctr(ctr)
    assert value(frame, "E1203", "council_tax_requirement", 2022, column="standard") == 276032907
