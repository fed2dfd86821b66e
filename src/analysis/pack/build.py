"""Build the quarterly pack: validate inputs, execute the notebooks, render, publish.

A pack for one council and period lands in ``<output-dir>/<council>/<period>/``:

- one HTML report per notebook, self-contained, plus ``index.html`` (the cover);
- ``executed/``: the executed notebooks;
- ``tables/``: each notebook's key tables as tidy CSV;
- ``manifest.json``: git commit and dirtiness, parameters, SHA-256 of every input read,
  package versions, and each notebook's status and duration.

The pack is built in a scratch folder beside the destination and published by an atomic
rename only when every notebook succeeded, so a failed run never touches the last good pack.
A failed build is kept as ``<period>.failed/`` for diagnosis.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from analysis import __version__
from analysis.core import config, paths, provenance
from analysis.core.config import Council
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.core.schedule import resolve_period
from analysis.pack import catalogue
from analysis.pack.cover import write_cover
from analysis.pack.engine import Job, KernelPool
from analysis.pack.execute import (
    DEFAULT_TIMEOUT_S,
    NotebookFailed,
    NotebookResult,
    ensure_kernel,
)
from analysis.pack.manifest import (
    git_state,
    package_versions,
    relative_input,
    unmatched_authorities,
)
from analysis.pack.render import PageInfo, build_label, render_notebook
from analysis.pack.validate import validate_all


@dataclass
class PackResult:
    council: str
    period: str
    scenario: str
    directory: Path
    notebooks: list[NotebookResult]
    timings: dict[str, float]
    ok: bool
    message: str = ""


def pack_directory(output_root: Path, council: str, period: Period) -> Path:
    return output_root / council / str(period)


def build_pack(
    council: str,
    period: str = "latest",
    scenario: str = "base",
    notebooks: list[str] | None = None,
    output_root: Path | None = None,
    public_data: Path | None = None,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    parallel: int | None = None,
    progress: Callable[[str], None] = lambda message: None,
    after_render: Callable[[Path, list[NotebookResult]], None] | None = None,
    pool: KernelPool | None = None,
    manifest_extra: dict | None = None,
) -> PackResult:
    """Validate, execute, render and publish a pack. Raises InputError before running anything
    when inputs are wrong; returns a PackResult with ``ok=False`` when a notebook fails.

    ``pool`` is a :class:`KernelPool` to run on (a batch keeps one per worker); without one, the
    pack starts its own before checking the inputs, so the kernels warm up meanwhile.
    ``manifest_extra`` adds keys to the manifest (a batch records its key there)."""

    started = time.perf_counter()
    # Notebooks run with notebooks/ as their working folder: pass them absolute paths.
    output_root = Path(output_root).resolve() if output_root else paths.outputs_dir()
    public_data = Path(public_data).resolve() if public_data else None
    specs = catalogue.select_notebooks(notebooks)
    provenance.reset()
    own_pool = pool is None
    if own_pool:
        workers = parallel or max(1, min(2, os.cpu_count() or 1, len(specs)))
        pool = KernelPool(workers, ensure_kernel())
    try:
        return _build(
            council,
            period,
            scenario,
            specs,
            output_root,
            public_data,
            timeout_s,
            pool,
            progress,
            after_render,
            started,
            manifest_extra or {},
        )
    finally:
        if own_pool:
            pool.close()


def _build(
    council,
    period,
    scenario,
    specs,
    output_root,
    public_data,
    timeout_s,
    pool,
    progress,
    after_render,
    started,
    manifest_extra,
) -> PackResult:

    # 1. Inputs: everything is checked before any notebook runs.
    loaded: Council = config.load_council(council)
    resolved = resolve_period(loaded, period)
    modules = tuple(dict.fromkeys(s.validates for s in specs if s.validates))
    if public_data is not None and not Path(public_data).is_dir():
        raise InputError.single(str(public_data), "public data folder not found")
    summaries = validate_all(loaded, resolved, scenario, public_data, modules)
    for line in summaries:
        progress(f"  checked  {line}")
    inputs = {relative_input(p): h for p, h in provenance.inputs_read().items()}
    validated_at = time.perf_counter()

    # 2. Build in a scratch folder beside the destination.
    destination = pack_directory(output_root, council, resolved)
    destination.parent.mkdir(parents=True, exist_ok=True)
    build = destination.parent / f".building-{resolved}-{os.getpid()}"
    if build.exists():
        shutil.rmtree(build)
    (build / "executed").mkdir(parents=True)
    tables_dir = build / "tables"
    tables_dir.mkdir()
    parameters = {
        "council": council,
        "period": str(resolved),
        "scenario": scenario,
        "tables_dir": str(tables_dir),
        "public_data": str(public_data) if public_data else "",
    }
    results = {s.key: NotebookResult(s.key, s.filename, s.title) for s in specs}
    failure: NotebookFailed | None = None

    # 3. Execute on warm kernels, each stage's notebooks side by side; render each report
    # while the others still run. The summary (reads_pack) runs once the others are done.
    built = dt.datetime.now(dt.UTC).astimezone()
    git = git_state()
    version = build_label(git)
    reading = [results[k] for k in catalogue.READING_ORDER if k in results]
    for result in reading:
        result.html = f"{Path(result.notebook).stem}.html"
    nav = [{"title": "Cover", "href": "index.html"}] + [
        {"title": r.title, "href": r.html} for r in reading
    ]
    footer = (
        f"Built from {len(inputs)} input files for {loaded.name}, {resolved.description}, "
        f"scenario '{scenario}'. Provenance in manifest.json."
    )
    rendering = 0.0
    stages = [[s for s in specs if not s.reads_pack], [s for s in specs if s.reads_pack]]
    for stage in stages:
        if not stage or failure:
            continue
        jobs = [Job(s, build / "executed" / s.filename, parameters, timeout_s) for s in stage]
        for job in jobs:
            progress(f"  running  {job.spec.filename}")
        for outcome in pool.run(jobs):
            spec, result = outcome.spec, results[outcome.spec.key]
            if outcome.ok:
                result.status, result.duration_s = "ok", round(outcome.seconds, 2)
                progress(f"  done     {spec.filename} ({outcome.seconds:.1f} s)")
            else:
                result.status, result.error = "failed", outcome.error
                failure = failure or NotebookFailed(
                    spec, outcome.cell, outcome.error, build / "executed" / spec.filename
                )
                where = f" (cell {outcome.cell})" if outcome.cell is not None else ""
                progress(f"  FAILED   {spec.filename}{where}: {outcome.error}")
            if failure:
                continue
            render_started = time.perf_counter()
            notebook = nbformat.read(build / "executed" / result.notebook, as_version=4)
            info = PageInfo(
                council=loaded.name,
                committee=loaded.committee,
                period_label=resolved.label,
                scenario=scenario,
                built=built.strftime("%d %B %Y %H:%M %Z"),
                build=f"{version}, analysis {__version__}",
                nav=[dict(item, current=item["href"] == result.html) for item in nav],
                footer=footer,
            )
            (build / result.html).write_text(render_notebook(notebook, result.title, info), "utf-8")
            result.render_s = round(time.perf_counter() - render_started, 2)
            rendering += result.render_s
            progress(f"  rendered {result.html}")
    rendered_at = time.perf_counter()
    table_names = sorted(p.name for p in tables_dir.glob("*.csv"))
    for result in results.values():
        prefix = f"{result.key}_"
        result.tables = [t for t in table_names if t.startswith(prefix)]

    timings = {
        "validate_s": round(validated_at - started, 2),
        "execute_s": round(rendered_at - validated_at - rendering, 2),
        "render_s": round(rendering, 2),
    }
    manifest = {
        "council": council,
        "council_name": loaded.name,
        "period": str(resolved),
        "scenario": scenario,
        "built_at": built.isoformat(timespec="seconds"),
        "git": git,
        "analysis_version": __version__,
        "parameters": parameters | {"tables_dir": "tables"},
        "notebooks_run": [s.key for s in specs],
        "inputs": inputs,
        "packages": package_versions(),
        "notebooks": [asdict(r) for r in reading],
        "tables": table_names,
        "unmatched_authorities": unmatched_authorities(tables_dir),
        "status": "failed" if failure else "ok",
        **manifest_extra,
    }
    if not failure:
        write_cover(build, manifest)
        if after_render is not None:
            after_render(build, reading)
    timings["total_s"] = round(time.perf_counter() - started, 2)
    manifest["timings"] = timings
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")

    # 4. Publish atomically, or keep the failed build for diagnosis.
    if failure:
        failed = destination.parent / f"{resolved}.failed"
        if failed.exists():
            shutil.rmtree(failed)
        build.rename(failed)
        kept = (
            "the last good pack is untouched" if destination.exists() else "no earlier pack existed"
        )
        message = (
            f"{failure}\nThe executed notebook is kept for diagnosis: "
            f"{failed / 'executed' / failure.spec.filename}\n({kept}: {destination})"
        )
        return PackResult(
            council,
            str(resolved),
            scenario,
            failed,
            list(results.values()),
            timings,
            False,
            message,
        )
    publish(build, destination)
    return PackResult(council, str(resolved), scenario, destination, reading, timings, True)


def publish(build: Path, destination: Path) -> None:
    """Replace ``destination`` with ``build`` by renames, so readers never see half a pack."""
    previous = destination.parent / f".previous-{destination.name}-{os.getpid()}"
    if destination.exists():
        destination.rename(previous)
    build.rename(destination)
    if previous.exists():
        shutil.rmtree(previous)
    stale_failure = destination.parent / f"{destination.name}.failed"
    if stale_failure.exists():
        shutil.rmtree(stale_failure)
