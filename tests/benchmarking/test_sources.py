"""Readers of the published files, checked against figures read by hand from the workbooks."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import public_data
from analysis.core import provenance
from analysis.core.errors import InputError

RS15 = "revenue_outturn_summary/RS_2015-16_data_by_LA_-_Revision.xlsx"
RS16 = "revenue_outturn_summary/RS_2016-17_data_by_LA.xlsx"
CTR = "council_tax/ctr_2223.xlsx"
MYE = "population/ukpopestimatesmid2020on2021geography.xlsx"
NN = "comparators/nearest_neighbours.json"
PERF = "performance/adult_social_care_oflog.csv"


@pytest.fixture(scope="session")
def rs16(shared_public):
    return public_data.read_rs(shared_public / RS16)


@pytest.fixture(scope="session")
def rs15(shared_public):
    return public_data.read_rs(shared_public / RS15)


@pytest.fixture(scope="session")
def ctr(shared_public):
    return public_data.read_ctr(shared_public / CTR)


@pytest.fixture(scope="session")
def population(shared_public):
    return public_data.read_population(shared_public / MYE)


def value(frame, code, measure, year=None, column="ons_code"):
    rows = frame[(frame[column] == code) & (frame["measure"] == measure)]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


def test_rs_2016_17_shape_and_known_values(rs16):
    # 446 authority rows (E-codes) x 94 RS line columns on row 6 of 'RS LA Data 2016-17'.
    assert rs16["e_code"].nunique() == 446
    assert len(rs16) == 446 * 94
    assert set(rs16["year"]) == {2016}
    assert list(rs16.columns[:10]) == public_data.TIDY_COLUMNS
    # B&NES adult social care (line 360) 2016-17: £60,433k, cell I8 of the workbook.
    assert value(rs16, "E06000022", "RS360") == 60433
    # London boroughs published as class "L" are given as LB.
    assert "L" not in set(rs16["authority_class"]) and "LB" in set(rs16["authority_class"])
    # The former Dorset County Council is there under its old code, class SC.
    dorset = rs16[rs16["ons_code"] == "E10000009"]
    assert set(dorset["authority_class"]) == {"SC"} and value(rs16, "E10000009", "RS360") == 123962
    # "…" (suppressed) cells become blank, not zero and not an error.
    assert rs16["value"].isna().sum() > 0


def test_rs_reserves_lines_told_apart_by_description(rs16):
    # Line 915 appears twice: 1 April 2016 £46,689k and 31 March 2017 £34,256k for B&NES.
    assert value(rs16, "E06000022", "RS915_1apr") == 46689
    assert value(rs16, "E06000022", "RS915_31mar") == 34256
    assert value(rs16, "E06000022", "RS916_31mar") == 12656
    bnes = rs16[(rs16["ons_code"] == "E06000022") & (rs16["line"] == 915)]
    assert sorted(bnes["description"]) == [
        "Other earmarked financial reserves level at 1 April",
        "Other earmarked financial reserves level at 31 March",
    ]


def test_rs_2015_16_other_layout(rs15):
    # 2015-16 has a "Hide or delete" row, 444 authorities and 93 line columns: no line 767
    # (flexible use of capital receipts), which 2016-17 added in the middle of the sheet.
    assert rs15["e_code"].nunique() == 444 and len(rs15) == 444 * 93
    assert set(rs15["year"]) == {2015}
    assert value(rs15, "E06000022", "RS360") == 58999
    # Reserves at 31 March 2016 (2015-16 file) = reserves at 1 April 2016 (2016-17 file).
    assert value(rs15, "E06000022", "RS915_31mar") == 46689
    assert "RS781" in set(rs15["measure"]) and "RS767" not in set(rs15["measure"])


def test_ctr_known_values_and_units(ctr):
    # Dorset Council (E1203 / E06000059): council tax requirement 2021-22 £263,918,591 (in £,
    # not £k), Band D £1,779.39, tax base 148,319.7 (the MTFS's £263.9m).
    assert value(ctr, "E06000059", "CTR3", 2021) == 263_918_591
    assert value(ctr, "E06000059", "CTR9", 2021) == pytest.approx(1779.39)
    assert value(ctr, "E06000059", "CTR7", 2021) == pytest.approx(148_319.7)
    assert value(ctr, "E1203", "CTR3", 2022, column="e_code") == 276_032_907
    units = ctr.drop_duplicates("measure").set_index("measure")["unit"]
    assert (
        units["CTR3"] == "gbp"
        and units["CTR7"] == "band_d_equivalents"
        and units["CTR9"] == "gbp_per_band_d"
    )
    # 309 billing authorities, and the 24 county councils of the precepting block (class SC).
    classes = ctr.drop_duplicates("e_code")["authority_class"]
    assert classes.isin(["SD", "UA", "MD", "LB"]).sum() == 309 and classes.eq("SC").sum() == 24
    assert set(ctr["year"]) == {2021, 2022}


def test_ctr_e_codes_map_to_ons_codes_through_rs(ctr, rs16):
    blank = ctr.assign(ons_code=None)
    mapped, unmatched = public_data.attach_ons_codes(blank, rs16)
    # B&NES E0101 -> E06000022 through the RS tables.
    assert set(mapped.loc[mapped["e_code"] == "E0101", "ons_code"]) == {"E06000022"}
    # Dorset Council's E1203 was created in 2019: not in the 2016-17 RS map, so reported.
    assert "E1203" in set(unmatched["code"])
    assert set(unmatched.columns) == {"source", "code", "name", "reason"}


def test_population(population):
    # MYE4: B&NES mid-2016 186,946; Dorset (E06000059, 2021 boundaries) mid-2020 379,791.
    assert value(population, "E06000022", "population", 2016) == 186946
    assert value(population, "E06000059", "population", 2020) == 379791
    assert set(population["year"]) == set(range(2001, 2021))
    assert population.loc[population["ons_code"] == "E06000022", "authority_class"].iloc[0] == "UA"


def test_neighbours(shared_public):
    nn = public_data.read_neighbours(shared_public / NN)
    sizes = nn.groupby("ons_code").size()
    # 348 codes; lists repeat some codes (25 lists), which are read once: 331 groups of 16
    # (itself + 15), 15 groups of 15 and the Isles of Scilly (E06000053) alone.
    assert len(sizes) == 348
    assert sizes.value_counts().to_dict() == {16: 331, 15: 15, 1: 2}
    assert sizes["E06000053"] == 1
    first = nn[(nn["ons_code"] == "E06000022") & (nn["neighbour_rank"] == 0)]
    assert list(first["neighbour_code"]) == ["E06000022"]


def test_performance_polarity(shared_public):
    perf = public_data.read_performance(shared_public / PERF)
    assert len(perf) == 6376
    polarity = perf.drop_duplicates("measure").set_index("measure")["polarity"]
    # desc/DESC -> higher is better; "None" -> unknown; blank rows take the measure's value.
    assert polarity["ASC1"] == "higher_is_better" and polarity["ASC3"] == "higher_is_better"
    assert polarity["ASC7"] == "unknown"
    assert perf.groupby("measure")["polarity"].nunique().max() == 1
    # B&NES carer quality of life 2016-17: 8.2.
    assert value(perf[perf["measure"] == "ASC1"], "E06000022", "ASC1", 2016) == pytest.approx(8.2)


def test_unmatched_report_after_boundary_changes(rs16, population):
    from analysis.benchmarking import unit_costs

    costs, unmatched = unit_costs(rs16, population, 2016)
    # The former Dorset County Council, Bournemouth and Poole have no 2021-boundary population.
    for code in ("E10000009", "E06000028", "E06000029"):
        row = unmatched[unmatched["code"] == code]
        assert len(row) == 1 and row["source"].iloc[0] == "RS", code
    # ... and the 2019+ authorities have population but no 2016-17 RS row.
    assert {"E06000058", "E06000059"} <= set(
        unmatched.loc[unmatched["source"] == "population", "code"]
    )
    # B&NES adult social care per head: 60,433 x 1000 / 186,946 = £323.26.
    bnes = costs[(costs["ons_code"] == "E06000022") & (costs["line"] == 360)]
    assert bnes["net_expenditure_per_head_gbp"].iloc[0] == pytest.approx(323.2645, abs=1e-3)


def test_readers_record_inputs(shared_public, rs16):
    provenance.reset()
    public_data.read_rs(shared_public / RS16)
    assert str((shared_public / RS16).resolve()) in provenance.inputs_read()


@pytest.mark.parametrize(
    "reader, wrong",
    [
        (public_data.read_rs, CTR),
        (public_data.read_ctr, RS16),
        (public_data.read_population, RS16),
        (public_data.read_performance, NN),
        (public_data.read_neighbours, PERF),
    ],
)
def test_wrong_file_names_file_and_what_is_missing(shared_public, reader, wrong):
    with pytest.raises(InputError) as info:
        reader(shared_public / wrong)
    text = str(info.value)
    assert wrong.split("/")[-1] in text


def test_ctr_to_rs_reader_says_what_it_could_not_find(shared_public):
    with pytest.raises(InputError, match="E-code' and 'ONS Code'"):
        public_data.read_rs(shared_public / CTR)


@pytest.mark.parametrize("name", [RS16, CTR, MYE])
def test_truncated_workbook(shared_public, tmp_path, name):
    data = (shared_public / name).read_bytes()
    damaged = tmp_path / name.split("/")[-1]
    damaged.write_bytes(data[: len(data) // 2])
    reader = {
        RS16: public_data.read_rs,
        CTR: public_data.read_ctr,
        MYE: public_data.read_population,
    }[name]
    with pytest.raises(InputError) as info:
        reader(damaged)
    assert damaged.name in str(info.value) and "damaged" in str(info.value)


def test_truncated_json_and_missing_file(tmp_path, shared_public):
    damaged = tmp_path / "nearest_neighbours.json"
    damaged.write_text((shared_public / NN).read_text()[:500])
    with pytest.raises(InputError, match="not valid JSON"):
        public_data.read_neighbours(damaged)
    with pytest.raises(InputError, match="file not found"):
        public_data.read_rs(tmp_path / "nope.xlsx")


def test_cache_returns_copies_and_notices_changes(shared_public, tmp_path):
    copy = tmp_path / "RS.xlsx"
    shutil.copy(shared_public / RS16, copy)
    first = public_data.read_rs(copy)
    first.loc[0, "value"] = -1
    assert public_data.read_rs(copy).loc[0, "value"] != -1
    shutil.copy(shared_public / RS15, copy)
    assert set(public_data.read_rs(copy)["year"]) == {2015}


def test_own_tidy_performance_form(tmp_path):
    path = tmp_path / "perf.csv"
    pd.DataFrame(
        {
            "ons_code": ["E06000001"],
            "name": ["A"],
            "year": ["2020-21"],
            "measure": ["X1"],
            "value": ["oops"],
            "polarity": ["sideways"],
        }
    ).to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        public_data.read_performance(path)
    # Both problems are listed, each with its row.
    assert len(info.value.problems) == 2 and {p.row for p in info.value.problems} == {2}
