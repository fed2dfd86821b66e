"""Build the quarterly pack: validate inputs, execute the notebooks, render, publish.

A pack for one council and period lands in ``<output-dir>/<council>/<period>/`` (another
scenario than ``base`` in ``<output-dir>/<council>/scenarios/<scenario>/<period>/``, see
:mod:`analysis.pack.publish`):

- one HTML report per notebook, self-contained, plus ``index.html`` (the cover);
- ``executed/``: the executed notebooks;
- ``tables/``: each notebook's key tables as tidy CSV;
- ``manifest.json``: git commit and dirtiness, parameters, SHA-256 of every input read,
  package versions, and each notebook's status and duration.

The pack is built in a scratch folder beside the destination, holding a lock for the council and
period, and published by an atomic rename only when every notebook succeeded, so a failed run
never touches the last good pack. A failed build is kept as ``<period>.failed/`` for diagnosis;
an interrupted or faulted one is removed.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from dataclasses import replace as with_changes
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from analysis import __version__
from analysis.core import config, paths, provenance
from analysis.core.config import Council
from analysis.core.errors import EnvironmentFault, InputError, display_path
from analysis.core.scenarios import title_in_folder
from analysis.core.schedule import resolve_period
from analysis.pack import catalogue
from analysis.pack.engine import Job, KernelPool, default_workers
from analysis.pack.execute import (
    DEFAULT_TIMEOUT_S,
    NotebookFailed,
    NotebookResult,
    ensure_kernel,
)
from analysis.pack.manifest import (
    environment_lock,
    git_state,
    manifest_inputs,
    package_versions,
    portable_path,
    unmatched_authorities,
)
from analysis.pack.publish import (
    DEFAULT_LOCK_WAIT_S,
    check_replace,
    keep_failed,
    pack_directory,
    pack_lock,
    prepare_root,
    publish,
    reclaim,
    scratch_folder,
)
from analysis.pack.validate import Prechecked, validate_all
from analysis.pack.workbook import write_workbook

if TYPE_CHECKING:
    # Imported as the first notebooks start (nbconvert: a tenth of a second that would
    # otherwise come before the inputs are checked and the kernels asked for).
    from analysis.pack.render import PageInfo


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


@dataclass(frozen=True)
class PackRequest:
    """What pack to build: the council, period and scenario, which notebooks, where from and
    where to, and the limits of the run."""

    council: str
    period: str = "latest"
    scenario: str = "base"
    notebooks: list[str] | None = None
    output_root: Path | None = None
    public_data: Path | None = None
    timeout_s: int = DEFAULT_TIMEOUT_S
    replace: bool = False
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S
    manifest_extra: dict = field(default_factory=dict)


@dataclass
class _Run:
    """A build under way: the request, what was resolved from it, and the run's helpers."""

    request: PackRequest
    specs: list
    output_root: Path
    public_data: Path | None
    pool: KernelPool
    progress: Callable[[str], None]
    after_render: Callable[[Path, list[NotebookResult]], None] | None
    prechecked: dict[str, Prechecked]
    started: float
    loaded: Council | None = None
    resolved: object = None
    inputs: dict = field(default_factory=dict)
    build: Path | None = None
    destination: Path | None = None


def build_pack(
    request: PackRequest | str,
    *args,
    progress: Callable[[str], None] = lambda message: None,
    after_render: Callable[[Path, list[NotebookResult]], None] | None = None,
    pool: KernelPool | None = None,
    prechecked: dict[str, Prechecked] | None = None,
    parallel: int | None = None,
    **fields,
) -> PackResult:
    """Validate, execute, render and publish the pack ``request`` asks for (a
    :class:`PackRequest`, or a council's name followed by the request's other fields). Raises
    InputError before running anything when inputs are wrong, EnvironmentFault when the pack
    cannot be written (leaving the last good pack and no scratch folder); returns a PackResult
    with ``ok=False`` when a notebook fails.

    ``pool`` is a :class:`KernelPool` to run on (a batch keeps one per worker); without one, the
    pack starts its own (``parallel`` workers) before checking the inputs, so the kernels start
    meanwhile. ``prechecked`` gives modules whose inputs were checked already (a batch checks
    the public files once, see :class:`~analysis.pack.validate.Prechecked`)."""

    started = time.perf_counter()
    if not isinstance(request, PackRequest):
        request = PackRequest(request, *args, **fields)
    elif args or fields:
        raise TypeError("give a PackRequest, or a council and the request's fields")
    if not request.timeout_s or request.timeout_s <= 0:
        raise InputError.single(
            "--timeout", f"must be a positive number of seconds (found {request.timeout_s})"
        )
    specs = catalogue.select_notebooks(request.notebooks)
    provenance.reset()
    own_pool = pool is None
    if own_pool:
        pool = KernelPool(parallel or default_workers(len(specs)), ensure_kernel(), svg_later=True)
    run = _Run(
        request=request,
        specs=specs,
        output_root=(
            Path(request.output_root).resolve() if request.output_root else paths.outputs_dir()
        ),
        public_data=Path(request.public_data).resolve() if request.public_data else None,
        pool=pool,
        progress=progress,
        after_render=after_render,
        prechecked=prechecked or {},
        started=started,
    )
    finished = False
    try:
        result = _checked_build(run)
        finished = True
        return result
    finally:
        if own_pool:
            pool.close(kill=not finished)


def _checked_build(run: _Run) -> PackResult:
    # 1. Inputs: everything is checked before any notebook runs (and before anything is written).
    request, specs, progress = run.request, run.specs, run.progress
    run.loaded = config.load_council(request.council)
    run.resolved = resolve_period(run.loaded, request.period)
    destination = pack_directory(run.output_root, request.council, run.resolved, request.scenario)
    run.destination = destination
    modules = tuple(dict.fromkeys(s.validates for s in specs if s.validates))
    if run.public_data is not None and not run.public_data.is_dir():
        raise InputError.single(str(run.public_data), "public data folder not found")
    check_replace(destination, [s.key for s in specs], request.replace)
    summaries = validate_all(
        run.loaded, run.resolved, request.scenario, run.public_data, modules, run.prechecked
    )
    for line in summaries:
        progress(f"  checked  {line}")
    run.inputs = manifest_inputs(provenance.inputs_read())

    # 2. One run at a time for this council and period; tidy what a killed run left.
    prepare_root(run.output_root, destination)
    with pack_lock(run.output_root, request.council, run.resolved, request.lock_wait_s, progress):
        for line in reclaim(destination):
            progress(f"  tidied   {line}")
        check_replace(destination, [s.key for s in specs], request.replace)
        run.build = scratch_folder(destination)
        try:
            return _build(run)
        except OSError as exc:
            raise EnvironmentFault.from_os_error(exc, destination.parent) from None
        finally:
            gc.unfreeze()  # what _while_kernels_start set aside is the collector's again
            if run.build.exists():  # an error, an interrupt: never leave a scratch folder
                shutil.rmtree(run.build, ignore_errors=True)


def _build(run: _Run) -> PackResult:
    """Execute, render and publish in ``run.build``; the caller holds the lock and cleans up."""
    loaded, resolved, scenario, specs = run.loaded, run.resolved, run.request.scenario, run.specs
    build, destination, pool, progress = run.build, run.destination, run.pool, run.progress
    public_data, inputs, timeout_s = run.public_data, run.inputs, run.request.timeout_s
    council = loaded.slug
    validated_at = time.perf_counter()
    (build / "executed").mkdir(parents=True)
    (build / "logs").mkdir()
    tables_dir = build / "tables"
    tables_dir.mkdir()
    # The notebooks run in the build folder, so the parameters they record are relative: the
    # executed notebooks do not disclose the machine's layout and do not differ run to run.
    parameters = {
        "council": council,
        "period": str(resolved),
        "scenario": scenario,
        "tables_dir": "tables",
        "public_data": portable_path(public_data) if public_data else "",
        # The library cannot change during a run: no checking every module before every cell.
        "autoreload": "off",
    }
    results = {s.key: NotebookResult(s.key, s.filename, s.title) for s in specs}
    failure: NotebookFailed | None = None

    # 2. Execute on fresh kernels, each stage's notebooks side by side. The summary (reads_pack)
    # runs once the others are done. This process renders a stage's reports when a core is
    # free of its notebooks: once fewer of them still run than there are cores, and the last
    # one's while the next stage runs (the summary, on one core). Rendered as each ended, they
    # took the cores from the MTFP report, which the summary waits for. The last stage's are
    # rendered as each ends.
    built = dt.datetime.now(dt.UTC).astimezone()
    git = git_state()
    reading = [results[k] for k in catalogue.READING_ORDER if k in results]
    for result in reading:
        result.html = f"{Path(result.notebook).stem}.html"
    page: PageInfo | None = None  # once the first notebooks are running (it imports nbconvert)
    rendering = 0.0
    waiting: list[NotebookResult] = []  # reports to render when a core is free
    cores = os.cpu_count() or 1
    stages = [[s for s in specs if not s.reads_pack], [s for s in specs if s.reads_pack]]
    stages = [stage for stage in stages if stage]
    for number, stage in enumerate(stages, start=1):
        if failure:
            continue
        jobs = [
            Job(s, build / "executed" / s.filename, parameters, timeout_s, workdir=build)
            for s in stage
        ]
        for job in jobs:
            progress(f"  running  {job.spec.filename}")
        outcomes = pool.run(jobs)
        if page is None:  # the first notebooks are starting
            _while_kernels_start()
            page = _page_info(reading, loaded, resolved, scenario, built, git, inputs)
        more = number < len(stages)
        if more:
            # The summary's kernel starts on the first worker free of this stage, while the
            # stage's last notebook still runs (it reads the pack, so it waits for them all).
            pool.prestart(build)
        rendering += _render_reports(build, waiting, page, progress)
        waiting = []
        for done, outcome in enumerate(outcomes, start=1):
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
            if not more:
                rendering += _render_reports(build, [result], page, progress)
                continue
            waiting.append(result)
            if done < len(jobs) and len(jobs) - done < cores:
                rendering += _render_reports(build, waiting, page, progress)
                waiting = []
    rendered_at = time.perf_counter()
    table_names = sorted(p.name for p in tables_dir.glob("*.csv"))
    write_workbook(tables_dir)  # tables.xlsx beside tables/, for finance teams
    # The SVGs the kernels write after their notebooks (the last report's while this process
    # rendered its page and wrote the workbook).
    for spec, error in pool.charts_written():
        result = results[spec.key]
        result.status, result.error = "failed", f"its charts were not saved as SVG: {error}"
        failure = failure or NotebookFailed(
            spec, None, result.error, build / "executed" / spec.filename, ran=True
        )
        progress(f"  FAILED   {spec.filename}: {result.error}")
    for result in results.values():
        prefix = f"{result.key}_"
        result.tables = [t for t in table_names if t.startswith(prefix)]

    timings = {
        "validate_s": round(validated_at - run.started, 2),
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
        "parameters": parameters,
        "notebooks_run": [s.key for s in specs],
        "inputs": inputs,
        "packages": package_versions(),
        "environment_lock": environment_lock(),
        "notebooks": [asdict(r) for r in reading],
        "tables": table_names,
        "unmatched_authorities": unmatched_authorities(tables_dir),
        "status": "failed" if failure else "ok",
        **run.request.manifest_extra,
    }
    if not failure:
        from analysis.pack.cover import write_cover

        write_cover(build, manifest)
        if run.after_render is not None:
            run.after_render(build, reading)
    timings["total_s"] = round(time.perf_counter() - run.started, 2)
    manifest["timings"] = timings
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")

    # 4. Publish atomically, or keep the failed build (with the kernels' logs) for diagnosis.
    if failure:
        pool.copy_logs(build / "logs")
        failed = keep_failed(build, destination)
        kept = (
            "the last good pack is untouched" if destination.exists() else "no earlier pack existed"
        )
        message = (
            f"{failure}\nThe executed notebook is kept for diagnosis: "
            f"{display_path(failed / 'executed' / failure.spec.filename)}\n"
            f"({kept}: {display_path(destination)})"
        )
        return PackResult(
            council,
            str(resolved),
            scenario,
            failed,
            list(results.values()),
            timings,
            ok=False,
            message=message,
        )
    shutil.rmtree(build / "logs")  # the kernels' start-up chatter is not for readers
    publish(build, destination)
    return PackResult(council, str(resolved), scenario, destination, reading, timings, True)


def _while_kernels_start() -> None:
    """What this process would otherwise do for the first time once every notebook is done,
    done while the first kernels start: the import of the workbook's writer (0.04 s) and the
    look-up of the installed packages' versions for the manifest (0.01 s).

    nbconvert's first page (compiling its templates and parsers, 0.2 s) is not rendered ahead
    any more: the first report is now rendered once a core is free of the notebooks, so that
    work takes free time, where ahead of it, it took the cores from the first notebooks'
    start (the default pack 0.04-0.07 s sooner without it, two rounds of 14 runs)."""
    import xlsxwriter  # noqa: F401

    package_versions()  # read once a process

    # Set aside from the collector what this process holds now (the modules, the checked
    # inputs): while the notebooks run, a full collection here would scan it all
    # (70 ms, holding up the threads that feed the kernels). Given back when the build ends.
    gc.freeze()


def _page_info(reading, loaded, resolved, scenario, built, git, inputs) -> PageInfo:
    """The header, navigation and footer every report of the pack shares."""
    from analysis.pack.render import PageInfo, build_label

    nav = [{"title": "Cover", "href": "index.html"}] + [
        {"title": r.title, "href": r.html} for r in reading
    ]
    return PageInfo(
        council=loaded.name,
        committee=loaded.committee,
        period_label=resolved.label,
        scenario=title_in_folder(loaded.folder, scenario),
        built=built.strftime("%d %B %Y %H:%M %Z"),
        build=f"{build_label(git)}, analysis {__version__}",
        nav=nav,
        footer=(
            f"Built from {len(inputs)} input files for {loaded.name}, {resolved.description}, "
            f"scenario: {title_in_folder(loaded.folder, scenario)}. How this pack was built: "
            "see the cover."
        ),
    )


def _render_reports(
    build: Path, results: list[NotebookResult], page: PageInfo, progress: Callable[[str], None]
) -> float:
    """Render ``results``' reports; the seconds it took."""
    seconds = 0.0
    for result in results:
        seconds += _render_report(build, result, page)
        progress(f"  rendered {result.html}")
    return seconds


def _render_report(build: Path, result: NotebookResult, page: PageInfo) -> float:
    """Render one executed notebook to its HTML page; returns the seconds it took."""
    from analysis.pack.render import render_notebook

    started = time.perf_counter()
    notebook = nbformat.read(build / "executed" / result.notebook, as_version=4)
    info = with_changes(
        page, nav=[dict(item, current=item["href"] == result.html) for item in page.nav]
    )
    (build / result.html).write_text(render_notebook(notebook, result.title, info), "utf-8")
    result.render_s = round(time.perf_counter() - started, 2)
    return result.render_s
