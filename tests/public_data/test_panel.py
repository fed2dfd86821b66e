"""The harmonised panel of every published year, its cache and the boundary changes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.public_data import panel as panel_module
from analysis.public_data.boundaries import read_restructuring
from analysis.public_data.successors import NOT_AGGREGATED

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


def test_population_of_the_year_from_the_newest_release(panel):
    # B&NES: mid-2023 199,818 (mye23tablesew.xlsx, table MYE4 row E06000022); mid-2020 is
    # 191,974 in that 2023 release, which replaces the 196,357 of the mid-2020 release.
    row = one(panel, "E06000022", "population", 2023)
    assert row["value"] == 199818 and row["source_file"] == "mye23tablesew.xlsx"
    row = one(panel, "E06000022", "population", 2020)
    assert row["value"] == 191974 and row["source_file"] == "mye23tablesew.xlsx"
    # A mid-year only the older release has (mid-2005) comes from it, naming it.
    row = one(panel, "E06000022", "population", 2005)
    assert row["source_file"] == "ukpopestimatesmid2020on2021geography.xlsx"
    assert row["value"] == 171274


def test_every_row_names_the_file_that_gave_it(panel, shared_public):
    from analysis.core.provenance import sha256_of

    # After the release rule each row's file and SHA-256 are the file's own.
    own = panel[~panel["aggregated"]].drop_duplicates(["source_file", "sha256"])
    paths = {p.name: p for p in shared_public.rglob("*") if p.is_file()}
    for name, digest in zip(own["source_file"], own["sha256"], strict=True):
        assert sha256_of(paths[name]) == digest, name
    # A summed row names each part's file, with that file's SHA-256 in the same order.
    row = one(panel, "E06000066", "population", 2005)
    assert row["source_file"] == "ukpopestimatesmid2020on2021geography.xlsx"
    assert row["sha256"] == sha256_of(paths["ukpopestimatesmid2020on2021geography.xlsx"])


def test_newest_release_is_decided_by_content_not_file_name():
    def release(name, years, value):
        return pd.DataFrame(
            {
                "ons_code": "E06000001",
                "e_code": None,
                "year": years,
                "measure": "population",
                "value": value,
                "source_file": name,
            }
        )

    # "z_old" sorts after "a_new" by name, but "a_new" reaches the later mid-year.
    old = release("z_old.xlsx", [2019, 2020], 100.0)
    new = release("a_new.xlsx", [2020, 2021], 200.0)
    for order in ([old, new], [new, old]):
        out = panel_module.newest_release(order).sort_values("year")
        assert out["value"].tolist() == [100.0, 200.0, 200.0]
        assert out["source_file"].tolist() == ["z_old.xlsx", "a_new.xlsx", "a_new.xlsx"]


def test_benchmarking_population_is_the_year_s_own(shared_public):
    from analysis.benchmarking.positions import population_for

    population = panel_module.read_population_releases(
        sorted((shared_public / "population").glob("*.xlsx"))
    )
    frame, used = population_for(population, 2023)
    assert used == 2023
    assert frame.set_index("ons_code").loc["E06000022", "population"] == 199818
    # With only the mid-2020 release, 2023-24 gets mid-2020, and says which year it used.
    only_2020 = panel_module.read_population_releases(
        [shared_public / "population" / "ukpopestimatesmid2020on2021geography.xlsx"]
    )
    frame, used = population_for(only_2020, 2023)
    assert used == 2020
    assert frame.set_index("ons_code").loc["E06000022", "population"] == 196357


def test_misprinted_ons_code_is_corrected_from_the_e_code(panel):
    from analysis.public_data.unmatched import code_corrections

    # The 2015-16 RS prints North Yorkshire (E-code E2721) as E10000022; the restructuring
    # lookup gives E2721 the code E10000023 in every year. NRE 2015-16: 351,679 (line 805).
    assert not (panel["ons_code"] == "E10000022").any()
    row = one(panel, "E10000023", "RS805", 2015)
    assert row["e_code"] == "E2721" and row["source_file"].startswith("RS_2015-16")
    assert row["value"] == 351679
    assert "printed E10000022" in row["note"] and "E10000023" in row["note"]
    fixed = code_corrections(panel)
    assert fixed[["year", "e_code", "printed", "corrected"]].values.tolist() == [
        [2015, "E2721", "E10000022", "E10000023"]
    ]


def test_authorities_without_a_code_are_listed_not_dropped(panel):
    from analysis.public_data.unmatched import panel_unmatched

    listed = panel_unmatched(panel)
    no_code = panel[panel["ons_code"].isna()]
    assert len(no_code) > 0
    pairs = set(zip(no_code["source_file"].astype(str), no_code["e_code"], strict=True))
    assert pairs == set(zip(listed["source"], listed["code"], strict=True))
    # Lee Valley Regional Park Authority (a levying body) has no ONS code in the RS of
    # 2010-11 to 2016-17 (six files here): listed once for each.
    lee = listed[listed["name"].str.startswith("Lee Valley")]
    lee = lee[lee["source"].str.contains("Revenue_Outturn_Summary|RS_20", regex=True)]
    assert len(lee) == 6 and lee["source"].nunique() == 6


def test_legacy_e_codes_get_ons_codes(panel):
    # 2010-11 .xls has E-codes only; B&NES E0101 -> E06000022 (NRE 113,165 on sheet (1)).
    row = one(panel, "E06000022", "RS805", 2010)
    assert row["value"] == 113165 and row["e_code"] == "E0101"
    assert row["source_file"].startswith("Revenue_Outturn_Summary__RS__data_2010-11")
    assert row["name"] == "Bath and North East Somerset"


# 2016-17 council tax base (CTR, Band D equivalents for council-tax setting) of Dorset County
# Council's six districts: Christchurch 19,528.0 (to BCP); East Dorset 36,824.0, North Dorset
# 25,687.7, Purbeck 18,656.4, West Dorset 40,881.8, Weymouth & Portland 20,567.9 (to Dorset
# Council): 142,617.8 of 162,145.8, a share of 0.879565.
DORSET_SHARE_2016 = 142617.8 / 162145.8


def test_dorset_county_is_apportioned_between_dorset_council_and_bcp(panel):
    # 2016-17 RS line 805: East Dorset 10,354 + North Dorset 5,886 + Purbeck 4,491.5 + West
    # Dorset 10,295 + Weymouth & Portland 6,666 = 37,692.5, plus the tax-base share of Dorset
    # County Council's 275,518.626.
    row = one(panel, "E06000059", "RS805", 2016)
    assert row["value"] == pytest.approx(37692.5 + 275518.626 * DORSET_SHARE_2016)
    assert row["value"] == pytest.approx(280029.09, abs=0.01)
    assert row["aggregated"] and "88.0% of the former county council E10000009" in row["note"]
    assert "council tax base" in row["note"] and "2016-17" in row["note"]
    # BCP: Bournemouth 141,897 + Poole 103,877 + Christchurch 4,312 + the rest of the county.
    bcp = one(panel, "E06000058", "RS805", 2016)
    assert bcp["value"] == pytest.approx(
        141897 + 103877 + 4312 + 275518.626 * (1 - DORSET_SHARE_2016), abs=0.01
    )
    assert "12.0% of the former county council E10000009" in bcp["note"]
    # Never overstated: the two successors hold the county once between them.
    parts = ["E10000009", "E06000028", "E06000029"] + [f"E0700004{i}" for i in range(8, 10)]
    parts += [f"E0700005{i}" for i in range(4)]
    total = sum(one(panel, code, "RS805", 2016)["value"] for code in parts)
    assert row["value"] + bcp["value"] == pytest.approx(total)
    # From 2019 the council's own published figures, not aggregated.
    assert not one(panel, "E06000059", "tax_base", 2019)["aggregated"]


def test_split_county_without_a_basis_is_left_out_with_its_reason(panel):
    from analysis.public_data.successors import history_gaps

    # No council tax base before 2014-15 in these files: Dorset County Council cannot be
    # apportioned for 2010-11 to 2013-14, so no RS sum is made for either successor then.
    for code in ("E06000059", "E06000058", "E06000061", "E06000062", "E06000063"):
        mine = panel[(panel["ons_code"] == code) & panel["aggregated"]]
        rs = mine[mine["measure"].astype(str).str.match(r"^RS\d")]  # RS lines, not RSX
        assert set(rs["year"]) == {2015, 2016}, code
        assert rs["note"].str.contains("left out for 2010-11, 2011-12, 2012-13, 2013-14").all()
    gaps = history_gaps(panel)
    dorset = gaps[gaps["successor"] == "E06000059"]
    assert dorset["reason"].str.contains("no council tax base").any()
    assert (dorset["name"] == "Dorset").all()
    # Council tax is never a successor's districts plus part of a split county.
    for code in ("E06000058", "E06000059", "E06000061", "E06000062", "E06000063", "E06000064"):
        mine = gaps[gaps["successor"] == code]
        assert mine["measures"].eq("council_tax_requirement").any(), code
        summed = panel[(panel["ons_code"] == code) & panel["aggregated"]]
        assert "council_tax_requirement" not in set(summed["measure"].astype(str)), code


def test_ratios_and_county_precepts_are_not_aggregated(panel):
    aggregated = panel[panel["aggregated"]]
    assert not aggregated["measure"].isin(list(NOT_AGGREGATED)).any()
    # The districts' tax base adds up (the county precepts on the same base)...
    assert one(panel, "E06000059", "tax_base", 2018)["aggregated"]
    # ... but their council tax requirement leaves out the county's precept: not summed.
    dorset = aggregated[aggregated["ons_code"] == "E06000059"]
    assert "council_tax_requirement" not in set(dorset["measure"])
    assert "band_d" not in set(dorset["measure"])
    # Buckinghamshire 2018-19 tax base = its four districts' (72,507.0 + 44,368.7 + 32,703.4 +
    # 68,083.5); the county is not a billing authority and is never added to an area figure.
    assert one(panel, "E06000060", "tax_base", 2018)["value"] == pytest.approx(217662.6)


def test_2023_unitaries_have_a_summed_history(panel):
    # Somerset 2016-17 NRE: Somerset County Council 348,892.136 + Mendip 13,624.3 + Sedgemoor
    # 11,543 + South Somerset 18,895 + Taunton Deane 10,156 + West Somerset 3,742 (the last
    # two are Somerset West and Taunton, 2019, itself summed first).
    row = one(panel, "E06000066", "RS805", 2016)
    assert row["value"] == pytest.approx(406852.436, abs=0.001)
    assert row["aggregated"] and "E10000027" in row["note"] and "E07000246" in row["note"]
    assert "E07000246 before 2019-20: sum of E07000190, E07000191" in row["note"]
    assert row["name"] == "Somerset"
    # North Yorkshire 2015-16: the county (printed E10000022, corrected) 351,679 + Craven 6,511
    # + Hambleton 7,740 + Harrogate 20,697 + Richmondshire 6,038 + Ryedale 6,263 + Scarborough
    # 12,654 + Selby 10,615.
    assert one(panel, "E06000065", "RS805", 2015)["value"] == pytest.approx(422197)
    # Buckinghamshire 2016-17: county 323,378 + Aylesbury Vale 22,742 + Chiltern 9,959 + South
    # Bucks 5,346 + Wycombe 11,802; counted whole (all four districts went to it).
    bucks = one(panel, "E06000060", "RS805", 2016)
    assert bucks["value"] == pytest.approx(373227) and "counted whole" in bucks["note"]
    # Cumberland and Westmorland & Furness share Cumbria by its tax base.
    for code in ("E06000063", "E06000064"):
        assert "of the former county council E10000006" in one(panel, code, "RS805", 2016)["note"]
    # Somerset's population of mid-2005 (2021 boundaries: districts only; the county's own
    # 514,338 is the same area): the sum of its four districts, not county plus districts.
    assert one(panel, "E06000066", "population", 2005)["value"] == 514338
    # Their own 2023-24 figures are the published ones.
    assert not one(panel, "E06000066", "RS805", 2023)["aggregated"]


def test_restructuring_minor_transfers_and_abolished_counties(shared_public):
    changes = {c.successor: c for c in read_restructuring(shared_public / GEO).changes}
    # "County Abolished" is not an authority. 12 successors 2013-2021 from the changes sheet,
    # 4 in 2023 from the lookup's ons_code_2022 -> ons_code_2023 columns.
    assert len(changes) == 16
    assert "E10999999" not in changes
    assert {changes[c].year for c in ("E06000063", "E06000064", "E06000065", "E06000066")} == {2023}
    # Counties counted whole where every district went to one successor...
    assert changes["E06000060"].counties == ["E10000002"]
    assert changes["E06000065"].counties == ["E10000023"]
    assert changes["E06000066"].counties == ["E10000027"]
    assert "E07000246" in changes["E06000066"].predecessors
    # ... apportioned where they were split.
    assert changes["E06000059"].counties == [] and changes["E06000059"].partial_counties == [
        "E10000009"
    ]
    assert changes["E06000058"].county_parts == {"E10000009": ["E07000048"]}
    for code in ("E06000061", "E06000062"):
        assert changes[code].partial_counties == ["E10000021"]
    for code in ("E06000063", "E06000064"):
        assert changes[code].partial_counties == ["E10000006"]
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


# Packs on the shared files: the benchmark a 2023-24 pack computes (the pipeline behind
# notebooks/03_vfm_benchmarking.ipynb), for a council with its own folder and for two
# councils the published nearest-neighbour list predates or names.
def _council(tmp_path, name, code, **benchmark):
    from analysis.core.config import Council

    return Council(
        name=name,
        ons_code=code,
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5.0},
        directorates=["All services"],
        benchmark=benchmark,
        folder=tmp_path,
    )


def _benchmark(council, shared_public):
    from analysis.benchmarking.pipeline import run
    from analysis.core.periods import Period

    return run(council, shared_public, period=Period.parse("2023-24-Q4"))


def test_bath_2023_24_pack_divides_by_mid_2023_population(shared_public):
    from analysis.core.config import load_council

    result = _benchmark(load_council("bath-ne-somerset"), shared_public)
    assert result.year == 2023 and result.population_year == 2023
    assert set(result.positions["population"]) == {199818}
    assert not any(m.startswith("Population:") for m in result.messages)


def test_somerset_2023_24_pack_has_computed_comparators_and_a_history(shared_public, tmp_path):
    # The published nearest-neighbour list has no entry for Somerset (a unitary since April
    # 2023): the computed method gives the group, and the page says so.
    result = _benchmark(_council(tmp_path, "Somerset", "E06000066"), shared_public)
    assert result.council_present and result.year == 2023
    costs = result.unit_costs_all
    assert (costs["ons_code"] == "E06000066").any()
    # mid-2023: 581,145 (MYE, 2023 boundaries).
    assert set(result.positions["population"]) == {581145}
    assert result.n_comparators == 15 and result.n_comparators_with_data == 15
    assert "no entry for E06000066" in result.method_text
    assert "15 nearest authorities of class UA" in result.method_text
    history = result.panel.history
    summed = history[(history["ons_code"] == "E06000066") & history["aggregated"]]
    assert 2016 in set(summed.loc[summed["measure"] == "RS805", "year"])


def test_buckinghamshire_2023_24_pack_has_comparators_and_a_history(shared_public, tmp_path):
    council = _council(tmp_path, "Buckinghamshire", "E06000060", comparator_method="class")
    result = _benchmark(council, shared_public)
    assert result.council_present and result.year == 2023
    assert (result.unit_costs_all["ons_code"] == "E06000060").any()
    assert result.n_comparators > 0 and result.n_comparators_with_data > 0
    history = result.panel.history
    summed = history[(history["ons_code"] == "E06000060") & history["aggregated"]]
    assert {2015, 2016} <= set(summed.loc[summed["measure"] == "RS805", "year"])


def test_a_name_resolves_to_the_authority_that_exists_now(shared_public):
    from analysis.batch.councils import select
    from analysis.benchmarking.authorities import authorities

    # Buckinghamshire County Council (E10000002) was abolished in 2020; the name is today's
    # unitary, and the 2023 unitaries are found by name as the batch's --councils gives them.
    chosen = select(authorities(shared_public), councils=["buckinghamshire", "somerset"])
    assert dict(zip(chosen["slug"], chosen["ons_code"], strict=True)) == {
        "buckinghamshire": "E06000060",
        "somerset": "E06000066",
    }
