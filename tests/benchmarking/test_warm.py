"""The warm-up a batch's kernel parent makes: the shared tables in memory, nothing else left."""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.benchmarking import panel as panel_module
from analysis.benchmarking import pipeline, report_finances, trends
from analysis.benchmarking.warm import warm
from analysis.core import cache, config, paths, provenance


def _never(*args, **kwargs):
    raise AssertionError("read from disk although the warm-up kept the table")


def test_after_the_warm_up_a_run_reads_nothing_from_disk_and_finds_the_same(monkeypatch):
    council = config.load_council("dorset")
    cold = pipeline.run(council, None)
    cold_trends, cold_finances = trends.for_result(cold), report_finances.for_result(cold)
    cache.clear_memory()
    provenance.reset()
    warm("dorset", "")
    assert provenance.inputs_read() == {}, "the warm-up leaves no record of files read"
    monkeypatch.setattr(cache, "_read", _never)
    monkeypatch.setattr(panel_module, "_read_panel", _never)
    again = pipeline.run(council, None)
    pd.testing.assert_frame_equal(again.positions, cold.positions)
    pd.testing.assert_frame_equal(again.resilience, cold.resilience)
    pd.testing.assert_frame_equal(trends.for_result(again).trend, cold_trends.trend)
    for field in dataclasses.fields(cold_finances):
        mine, theirs = (
            getattr(report_finances.for_result(again), field.name),
            getattr(cold_finances, field.name),
        )
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs)
        else:
            assert mine == theirs, field.name
    # the run's own inputs are still recorded, for its manifest
    assert provenance.inputs_read()


def test_the_warm_up_takes_the_public_folder_as_the_notebooks_do(monkeypatch):
    """The tables' keys include the folder as named: the warm-up names it as the pack's
    notebooks do (relative to the project), or it would keep tables no kernel looks up."""
    seen = []
    monkeypatch.setattr(pipeline, "run", lambda council, public, **kw: seen.append(public))
    monkeypatch.setattr(trends, "for_result", lambda result: None)
    monkeypatch.setattr(report_finances, "for_result", lambda result: None)
    warm("dorset", "../shared/data/public")
    warm("dorset", "")
    assert seen == [paths.project_root() / "../shared/data/public", None]
