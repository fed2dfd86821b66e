"""Fresh kernels, forked when a notebook comes: each notebook runs on a kernel of its own.

Starting a kernel and importing pandas, matplotlib and the library costs about 1.5 s of CPU; a
pack runs four notebooks and a batch runs hundreds. A :class:`KernelPool` starts one parent
process as soon as it is made (:mod:`.forked`), which imports those modules while the caller
checks the inputs; then ``workers`` threads take the notebooks from a queue, and for each one
fork a kernel from the parent in the notebook's working folder and hand it to papermill through
its documented engine interface (:mod:`.run_engine`: nbclient's ``km`` argument), which waits
for it to answer, runs the notebook, applies the per-cell timeout and closes its channels; the
thread then stops the kernel. Nothing is shared between notebooks but the modules the kernel
was forked with, which have run no notebook's code. A caller that knows a notebook will come
(a pack's summary, which waits for the other reports) says so with :meth:`KernelPool.prestart`:
the first worker with nothing to do starts that notebook's kernel ahead, in the notebook's folder,
and the notebook runs on it when it comes. Notebooks queued together run side by side, the first
ahead of the others (:meth:`KernelPool.run`).

Every wait has an end: a kernel that cannot be started is tried again (then reported), one that
does not answer within :data:`START_TIMEOUT_S` fails its notebook, a cell that runs longer than
the notebook's timeout fails the notebook, and the caller's wait for an outcome notices a worker
that has died.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.utils import run_sync

from analysis.core import blas, paths, stops
from analysis.core.chart_files import LATER_VARIABLE
from analysis.core.errors import EnvironmentFault, display_path
from analysis.pack import forked, sockets
from analysis.pack.catalogue import NotebookSpec
from analysis.pack.execute import START_TIMEOUT_S

if TYPE_CHECKING:
    import nbformat

START_ATTEMPTS = 3
JOIN_TIMEOUT_S = 10  # for a worker to end once its kernels are killed
RUNTIME_SETTING = "JUPYTER_RUNTIME_DIR"


def kernel_environment() -> dict[str, str]:
    """The kernel's environment: this process's, with Arrow (which pandas uses for text)
    allocating through the system's malloc rather than its own pool, which keeps freed memory
    (about 40 MB less for a kernel holding the national panel; no slower here). A value set by
    the user is kept.

    glibc's malloc keeps its own settings. Setting ``MALLOC_TRIM_THRESHOLD_`` (as Dask does for
    its long-lived workers) also fixes the size above which each block is a fresh ``mmap`` at
    128 kB, so every large pandas array faults its pages in anew: a third of a batch kernel's
    system time, for no lower peak now that each kernel lives for one notebook.

    One BLAS thread a kernel (:mod:`analysis.core.blas`)."""
    env = dict(os.environ)
    env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    blas.one_thread(env)
    return env


# Settings for every kernel of a run, as IPython command-line options. A scheduled run keeps no
# input history: IPython would otherwise write each cell to the user's history database
# (``~/.ipython``), a file every kernel of a run (two at a time, and a batch's many) would open
# and write in turn, for a history no one recalls.
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)


class KernelStartFailed(RuntimeError):
    """The kernel could not be started (after retries)."""


def default_workers(notebooks: int, cores: int | None = None) -> int:
    """Kernels at once for a pack of ``notebooks`` notebooks on ``cores`` cores (default: this
    machine's): one more than the cores, and no more than the notebooks; one on a single core.

    The notebooks differ in length (the default pack's MTFP report takes twice its savings
    report): with a kernel for each core, the core that finishes first waits for its next kernel
    to start, then runs alone at the end of the stage. One kernel more keeps both cores busy to
    the end: the default pack's first three reports end about 0.4 s sooner on two cores."""
    cores = cores if cores is not None else os.cpu_count() or 1
    return max(1, min(notebooks, cores + 1 if cores > 1 else 1))


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
    """A kernel for one notebook, in the notebook's folder: forked from the pool's parent
    (``specs`` naming it), or started from the installed kernel spec (``specs`` None).

    An :class:`~jupyter_client.manager.AsyncKernelManager`, as nbclient expects: with it,
    nbclient's wait for a cell's reply ends at the cell's timeout (with a blocking manager the
    wait for the cell's output holds up the timer until the cell ends)."""

    def __init__(
        self,
        kernel_name: str,
        runtime: Path,
        specs: forked.ForkedSpecs | None,
        log=None,
        stopping: Callable[[], bool] = lambda: False,
        settings: dict[str, str] | None = None,
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
            client_class="analysis.pack.ready.ReadyClient",  # answers without a 0.2 s pause
            **({} if specs is None else {"kernel_spec_manager": specs}),
        )
        self._settings = (log, stopping)
        self._environment_settings = dict(settings or {})  # on top of kernel_environment()

    def start(self, cwd: Path) -> None:
        """Start the kernel in ``cwd`` (where its notebook's relative paths lead); raise
        KernelStartFailed when it cannot be (three attempts), or at once when the pool is
        stopping (it killed the kernel). The notebook's runner waits for it to answer."""
        log, stopping = self._settings
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                run_sync(self.km.start_kernel)(
                    cwd=str(cwd),
                    env={**kernel_environment(), **self._environment_settings},
                    extra_arguments=list(KERNEL_ARGUMENTS),
                    stderr=log,
                    stdout=log,
                )
                return
            except Exception as exc:  # the parent could not fork it: try again
                self.shutdown()
                if stopping():
                    raise KernelStartFailed("stopped while the kernel started") from None
                if attempt == START_ATTEMPTS:
                    raise KernelStartFailed(
                        f"the kernel '{self.km.kernel_name}' did not start: {exc}"
                    ) from None

    def write_later(self, timeout_s: float) -> str | None:
        """Have the kernel write the chart files its notebook left for later (at a lower
        priority, :data:`LATER_NICENESS`); None when it has, else what went wrong. Waits at
        most ``timeout_s``, and no longer once the pool is stopping."""
        _log, stopping = self._settings
        return run_sync(_write_later)(self.km, timeout_s, stopping)

    def kill(self) -> None:
        """Kill the kernel process at once (from any thread: a notebook running on it then
        fails as a dead kernel; the thread that ran it removes its files)."""
        with contextlib.suppress(Exception):
            run_sync(self.km.signal_kernel)(signal.SIGKILL)

    def lower_priority(self, by: int) -> None:
        """Run the kernel ``by`` steps of niceness below its priority now (at most the lowest,
        19); where the system cannot tell or set a process's priority, nothing changes."""
        pid = getattr(self.km.provisioner, "pid", None)
        if not pid or not hasattr(os, "setpriority"):
            return
        with contextlib.suppress(OSError):  # the kernel has gone: its notebook fails anyway
            now = os.getpriority(os.PRIO_PROCESS, pid)
            os.setpriority(os.PRIO_PROCESS, pid, min(19, now + by))

    def alive(self) -> bool:
        """Whether the kernel process is still running."""
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001 - a manager that cannot tell: not to be used
            return False

    def shutdown(self) -> None:
        """Stop the kernel and remove its connection files (in the thread that runs it)."""
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)


# What a kernel runs, after its notebook, to write the SVGs the notebook left for later
# (:data:`analysis.core.chart_files.LATER_VARIABLE`): at the lowest priority (19, whatever the
# kernel's was), below every notebook still running, into the time they leave (the pack's summary
# runs on one core). Ten steps below the kernel's own put the first report's SVGs level with the
# reports queued behind it (FOLLOWER_NICENESS), which the summary waits for: the default pack
# 0.03-0.05 s sooner at the lowest (paired, 10 runs).
LATER_NICENESS = 19

# How often a wait of the caller's thread looks for a stop it was not told of (stops.check).
STOP_CHECK_S = 0.25

# How much lower than the first the other notebooks queued with it run (KernelPool.run), so that
# the longest, which the summary waits for, keeps its core. Measured once kernels shared the
# pool's session (before, a kernel's priority counted for nothing against another's): against
# 10, the default pack on two cores took 0.145 s longer at 0 and 0.065 s longer at 5, and the
# same at 19 (paired, 10 runs each).
FOLLOWER_NICENESS = 10
WRITE_LATER_CODE = (
    f"from analysis.core.chart_files import write_later\nwrite_later(niceness={LATER_NICENESS})"
)
LATER_POLL_S = 0.5


async def _write_later(km, timeout_s: float, stopping: Callable[[], bool]) -> str | None:
    """Run :data:`WRITE_LATER_CODE` on ``km``'s kernel (silently: nothing in any notebook) and
    wait for its reply on the shell channel; None when it succeeded, else the reason."""
    client = km.client()
    client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    try:
        msg_id = client.execute(WRITE_LATER_CODE, silent=True, store_history=False)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not stopping():
            try:
                reply = await client.get_shell_msg(timeout=LATER_POLL_S)
            except queue.Empty:
                if not await km.is_alive():
                    return "the kernel died before it wrote them"
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content.get("status") == "ok":
                return None
            return f"{content.get('ename', 'error')}: {content.get('evalue', '')}"
        return "stopped" if stopping() else f"not written within {timeout_s:g} s (--timeout)"
    finally:
        client.stop_channels()


@dataclass
class Job:
    spec: NotebookSpec
    destination: Path
    parameters: dict
    timeout_s: int
    workdir: Path | None = None
    niceness: int = 0  # its kernel runs this much below the pool's priority (KernelPool.run)


@dataclass
class _Prestart:
    """On the job queue: start a kernel for ``workdir`` if this worker has none waiting."""

    workdir: Path | None


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


_READY = threading.Lock()  # held while the first caller of _ready_to_run readies
_ready: list[bool] = []  # [True] once it has


def _ready_to_run() -> None:
    """What every runner needs before its first notebook, done once a process: the import of
    papermill and the engine (0.1 s), and nbformat's schema validator, which nbformat builds
    for the first notebook it reads or writes (0.03 s). The thread that queues the first jobs
    does it while their kernels start (a second or so); a runner whose kernel is ready sooner
    waits for it rather than doing it too. Left to the runners, each would import once its
    kernel was ready, and each would build the validator, all at once, holding up the first
    cells by 0.1-0.2 s."""
    with _READY:
        if _ready:
            return
        import nbformat

        import analysis.pack.run_engine  # noqa: F401 - papermill and nbclient

        nbformat.validate(nbformat.v4.new_notebook())
        _ready.append(True)


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
    """``workers`` threads running jobs from one queue, each notebook on a fresh kernel forked
    for it from the pool's parent process.

    The parent starts as soon as the pool is made, so its imports overlap whatever the caller
    does next (checking inputs). ``warm`` (a ``"module:function"`` and its arguments) is called
    once in the parent before the first kernel is forked (:func:`.forked.warm_up`; where kernels
    cannot be forked it is not called). Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        workers: int,
        kernel_name: str,
        cwd: Path | None = None,
        log_dir: Path | None = None,
        warm: tuple[str, list] | None = None,
        svg_later: bool = False,
    ):
        self.kernel_name = kernel_name
        # With svg_later, each kernel leaves its charts' SVGs until its notebook has ended, and
        # writes them (at a lower priority) once the notebook's outcome has been passed on:
        # a pack's next report need not wait for them. :meth:`charts_written` waits for them.
        self._kernel_settings = {LATER_VARIABLE: "1"} if svg_later else {}
        self._svg_later = svg_later
        self._writing = threading.Condition()
        self._unwritten = 0
        self._unwritten_errors: list[tuple[NotebookSpec, str]] = []
        self.cwd = cwd or paths.notebooks_dir()
        self.runtime = runtime_folder()
        sockets.remove_stale(self.runtime)
        self._own_logs = log_dir is None
        self.log_dir = (
            Path(tempfile.mkdtemp(prefix="council-finance-kernels-"))
            if log_dir is None
            else log_dir
        )
        # Where the system can fork a kernel and follow it (Linux), kernels are forked from a
        # parent; elsewhere each starts as the installed kernel spec says (a new Python).
        self.parent: forked.KernelParent | None = None
        self._specs: forked.ForkedSpecs | None = None
        if forked.supported():
            self._parent_log = open(self.log_dir / "kernel-parent.log", "ab")  # noqa: SIM115
            self.parent = forked.KernelParent(
                kernel_name,
                kernel_environment(),
                log=self._parent_log,
                timeout_s=START_TIMEOUT_S,
                warm=warm,
            )
            forked.register(self.parent)
            self._specs = forked.ForkedSpecs(parent_address=self.parent.address)
        self._kernels: set[StartedKernel] = set()
        self._lock = threading.Lock()
        self._stopping = False
        self._jobs: queue.Queue = queue.Queue()
        self._outcomes: queue.Queue = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _start(self, log, cwd: Path) -> tuple[StartedKernel | None, str | None]:
        kernel = StartedKernel(
            self.kernel_name,
            self.runtime,
            self._specs,
            log,
            stopping=lambda: self._stopping,
            settings=self._kernel_settings,
        )
        with self._lock:  # known to close() from now on, so that it can kill it while it starts
            self._kernels.add(kernel)
        try:
            kernel.start(cwd)
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

    def prestart(self, workdir: Path | None = None) -> None:
        """Say that a notebook will come for ``workdir`` (a pack's next stage): the first worker
        with nothing to do starts its kernel now, so that the notebook need not wait for one.
        The kernel has run nothing; a notebook for another folder gets a kernel of its own."""
        self._jobs.put(_Prestart(workdir))

    def _work(self, number: int) -> None:
        spare: tuple[StartedKernel, Path] | None = None  # started ahead (prestart), unused
        with open(self.log_dir / f"kernel-{number}.log", "ab") as log:
            try:
                while (job := self._jobs.get()) is not None:
                    if isinstance(job, _Prestart):
                        if spare is None and not self._stopping:
                            cwd = job.workdir or self.cwd
                            kernel, _error = self._start(log, cwd)  # failed: started again later
                            spare = (kernel, cwd) if kernel is not None else None
                        continue
                    if self._stopping:
                        self._outcomes.put(Outcome(job.spec, 0.0, "stopped before it started"))
                        continue
                    kernel, error = self._kernel_for(job, spare, log)
                    spare = None
                    if kernel is None:
                        self._outcomes.put(Outcome(job.spec, 0.0, error))
                        continue
                    if job.niceness:
                        kernel.lower_priority(job.niceness)
                    try:
                        outcome = self._run(kernel, job)
                        later = self._svg_later and outcome.ok
                        if later:
                            with self._writing:
                                self._unwritten += 1
                        self._outcomes.put(outcome)
                        if later:
                            self._write_later(kernel, job)
                    finally:
                        self._done_with(kernel)
            except BaseException as exc:  # never leave the caller waiting on a dead worker:
                self._outcomes.put(exc)  # the caller raises it (and this worker ends)
            finally:
                if spare is not None:
                    self._done_with(spare[0])

    def _kernel_for(
        self, job: Job, spare: tuple[StartedKernel, Path] | None, log
    ) -> tuple[StartedKernel | None, str | None]:
        """The kernel started ahead for the job's folder if there is one, else a new one."""
        cwd = job.workdir or self.cwd
        if spare is not None:
            kernel, folder = spare
            if folder == cwd and kernel.alive():
                return kernel, None
            self._done_with(kernel)
        return self._start(log, cwd)

    def _run(self, kernel: StartedKernel, job: Job) -> Outcome:
        _ready_to_run()  # the caller's thread is doing it, or has
        import papermill as pm

        from analysis.pack.run_engine import ENGINE_NAME

        started = time.perf_counter()
        source = paths.notebooks_dir() / job.spec.filename
        running: list = []
        try:
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

    def _write_later(self, kernel: StartedKernel, job: Job) -> None:
        """The kernel's charts left for later, written; a failure kept for
        :meth:`charts_written`."""
        try:
            error = kernel.write_later(job.timeout_s)
        except Exception as exc:  # noqa: BLE001 - reported as the notebook's failure
            error = repr(exc)
        with self._writing:
            self._unwritten -= 1
            if error:
                self._unwritten_errors.append((job.spec, error))
            self._writing.notify_all()

    def charts_written(self) -> list[tuple[NotebookSpec, str]]:
        """Wait until every notebook that has ended has written the charts it left for later
        (``svg_later``); each notebook whose charts could not be written, with the reason."""
        with self._writing:
            while self._unwritten:
                stops.check()
                self._writing.wait(timeout=STOP_CHECK_S)
                if self._unwritten and not any(t.is_alive() for t in self._threads):
                    raise RuntimeError("the notebook runners stopped before writing the charts")
            errors, self._unwritten_errors = self._unwritten_errors, []
        return errors

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Queue ``jobs`` on the pool now; the iterator returned yields each outcome as it
        ends. A worker that dies raises its error here rather than leaving the caller
        waiting.

        Jobs queued together on a pool of more than one worker run side by side, the first
        ahead of the others: their kernels run :data:`FOLLOWER_NICENESS` lower, so that where
        there are fewer cores than kernels they take the time the first leaves. Queue the
        longest first (the pack's catalogue lists its notebooks so)."""
        for number, job in enumerate(jobs):
            if number and len(self._threads) > 1:
                job = replace(job, niceness=max(job.niceness, FOLLOWER_NICENESS))
            self._jobs.put(job)
        _ready_to_run()  # while their kernels start (at once on a later call)
        return (self._next_outcome() for _ in jobs)

    def _next_outcome(self) -> Outcome:
        while True:
            stops.check()  # a stop the main thread's signal handler could not raise
            try:
                outcome = self._outcomes.get(timeout=STOP_CHECK_S)
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
            # closed); killed, its kernels are gone already. Daemon threads: a worker still
            # alive after the bound does not keep the process.
            thread.join(timeout=JOIN_TIMEOUT_S if kill else START_TIMEOUT_S * START_ATTEMPTS)
        if self.parent is not None:
            forked.unregister(self.parent)
            self.parent.close()
            self._parent_log.close()
        if self._own_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, kind, *exc) -> None:
        self.close(kill=kind is not None)
