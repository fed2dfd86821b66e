"""The harmonised panel of every published year, its cache and the boundary changes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.public_data import panel as panel_module
from analysis.public_data.boundaries import NOT_AGGREGATED, read_restructuring

GEO = "geography/restructuring_2013_to_2023.xlsx"


@pytest.fixture(scope="module")
def panel(shared_public, tmp_path_factory):
    return panel_module.load_panel(shared_public, tmp_path_factory.mktemp("cache"))


def one(panel, code, measure, year):
    rows = panel[(panel["ons_code"] == code) & (panel["measure"] == measure)]
    rows = rows[rows["year"] == year]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_panel_columns_and_years(panel):
    assert list(panel.columns) == panel_module.PANEL_COLUMNS
    # RS 2010-11 to 2016-17 (no 2014-15 published here) and 2023-24, CTR 2014-15 to 2022-23.
    rs_years = set(panel.loc[panel["measure"] == "RS805", "year"])
    assert rs_years == {2010, 2011, 2012, 2013, 2015, 2016, 2023}
    assert set(panel.loc[panel["measure"] == "tax_base", "year"]) == set(range(2014, 2023))
    # Every row names its source file and that file's SHA-256.
    assert panel["source_file"].notna().all() and panel["sha256"].notna().all()
    assert panel.loc[~panel["aggregated"], "sha256"].str.len().eq(64).all()


def test_legacy_e_codes_get_ons_codes(panel):
    # 2010-11 .xls has E-codes only; B&NES E0101 -> E06000022 (NRE 113,165 on sheet (1)).
    row = one(panel, "E06000022", "RS805", 2010)
    assert row["value"] == 113165 and row["e_code"] == "E0101"
    assert row["source_file"].startswith("Revenue_Outturn_Summary__RS__data_2010-11")
    assert row["name"] == "Bath and North East Somerset"


def test_dorset_council_before_2019_is_the_sum_of_its_predecessors(panel):
    # 2016-17 RS, line 805: Dorset CC 275,518.626 + East Dorset 10,354 + North Dorset 5,886
    # + Purbeck 4,491.5 + West Dorset 10,295 + Weymouth & Portland 6,666 = 313,211.126.
    row = one(panel, "E06000059", "RS805", 2016)
    assert row["value"] == pytest.approx(313211.126)
    assert row["aggregated"] and "E10000009" in row["note"] and "E07000053" in row["note"]
    # Unallocated reserves 31 March 2017: 14,977.508 + 993 + 2,201 + 3,078 + 4,917 + 4,547.
    assert one(panel, "E06000059", "RS916_31mar", 2016)["value"] == pytest.approx(
        30713.508, abs=0.01
    )
    # Christchurch went to BCP, so the county's figures are not apportioned: the note says so.
    assert "E06000058" in row["note"] and "not apportioned" in row["note"]
    # From 2019 the council's own published figures, not aggregated.
    assert not one(panel, "E06000059", "tax_base", 2019)["aggregated"]


def test_ratios_and_county_precepts_are_not_aggregated(panel):
    aggregated = panel[panel["aggregated"]]
    assert not aggregated["measure"].isin(list(NOT_AGGREGATED)).any()
    # The districts' tax base adds up (the county precepts on the same base)...
    assert one(panel, "E06000059", "tax_base", 2018)["aggregated"]
    # ... but their council tax requirement leaves out the county's precept: not summed.
    dorset = aggregated[aggregated["ons_code"] == "E06000059"]
    assert "council_tax_requirement" not in set(dorset["measure"])
    assert "band_d" not in set(dorset["measure"])


def test_split_counties_are_not_apportioned(panel):
    aggregated = panel[panel["aggregated"]]
    # Northamptonshire split 4 / 3 in 2021: neither successor gets the county's services, so no
    # RS line is summed for them; their districts' tax base is (the county has none of its own).
    for code in ("E06000061", "E06000062"):
        mine = aggregated[aggregated["ons_code"] == code]
        assert not mine["measure"].astype(str).str.startswith("RS").any(), code
        assert "tax_base" in set(mine["measure"].astype(str)), code
        assert mine["note"].str.contains("cannot be aggregated").all()
    # BCP took Christchurch but not Dorset County Council: no summed RS lines before 2019.
    bcp = aggregated[aggregated["ons_code"] == "E06000058"]
    assert not bcp["measure"].astype(str).str.startswith("RS").any()
    # Tax base 2018-19 = Bournemouth + Poole + Christchurch districts' bases.
    assert one(panel, "E06000058", "tax_base", 2018)["aggregated"]


def test_restructuring_minor_transfers_and_abolished_counties(shared_public):
    changes = {c.successor: c for c in read_restructuring(shared_public / GEO).changes}
    # "County Abolished" is not an authority.
    # 12 successors 2013-2021 (E31 fire areas and renamed codes left out).
    assert len(changes) == 12
    assert "E10999999" not in changes
    assert changes["E06000059"].counties == ["E10000009"]
    assert changes["E06000058"].partial_counties == ["E10000009"]
    assert changes["E06000061"].counties == [] and changes["E06000062"].counties == []
    # Gateshead's 2013 minor transfer to Northumberland does not add Gateshead to it.
    assert changes["E06000057"].predecessors == ["E06000048"]
    assert any("E08000020" in n for n in changes["E06000057"].notes)


def test_cache_loads_without_building_and_rebuilds_on_change(shared_public, tmp_path, monkeypatch):
    folder = tmp_path / "public"
    folder.mkdir()
    shutil.copy(shared_public / "council_tax" / "ctr_2122.xlsx", folder / "ctr_2122.xlsx")
    cache = tmp_path / "cache"
    first = panel_module.load_panel(folder, cache)
    assert set(first["year"]) == {2020, 2021}

    def no_build(*args, **kwargs):
        raise AssertionError("built again although no input changed")

    monkeypatch.setattr(panel_module, "build_panel", no_build)
    again = panel_module.load_panel(folder, cache)
    pd.testing.assert_frame_equal(first, again)
    monkeypatch.undo()
    # Same name, new contents: the key changes and the panel is rebuilt.
    shutil.copy(shared_public / "council_tax" / "ctr_2223.xlsx", folder / "ctr_2122.xlsx")
    rebuilt = panel_module.load_panel(folder, cache)
    assert set(rebuilt["year"]) == {2021, 2022}
    assert len(list(cache.glob("panel-*.parquet"))) == 1


def test_memory_copy_is_private_and_never_stale(shared_public, tmp_path, monkeypatch):
    folder = tmp_path / "public"
    folder.mkdir()
    shutil.copy(shared_public / "council_tax" / "ctr_2122.xlsx", folder / "ctr_2122.xlsx")
    cache = tmp_path / "cache"
    first = panel_module.load_panel(folder, cache)
    expected = first.copy()

    def no_read(*args, **kwargs):
        raise AssertionError("read from disk although this process loaded it last")

    monkeypatch.setattr(pd, "read_parquet", no_read)
    # A caller changing its copy (values, a new column) does not change the next caller's.
    first.loc[first.index[0], "value"] = -1.0
    first["extra"] = 1
    again = panel_module.load_panel(folder, cache)
    pd.testing.assert_frame_equal(again, expected)
    again.loc[again.index[0], "value"] = -2.0
    pd.testing.assert_frame_equal(panel_module.load_panel(folder, cache), expected)
    monkeypatch.undo()
    # Same name, new contents: a new key, so never the panel in memory.
    shutil.copy(shared_public / "council_tax" / "ctr_2223.xlsx", folder / "ctr_2122.xlsx")
    assert set(panel_module.load_panel(folder, cache)["year"]) == {2021, 2022}
    # Another folder with the first contents: its own entry, not the other folder's panel.
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(shared_public / "council_tax" / "ctr_2122.xlsx", other / "ctr_2122.xlsx")
    assert set(panel_module.load_panel(other, cache)["year"]) == {2020, 2021}


def test_files_are_found_by_published_names_in_any_folder(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in [
        "a/RS_2016-17.xlsx",
        "a/b/ctr_2122.ods",
        "x_Council_Taxbase_2020.xls",
        "popestimates.xlsx",
        ".RS_hidden.xlsx",
        "~$RS_lock.xlsx",
        "RS_notes.csv",
        "rs_lower.xlsx",
        "RA_2023-24_data_Part_1.csv",
        "RSX_2022-23.ods",
    ]:
        (tmp_path / name).write_bytes(b"")
    found = panel_module.find_files(tmp_path)
    names = {kind: [p.relative_to(tmp_path).as_posix() for p in v] for kind, v in found.items()}
    assert names == {
        "rs": ["RS_notes.csv", "a/RS_2016-17.xlsx"],  # RS and RA are also published as CSV
        "ctr": ["a/b/ctr_2122.ods"],
        "taxbase": ["x_Council_Taxbase_2020.xls"],
        "population": ["popestimates.xlsx"],
        "restructuring": [],
        "rsx": ["RSX_2022-23.ods"],
        "ra": ["RA_2023-24_data_Part_1.csv"],
        "capital": [],
        "borrowing": [],
    }


def test_empty_folder_says_what_is_missing(tmp_path):
    from analysis.core.errors import InputError

    with pytest.raises(InputError, match="no Revenue Outturn Summary"):
        panel_module.load_panel(tmp_path, tmp_path / "cache")
