"""The panel cache is checked before it is trusted (issue 23): 40 of 60 single-bit flips read
back as other values without error; a cache rewritten with values x10 was published; a cache of
an older schema gave KeyError on every run until deleted."""

from __future__ import annotations

import json
import logging
import shutil

import pandas as pd
import pytest

from analysis.public_data import panel as panel_module

pytestmark = pytest.mark.public_data


@pytest.fixture
def built(shared_public, tmp_path):
    folder = tmp_path / "public"
    folder.mkdir()
    shutil.copy(shared_public / "council_tax" / "ctr_2122.xlsx", folder / "ctr_2122.xlsx")
    cache = tmp_path / "cache"
    panel_module._LOADED.clear()
    first = panel_module.load_panel(folder, cache)
    panel_module._LOADED.clear()  # the next load is a new process's: from the cache on disk
    (target,) = cache.glob("panel-*.parquet")
    return folder, cache, target, first


def _reload(folder, cache, caplog, monkeypatch, expect_rebuild: bool) -> pd.DataFrame:
    calls = []
    real = panel_module.build_panel
    monkeypatch.setattr(
        panel_module, "build_panel", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    with caplog.at_level(logging.WARNING, logger=panel_module.__name__):
        panel = panel_module.load_panel(folder, cache)
    panel_module._LOADED.clear()
    assert bool(calls) == expect_rebuild
    return panel


def test_a_good_cache_is_read_without_building(built, caplog, monkeypatch):
    folder, cache, target, first = built
    record = json.loads(target.with_suffix(".json").read_text())
    assert record["panel_version"] == panel_module.PANEL_VERSION and len(record["sha256"]) == 64
    again = _reload(folder, cache, caplog, monkeypatch, expect_rebuild=False)
    pd.testing.assert_frame_equal(again, first)
    assert not caplog.records


@pytest.mark.parametrize("offset", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_a_flipped_bit_is_rebuilt(built, caplog, monkeypatch, offset):
    folder, cache, target, first = built
    data = bytearray(target.read_bytes())
    data[int(len(data) * offset)] ^= 0x10
    target.write_bytes(bytes(data))
    again = _reload(folder, cache, caplog, monkeypatch, expect_rebuild=True)
    pd.testing.assert_frame_equal(again, first)
    assert "does not match its record" in caplog.text and "rebuilding" in caplog.text


def test_values_multiplied_and_rewritten_are_rebuilt(built, caplog, monkeypatch):
    folder, cache, target, first = built
    tampered = pd.read_parquet(target)
    tampered["value"] = tampered["value"] * 10
    tampered.to_parquet(target, index=False)
    again = _reload(folder, cache, caplog, monkeypatch, expect_rebuild=True)
    pd.testing.assert_frame_equal(again, first)
    assert "does not match its record" in caplog.text


def test_an_older_schema_is_rebuilt_not_a_key_error(built, caplog, monkeypatch):
    """A cache written before the record existed, with a column the code no longer has."""
    folder, cache, target, first = built
    first.drop(columns=["note"]).rename(columns={"value": "amount"}).to_parquet(target)
    target.with_suffix(".json").unlink()
    again = _reload(folder, cache, caplog, monkeypatch, expect_rebuild=True)
    pd.testing.assert_frame_equal(again, first)
    assert "has no record of its contents" in caplog.text


def test_a_record_of_an_older_version_is_rebuilt(built, caplog, monkeypatch):
    folder, cache, target, first = built
    path = target.with_suffix(".json")
    record = json.loads(path.read_text())
    record["panel_version"] = "1"
    path.write_text(json.dumps(record))
    _reload(folder, cache, caplog, monkeypatch, expect_rebuild=True)
    assert "older format" in caplog.text
    assert json.loads(path.read_text())["panel_version"] == panel_module.PANEL_VERSION
