"""Run a batch of council packs on Dask: a local cluster sized to the machine, or any cluster.

:func:`run_batch` hands each council to a Dask worker (:func:`analysis.batch.worker.build_one`),
shows progress as councils finish, and writes the national index and tables once all are done.
Without ``scheduler`` it starts a ``LocalCluster`` of one single-threaded worker process per core;
with ``scheduler="tcp://host:8786"`` it uses a cluster started elsewhere (``dask scheduler`` and
``dask worker`` on machines that share this project folder and the public data path, or any Dask
deployment: Kubernetes, an HPC queue).

Each council's key is the SHA-256 of what its pack depends on: the council's input files, the
public data files, the notebooks asked for, the period, and the code (git commit, plus the diff
when the tree has uncommitted changes). A rerun skips councils whose key matches their published
pack, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from distributed import WorkerPlugin

from analysis.batch.councils import BatchCouncil, council_files
from analysis.batch.worker import build_one, close_pools
from analysis.core import config, paths, stops
from analysis.core.errors import InputError
from analysis.core.provenance import sha256_of
from analysis.pack.publish import reclaim_council
from analysis.pack.validate import Prechecked


@dataclass
class BatchReport:
    outcomes: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    index: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o["status"] == status)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0


def code_state() -> str:
    """The code a pack is built with: the commit, and a hash of any uncommitted change."""
    root = paths.project_root()

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else ""

    commit = git("rev-parse", "HEAD").strip() or "unknown"
    diff = git("diff", "HEAD", "--", "src", "notebooks")
    return commit + ("+" + hashlib.sha256(diff.encode()).hexdigest()[:16] if diff else "")


def files_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(f"{path.name}:{sha256_of(path)}\n".encode())
    return digest.hexdigest()


def public_digest(public_data: Path | None) -> str:
    if public_data is None:
        return "none"
    return files_digest([p for p in Path(public_data).rglob("*") if p.is_file()])


def council_key(council: BatchCouncil, public: str, code: str) -> str:
    parts = {
        "council": council.slug,
        "notebooks": list(council.notebooks),
        "period": council.period,
        "inputs": files_digest(council_files(council.slug)),
        "public_data": public,
        "code": code,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def public_prechecks(
    councils: list[BatchCouncil], public_data: Path | None
) -> dict[str, dict[str, Prechecked]]:
    """Check the public files once for the whole batch (raises InputError when they are wrong,
    before any pack is built), and give each council whose benchmarking would read exactly them
    the result, so its worker does not load the national panel again. A council whose own
    settings ask for something else (other files, a comparator list) is left to check itself."""
    if public_data is None or not any("benchmark" in c.notebooks for c in councils):
        return {}
    from analysis import benchmarking

    check = benchmarking.public_check(public_data)
    out = {}
    for council in councils:
        if "benchmark" not in council.notebooks:
            continue
        try:
            loaded = config.load_council(council.slug)
            settings = benchmarking.load_settings(loaded)
        except InputError:
            continue  # the council's own check names the problem, and it fails alone
        if check.covers(settings, public_data):
            out[council.slug] = {"analysis.benchmarking": check.prechecked_for(loaded, settings)}
    return out


def warm_council(councils: list[BatchCouncil], prechecks: dict) -> str | None:
    """The first council whose benchmarking reads exactly the public files (the batch checked
    them for it): each worker's kernel parent reads the tables such councils share once, as a
    run for it would, before the worker's first kernel (:mod:`analysis.benchmarking.warm`)."""
    return next((c.slug for c in councils if c.slug in prechecks), None)


def progress_line(done: int, failed: int, total: int, elapsed_s: float) -> str:
    """'12/150 councils (1 failed), 138 remaining, 40.1 a minute, about 3 min 26 s left'."""
    remaining = total - done
    rate = done / elapsed_s * 60 if elapsed_s > 0 and done else 0.0
    if remaining and rate:
        left_s = round(remaining / rate * 60)
        left = f"about {left_s // 60} min {left_s % 60} s left"
    else:
        left = "finished" if not remaining else "estimating time left"
    failures = f" ({failed} failed)" if failed else ""
    return f"{done}/{total} councils{failures}, {remaining} remaining, {rate:.1f} a minute, {left}"


# Dask settings for the workers of a local cluster. Dask's statistical profiler samples each
# running task's stack every 10 ms and keeps a call tree per task: a pack task's deep stacks
# (nbclient, papermill, zmq) made each worker grow by about 0.5 MB a council, with nothing here
# reading them. A cluster started elsewhere takes the same setting from its workers'
# environment: DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False.
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}

# How often the batch looks for the next finished pack, and for a stop (stops.check).
STOP_POLL_S = 0.05


def local_cluster(workers: int | None = None):
    """A Dask ``LocalCluster`` for a batch: one single-threaded worker process per core (or
    ``workers``), set up with :data:`LOCAL_WORKER_CONFIG`."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set(LOCAL_WORKER_CONFIG):
        return LocalCluster(
            n_workers=workers or max(1, os.cpu_count() or 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )


def _client(scheduler: str | None, workers: int | None):
    from dask.distributed import Client

    if scheduler:
        return Client(scheduler), None
    cluster = local_cluster(workers)
    return Client(cluster), cluster


class ClosePools(WorkerPlugin):
    """Dask worker plugin: close the worker's kernel pools when the worker closes."""

    name = "council-finance-kernels"

    def teardown(self, worker) -> None:
        close_pools()


def run_batch(
    councils: list[BatchCouncil],
    output_root: Path,
    public_data: Path | None,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> BatchReport:
    """Build every council's pack on Dask; returns what happened to each."""
    from dask.distributed import as_completed

    started = time.perf_counter()
    output_root = Path(output_root).resolve()
    public = Path(public_data).resolve() if public_data else None
    public_hash, code = public_digest(public), code_state()
    keys = [council_key(c, public_hash, code) for c in councils]
    prechecks = public_prechecks(councils, public)
    warm = warm_council(councils, prechecks)
    report = BatchReport()
    client, cluster = _client(scheduler, workers)
    finished = False
    try:
        report.workers = len(client.scheduler_info()["workers"])
        client.register_plugin(ClosePools(), name=ClosePools.name)
        progress(f"Building {len(councils)} council packs on {report.workers} Dask workers")
        futures = [
            client.submit(
                build_one,
                council,
                key,
                str(output_root),
                str(public) if public else None,
                force,
                prechecks.get(council.slug),
                warm,
                key=f"pack-{council.slug}-{key[:12]}",
                pure=False,
            )
            for council, key in zip(councils, keys, strict=True)
        ]
        failed = 0
        completed = as_completed(futures, with_results=True)
        while not completed.is_empty():
            # A stop the main thread's signal handler could not raise ends the wait too
            # (analysis.core.stops); the next pack is looked for every STOP_POLL_S.
            stops.check()
            if not completed.has_ready():
                time.sleep(STOP_POLL_S)
                continue
            _future, outcome = next(completed)
            report.outcomes.append(outcome)
            failed += outcome["status"] == "failed"
            if outcome["status"] == "failed":
                progress(f"  FAILED {outcome['slug']}: {outcome['reason'].splitlines()[0]}")
            progress(
                "  "
                + progress_line(
                    len(report.outcomes), failed, len(councils), time.perf_counter() - started
                )
            )
        finished = True
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        if not finished:  # stopped (Ctrl-C, SIGTERM): no worker's scratch folder is left
            for council in councils:
                for line in reclaim_council(output_root, council.slug):
                    progress(f"  {line}")
    order = {c.slug: n for n, c in enumerate(councils)}
    report.outcomes.sort(key=lambda o: order[o["slug"]])
    report.seconds = round(time.perf_counter() - started, 2)
    return report
