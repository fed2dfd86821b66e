"""The benchmarking panel kept in memory between councils: never stale, never shared."""

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


def test_public_data_from_memory_records_the_same_inputs(shared_public, monkeypatch):
    council = config.load_council("bath-ne-somerset")
    settings = BenchmarkSettings()
    monkeypatch.setattr(panel_module, "_LOADED", {})
    provenance.reset()
    first = panel_module.load_panel(council, settings, shared_public)
    read_first = provenance.inputs_read()
    monkeypatch.setattr(panel_module, "_read_panel", _no_read)
    provenance.reset()
    again = panel_module.load_panel(council, settings, shared_public)
    assert provenance.inputs_read() == read_first
    assert again.key == first.key and again.source == first.source
    pd.testing.assert_frame_equal(again.history, first.history)
