"""Warm kernels: each worker keeps one kernel and runs notebook after notebook on it.

Starting a kernel and importing pandas, matplotlib and the library costs about two seconds a
notebook; a pack runs four and a batch runs hundreds. A :class:`KernelPool` starts its kernels
once (while the inputs are being checked), imports the library in them, and then runs each
notebook through papermill with the ``warm-kernel`` engine registered below. Between notebooks
the kernel's namespace is reset (:data:`RESET_CODE`): user variables, figures and the execution
count are as in a fresh kernel, while the imported modules, the autoreload extension (loaded once,
see :data:`WARM_UP_CODE`) and the library's caches of parsed public files stay warm.

Papermill writes nothing while it runs (no output path, so no save at every cell); the executed
notebook is written once, when it ends or fails.

Importing this module imports neither papermill nor nbformat (about a third of a second between
them), so a caller can start a pool's kernels first and import the rest while they warm up.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import paths
from analysis.pack import sockets
from analysis.pack.catalogue import NotebookSpec
from analysis.pack.execute import START_TIMEOUT_S

if TYPE_CHECKING:
    import nbformat

START_ATTEMPTS = 3

# Run in the kernel once it has started: the imports every notebook's setup cell makes, and
# the autoreload extension the notebooks load, loaded once for the kernel's life (loading it
# reads the source of every imported module: about 30 MB and a second each time). The
# notebooks' own "%load_ext autoreload" then finds it loaded; the kernel's %load_ext says
# nothing in that case, where IPython's prints a hint to use %reload_ext.
# Autoreload itself is then switched off and the notebooks' "%autoreload 2" does nothing: it is
# for an analyst editing the library in JupyterLab, and it checks every imported module before
# every cell (about 13 ms a cell here), while a pack's code does not change while it runs.
WARM_UP_CODE = """\
import matplotlib.pyplot
import pandas
import analysis.benchmarking, analysis.core.notebook, analysis.mtfp, analysis.savings, analysis.summary

def _quiet_load_ext(module_str):
    \"\"\"Load an IPython extension; quiet when it is loaded already.\"\"\"
    from IPython.core.error import UsageError

    if not module_str.strip():
        raise UsageError("Missing module name.")
    if get_ipython().extension_manager.load_extension(module_str.strip()) == "no load function":
        print(f"The {module_str} module is not an IPython extension.")

def _fixed_code_autoreload(line):
    \"\"\"Autoreload is off on a pack's kernel: the code does not change while a pack runs.\"\"\"

get_ipython().register_magic_function(_quiet_load_ext, "line", "load_ext")
get_ipython().run_line_magic("load_ext", "autoreload")
get_ipython().run_line_magic("autoreload", "off")
get_ipython().register_magic_function(_fixed_code_autoreload, "line", "autoreload")
del _quiet_load_ext, _fixed_code_autoreload
"""

# Run in the kernel before each notebook: back to a fresh kernel's namespace, figures and
# execution count; imported modules and loaded extensions stay.
RESET_CODE = """\
import matplotlib.pyplot
matplotlib.pyplot.close("all")
get_ipython().reset(new_session=True)
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


class WarmKernel:
    """One kernel, started once, that runs notebooks one after another."""

    def __init__(self, kernel_name: str, cwd: Path, log_path: Path | None = None):
        from jupyter_client.manager import KernelManager
        from jupyter_core.paths import jupyter_runtime_dir

        self.kernel_name = kernel_name
        self.cwd = cwd
        self.notebook: nbformat.NotebookNode | None = None
        self.runs = 0
        self._log = open(log_path, "ab") if log_path else None
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        sockets.remove_stale(runtime)
        for attempt in range(1, START_ATTEMPTS + 1):
            # IPC sockets (files in Jupyter's runtime folder): no TCP port to race for, and no
            # unencrypted-TCP warning from the kernel.
            self.km = KernelManager(
                kernel_name=kernel_name, transport="ipc", ip=sockets.socket_base(runtime)
            )
            self.kc = None
            try:
                self.km.start_kernel(
                    cwd=str(cwd), env=kernel_environment(), stderr=self._log, stdout=self._log
                )
                # One client, and one wait for the kernel to be ready, for the kernel's life:
                # each new client's wait ends with a 0.2 s quiet spell on its IOPub channel.
                self.kc = self.km.client()
                self.kc.start_channels()
                self.kc.wait_for_ready(timeout=START_TIMEOUT_S)
                self.kc.allow_stdin = False
                self._run_code(WARM_UP_CODE)
                return
            except Exception as exc:  # a kernel that died at start-up: try again
                if self.kc is not None:
                    self.kc.stop_channels()
                self.km.shutdown_kernel(now=True)
                if attempt == START_ATTEMPTS:
                    raise KernelStartFailed(
                        f"the kernel '{kernel_name}' did not start: {exc}"
                    ) from None

    def _run_code(self, code: str) -> None:
        """Run ``code`` silently in the kernel; raise if it fails."""
        reply = self.kc.execute_interactive(
            code,
            silent=True,
            store_history=False,
            timeout=START_TIMEOUT_S,
            output_hook=lambda message: None,  # nothing of it reaches the terminal
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def run(
        self, source: Path, parameters: dict, timeout_s: int, workdir: Path | None = None
    ) -> nbformat.NotebookNode:
        """Execute ``source`` with ``parameters`` in ``workdir`` (the kernel's working folder;
        default the one it started in); returns the executed notebook.

        Raises papermill's ``PapermillExecutionError`` when a cell fails; the notebook as far as
        it ran is then in ``self.notebook``."""
        import papermill as pm

        from analysis.pack.warm_engine import ENGINE_NAME

        reset = RESET_CODE if self.runs else ""
        self._run_code(reset + f"import os\nos.chdir({str(workdir or self.cwd)!r})\n")
        self.runs += 1
        self.notebook = None
        return pm.execute_notebook(
            str(source),
            None,
            parameters=parameters,
            kernel_name=self.kernel_name,
            engine_name=ENGINE_NAME,
            execution_timeout=timeout_s,
            progress_bar=False,
            log_output=False,
            warm=self,
        )

    def alive(self) -> bool:
        return self.km.is_alive()

    def kill(self) -> None:
        """Kill the kernel process at once (from any thread; the notebook on it then fails)."""
        process = getattr(self.km.provisioner, "process", None)
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()

    def shutdown(self) -> None:
        """Stop the kernel at once (its notebooks are written already) and remove its files."""
        try:
            if self.kc is not None:
                with contextlib.suppress(Exception):
                    self.kc.stop_channels()
            # Killed and reaped here: jupyter_client, killing it itself, then checks every 0.1 s
            # whether it has gone, and the first check comes too early (0.1 s a pack).
            self.kill()
            process = getattr(self.km.provisioner, "process", None)
            if process is not None:
                with contextlib.suppress(Exception):
                    process.wait(timeout=5)
            with contextlib.suppress(Exception):  # killed already (an interrupt)
                self.km.shutdown_kernel(now=True)
        finally:
            if self._log:
                self._log.close()


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


def _failure(exc: Exception) -> tuple[str, int | None]:
    """The error text and cell of a failed run, as the user should read them."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
        lines = [line for line in (exc.source or "").splitlines() if line.strip()]
        snippet = f" [cell starts: {lines[0].strip()[:80]}]" if lines else ""
        return f"{exc.ename}: {exc.evalue}{snippet}", cell
    return f"{type(exc).__name__}: {exc}", None


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
    """``workers`` threads, each owning a warm kernel, running jobs from one queue.

    Kernels start in the background as soon as the pool is made, so their start-up overlaps
    whatever the caller does next (checking inputs). Use as a context manager, or call
    :meth:`close`."""

    def __init__(
        self, workers: int, kernel_name: str, cwd: Path | None = None, log_dir: Path | None = None
    ):
        self.kernel_name = kernel_name
        self.cwd = cwd or paths.notebooks_dir()
        self._own_logs = log_dir is None
        self.log_dir = (
            Path(tempfile.mkdtemp(prefix="council-finance-kernels-"))
            if log_dir is None
            else log_dir
        )
        self._kernels: list[WarmKernel] = []
        self._lock = threading.Lock()
        self._stopping = False
        self._jobs: queue.Queue = queue.Queue()
        self._outcomes: queue.Queue = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _start(self, log: Path) -> tuple[WarmKernel | None, str | None]:
        try:
            kernel = WarmKernel(self.kernel_name, self.cwd, log)
        except KernelStartFailed as exc:
            return None, str(exc)
        with self._lock:
            self._kernels.append(kernel)
            if self._stopping:  # stopped while it started
                kernel.shutdown()
        return kernel, None

    def _work(self, number: int) -> None:
        log = self.log_dir / f"kernel-{number}.log"
        kernel, start_error = self._start(log)
        try:
            while (job := self._jobs.get()) is not None:
                if self._stopping:
                    self._outcomes.put(Outcome(job.spec, 0.0, "stopped before it started"))
                    continue
                if kernel is not None and not kernel.alive():  # it died (out of memory?)
                    kernel.shutdown()
                    kernel, start_error = self._start(log)
                self._outcomes.put(self._run(kernel, start_error, job))
        finally:
            if kernel is not None:
                kernel.shutdown()

    def _run(self, kernel: WarmKernel | None, start_error: str | None, job: Job) -> Outcome:
        started = time.perf_counter()
        if kernel is None:
            return Outcome(job.spec, 0.0, start_error)
        source = paths.notebooks_dir() / job.spec.filename
        try:
            executed = kernel.run(source, job.parameters, job.timeout_s, job.workdir)
        except Exception as exc:  # a failing cell, a timeout, a dead kernel
            error, cell = _failure(exc)
            if kernel.notebook is not None:
                with contextlib.suppress(OSError):  # the build folder may be gone (interrupt)
                    _write(kernel.notebook, job)
            return Outcome(job.spec, time.perf_counter() - started, error, cell)
        try:
            _write(executed, job)
        except OSError as exc:
            return Outcome(job.spec, time.perf_counter() - started, f"not saved: {exc}")
        return Outcome(job.spec, time.perf_counter() - started)

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Queue ``jobs`` on the pool's kernels now; the iterator returned yields each outcome
        as it ends."""
        for job in jobs:
            self._jobs.put(job)
        return (self._outcomes.get() for _ in jobs)

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
                for kernel in self._kernels:
                    kernel.kill()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            # Killed: do not wait long for a worker still starting its kernel; the threads are
            # daemons and a kernel whose run has ended stops by itself (it watches its parent).
            thread.join(timeout=5 if kill else None)
        if self._own_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, kind, *exc) -> None:
        self.close(kill=kind is not None)
