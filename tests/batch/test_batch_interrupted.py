"""A stopped batch leaves no scratch folder (issue 23 item 9): Ctrl-C on a batch ended its
workers with their packs half built and left ``.building-*`` beside the packs."""

from __future__ import annotations

import pytest

from analysis.batch import run
from analysis.batch.councils import BatchCouncil
from analysis.pack.publish import pack_lock


class _StoppedClient:
    """A client whose cluster is stopped by Ctrl-C as the batch starts."""

    closed = False

    def scheduler_info(self):
        raise KeyboardInterrupt

    def close(self):
        self.closed = True


class _Cluster:
    closed = False

    def close(self):
        self.closed = True


def _council(slug: str) -> BatchCouncil:
    return BatchCouncil(slug, slug.title(), "E06000059", "UA", ("savings",), "latest", False)


def _scratch(root, slug, period="2021-22-Q2", pid=4242):
    scratch = root / slug / f".building-{period}-{pid}"
    (scratch / "tables").mkdir(parents=True)
    (scratch / "tables" / "half.csv").write_text("a\n1\n")
    return scratch


def test_a_stopped_batch_removes_its_workers_scratch_folders(tmp_path, monkeypatch):
    client, cluster = _StoppedClient(), _Cluster()
    monkeypatch.setattr(run, "_client", lambda scheduler, workers: (client, cluster))
    good = tmp_path / "york" / "2021-22-Q1"
    good.mkdir(parents=True)
    (good / "index.html").write_text("the last good pack")
    _scratch(tmp_path, "york")
    _scratch(tmp_path, "york", period="2021-22-Q1", pid=1)
    _scratch(tmp_path, "dorset")
    said = []
    with pytest.raises(KeyboardInterrupt):
        run.run_batch([_council("york"), _council("dorset")], tmp_path, None, progress=said.append)
    assert client.closed and cluster.closed
    assert sorted(tmp_path.rglob(".building-*")) == []
    assert (good / "index.html").read_text() == "the last good pack"
    assert any("removed .building-2021-22-Q2-4242" in line for line in said)


def test_a_scratch_folder_of_a_run_still_building_is_left_to_it(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "_client", lambda scheduler, workers: (_StoppedClient(), None))
    scratch = _scratch(tmp_path, "york")
    with pack_lock(tmp_path, "york", "2021-22-Q2", wait_s=0), pytest.raises(KeyboardInterrupt):
        run.run_batch([_council("york")], tmp_path, None)
    assert scratch.is_dir()


def test_a_council_skipped_as_unchanged_reclaims_a_killed_builds_scratch(tmp_path):
    """A batch killed (kill -9) during a --force build leaves scratch beside a pack whose key
    still matches: the next batch skips that council, and removes the scratch as it does."""
    import json

    from analysis.batch.worker import build_one

    pack = tmp_path / "york" / "2021-22-Q2"
    pack.mkdir(parents=True)
    manifest = {"status": "ok", "batch": {"key": "k1"}}
    (pack / "manifest.json").write_text(json.dumps(manifest))
    _scratch(tmp_path, "york")
    outcome = build_one(_council("york"), "k1", str(tmp_path), None, force=False)
    assert outcome["status"] == "skipped"
    assert sorted(tmp_path.rglob(".building-*")) == [] and (pack / "manifest.json").is_file()


class _WaitingClient(_StoppedClient):
    """A client whose packs never finish: the batch waits for them."""

    def scheduler_info(self):
        return {"workers": {"w1": {}}}

    def register_plugin(self, plugin, name=None):
        pass

    def submit(self, *args, **kwargs):
        return object()


class _NeverDone:
    """Dask's as_completed over packs that are still being built."""

    def __init__(self, futures, with_results=False):
        self.futures, self.looked = futures, 0

    def is_empty(self):
        return False

    def has_ready(self):
        self.looked += 1
        assert self.looked < 100, "the batch went on waiting after the stop"
        return False


def test_a_stop_python_dropped_ends_the_batchs_wait(tmp_path, monkeypatch):
    """A SIGTERM whose KeyboardInterrupt Python dropped (raised inside a finalizer) still stops
    the batch, which tidies as for Ctrl-C."""
    import contextlib
    import signal
    import time

    import dask.distributed

    from analysis.core import stops

    client = _WaitingClient()
    monkeypatch.setattr(run, "_client", lambda scheduler, workers: (client, None))
    monkeypatch.setattr(dask.distributed, "as_completed", _NeverDone)
    _scratch(tmp_path, "york")
    stops.forget()
    with contextlib.suppress(KeyboardInterrupt):
        stops.stop(signal.SIGTERM)  # as if raised where Python drops it
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        run.run_batch([_council("york")], tmp_path, None)
    assert time.perf_counter() - started < 5
    assert client.closed
    assert sorted(tmp_path.rglob(".building-*")) == []
