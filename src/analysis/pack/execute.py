"""Running one notebook with papermill on the project's kernel, with a per-cell timeout, and
running a stage of notebooks two at a time.

The worker processes die with the run: each asks Linux to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``), and each kernel stops when its worker does (ipykernel watches its
parent). Workers ignore Ctrl-C, which the run handles: it stops them and cleans up once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core import paths
from analysis.pack.catalogue import NotebookSpec

KERNEL_NAME = "council-finance"


DEFAULT_TIMEOUT_S = 600


KERNEL_START_ATTEMPTS = 3


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
    spec: NotebookSpec,
    destination: Path,
    parameters: dict,
    kernel_name: str,
    timeout_s: int,
    workdir: Path | None = None,
) -> float:
    """Run one notebook with papermill into ``destination``, in ``workdir`` (the build folder,
    so relative parameters resolve there; default the notebooks folder); returns seconds taken.
    The kernel's start-up chatter goes to ``workdir/logs/`` when there is one."""
    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    source = paths.notebooks_dir() / spec.filename
    started = time.perf_counter()
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            return _papermill(
                source, destination, parameters, kernel_name, timeout_s, started, spec, workdir
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


def _papermill(
    source, destination, parameters, kernel_name, timeout_s, started, spec, workdir=None
) -> float:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    workdir = workdir or paths.notebooks_dir()
    logs = workdir / "logs" if (workdir / "logs").is_dir() else destination.parent
    try:
        with kernel_log(logs / f"{Path(spec.filename).stem}.kernel.log"):
            pm.execute_notebook(
                str(source),
                str(destination),
                parameters=parameters,
                kernel_name=kernel_name,
                execution_timeout=timeout_s,
                progress_bar=False,
                log_output=False,
                cwd=str(workdir),
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
    finally:
        _relative_paths(destination, spec)
    return time.perf_counter() - started


def _relative_paths(executed: Path, spec: NotebookSpec) -> None:
    """papermill records where it read and wrote the notebook as absolute paths (the scratch
    folder of this build): record them relative to the project and the pack instead."""
    import nbformat

    if not executed.is_file():
        return
    notebook = nbformat.read(executed, as_version=4)
    recorded = notebook.metadata.get("papermill")
    if not recorded:
        return
    recorded["input_path"] = f"notebooks/{spec.filename}"
    recorded["output_path"] = f"executed/{spec.filename}"
    nbformat.write(notebook, executed)


def _execute_job(args: tuple) -> tuple[str, float | None, str | None, int | None]:
    """Process-pool wrapper: (key, seconds, error, cell)."""
    spec, destination, parameters, kernel_name, timeout_s, workdir = args
    try:
        return (
            spec.key,
            execute_notebook(spec, destination, parameters, kernel_name, timeout_s, workdir),
            None,
            None,
        )
    except NotebookFailed as exc:
        return spec.key, None, exc.error, exc.cell


PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: ignore Ctrl-C (the run handles it) and die when the run dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the run died before the signal was asked for
        os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now (their kernels follow); used on Ctrl-C and errors."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_stage(jobs: list[tuple], workers: int, progress: Callable[[str], None]):
    """Execute independent notebooks, up to ``workers`` at a time; yields outcomes as they end."""
    if workers > 1 and len(jobs) > 1:
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            futures = []
            for job in jobs:
                progress(f"  running  {job[0].filename}")
                futures.append(pool.submit(_execute_job, job))
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            _stop_workers(pool)
            raise
        pool.shutdown(wait=True)
    else:
        for job in jobs:
            progress(f"  running  {job[0].filename}")
            yield _execute_job(job)
