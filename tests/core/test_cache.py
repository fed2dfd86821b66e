"""The one cache of derived tables: keyed on each input's SHA-256, the code and the parameters."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import cache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setattr(cache, "cache_dir", lambda: where)
    cache.clear_memory()
    yield where
    cache.clear_memory()


def _builder(frame: pd.DataFrame):
    calls: list[int] = []

    def build() -> pd.DataFrame:
        calls.append(1)
        return frame.copy()

    return build, calls


def test_built_once_then_from_memory_then_from_disk(folder, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("a\n1\n")
    frame = pd.DataFrame({"code": ["E1", "E2"], "value": [1.5, 2.0]})
    build, calls = _builder(frame)
    first = cache.derived("kind", [source], build, code="c1")
    again = cache.derived("kind", [source], build, code="c1")
    assert calls == [1]
    cache.clear_memory()  # a new process
    from_disk = cache.derived("kind", [source], build, code="c1")
    assert calls == [1]
    for got in (first, again, from_disk):
        pd.testing.assert_frame_equal(got, frame)
    assert len(list(folder.glob("kind-*.parquet"))) == 1


def test_a_caller_changing_its_copy_changes_no_later_answer(folder):
    frame = pd.DataFrame({"value": [1.0, 2.0]})
    build, _ = _builder(frame)
    got = cache.derived("kind", [], build, code="c")
    got.loc[0, "value"] = -1.0
    pd.testing.assert_frame_equal(cache.derived("kind", [], build, code="c"), frame)


@pytest.mark.parametrize("change", ["file", "code", "params", "kind"])
def test_any_change_of_input_code_or_parameters_builds_again(folder, tmp_path, change):
    source = tmp_path / "in.csv"
    source.write_text("a\n1\n")
    build, calls = _builder(pd.DataFrame({"value": [1.0]}))
    cache.derived("kind", [source], build, code="c", params=[2023])
    if change == "file":
        source.write_text("a\n2\n")  # same size, new content: a new SHA-256
    args = {
        "kind": "other" if change == "kind" else "kind",
        "code": "c2" if change == "code" else "c",
        "params": [2022] if change == "params" else [2023],
    }
    cache.derived(args["kind"], [source], build, code=args["code"], params=args["params"])
    assert calls == [1, 1]


def test_a_table_parquet_would_change_is_kept_in_memory_only(folder):
    mixed = pd.DataFrame({"value": pd.Series([1, "two", 3.5], dtype=object)})
    build, calls = _builder(mixed)
    pd.testing.assert_frame_equal(cache.derived("mixed", [], build, code="c"), mixed)
    assert not list(folder.glob("*.parquet")) and not list(folder.glob("*.part"))
    cache.clear_memory()
    cache.derived("mixed", [], build, code="c")
    assert calls == [1, 1]


def test_a_damaged_file_is_built_again(folder):
    frame = pd.DataFrame({"value": [1.0]})
    build, calls = _builder(frame)
    cache.derived("kind", [], build, code="c")
    (stored,) = folder.glob("kind-*.parquet")
    stored.write_bytes(b"not parquet")
    cache.clear_memory()
    pd.testing.assert_frame_equal(cache.derived("kind", [], build, code="c"), frame)
    assert calls == [1, 1]
    pd.testing.assert_frame_equal(pd.read_parquet(stored), frame)  # written again


def test_a_folder_that_cannot_be_written_leaves_the_cache_in_memory(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    monkeypatch.setattr(cache, "cache_dir", lambda: blocked / "cache")
    cache.clear_memory()
    frame = pd.DataFrame({"value": [1.0]})
    build, calls = _builder(frame)
    pd.testing.assert_frame_equal(cache.derived("kind", [], build, code="c"), frame)
    cache.derived("kind", [], build, code="c")
    assert calls == [1]
    cache.clear_memory()


def test_the_disk_keeps_a_bounded_number_of_tables(folder, monkeypatch):
    monkeypatch.setattr(cache, "DISK_TABLES", 3)
    for n in range(5):
        cache.derived("kind", [], lambda n=n: pd.DataFrame({"v": [float(n)]}), code=str(n))
    assert len(list(folder.glob("*.parquet"))) == 3


def test_code_fingerprint_follows_the_source():
    assert cache.code_fingerprint("public_data") != cache.code_fingerprint("benchmarking")
    assert cache.code_fingerprint("public_data") == cache.code_fingerprint("public_data")
