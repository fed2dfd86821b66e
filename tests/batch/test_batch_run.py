"""Batches on real published data: a local Dask cluster, and a cluster started on loopback.

Each test builds in a scratch copy of the project (its notebooks and pyproject, a data/raw with
one council whose settings are broken), pointed to by ``COUNCIL_FINANCE_ROOT`` so the workers
and their kernels use it too.
"""

from __future__ import annotations

import html
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import benchmarking
from analysis.batch import national
from analysis.cli import main
from analysis.core import paths
from analysis.core.display import pct_text

pytestmark = [pytest.mark.slow, pytest.mark.public_data]

ROOT = Path(__file__).resolve().parents[2]
BROKEN = """\
name: Broken Town
ons_code: E06000023
authority_class: UA
minimum_general_fund_reserve: {percent_of_net_budget: 5}
directorates: [All services]
default_period: 2016-17-Q4
benchmark: {comparator_method: nonsense}
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "data" / "raw" / "broken-town").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "data" / "raw" / "broken-town" / "council.yaml").write_text(BROKEN)
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    paths.project_root.cache_clear()
    yield root
    paths.project_root.cache_clear()


def _report(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "national" / "batch_report.csv").set_index("slug")


def _same_figures_as_their_summaries(out: Path, slugs: list[str]) -> None:
    index = (out / "national" / "index.html").read_text("utf-8")
    report = _report(out)
    proposed = 0
    for slug in slugs:
        pack = out / slug / report.loc[slug, "period"]
        assert (pack / "index.html").is_file() and (pack / "00_summary.html").is_file()
        assert f'href="../{slug}/{report.loc[slug, "period"]}/index.html"' in index
        key = pd.read_csv(pack / "tables" / "summary_key_figures.csv")
        services = key[key["measure"] == "review_priority_rank"].sort_values("value")["service"]
        proposed += len(services)
        shown = "; ".join(services) or "None proposed"
        assert html.escape(shown) in index, slug
        summary = (pack / "00_summary.html").read_text("utf-8")
        for service in services:
            assert html.escape(service) in summary
        resilience = pd.read_csv(pack / "tables" / "benchmark_resilience.csv")
        reserves = resilience[resilience["indicator"] == "reserves_to_nre_ratio"]
        latest = reserves.sort_values("year")["value"].iloc[-1]
        shown = pct_text(latest, 1)
        assert shown in index and shown in summary, slug
    assert proposed, "some council has services proposed for review (the check is not vacuous)"
    reviews = pd.read_csv(out / "national" / "tables" / "national_benchmark_review_proposals.csv")
    assert len(reviews) == proposed
    for name in national.NATIONAL_TABLES:
        table = pd.read_parquet(out / "national" / "tables" / f"national_{name}.parquet")
        assert set(table["council"]) <= set(slugs)


def test_batch_on_a_local_cluster_isolates_failures_and_skips_unchanged(project, shared_public):
    out = project / "outputs"
    args = [
        "batch",
        "--councils",
        "E08000003,E10000003,broken-town",
        "--public-data",
        str(shared_public),
        "--output-dir",
        str(out),
        "--workers",
        "2",
    ]
    assert main(args) == 1, "one council failed"
    report = _report(out)
    assert report.loc["manchester", "status"] == "ok"
    assert report.loc["cambridgeshire", "status"] == "ok"
    assert report.loc["broken-town", "status"] == "failed"
    assert "comparator_method" in report.loc["broken-town", "reason"]
    _same_figures_as_their_summaries(out, ["manchester", "cambridgeshire"])
    # The public files were checked once for the batch; each manifest still lists them all.
    manifest = json.loads(
        (out / "manchester" / report.loc["manchester", "period"] / "manifest.json").read_text()
    )
    checked = benchmarking.public_check(shared_public)
    assert {Path(p).name for p, _ in checked.inputs} <= {Path(k).name for k in manifest["inputs"]}
    built = (out / "manchester" / report.loc["manchester", "period"] / "manifest.json").stat()

    assert main(args) == 1
    again = _report(out)
    assert list(again["status"]) == ["skipped", "skipped", "failed"]
    after = (out / "manchester" / report.loc["manchester", "period"] / "manifest.json").stat()
    assert after.st_mtime_ns == built.st_mtime_ns, "an unchanged council is not rebuilt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_batch_on_a_cluster_started_on_loopback(project, shared_public):
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = subprocess.Popen(
        [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from dask.distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5) as client:
                    if len(client.scheduler_info()["workers"]) == 2:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the test cluster did not start"
            time.sleep(0.5)
        out = project / "outputs"
        code = main(
            [
                "batch",
                "--councils",
                "E08000003,E10000003",
                "--public-data",
                str(shared_public),
                "--output-dir",
                str(out),
                "--scheduler",
                address,
            ]
        )
        assert code == 0
        assert list(_report(out)["status"]) == ["ok", "ok"]
        _same_figures_as_their_summaries(out, ["manchester", "cambridgeshire"])
    finally:
        for process in (workers, scheduler):
            process.terminate()
        for process in (workers, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_local_workers_run_without_dask_s_profiler():
    # The profiler kept a call tree per task: a worker grew by about 0.5 MB a council.
    import dask
    from dask.distributed import Client

    from analysis.batch.run import local_cluster

    cluster = local_cluster(1)
    try:
        with Client(cluster) as client:
            enabled = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
        assert list(enabled.values()) == [False]
    finally:
        cluster.close()
    # The setting is the workers' alone: this process's configuration is as it was.
    assert dask.config.get("distributed.worker.profile.enabled") is True
