"""Fresh kernels, started ahead: each notebook runs on a kernel of its own.

Starting a kernel and importing pandas, matplotlib and the library costs about two seconds; a
pack runs four notebooks and a batch runs hundreds. A :class:`KernelPool` has ``workers``
threads; each keeps one kernel started ahead of the notebook it will run (while the caller
checks the inputs, or while the previous notebook runs), with the library imported
(:data:`WARM_UP_CODE`). When a notebook comes, the kernel is moved to the notebook's working
folder and handed to papermill through its documented engine interface (:mod:`.run_engine`:
nbclient's ``km`` argument), which runs the notebook, applies the per-cell timeout and shuts the
kernel down. Nothing is shared between notebooks but the modules a fresh kernel imports anyway.

Every wait has an end: a kernel that does not answer within :data:`START_TIMEOUT_S` is
restarted (then reported), a cell that runs longer than the notebook's timeout fails the
notebook, and the caller's wait for an outcome notices a worker that has died.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.utils import run_sync

from analysis.core import paths
from analysis.core.errors import EnvironmentFault, display_path
from analysis.pack import sockets
from analysis.pack.catalogue import NotebookSpec
from analysis.pack.execute import START_TIMEOUT_S

if TYPE_CHECKING:
    import nbformat

START_ATTEMPTS = 3
JOIN_TIMEOUT_S = 10  # for a worker to end once its kernels are killed
RUNTIME_SETTING = "JUPYTER_RUNTIME_DIR"

# Run (silently, binding no name) in a kernel once it has started, before its notebook comes:
# the imports every notebook's setup cell makes, so that the notebook finds them done.
WARM_UP_CODE = """\
__import__("matplotlib.pyplot")
__import__("pandas")
__import__("analysis.benchmarking")
__import__("analysis.core.notebook")
__import__("analysis.mtfp")
__import__("analysis.savings")
__import__("analysis.summary")
"""


def kernel_environment() -> dict[str, str]:
    """The kernel's environment: this process's, with Arrow (which pandas uses for text)
    allocating through the system's malloc rather than its own pool, which keeps freed memory
    (about 40 MB less for a kernel holding the national panel; no slower here), and glibc's
    malloc handing freed memory back to the system above 64 kB, as Dask sets for its workers
    (about 35 MB less again). A value set by the user is kept."""
    env = dict(os.environ)
    env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    env.setdefault("MALLOC_TRIM_THRESHOLD_", "65536")
    return env


class KernelStartFailed(RuntimeError):
    """The kernel could not be started (after retries)."""


def default_workers(notebooks: int) -> int:
    """Kernels for a pack of ``notebooks`` notebooks: one a core, at most two, and no more than
    the notebooks."""
    return max(1, min(2, os.cpu_count() or 1, notebooks))


def runtime_folder() -> Path:
    """Jupyter's runtime folder (where the kernels' socket files go), made and checked writable
    here, in the calling thread: a folder that cannot be written is an environment fault naming
    the folder and the setting that moves it."""
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    try:
        runtime.mkdir(parents=True, exist_ok=True)
        probe = runtime / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise EnvironmentFault(
            display_path(runtime),
            f"the kernels' runtime folder cannot be written ({exc.strerror or exc}): set "
            f"{RUNTIME_SETTING} to a writable folder, e.g. {RUNTIME_SETTING}=/tmp/jupyter-runtime",
        ) from None
    return runtime


class StartedKernel:
    """A kernel started ahead of its notebook, with the library imported, for one notebook.

    An :class:`~jupyter_client.manager.AsyncKernelManager`, as nbclient expects: with it,
    nbclient's wait for a cell's reply ends at the cell's timeout (with a blocking manager the
    wait for the cell's output holds up the timer until the cell ends)."""

    def __init__(
        self,
        kernel_name: str,
        runtime: Path,
        cwd: Path,
        log=None,
        stopping: Callable[[], bool] = lambda: False,
    ):
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets (files in Jupyter's runtime folder): no TCP port to race for, and no
        # unencrypted-TCP warning from the kernel. Sockets and connection file are named
        # after this process, so a later run can clear them once it has gone (sockets.py).
        base = sockets.socket_base(runtime)
        self.km: AsyncKernelManager = AsyncKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            ip=base,
            connection_file=sockets.connection_file(base),
        )
        self._settings = (cwd, log, stopping)
        self._client = None

    def start(self) -> None:
        """Start the kernel and import the library in it; raise KernelStartFailed when it does
        not answer (three attempts, each bounded by :data:`START_TIMEOUT_S`), or at once when
        the pool is stopping (it killed the kernel). The client that sent the imports stays
        open for :meth:`move_to`."""
        cwd, log, stopping = self._settings
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                run_sync(self.km.start_kernel)(
                    cwd=str(cwd), env=kernel_environment(), stderr=log, stdout=log
                )
                self._client = self.km.client()
                self._client.start_channels(hb=False)
                run_sync(self._client.wait_for_ready)(timeout=START_TIMEOUT_S)
                self._run_code(WARM_UP_CODE)
                return
            except Exception as exc:  # a kernel that died at start-up: try again
                self.shutdown()
                if stopping():
                    raise KernelStartFailed("stopped while the kernel started") from None
                if attempt == START_ATTEMPTS:
                    raise KernelStartFailed(
                        f"the kernel '{self.km.kernel_name}' did not start: {exc}"
                    ) from None

    def _run_code(self, code: str) -> None:
        """Run ``code`` silently on the start-up client; raise if it fails."""
        reply = run_sync(self._client.execute_interactive)(
            code,
            silent=True,
            store_history=False,
            allow_stdin=False,
            timeout=START_TIMEOUT_S,
            output_hook=lambda message: None,  # nothing of it reaches the terminal
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def move_to(self, workdir: Path) -> None:
        """Make ``workdir`` the kernel's working folder (where its notebook's relative paths
        lead), then close the start-up client: the notebook's runner opens its own."""
        try:
            self._run_code(f"__import__('os').chdir({str(workdir)!r})\n")
        finally:
            self._close_client()

    def _close_client(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.stop_channels()
            self._client = None

    def alive(self) -> bool:
        return run_sync(self.km.is_alive)()

    def kill(self) -> None:
        """Kill the kernel process at once (from any thread: a notebook running on it then
        fails as a dead kernel; the thread that ran it removes its files)."""
        with contextlib.suppress(Exception):
            run_sync(self.km.signal_kernel)(signal.SIGKILL)

    def shutdown(self) -> None:
        """Stop the kernel and remove its connection files (in the thread that runs it)."""
        self._close_client()
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)


@dataclass
class Job:
    spec: NotebookSpec
    destination: Path
    parameters: dict
    timeout_s: int
    workdir: Path | None = None


@dataclass
class Outcome:
    spec: NotebookSpec
    seconds: float
    error: str | None = None
    cell: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _last_cell_run(notebook: nbformat.NotebookNode | None) -> tuple[int | None, str]:
    """The last cell papermill started before the notebook stopped (a cell that timed out, or
    was running when the kernel died): its number (execution count, else position) and first
    line."""
    last = None
    for index, cell in enumerate(notebook.cells if notebook is not None else []):
        if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
            last = index, cell
    if last is None:
        return None, ""
    index, cell = last
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return cell.get("execution_count") or index, (lines[0].strip()[:80] if lines else "")


def _failure(
    exc: Exception, notebook: nbformat.NotebookNode | None, timeout_s: int
) -> tuple[str, int | None]:
    """The error text and cell of a failed run, as the user should read them."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
        lines = [line for line in (exc.source or "").splitlines() if line.strip()]
        snippet = f" [cell starts: {lines[0].strip()[:80]}]" if lines else ""
        return f"{exc.ename}: {exc.evalue}{snippet}", cell
    cell, first = _last_cell_run(notebook)
    snippet = f" [cell starts: {first}]" if first else ""
    if isinstance(exc, CellTimeoutError):
        return (
            f"the cell ran longer than the {timeout_s} s limit (--timeout) and was stopped"
            f"{snippet}",
            cell,
        )
    if isinstance(exc, DeadKernelError):
        return f"the kernel died (out of memory, or killed){snippet}", cell
    return f"{type(exc).__name__}: {exc}", cell


def _write(notebook: nbformat.NotebookNode, job: Job) -> None:
    """Write the executed notebook, recording where papermill read and wrote it relative to the
    project and the pack (not the machine's absolute paths)."""
    import nbformat

    recorded = notebook.metadata.get("papermill")
    if recorded is not None:
        recorded["input_path"] = f"notebooks/{job.spec.filename}"
        recorded["output_path"] = f"executed/{job.spec.filename}"
    nbformat.write(notebook, job.destination)


class KernelPool:
    """``workers`` threads running jobs from one queue, each notebook on a fresh kernel that
    the thread started ahead of it.

    Kernels start in the background as soon as the pool is made, so their start-up overlaps
    whatever the caller does next (checking inputs). ``kernels`` bounds how many are started
    in all (a pack knows its notebooks). With ``start_ahead`` false, a worker starts its next
    kernel once the notebook before has ended and its kernel is stopped, rather than while it
    runs: one kernel a worker at a time (a batch worker's memory), its start overlapping the
    worker's own work between notebooks. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        workers: int,
        kernel_name: str,
        cwd: Path | None = None,
        log_dir: Path | None = None,
        kernels: int | None = None,
        start_ahead: bool = True,
    ):
        self.kernel_name = kernel_name
        self.start_ahead = start_ahead
        self.cwd = cwd or paths.notebooks_dir()
        self.runtime = runtime_folder()
        sockets.remove_stale(self.runtime)
        self._own_logs = log_dir is None
        self.log_dir = (
            Path(tempfile.mkdtemp(prefix="council-finance-kernels-"))
            if log_dir is None
            else log_dir
        )
        self._kernels: set[StartedKernel] = set()
        self._lock = threading.Lock()
        self._stopping = False
        self._left = kernels  # kernels still to start (None: no bound)
        self._jobs: queue.Queue = queue.Queue()
        self._outcomes: queue.Queue = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _ahead(self, log) -> _Ahead | None:
        """Start the next kernel in the background, unless the pool has started all it may."""
        with self._lock:
            if self._stopping or self._left == 0:
                return None
            if self._left is not None:
                self._left -= 1
        return _Ahead(self, log)

    def _start(self, log) -> tuple[StartedKernel | None, str | None]:
        kernel = StartedKernel(
            self.kernel_name, self.runtime, self.cwd, log, stopping=lambda: self._stopping
        )
        with self._lock:  # known to close() from now on, so that it can kill it while it starts
            self._kernels.add(kernel)
        try:
            kernel.start()
        except Exception as exc:  # noqa: BLE001 - reported as the notebook's failure
            self._done_with(kernel)
            return None, str(exc) if isinstance(exc, KernelStartFailed) else repr(exc)
        if self._stopping:  # stopped while it started
            self._done_with(kernel)
            return None, "stopped"
        return kernel, None

    def _done_with(self, kernel: StartedKernel) -> None:
        kernel.shutdown()
        with self._lock:
            self._kernels.discard(kernel)

    def _work(self, number: int) -> None:
        with open(self.log_dir / f"kernel-{number}.log", "ab") as log:
            ahead = self._ahead(log)
            try:
                while (job := self._jobs.get()) is not None:
                    if self._stopping:
                        self._outcomes.put(Outcome(job.spec, 0.0, "stopped before it started"))
                        continue
                    kernel, error = ahead.take() if ahead else self._start(log)
                    if kernel is not None and not kernel.alive():  # it died (out of memory?)
                        self._done_with(kernel)
                        kernel, error = self._start(log)
                    # The next notebook's kernel starts while this one runs; with one kernel a
                    # worker (start_ahead false), as soon as this one is stopped.
                    ahead = self._ahead(log) if self.start_ahead else None
                    if kernel is None:
                        self._outcomes.put(Outcome(job.spec, 0.0, error))
                        continue
                    try:
                        self._outcomes.put(self._run(kernel, job))
                    finally:
                        self._done_with(kernel)
                    if ahead is None:
                        ahead = self._ahead(log)
            except BaseException as exc:  # never leave the caller waiting on a dead worker:
                self._outcomes.put(exc)  # the caller raises it (and this worker ends)
            finally:
                # Stopping, a kernel still starting ahead was killed by close() and its own
                # thread removes it; one that had started is stopped here, as otherwise.
                if ahead is not None and (ahead.done() or not self._stopping):
                    kernel, _ = ahead.take()
                    if kernel is not None:
                        self._done_with(kernel)

    def _run(self, kernel: StartedKernel, job: Job) -> Outcome:
        import papermill as pm

        from analysis.pack.run_engine import ENGINE_NAME

        started = time.perf_counter()
        source = paths.notebooks_dir() / job.spec.filename
        running: list = []
        try:
            kernel.move_to(job.workdir or self.cwd)
            executed = pm.execute_notebook(
                str(source),
                None,
                parameters=job.parameters,
                kernel_name=self.kernel_name,
                engine_name=ENGINE_NAME,
                execution_timeout=job.timeout_s,
                start_timeout=START_TIMEOUT_S,
                progress_bar=False,
                log_output=False,
                km=kernel.km,
                on_start=running.append,
            )
        except Exception as exc:  # a failing cell, a timeout, a dead kernel
            notebook = running[0] if running else None
            error, cell = _failure(exc, notebook, job.timeout_s)
            if notebook is not None:
                with contextlib.suppress(OSError):  # the build folder may be gone (interrupt)
                    _write(notebook, job)
            return Outcome(job.spec, time.perf_counter() - started, error, cell)
        try:
            _write(executed, job)
        except OSError as exc:
            return Outcome(job.spec, time.perf_counter() - started, f"not saved: {exc}")
        return Outcome(job.spec, time.perf_counter() - started)

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Queue ``jobs`` on the pool now; the iterator returned yields each outcome as it
        ends. A worker that dies raises its error here rather than leaving the caller
        waiting."""
        for job in jobs:
            self._jobs.put(job)
        return (self._next_outcome() for _ in jobs)

    def _next_outcome(self) -> Outcome:
        while True:
            try:
                outcome = self._outcomes.get(timeout=1)
            except queue.Empty:
                if not any(thread.is_alive() for thread in self._threads):
                    raise RuntimeError("the notebook runners stopped without a result") from None
                continue
            if isinstance(outcome, BaseException):
                raise RuntimeError(f"a notebook runner failed: {outcome!r}") from outcome
            return outcome

    def copy_logs(self, folder: Path) -> None:
        """Copy the kernels' logs (their start-up chatter and errors) into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for log in sorted(self.log_dir.glob("kernel-*.log")):
            shutil.copy(log, folder / log.name)

    def close(self, kill: bool = False) -> None:
        """Stop the workers and their kernels; ``kill`` stops notebooks still running (an
        interrupt, an error) instead of waiting for them."""
        if kill:
            with self._lock:
                self._stopping = True
                kernels = list(self._kernels)
            for kernel in kernels:
                kernel.kill()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            # A worker ends once its notebooks have (their jobs are done when the pool is
            # closed) and the kernel it started ahead is stopped (each start attempt is
            # bounded); killed, its kernels are gone already. Daemon threads: a worker still
            # alive after the bound does not keep the process.
            thread.join(timeout=JOIN_TIMEOUT_S if kill else START_TIMEOUT_S * START_ATTEMPTS)
        if self._own_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, kind, *exc) -> None:
        self.close(kill=kind is not None)


class _Ahead:
    """A kernel starting in a thread of its own, for the notebook after the current one."""

    def __init__(self, pool: KernelPool, log):
        self._result: tuple[StartedKernel | None, str | None] = (None, "not started")
        self._thread = threading.Thread(target=self._start, args=(pool, log), daemon=True)
        self._thread.start()

    def _start(self, pool: KernelPool, log) -> None:
        self._result = pool._start(log)

    def done(self) -> bool:
        return not self._thread.is_alive()

    def take(self) -> tuple[StartedKernel | None, str | None]:
        """The kernel (or why there is none), once it has started: each attempt is bounded by
        :data:`START_TIMEOUT_S`."""
        self._thread.join(timeout=START_TIMEOUT_S * (START_ATTEMPTS + 1))
        if self._thread.is_alive():
            return None, f"the kernel did not start within {START_TIMEOUT_S * START_ATTEMPTS} s"
        return self._result
