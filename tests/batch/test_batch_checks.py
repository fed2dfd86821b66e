"""The batch-wide checks of issue 19 (one comparison per page, the proposed list re-derived, no
rank among nils, no percentage of a nil or negative figure): they catch each fault on hand-made
tables, and hold for a small batch of every class (two districts, one with a comparator that
made no 2023-24 return; a metropolitan district, Birmingham, which made none itself; a London
borough, a county and a unitary)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.batch.checks import check_batch, check_tables
from analysis.cli import main
from analysis.core import paths

ROOT = Path(__file__).resolve().parents[2]
SMALL_BATCH = "E07000234,E07000223,E08000025,E09000007,E10000008,E06000057"


def positions_row(line, service, value, median, mad, rank, fraction, spend):
    return {
        "year": 2023,
        "line": line,
        "service": service,
        "net_expenditure_gbp_k": spend,
        "net_expenditure_per_head_gbp": value,
        "comparator_median_per_head_gbp": median,
        "diff_from_median_fraction": fraction,
        "mad": mad,
        "cost_rank": rank,
        "n_comparators_with_data": 10,
    }


def write_tables(folder: Path, **changes) -> Path:
    tables = folder / "pack" / "2023-24-Q4" / "tables"
    tables.mkdir(parents=True)
    # housing £20 against £10 (100%, 2 MADs): proposed; roads net income against net income.
    positions = pd.DataFrame(
        [
            positions_row(490, "Housing", 20.0, 10.0, 5.0, 1.0, 1.0, 900.0),
            positions_row(290, "Roads", -2.0, -8.0, 3.0, 2.0, float("nan"), -100.0),
        ]
    )
    priorities = pd.DataFrame(
        {
            "line": [490, 290],
            "service": ["Housing", "Roads"],
            "proposed": [True, False],
            "n_sets_with_data": [3, 3],
            "n_sets_above_median": [3, 3],
            "n_measures_below_median": [0, 0],
            "n_measures_above_median": [0, 0],
            "not_proposed_because": ["", "net income: ..."],
        }
    )
    trend = pd.DataFrame(
        {
            "year": 2023,
            "line": [490, 290],
            "council_per_head_gbp": [20.0, -2.0],
            "comparator_median_per_head_gbp": [10.0, -8.0],
            "n_comparators_with_data": 10,
            "cost_rank": [1.0, 2.0],
        }
    )
    frames = {"positions": positions, "priorities": priorities, "trends": trend}
    for name, change in changes.items():
        change(frames[name])
    for name, frame in frames.items():
        frame.to_csv(tables / f"benchmark_{name}.csv", index=False)
    return tables


def checks_failing(tmp_path, **changes) -> set[str]:
    return {p["check"] for p in check_tables(write_tables(tmp_path, **changes))}


def test_the_checks_hold_on_true_tables_and_catch_each_fault(tmp_path):
    assert checks_failing(tmp_path / "a") == set()

    def percent_of_net_income(f):
        f.loc[1, "diff_from_median_fraction"] = 0.75

    def nil_ranked(f):
        f.loc[1, "net_expenditure_per_head_gbp"] = 0.0

    def other_median(f):
        f.loc[0, "comparator_median_per_head_gbp"] = 12.0

    def not_proposed(f):
        f.loc[0, "proposed"] = False

    def no_reason(f):
        f.loc[1, "not_proposed_because"] = ""

    assert checks_failing(tmp_path / "b", positions=percent_of_net_income) == {
        "no percentage of a non-positive figure"
    }
    assert "no rank among zeros" in checks_failing(tmp_path / "c", positions=nil_ranked)
    assert checks_failing(tmp_path / "d", trends=other_median) == {"one comparator set"}
    failing = checks_failing(tmp_path / "e", priorities=not_proposed)
    assert failing == {"proposed list re-derived", "a reason for every service"}
    assert checks_failing(tmp_path / "f", priorities=no_reason) == {"a reason for every service"}


def test_the_summary_s_published_reserves_are_checked_against_the_resilience_table(tmp_path):
    tables = write_tables(tmp_path)
    pd.DataFrame(
        {
            "year": [2022, 2023],
            "indicator": "reserves_to_nre_ratio",
            "value": [1.2, 1.565292],
            "comparator_median_value": [1.8, 2.112876],
            "rank": [9.0, 11.0],
            "n_ranked": [16, 16],
        }
    ).to_csv(tables / "benchmark_resilience.csv", index=False)

    def messages(text: str) -> set[str]:
        pd.DataFrame({"section": ["gap"], "message": [text], "report": ["benchmark"]}).to_csv(
            tables / "summary_messages.csv", index=False
        )
        return {p["problem"] for p in check_tables(tables)}

    true = (
        "At 31 March 2024 the council's usable reserves were 156.5% of its net revenue "
        "expenditure for 2023-24 (published outturn), against a comparator median of 211.3% "
        "(rank 11 of 16, 1 = highest); the Medium Term Financial Plan report ... was not run."
    )
    assert messages(true) == set()
    assert messages(true.replace("156.5%", "120.0%")) == {"the sentence does not give 156.5%"}
    assert messages(true.replace("rank 11", "rank 9")) == {
        "the sentence does not give rank 11 of 16"
    }


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    paths.project_root.cache_clear()
    yield root
    paths.project_root.cache_clear()


@pytest.mark.slow
@pytest.mark.public_data
def test_a_batch_of_every_class_passes_the_checks(project, shared_public):
    out = project / "outputs"
    args = ["batch", "--councils", SMALL_BATCH, "--public-data", str(shared_public)]
    args += ["--notebooks", "benchmark,summary", "--output-dir", str(out), "--workers", "1"]
    assert main(args) == 0
    tables = sorted(out.glob("*/*/tables"))
    assert len(tables) == 6
    problems = check_batch(out)
    assert problems.empty, problems.to_string()
    # Not vacuous: the district leaves out the county's services; Birmingham is on 2016-17.
    bromsgrove = next(t for t in tables if t.parts[-3] == "bromsgrove")
    absent = pd.read_csv(bromsgrove / "benchmark_not_compared.csv")
    assert {190, 330, 360, 390} <= set(absent["line"])
    messages = pd.read_csv(bromsgrove / "summary_messages.csv")
    gap = messages[messages["section"] == "gap"]
    assert list(gap["report"]) == ["benchmark"]  # the reserves check had a sentence to check
    birmingham = next(t for t in tables if t.parts[-3] == "birmingham")
    assert set(pd.read_csv(birmingham / "benchmark_positions.csv")["year"]) == {2016}
    page = (birmingham.parent / "03_vfm_benchmarking.html").read_text("utf-8")
    assert "made no Revenue Outturn return for 2023-24" in page
    # The summary says so too, once, before its first figure from the benchmarking.
    said = pd.read_csv(birmingham / "summary_messages.csv")
    older = said[said["message"].str.contains("figures here are for 2016-17", regex=False)]
    assert len(older) == 1 and older.iloc[0]["report"] == "benchmark"
    assert older.index[0] == said.index[said["report"] == "benchmark"][0]
