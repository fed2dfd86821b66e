"""The benchmarking panel kept in the cache between councils and kernels: never stale, never
shared."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.benchmarking import panel as panel_module
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core import config, provenance
from analysis.core.errors import InputError


@pytest.fixture
def council(tmp_path):
    dorset = config.load_council("dorset")
    shutil.copytree(dorset.folder / "benchmark", tmp_path / "benchmark")
    return dorset.model_copy(update={"folder": tmp_path})


def _no_read(*args, **kwargs):
    raise AssertionError("read the files again although none changed")


def test_second_load_is_a_private_copy_from_memory(council, monkeypatch):
    settings = BenchmarkSettings()
    provenance.reset()
    first = panel_module.load_panel(council, settings, None)
    read_first = provenance.inputs_read()
    expected = first.copy()
    assert first.key is not None
    first.rs.loc[first.rs.index[0], "value"] = -1.0  # a caller changing its own copy
    first.history["extra"] = 1
    first.notes.append("changed")
    monkeypatch.setattr(panel_module, "_read_panel", _no_read)
    provenance.reset()
    again = panel_module.load_panel(council, settings, None)
    # The manifest lists the same inputs either way.
    assert provenance.inputs_read() == read_first
    for name in ("rs", "population", "neighbours", "performance", "history"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(expected, name))
    assert again.notes == [] and again.key == first.key
    again.history.loc[again.history.index[0], "value"] = -2.0
    third = panel_module.load_panel(council, settings, None)
    pd.testing.assert_frame_equal(third.history, expected.history)
    assert (again.illustrative, again.source) == (expected.illustrative, expected.source)


def test_a_changed_file_is_read_again(council):
    settings = BenchmarkSettings()
    first = panel_module.load_panel(council, settings, None)
    path = council.folder / "benchmark" / "rs.csv"
    frame = pd.read_csv(path)
    frame.loc[0, "value"] = frame.loc[0, "value"] + 1  # same size or not: a new digest
    frame.to_csv(path, index=False)
    again = panel_module.load_panel(council, settings, None)
    assert again.key != first.key
    assert again.rs["value"].iloc[0] == pytest.approx(first.rs["value"].iloc[0] + 1)
    # Not illustrative any more: a new key too (the source text says so).
    (council.folder / "benchmark" / "ILLUSTRATIVE.md").unlink()
    plain = panel_module.load_panel(council, settings, None)
    assert not plain.illustrative and plain.key != again.key


def test_settings_are_checked_on_every_load(council):
    panel_module.load_panel(council, BenchmarkSettings(), None)
    with pytest.raises(InputError, match="no comparators are given"):
        panel_module.load_panel(council, BenchmarkSettings(comparator_method="list"), None)
    (council.folder / "benchmark" / "neighbours.json").unlink()
    with pytest.raises(InputError, match="no nearest-neighbour list"):
        panel_module.load_panel(council, BenchmarkSettings(), None)


def test_national_figures_are_kept_per_panel_and_never_stale(council):
    from analysis.benchmarking.national import national_for
    from analysis.benchmarking.positions import unit_costs

    settings = BenchmarkSettings()
    panel = panel_module.load_panel(council, settings, None)
    year = int(panel.rs["year"].max())
    national = national_for(panel)
    costs, _ = national.unit_costs(year)
    pd.testing.assert_frame_equal(costs, unit_costs(panel.rs, panel.population, year)[0])
    # The caller's frames are its own: changing them (or the panel) changes no later answer.
    costs.loc[costs.index[0], "net_expenditure_per_head_gbp"] = -1.0
    panel.rs.loc[panel.rs.index[0], "value"] = -1.0
    panel.rs.loc[panel.rs.index[0], "name"] = "Changed by a caller"
    again = national_for(panel_module.load_panel(council, settings, None))
    assert "Changed by a caller" not in set(again.names()["name"])  # first asked for now
    pd.testing.assert_frame_equal(again.unit_costs(year)[0], unit_costs(*_fresh(council), year)[0])
    # A changed input: a new panel key, so new figures.
    path = council.folder / "benchmark" / "rs.csv"
    frame = pd.read_csv(path)
    frame["value"] = frame["value"] * 2
    frame.to_csv(path, index=False)
    changed = national_for(panel_module.load_panel(council, settings, None))
    assert changed is not national
    pd.testing.assert_frame_equal(
        changed.unit_costs(year)[0], unit_costs(*_fresh(council), year)[0]
    )
    assert changed.unit_costs(year)[0]["net_expenditure_gbp_k"].sum() == pytest.approx(
        2 * national.unit_costs(year)[0]["net_expenditure_gbp_k"].sum()
    )


def _fresh(council):
    """rs and population read straight from the files (no memory)."""
    panel = panel_module._read_panel(council, BenchmarkSettings(), None)
    return panel.rs, panel.population


def test_national_figures_are_computed_once_per_panel_key(council, monkeypatch):
    """A second process (a fresh kernel) reads a kept figure from the cache on disk; a panel
    without a key computes it again."""
    from dataclasses import replace

    from analysis.benchmarking import national as national_module
    from analysis.core import cache

    panel = panel_module.load_panel(council, BenchmarkSettings(), None)
    year = int(panel.rs["year"].max())
    first = national_module.national_for(panel).unit_costs(year)[0]
    cache.clear_memory()  # as a new process would start
    calls = []
    real = national_module.unit_costs
    monkeypatch.setattr(national_module, "unit_costs", lambda *a: calls.append(1) or real(*a))
    again = national_module.national_for(panel).unit_costs(year)[0]
    assert calls == []
    pd.testing.assert_frame_equal(again, first)
    national_module.national_for(replace(panel, key=None)).unit_costs(year)
    assert calls == [1]


def test_a_run_from_memory_equals_a_run_from_the_files(council, monkeypatch):
    from analysis import benchmarking
    from analysis.core import cache

    benchmarking.run(council)
    again = benchmarking.run(council)  # panel and national figures from memory
    monkeypatch.setattr(cache, "cache_dir", lambda: council.folder / "empty-cache")
    cache.clear_memory()
    fresh = benchmarking.run(council)  # every figure computed again from the files
    for name in ("positions", "resilience", "performance", "quadrants", "priorities", "savings"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(fresh, name))
    found, expected = benchmarking.trends.for_result(again), benchmarking.trends.for_result(fresh)
    pd.testing.assert_frame_equal(found.trend, expected.trend)
    pd.testing.assert_frame_equal(found.strips, expected.strips)
    assert benchmarking.resilience.reserve_sentences(again) == (
        benchmarking.resilience.reserve_sentences(fresh)
    )


def test_public_data_from_memory_records_the_same_inputs(shared_public, monkeypatch):
    council = config.load_council("bath-ne-somerset")
    settings = BenchmarkSettings()
    provenance.reset()
    first = panel_module.load_panel(council, settings, shared_public)
    read_first = provenance.inputs_read()
    monkeypatch.setattr(panel_module, "_read_panel", _no_read)
    provenance.reset()
    again = panel_module.load_panel(council, settings, shared_public)
    assert provenance.inputs_read() == read_first
    assert again.key == first.key and again.source == first.source
    pd.testing.assert_frame_equal(again.history, first.history)
    # A fresh kernel (nothing in memory) reads the tables from the cache on disk, not the files.
    from analysis.core import cache

    cache.clear_memory()
    provenance.reset()
    fresh = panel_module.load_panel(council, settings, shared_public)
    assert provenance.inputs_read() == read_first
    for name in panel_module.PANEL_TABLES:
        found, expected = getattr(fresh, name), getattr(first, name)
        pd.testing.assert_frame_equal(found, expected)
        assert found.attrs == expected.attrs, name  # the successors' gaps travel with the panel


def test_a_new_process_reads_the_panel_from_the_cache_on_disk(council, monkeypatch):
    """Each notebook runs in a fresh kernel: the second reads the tables the first kept."""
    from analysis.core import cache

    monkeypatch.setattr(cache, "cache_dir", lambda: council.folder / "cache")
    settings = BenchmarkSettings()
    first = panel_module.load_panel(council, settings, None)
    cache.clear_memory()  # as a new process would start
    monkeypatch.setattr(panel_module, "_read_panel", _no_read)
    again = panel_module.load_panel(council, settings, None)
    for name in panel_module.PANEL_TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    assert (again.illustrative, again.source, again.key) == (
        first.illustrative,
        first.source,
        first.key,
    )
    kept = (council.folder / "cache").glob("benchmark-panel-*.parquet")
    assert sorted(p.name.split("-")[2] for p in kept) == [
        "history", "neighbours", "performance", "population", "rs",
    ]  # fmt: skip
