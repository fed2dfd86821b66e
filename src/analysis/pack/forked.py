"""Kernels forked from a warm parent: a fresh kernel process without the start-up cost.

Starting a kernel the usual way (a new Python, then IPython and ipykernel, then pandas,
matplotlib and the library) costs about 1.5 s of CPU; a pack runs four notebooks and a batch of
every council runs hundreds. A :class:`KernelParent` is one process, started once for a pool of
kernels, that imports those modules, listens on a Unix socket and waits. Each kernel is a child
forked from it: the child takes the working folder, environment and output files it is given
and starts ipykernel's kernel application on the connection file jupyter_client wrote. It has
run no notebook code; it starts with the modules its parent imported, as a kernel that had
imported them itself would, and nothing else.

jupyter_client starts every kernel through a *kernel provisioner* named in the kernel spec (its
documented extension point; the entry point group ``jupyter_client.kernel_provisioners``).
:class:`ForkedProvisioner` is jupyter_client's local provisioner with the launch replaced: it
asks the parent for a child instead of running the kernel's command, then follows the child
through a pidfd that the parent passes back (Linux), so that a signal can never reach another
process that has taken the child's number. :class:`ForkedSpecs` is a kernel spec manager that
names this provisioner and the parent's socket in the project's kernel spec, for the kernels
of one pool only: JupyterLab and a plain ``papermill`` start the same kernel spec as before.

The parent ends when the pool closes its standard input (or the pool's process dies); a kernel
whose parent has gone ends itself (ipykernel's parent poller, ``JPY_PARENT_PID``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import importlib
import json
import os
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

PROVISIONER_NAME = "council-finance-forked"
# What a kernel is told to draw with, set as ipykernel sets it for a kernel it starts, before
# matplotlib is imported (matplotlib reads it at import).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# The modules every notebook's setup cell imports, imported once in the parent.
WARM_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # imported as a kernel starts: a sixth of a second a kernel
    "matplotlib.pyplot",
    "pandas",
    "analysis.benchmarking",
    "analysis.core.notebook",
    "analysis.mtfp",
    "analysis.savings",
    "analysis.summary",
    # What IPython imports as a kernel starts and runs its first cell (its debugger, object
    # inspector and store magic), what the reports import when they first draw or save (the
    # SVG backend, pandas' CSV writer, the chart modules): each kernel imported them anew,
    # about 20 ms a kernel, two kernels a council in a batch.
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.core.logger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "matplotlib.backends.backend_svg",
    "matplotlib.backends.backend_mixed",
    "pandas.io.formats.csvs",
    "pandas.core.reshape.reshape",
    "analysis.core.chart_grid",
    "analysis.benchmarking.trend_charts",
    "analysis.benchmarking.report_budget",
    "analysis.benchmarking.report_finances",
    "analysis.mtfp.bridge",
    "analysis.mtfp.report",
)
MESSAGE_BYTES = 1 << 20  # a request: the kernel's arguments, folder and environment
READY_POLL_S = 0.005  # how often a kernel request looks for the parent's socket
WARM_UP_TIMEOUT_S = 600  # more for the parent to be ready when it makes a warm-up call


def supported() -> bool:
    """Whether this system can fork a kernel and follow it: Linux, with pidfds (5.3 and
    later) and descriptors passed over Unix sockets. Elsewhere kernels start as the installed
    kernel spec says."""
    if sys.platform != "linux" or not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:  # a kernel older than 5.3, or pidfds not allowed here
        return False
    return True


class ParentFailed(RuntimeError):
    """The parent process ended, or did not answer, before it could start a kernel."""


# --- the parent process --------------------------------------------------------------------


def serve(address: str, warm: str | None = None) -> None:
    """Run the parent: import the notebooks' modules, make the pool's warm-up call (``warm``,
    see :func:`warm_up`), listen on ``address`` and fork a kernel for each request until
    standard input closes."""
    # Python's advice for a parent that forks without exec (see gc.freeze): no collections in
    # the parent, which would leave freed holes in pages the kernels share and, during these
    # imports, cost about a tenth of a second before the first kernel can start; everything the
    # parent holds is then frozen before the first fork, and each kernel collects again.
    gc.disable()
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in WARM_MODULES:
        importlib.import_module(name)
    # Pillow loads its common image formats when a first image is saved (matplotlib's PNG).
    from PIL import Image

    Image.preinit()
    if warm and warm_up(warm):
        # The warm-up's intermediate tables go (cycles among them too), and their pages back
        # to the system: the batch's parent keeps what its kernels share, not what it used.
        gc.collect()
        release_free_memory()
    # What the parent holds moves to a generation the collector never scans: a kernel's
    # collections then leave the pages it shares with the parent unwritten, instead of
    # copying them all.
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(address)  # the socket appears once the imports are done: the pool waits
    listener.listen()
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    events.register(sys.stdin.fileno(), selectors.EVENT_READ)
    try:
        while True:
            for key, _ in events.select(timeout=1.0):
                if key.fileobj is listener:
                    connection, _ = listener.accept()
                    with connection:
                        try:
                            _fork_kernel(connection, listener)
                        except Exception as exc:  # noqa: BLE001 - this kernel fails, not all
                            # No reply: the pool reports the kernel as not started.
                            print(f"could not start a kernel: {exc!r}", file=sys.stderr)
                elif not os.read(sys.stdin.fileno(), 4096):  # the pool has gone
                    return
            _reap()
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(address)


def warm_up(spec: str) -> bool:
    """Make the call ``spec`` names (JSON: ``{"call": "module:function", "args": [...]}``),
    once, before any kernel is forked: what it reads into this process's caches, each kernel
    finds there (a batch reads the tables every council's benchmarking shares,
    :mod:`analysis.benchmarking.warm`). A call that fails is reported in the parent's log and
    changes nothing else: each kernel then reads the tables itself."""
    try:
        request = json.loads(spec)
        module, _, name = request["call"].partition(":")
        getattr(importlib.import_module(module), name)(*request.get("args", []))
    except Exception as exc:  # noqa: BLE001 - an optimisation: the kernels work without it
        print(f"warm-up call skipped: {exc!r}", file=sys.stderr)
        return False
    return True


def release_free_memory() -> None:
    """Hand the pages that the warm-up's intermediate tables freed back to the system (glibc's
    ``malloc_trim``; elsewhere nothing): the parent then holds what it keeps for its kernels,
    not the heap it grew to compute it (about 35 MB for a batch's benchmarking tables)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc
        pass


def _reap() -> None:
    """Collect the exit status of children that have ended (they are the parent's to wait
    for; the pool follows them through their pidfds)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _fork_kernel(connection: socket.socket, listener: socket.socket) -> None:
    message, fds, _, _ = socket.recv_fds(connection, MESSAGE_BYTES, 3)
    request = json.loads(message)
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            connection.close()
            listener.close()
            code = _run_kernel(request, fds)
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    pidfd = os.pidfd_open(pid)  # before the child can be reaped: it is this process's to wait
    try:
        socket.send_fds(connection, [json.dumps({"pid": pid}).encode()], [pidfd])
    finally:
        os.close(pidfd)


def _run_kernel(request: dict, fds: list[int]) -> int:
    """In the child: become a kernel as ``request`` says (its own process group, output to the
    files given, the working folder and environment the provisioner chose), and write to the
    first file given once its sockets are bound."""
    gc.enable()  # off in the parent (see serve)
    # Its own process group, so that a terminal's Ctrl-C reaches the pool, which stops its
    # kernels itself, and a signal to the kernel reaches what it starts; but the pool's session,
    # not a new one. Linux shares the processor between sessions first ("autogroups", on by
    # default) and only then by priority: a kernel in a session of its own took as much time as
    # the whole pool, whatever its priority, and the lower priority of the notebooks queued
    # behind the first (engine.FOLLOWER_NICENESS) and of the SVGs written after a notebook
    # (engine.LATER_NICENESS) did nothing. In the pool's session they take the time the others
    # leave: the default pack on two cores 0.02-0.05 s sooner (paired, 8 runs).
    os.setpgid(0, 0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    ready, outputs = (fds[0], fds[1:]) if fds else (None, [])
    for target, fd in zip((1, 2), outputs, strict=False):
        os.dup2(fd, target)
        os.close(fd)
    if request.get("cwd"):
        os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # The kernel ends itself if the parent goes (ipykernel's parent poller). Given as an
    # argument: the setting's default was read from the environment when the parent imported
    # ipykernel.
    argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = [sys.argv[0], *argv]
    from ipykernel.kernelapp import IPKernelApp

    try:
        # launch_instance's two steps, with word between them that the kernel's sockets are
        # bound: its runner then connects to a kernel that answers at once.
        app = IPKernelApp.instance()
        app.initialize(argv)
        if ready is not None:
            os.write(ready, b"1")
            os.close(ready)
        app.start()
    except SystemExit as stop:
        return 0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


# --- the pool's side -----------------------------------------------------------------------


class KernelParent:
    """The parent process of a pool's kernels: started at once, ready once it has imported
    the notebooks' modules (:meth:`request_kernel` waits for that, up to ``timeout_s``)."""

    def __init__(
        self,
        kernel_name: str,
        env: dict[str, str],
        log=None,
        timeout_s: float = 60,
        warm: tuple[str, list] | None = None,
    ):
        # The socket lives in a folder of its own that only this user can enter (anyone who
        # can reach it can ask for a kernel), with a short path (a socket's path has a limit
        # of about a hundred characters, which a deep runtime folder can pass).
        self.folder = Path(tempfile.mkdtemp(prefix="council-finance-"))
        self.address = str(self.folder / "parent.sock")
        self.timeout_s = timeout_s
        # A warm-up may build the tables it reads (a cache made cold by new data or code): the
        # work the first notebook would otherwise do, under its own time limit.
        self.ready_timeout_s = timeout_s + (WARM_UP_TIMEOUT_S if warm else 0)
        warm_spec = [json.dumps({"call": warm[0], "args": list(warm[1])})] if warm else []
        self.process = subprocess.Popen(
            [*interpreter(kernel_name), "-m", "analysis.pack.forked", self.address, *warm_spec],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            env={**env, "MPLBACKEND": env.get("MPLBACKEND") or INLINE_BACKEND},
        )

    def request_kernel(
        self, argv: list[str], cwd: str | None, env: dict[str, str], fds: list[int]
    ) -> tuple[int, int]:
        """Fork a kernel that runs ipykernel with ``argv``: its pid and a pidfd for it. ``fds``:
        the file the kernel writes to once it is listening, then its stdout and stderr."""
        deadline = time.monotonic() + self.ready_timeout_s
        while True:
            if self.process.poll() is not None:
                raise ParentFailed(
                    f"the kernels' parent process ended (exit status {self.process.returncode})"
                )
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
                    connection.settimeout(self.timeout_s)  # the parent is serving: a fork is quick
                    connection.connect(self.address)
                    request = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode()
                    socket.send_fds(connection, [request], fds)
                    message, received, _, _ = socket.recv_fds(connection, 4096, 1)
                if not received:
                    raise ParentFailed("the kernels' parent process did not start the kernel")
                return json.loads(message)["pid"], received[0]
            except (FileNotFoundError, ConnectionRefusedError):  # still importing
                if time.monotonic() > deadline:
                    raise ParentFailed(
                        "the kernels' parent process was not ready within "
                        f"{self.ready_timeout_s:g} s"
                    ) from None
                time.sleep(READY_POLL_S)

    def close(self) -> None:
        """End the parent (its kernels end with their own managers, or on their own)."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def interpreter(kernel_name: str) -> list[str]:
    """The kernel spec's Python and its options (the words before ``-m``): the parent runs as
    the spec's kernels would."""
    argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    return argv[: argv.index("-m")] if "-m" in argv else [sys.executable]


_PARENTS: dict[str, KernelParent] = {}  # by socket address: the provisioners' way to them


def register(parent: KernelParent) -> None:
    _PARENTS[parent.address] = parent


def unregister(parent: KernelParent) -> None:
    _PARENTS.pop(parent.address, None)


class ForkedSpecs(KernelSpecManager):
    """Kernel specs as installed, started by :class:`ForkedProvisioner` from the parent at
    ``parent_address``."""

    parent_address = Unicode(help="the socket of the KernelParent to fork kernels from")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        spec.metadata = {
            **spec.metadata,
            "kernel_provisioner": {
                "provisioner_name": PROVISIONER_NAME,
                "config": {"parent_address": self.parent_address},
            },
        }
        return spec


class ForkedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching a kernel as a child of a
    :class:`KernelParent` rather than as a new process, and following it through a pidfd.

    The parent collects the child's exit status, so :meth:`poll` and :meth:`wait` report an
    ended kernel as 0."""

    parent_address = Unicode(config=True, help="the socket of the KernelParent")
    pidfd: int | None = None

    @property
    def has_process(self) -> bool:
        return self.pidfd is not None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        parent = _PARENTS.get(self.parent_address)
        if parent is None:
            raise ParentFailed(f"no kernel parent is listening at {self.parent_address}")
        if "ipykernel_launcher" not in cmd:
            raise ValueError(f"not an ipykernel command, cannot fork it: {cmd}")
        argv = cmd[cmd.index("ipykernel_launcher") + 1 :]
        outputs = [
            stream.fileno()
            for stream in (kwargs.get("stdout"), kwargs.get("stderr"))
            if stream is not None and hasattr(stream, "fileno")
        ]
        env = kwargs.get("env") or dict(os.environ)
        ready, told = os.pipe()
        try:
            self.pid, self.pidfd = await asyncio.to_thread(
                parent.request_kernel, argv, kwargs.get("cwd"), env, [told, *outputs]
            )
            os.close(told)
            told = None
            self.pgid = self.pid  # the child made its own process group
            # Until the kernel is listening (or has died: the pipe closes unwritten).
            if await self._readable(ready, parent.timeout_s) and not os.read(ready, 1):
                raise ParentFailed("the kernel ended as it started (its log says why)")
        finally:
            os.close(ready)
            if told is not None:
                os.close(told)
        return self.connection_info

    @staticmethod
    async def _readable(fd: int, within: float) -> bool:
        """Wait until ``fd`` is readable (a pipe written or closed; a pidfd whose process has
        ended), at most ``within`` seconds; whether it is."""
        loop = asyncio.get_running_loop()
        event = loop.create_future()
        loop.add_reader(fd, lambda: event.done() or event.set_result(True))
        try:
            await asyncio.wait_for(event, within)
        except TimeoutError:
            return False
        finally:
            loop.remove_reader(fd)
        return True

    async def poll(self) -> int | None:
        if self.pidfd is None:
            return 0
        ended, _, _ = select.select([self.pidfd], [], [], 0)
        return 0 if ended else None

    async def wait(self) -> int | None:
        if self.pidfd is not None:
            while not await self._readable(self.pidfd, 1.0):
                pass
            os.close(self.pidfd)
            self.pidfd = None
        return 0

    async def send_signal(self, signum: int) -> None:
        if self.pidfd is None or await self.poll() is not None:
            return
        try:
            os.killpg(self.pgid, signum)  # the kernel and anything it started
        except OSError:
            signal.pidfd_send_signal(self.pidfd, signum)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and return once it has gone (so its manager's wait, which polls
        every tenth of a second, finds it gone at once)."""
        await self.send_signal(signal.SIGKILL)
        if self.pidfd is not None:
            await self._readable(self.pidfd, 5.0)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def cleanup(self, restart: bool = False) -> None:
        if self.pidfd is not None and await self.poll() is not None:
            os.close(self.pidfd)
            self.pidfd = None
        await super().cleanup(restart=restart)


if __name__ == "__main__":
    serve(*sys.argv[1:3])
    # The pool has gone and the socket is removed: nothing is left to save. End now, not after
    # tearing down every module the kernels were forked with (30-60 ms, which the pool's close
    # waits for at the end of every pack).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
