"""Time the single pack against the hand workflow, and batches of councils; prints the figures.

    .venv/bin/python benchmarks/benchmark_batch.py                 # pack + batch of every council
    .venv/bin/python benchmarks/benchmark_batch.py --limit 40      # a sample, extrapolated to all
    .venv/bin/python benchmarks/benchmark_batch.py --class UA,SC   # some classes only
    .venv/bin/python benchmarks/benchmark_batch.py --pack-only     # only the single pack

Targets (2 cores, environment built, ../shared/data/public beside the checkout):
- the default four-report pack in under 8 s, and at least 5 times faster than the hand
  workflow a user would script (papermill then `jupyter nbconvert --no-input`, per notebook,
  two at a time), measured side by side here;
- every English authority of every class (317 in 2023-24) as benchmark-plus-summary packs in
  under 5 minutes on 2 workers (issue 19); a sample (--limit) prints the time it implies for all;
- memory per worker (the Dask worker process, its kernels' parent and its kernel) under 500 MB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis.core import paths

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def pack_once() -> float:
    """Wall time of `python -m analysis run` for the default pack, from a cold process."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "analysis", "run", "--output-dir", tmp],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        return time.perf_counter() - started


def hand_once() -> float:
    """Wall time of the workflow a user would script: papermill then nbconvert --no-input for
    each notebook, two at a time, then the summary."""
    notebooks = ROOT / "notebooks"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        tables = out / "tables"

        def one(name: str) -> None:
            executed = out / name
            subprocess.run(
                [
                    str(BIN / "papermill"),
                    str(notebooks / name),
                    str(executed),
                    "-k",
                    "council-finance",
                    "-p",
                    "tables_dir",
                    str(tables),
                    "-p",  # the pack's setting: no module checks before each cell
                    "autoreload",
                    "off",
                    "--cwd",
                    str(notebooks),
                ],
                check=True,
                capture_output=True,
            )
            subprocess.run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True,
                capture_output=True,
            )

        started = time.perf_counter()
        # Two always running, as `xargs -P 2` would keep them: the next report starts as soon as
        # either of the first two ends, and the summary, which reads their tables, after all.
        with ThreadPoolExecutor(max_workers=2) as pool:
            reports = [
                "01_mtfp_scenarios.ipynb",
                "02_savings_delivery.ipynb",
                "03_vfm_benchmarking.ipynb",
            ]
            list(pool.map(one, reports))
        one("00_summary.ipynb")
        return time.perf_counter() - started


def side_by_side(runs: int) -> tuple[list[float], list[float]]:
    """``runs`` timings of each, taken in turn (pack, hand workflow, pack, ...): this machine's
    speed drifts by a fifth within an hour, and alternating gives both the same drift."""
    ours, hand = [], []
    for _ in range(runs):
        ours.append(pack_once())
        hand.append(hand_once())
    return ours, hand


def pack_breakdown() -> None:
    from analysis.pack.build import build_pack

    with tempfile.TemporaryDirectory() as tmp:
        result = build_pack("dorset", output_root=Path(tmp))
        t = result.timings
        print(
            f"  in-process breakdown: checks {t['validate_s']:.2f} s (kernels warm up meanwhile), "
            f"notebooks {t['execute_s']:.2f} s, rendering {t['render_s']:.2f} s (overlapped), "
            f"total {t['total_s']:.2f} s"
        )
        for nb in result.notebooks:
            print(f"    {nb.notebook:<28} {nb.duration_s:5.2f} s run, {nb.render_s:5.2f} s render")


class MemorySampler:
    """Peak memory of each Dask worker process plus its kernels' parent and kernels, sampled
    every 0.5 s, as proportional set size: the kernels are forked from their parent and share
    its pages, and each shared page counts once, split among the processes that share it (the
    sum of their resident sizes would count it in each).

    Read with psutil in this process (the local cluster's worker processes are its children),
    so sampling sends nothing to the workers and runs no Dask client from a second thread."""

    def __init__(self, cluster):
        self.cluster, self._stop = cluster, threading.Event()
        self.peak: dict[int, int] = {}
        self.peak_worker: dict[int, int] = {}
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _pids(self) -> list[int]:
        return [n.pid for n in list(self.cluster.workers.values()) if getattr(n, "pid", None)]

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            for pid in self._pids():
                try:
                    worker = psutil.Process(pid)
                    own = worker.memory_full_info().pss
                    total = own
                    for child in worker.children(recursive=True):
                        try:
                            # The kernels and their parent only: a helper the worker starts
                            # (git, for the manifest) shows the worker's own pages until it
                            # execs.
                            if "analysis.pack.forked" in child.cmdline():
                                total += child.memory_full_info().pss
                        except psutil.Error:
                            pass  # a kernel that ended between listing and reading
                except psutil.Error:
                    continue  # a worker that ended
                self.peak[pid] = max(self.peak.get(pid, 0), total)
                self.peak_worker[pid] = max(self.peak_worker.get(pid, 0), own)
            self._stop.wait(0.5)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def batch(classes: list[str], workers: int, limit: int | None) -> None:
    """Time a batch of every council of ``classes`` (the first ``limit`` of them); print the
    rate, the time it implies for all of them, and memory per worker."""
    from analysis import benchmarking
    from analysis.batch.councils import prepare, select
    from analysis.batch.run import local_cluster, run_batch

    public = paths.shared_public_data()
    every = select(benchmarking.authorities(public), classes=classes)
    chosen = every.head(limit) if limit else every
    councils = prepare(chosen, "benchmark")
    with tempfile.TemporaryDirectory() as tmp:
        cluster = local_cluster(workers)
        try:
            with MemorySampler(cluster) as memory:
                report = run_batch(
                    councils, Path(tmp), public, scheduler=cluster.scheduler_address, force=True
                )
        finally:
            cluster.close()
    per_minute = len(councils) / report.seconds * 60
    peak = max(memory.peak.values(), default=0) / 1e6
    own = max(memory.peak_worker.values(), default=0) / 1e6
    print(
        f"  {','.join(classes)}: {len(councils)} councils on {workers} worker(s): "
        f"{report.seconds:.0f} s, {per_minute:.1f} councils a minute, "
        f"{report.count('failed')} failed; peak memory per worker with its kernel {peak:.0f} MB "
        f"(the worker process alone {own:.0f} MB; proportional set size, sampled every 0.5 s)"
    )
    if len(chosen) < len(every):
        minutes = len(every) / per_minute
        print(f"  at that rate all {len(every)} councils take about {minutes:.1f} min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--class", dest="classes", default="UA,MD,LB,SC,SD", help="classes (default: every one)"
    )
    parser.add_argument("--limit", type=int, default=0, help="at most this many councils")
    # Five, not three: on this machine the pack's time moves by a tenth of a second or more
    # from one run to the next (one set of five gave 4.54 to 5.20 times, run by run), and a
    # median of three moves with it.
    parser.add_argument(
        "--runs", type=int, default=5, help="runs of each for the pack medians, taken in turn"
    )
    parser.add_argument(
        "--workers", default="2", help="worker counts for the batch, e.g. 1,2 (default 2)"
    )
    parser.add_argument(
        "--skip-pack", action="store_true", help="only the batches (not the single pack)"
    )
    parser.add_argument(
        "--pack-only", action="store_true", help="only the single pack (not the batches)"
    )
    args = parser.parse_args()

    if not args.skip_pack:
        print("Default pack (dorset, four reports), wall time from a new process, median")
        ours_runs, hand_runs = side_by_side(args.runs)
        ours, hand = statistics.median(ours_runs), statistics.median(hand_runs)
        pairs = sorted(h / o for o, h in zip(ours_runs, hand_runs, strict=True))
        print(f"  python -m analysis run: {ours:.2f} s (target < 8 s)")
        print(f"  papermill + nbconvert --no-input, two at a time: {hand:.2f} s")
        print(
            f"  speed-up: {hand / ours:.2f} times (target at least 5); run by run, "
            f"{pairs[0]:.2f} to {pairs[-1]:.2f}"
        )
        pack_breakdown()

    if args.pack_only:
        return
    if paths.shared_public_data() is None:
        print("Batches: skipped (../shared/data/public not beside this checkout)")
        return
    print("Batches of benchmark-plus-summary packs")
    classes = [c.strip() for c in args.classes.split(",") if c.strip()]
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        batch(classes, workers, args.limit or None)


if __name__ == "__main__":
    main()
