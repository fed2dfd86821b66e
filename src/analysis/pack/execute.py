"""Running one notebook with papermill on the project's kernel, with a per-cell timeout, and
running a stage of notebooks two at a time.
"""

from __future__ import annotations

import contextlib
import os
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
    spec: NotebookSpec, destination: Path, parameters: dict, kernel_name: str, timeout_s: int
) -> float:
    """Run one notebook with papermill into ``destination``; returns seconds taken."""
    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    source = paths.notebooks_dir() / spec.filename
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
                cwd=str(paths.notebooks_dir()),
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
