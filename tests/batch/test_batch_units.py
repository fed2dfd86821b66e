"""Batch pieces that need no cluster: choosing councils, keys, progress, the national index."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from analysis.batch import councils as batch_councils
from analysis.batch import national
from analysis.batch.run import council_key, progress_line, warm_council
from analysis.batch.worker import WARM_CALL, warm_call
from analysis.core import paths
from analysis.core.config import Council
from analysis.core.errors import InputError

AUTHORITIES = pd.DataFrame(
    {
        "ons_code": ["E06000022", "E08000003", "E07000008", "E10000003", "E31000001"],
        "e_code": ["E0101", "E4203", "E0501", "E0501", "E6101"],
        "name": ["Bath & North East Somerset", "Manchester", "Cambridge", "Cambridgeshire", "X"],
        "authority_class": ["UA", "MD", "SD", "SC", "O"],
        "year": [2016] * 5,
        "has_neighbours": [True, True, False, True, False],
    }
)


def test_slugify_gives_lower_case_letters_digits_and_hyphens():
    assert batch_councils.slugify("Bath & North East Somerset") == "bath-and-north-east-somerset"
    assert batch_councils.slugify("Bristol, City of") == "bristol-city-of"
    assert batch_councils.slugify("Stockton-on-Tees") == "stockton-on-tees"


def test_select_by_class_and_by_list():
    upper = batch_councils.select(AUTHORITIES, classes=["UA", "MD", "LB", "SC"])
    assert list(upper["ons_code"]) == ["E06000022", "E08000003", "E10000003"]
    everyone = batch_councils.select(AUTHORITIES)
    assert "E31000001" not in set(everyone["ons_code"]), "police, fire and others are left out"
    assert len(everyone) == 4
    listed = batch_councils.select(AUTHORITIES, councils=["manchester", "E10000003"])
    assert list(listed["slug"]) == ["manchester", "cambridgeshire"]


def test_select_names_what_it_does_not_know():
    with pytest.raises(InputError, match="nowhere-shire"):
        batch_councils.select(AUTHORITIES, councils=["nowhere-shire"])
    with pytest.raises(InputError, match="unknown class XX"):
        batch_councils.select(AUTHORITIES, classes=["XX"])


def test_generated_council_yaml_is_a_valid_council():
    row = AUTHORITIES.iloc[2]
    data = yaml.safe_load(batch_councils.generated_yaml(row, "rs.xlsx"))
    council = Council(**data)
    assert council.ons_code == "E07000008" and council.authority_class == "SD"
    assert council.default_period == "2016-17-Q4"
    assert council.benchmark == {"comparator_method": "class"}, "no neighbour list: its class"
    assert council.committee == "", "no committee is known for a generated council"


def test_progress_line_counts_rate_and_time_left():
    # 12 councils in 30 s = 24 a minute; 38 left at 24 a minute = 95 s
    assert progress_line(12, 1, 50, 30.0) == (
        "12/50 councils (1 failed), 38 remaining, 24.0 a minute, about 1 min 35 s left"
    )
    assert progress_line(50, 0, 50, 60.0).endswith("finished")


def test_key_changes_with_inputs_and_code(tmp_path, monkeypatch):
    from analysis.core import paths

    folder = tmp_path / "somewhere"
    folder.mkdir()
    (folder / "council.yaml").write_text("name: A\n")
    monkeypatch.setattr(paths, "council_dir", lambda slug: folder)
    council = batch_councils.BatchCouncil(
        "somewhere", "A", "E06000001", "UA", ("benchmark", "summary"), "latest", True
    )
    key = council_key(council, "public", "abc")
    assert council_key(council, "public", "abc") == key
    assert council_key(council, "public", "abd") != key
    assert council_key(council, "other", "abc") != key
    (folder / "council.yaml").write_text("name: B\n")
    assert council_key(council, "public", "abc") != key


def test_national_headline_reads_the_councils_own_tables(tmp_path):
    tables = tmp_path / "pack" / "tables"
    tables.mkdir(parents=True)
    pd.DataFrame(
        {"year": [2015, 2016], "indicator": ["reserves_to_nre_ratio"] * 2, "value": [0.2, 0.25]}
    ).to_csv(tables / "benchmark_resilience.csv", index=False)
    pd.DataFrame(
        {"year": [2016, 2016, 2016], "diff_per_head_gbp": [3.0, -1.0, float("nan")]}
    ).to_csv(tables / "benchmark_positions.csv", index=False)
    pd.DataFrame(
        {
            "section": ["vfm", "vfm"],
            "measure": ["review_priority_rank"] * 2,
            "service": ["Highways", "Adult social care"],
            "value": [2.0, 1.0],
        }
    ).to_csv(tables / "summary_key_figures.csv", index=False)
    figures = national.headline(tmp_path / "pack")
    assert figures == {
        "reserves_to_nre": 0.25,
        "above_median": 1,
        "services": 2,
        "review": ["Adult social care", "Highways"],
    }
    outcome = {
        "slug": "a",
        "name": "A & B",
        "ons_code": "E06000001",
        "authority_class": "UA",
        "status": "ok",
        "period": "2016-17-Q4",
        "pack": str(tmp_path / "pack"),
        "seconds": 1.0,
        "reason": "",
    }
    failed = dict(outcome, slug="b", name="B", status="failed", pack="", reason="bad yaml\nmore")
    page = national.index_html([outcome, failed], tmp_path, 3.0)
    assert "A &amp; B" in page and '<a href="../pack/index.html">' in page
    assert "25.0%" in page and "1 of 2" in page and "Adult social care; Highways" in page
    assert "Failed: bad yaml" in page and "more" not in page.split("Failed: bad yaml")[1][:10]
    assert page.count("<h1") == 1 and "aria-sort" in national.SORT_SCRIPT


def test_the_workers_warm_up_for_a_council_that_reads_the_public_files_as_given():
    def council(slug):
        return batch_councils.BatchCouncil(
            slug, slug, "E06000001", "UA", ("benchmark",), "latest", True
        )

    councils = [council("own-panel"), council("plain"), council("other")]
    assert warm_council(councils, {"plain": {}, "other": {}}) == "plain"
    assert warm_council(councils, {}) is None
    public = paths.project_root().parent / "shared" / "data" / "public"
    # named as the pack's notebooks are given it, so that the warmed tables' keys match theirs
    assert warm_call("plain", str(public)) == (WARM_CALL, ["plain", "../shared/data/public"])
    assert warm_call(None, str(public)) is None
    assert warm_call("plain", None) is None
