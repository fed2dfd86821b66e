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

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

from analysis import __version__, config, provenance
from analysis.config import Council
from analysis.errors import InputError
from analysis.periods import Period
from analysis.render import PageInfo, build_label, render_notebook

KERNEL_NAME = "council-finance"
DEFAULT_TIMEOUT_S = 600
KERNEL_START_ATTEMPTS = 3


@dataclass(frozen=True)
class NotebookSpec:
    key: str
    filename: str
    title: str
    validates: str | None  # the module whose validate_inputs covers this notebook's inputs
    reads_pack: bool = False  # reads other notebooks' tables: runs after them


# Execution order: the analyses first, then the summary that reads their tables.
NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec(
        "mtfp", "01_mtfp_scenarios.ipynb", "Medium Term Financial Plan scenarios", "analysis.mtfp"
    ),
    NotebookSpec("savings", "02_savings_delivery.ipynb", "Savings delivery", "analysis.savings"),
    NotebookSpec(
        "benchmark",
        "03_vfm_benchmarking.ipynb",
        "Value for money benchmarking",
        "analysis.benchmark",
    ),
    NotebookSpec("summary", "00_summary.ipynb", "Quarterly finance summary", None, reads_pack=True),
)
# Reading order in the pack: the summary first.
READING_ORDER = ("summary", "mtfp", "savings", "benchmark")

PACKAGES_REPORTED = (
    "council-finance-analysis",
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "openpyxl",
    "pydantic",
    "pyyaml",
    "jinja2",
)


class NotebookFailed(Exception):
    """A notebook raised during execution."""

    def __init__(self, spec: NotebookSpec, cell: int | None, error: str, executed: Path):
        self.spec, self.cell, self.error, self.executed = spec, cell, error, executed
        where = f"cell {cell}" if cell is not None else "an unknown cell"
        super().__init__(f"notebook {spec.filename} failed in {where}: {error}")


@dataclass
class NotebookResult:
    key: str
    notebook: str
    title: str
    status: str = "not run"
    duration_s: float = 0.0
    render_s: float = 0.0
    html: str | None = None
    error: str | None = None
    tables: list[str] = field(default_factory=list)


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


# ---------------------------------------------------------------------------------------------
# Selecting notebooks


def select_notebooks(keys: list[str] | None) -> list[NotebookSpec]:
    """The notebooks to run, in execution order; unknown keys are a usage error."""
    known = {spec.key: spec for spec in NOTEBOOKS}
    if not keys:
        return list(NOTEBOOKS)
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(
            f"unknown notebook(s) {', '.join(unknown)}: choose from {', '.join(known)}"
        )
    return [spec for spec in NOTEBOOKS if spec.key in keys]


# ---------------------------------------------------------------------------------------------
# Execution


def ensure_kernel(kernel_name: str = KERNEL_NAME) -> str:
    """Make sure the project's kernel is registered for this Python; register it if not."""
    from jupyter_client.kernelspec import KernelSpecManager

    if kernel_name in KernelSpecManager().find_kernel_specs():
        return kernel_name
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            kernel_name,
            "--display-name",
            "Python (council-finance)",
        ],
        check=True,
        capture_output=True,
    )
    return kernel_name


@contextlib.contextmanager
def kernel_log(path: Path):
    """Send what the kernel process writes to stderr (its start-up chatter) to a log file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def execute_notebook(
    spec: NotebookSpec, destination: Path, parameters: dict, kernel_name: str, timeout_s: int
) -> float:
    """Run one notebook with papermill into ``destination``; returns seconds taken."""
    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    source = config.notebooks_dir() / spec.filename
    started = time.perf_counter()
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            return _papermill(
                source, destination, parameters, kernel_name, timeout_s, started, spec
            )
        except NotebookFailed as exc:
            # Two kernels starting at once can race for a port and die before running anything;
            # that is not the notebook's fault, so start it again.
            if attempt == KERNEL_START_ATTEMPTS or not _kernel_failed_to_start(exc.error):
                raise
    raise AssertionError("unreachable")


def _kernel_failed_to_start(error: str) -> bool:
    return (
        "Kernel died before replying to kernel_info" in error or "Address already in use" in error
    )


def _papermill(source, destination, parameters, kernel_name, timeout_s, started, spec) -> float:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        with kernel_log(destination.with_suffix(".kernel.log")):
            pm.execute_notebook(
                str(source),
                str(destination),
                parameters=parameters,
                kernel_name=kernel_name,
                execution_timeout=timeout_s,
                progress_bar=False,
                log_output=False,
                cwd=str(config.notebooks_dir()),
            )
    except PapermillExecutionError as exc:
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
        lines = [line for line in (exc.source or "").splitlines() if line.strip()]
        snippet = f" [cell starts: {lines[0].strip()[:80]}]" if lines else ""
        raise NotebookFailed(
            spec, cell, f"{exc.ename}: {exc.evalue}{snippet}", destination
        ) from None
    except Exception as exc:  # a timeout, a dead kernel
        raise NotebookFailed(spec, None, f"{type(exc).__name__}: {exc}", destination) from None
    return time.perf_counter() - started


def _execute_job(args: tuple) -> tuple[str, float | None, str | None, int | None]:
    """Process-pool wrapper: (key, seconds, error, cell)."""
    spec, destination, parameters, kernel_name, timeout_s = args
    try:
        return (
            spec.key,
            execute_notebook(spec, destination, parameters, kernel_name, timeout_s),
            None,
            None,
        )
    except NotebookFailed as exc:
        return spec.key, None, exc.error, exc.cell


def _run_stage(jobs: list[tuple], workers: int, progress: Callable[[str], None]):
    """Execute independent notebooks, up to ``workers`` at a time; yields outcomes as they end."""
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = []
            for job in jobs:
                progress(f"  running  {job[0].filename}")
                futures.append(pool.submit(_execute_job, job))
            for future in as_completed(futures):
                yield future.result()
    else:
        for job in jobs:
            progress(f"  running  {job[0].filename}")
            yield _execute_job(job)


# ---------------------------------------------------------------------------------------------
# Provenance


def git_state() -> dict:
    root = config.project_root()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {"commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES_REPORTED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _relative_input(path: str) -> str:
    p = Path(path)
    for base, label in ((config.project_root(), ""), (config.project_root().parent, "../")):
        try:
            return label + str(p.relative_to(base))
        except ValueError:
            continue
    return str(p)


# ---------------------------------------------------------------------------------------------
# The pack


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
) -> PackResult:
    """Validate, execute, render and publish a pack. Raises InputError before running anything
    when inputs are wrong; returns a PackResult with ``ok=False`` when a notebook fails."""
    from analysis.notebook import resolve_period
    from analysis.validate import validate_all

    started = time.perf_counter()
    # Notebooks run with notebooks/ as their working folder: pass them absolute paths.
    output_root = Path(output_root).resolve() if output_root else config.outputs_dir()
    public_data = Path(public_data).resolve() if public_data else None
    specs = select_notebooks(notebooks)
    provenance.reset()

    # 1. Inputs: everything is checked before any notebook runs.
    loaded: Council = config.load_council(council)
    resolved = resolve_period(loaded, period)
    modules = tuple(dict.fromkeys(s.validates for s in specs if s.validates))
    if public_data is not None and not Path(public_data).is_dir():
        raise InputError.single(str(public_data), "public data folder not found")
    summaries = validate_all(loaded, resolved, scenario, public_data, modules)
    for line in summaries:
        progress(f"  checked  {line}")
    inputs = {_relative_input(p): h for p, h in provenance.inputs_read().items()}
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
    kernel = ensure_kernel()
    results = {s.key: NotebookResult(s.key, s.filename, s.title) for s in specs}
    failure: NotebookFailed | None = None

    stages = [[s for s in specs if not s.reads_pack], [s for s in specs if s.reads_pack]]
    workers = parallel or max(1, min(2, os.cpu_count() or 1))
    for stage in stages:
        if not stage or failure:
            continue
        jobs = [(s, build / "executed" / s.filename, parameters, kernel, timeout_s) for s in stage]
        for key, seconds, error, cell in _run_stage(jobs, workers, progress):
            spec = next(s for s in stage if s.key == key)
            result = results[key]
            if error is None:
                result.status, result.duration_s = "ok", round(seconds, 2)
                progress(f"  done     {spec.filename} ({seconds:.1f} s)")
            else:
                result.status, result.error = "failed", error
                failure = failure or NotebookFailed(
                    spec, cell, error, build / "executed" / spec.filename
                )
                where = f" (cell {cell})" if cell is not None else ""
                progress(f"  FAILED   {spec.filename}{where}: {error}")
    executed_at = time.perf_counter()

    # 3. Render the reports and the cover.
    built = dt.datetime.now(dt.UTC).astimezone()
    git = git_state()
    version = build_label(git)
    reading = [results[k] for k in READING_ORDER if k in results]
    for result in reading:
        result.html = f"{Path(result.notebook).stem}.html"
    nav = [{"title": r.title, "href": r.html} for r in reading if r.status == "ok"]
    if not failure:
        for result in reading:
            render_started = time.perf_counter()
            notebook = nbformat.read(build / "executed" / result.notebook, as_version=4)
            info = PageInfo(
                council=loaded.name,
                committee=loaded.committee,
                period_label=resolved.label,
                scenario=scenario,
                built=built.strftime("%d %B %Y %H:%M %Z"),
                build=f"{version}, analysis {__version__}",
                nav=[
                    dict(item, current=item["href"] == result.html)
                    for item in [{"title": "Cover", "href": "index.html"}, *nav]
                ],
                footer=(
                    f"Built from {len(inputs)} input files for {loaded.name}, {resolved.description}, "
                    f"scenario '{scenario}'. Provenance in manifest.json."
                ),
            )
            (build / result.html).write_text(render_notebook(notebook, result.title, info), "utf-8")
            result.render_s = round(time.perf_counter() - render_started, 2)
            progress(f"  rendered {result.html}")
    rendered_at = time.perf_counter()
    table_names = sorted(p.name for p in tables_dir.glob("*.csv"))
    for result in results.values():
        prefix = f"{result.key}_"
        result.tables = [t for t in table_names if t.startswith(prefix)]

    timings = {
        "validate_s": round(validated_at - started, 2),
        "execute_s": round(executed_at - validated_at, 2),
        "render_s": round(rendered_at - executed_at, 2),
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
        "unmatched_authorities": _unmatched(tables_dir),
        "status": "failed" if failure else "ok",
    }
    if not failure:
        from analysis.cover import write_cover

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


def _unmatched(tables_dir: Path) -> list[dict]:
    path = tables_dir / "benchmark_unmatched.csv"
    if not path.is_file():
        return []
    import pandas as pd

    frame = pd.read_csv(path)
    return json.loads(frame.to_json(orient="records"))
