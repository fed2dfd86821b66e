"""Kernels forked from the pool's parent: each a child of the parent, in the folder and
environment asked for, followed through its pidfd, and never outliving the parent or the pool."""

from __future__ import annotations

import os
import platform
import signal
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.utils import run_sync

from analysis.pack import forked
from analysis.pack.catalogue import NotebookSpec
from analysis.pack.engine import Job, KernelPool
from analysis.pack.execute import ensure_kernel


def _gone(pid: int, within_s: float = 10) -> bool:
    deadline = time.time() + within_s
    while time.time() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _printed(kernel, code: str) -> str:
    """What ``code`` prints when run on the started ``kernel``."""
    client = kernel.km.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=30)
        seen: list[str] = []
        run_sync(client.execute_interactive)(
            code, output_hook=lambda m: seen.append(m["content"].get("text", "")), timeout=30
        )
    finally:
        client.stop_channels()
    return "".join(seen)


@pytest.fixture
def pool(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNCIL_FINANCE_TEST_SETTING", "passed on")
    with KernelPool(1, ensure_kernel(), cwd=tmp_path) as started:
        yield started


def test_the_installed_kernel_spec_is_left_as_it_is():
    """Only the pool's own spec manager names the forking provisioner: JupyterLab and a plain
    papermill start the installed kernel spec as before."""
    name = ensure_kernel()
    installed = KernelSpecManager().get_kernel_spec(name)
    ours = forked.ForkedSpecs(parent_address="/tmp/x.parent").get_kernel_spec(name)
    assert "kernel_provisioner" not in installed.metadata
    assert ours.metadata["kernel_provisioner"] == {
        "provisioner_name": forked.PROVISIONER_NAME,
        "config": {"parent_address": "/tmp/x.parent"},
    }
    assert ours.argv == installed.argv
    # the parent runs the spec's Python with the spec's options
    assert forked.interpreter(name) == installed.argv[: installed.argv.index("-m")]


@pytest.mark.slow
def test_a_kernel_is_a_child_of_the_parent_in_the_folder_and_environment_asked(pool, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    kernel, error = pool._start(None, folder)
    assert error is None
    try:
        pid = kernel.km.provisioner.pid
        assert psutil.Process(pid).ppid() == pool.parent.process.pid
        assert os.getpgid(pid) == pid  # its own process group: a signal reaches what it starts
        # ... in the pool's session, where the priorities the pool gives its kernels count
        assert os.getsid(pid) == os.getsid(0)
        printed = _printed(
            kernel,
            "import gc, os, sys\n"
            "print(os.getcwd(), os.environ['COUNCIL_FINANCE_TEST_SETTING'], "
            "'left_over' in globals(), 'pandas' in sys.modules, "
            "get_ipython().history_manager.enabled, gc.isenabled(), gc.get_freeze_count() > 0)",
        )
        # ... with the run's kernel settings (no input history kept), and collecting its own
        # garbage (the parent does not), what it was forked with frozen
        assert printed.split() == [
            str(folder), "passed", "on", "False", "True", "False", "True", "True"
        ]  # fmt: skip
    finally:
        pool._done_with(kernel)
    assert _gone(pid, within_s=2), "the kernel is gone once shut down"


@pytest.mark.slow
def test_a_kernel_whose_parent_dies_ends_itself(pool, tmp_path):
    kernel, _ = pool._start(None, tmp_path)
    pid = kernel.km.provisioner.pid
    os.kill(pool.parent.process.pid, signal.SIGKILL)
    assert _gone(pid), "the kernel outlived its parent"
    pool._done_with(kernel)


@pytest.mark.slow
def test_a_parent_that_has_died_fails_the_notebook_in_one_line(pool, tmp_path):
    os.kill(pool.parent.process.pid, signal.SIGKILL)
    pool.parent.process.wait(timeout=10)
    notebook = tmp_path / "one.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = {"name": "council-finance", "language": "python"}
    nbformat.write(nb, notebook)
    job = Job(NotebookSpec("one", "one.ipynb", "One", None), tmp_path / "out.ipynb", {}, 30)
    job.workdir = tmp_path
    outcome = next(pool.run([job]))
    assert not outcome.ok
    assert "did not start" in outcome.error and "parent process ended" in outcome.error
    assert "\n" not in outcome.error


@pytest.mark.slow
def test_closing_the_pool_ends_the_parent_and_removes_its_socket(tmp_path):
    pool = KernelPool(1, ensure_kernel(), cwd=tmp_path)
    kernel, _ = pool._start(None, tmp_path)  # waits for the parent to be ready
    pid = kernel.km.provisioner.pid
    pool._done_with(kernel)
    parent, address = pool.parent.process.pid, Path(pool.parent.address)
    assert address.is_socket()
    assert address.parent.stat().st_mode & 0o077 == 0, "only this user can reach the socket"
    pool.close()
    assert _gone(parent, within_s=5) and _gone(pid, within_s=1)
    assert not address.parent.exists()


@pytest.mark.slow
def test_a_kernel_that_ends_as_it_starts_is_reported_not_waited_for(pool, tmp_path):
    """A folder that has gone: the child cannot enter it and ends; the start fails at once
    (three attempts), naming why, rather than waiting for a kernel that will never answer."""
    started = time.perf_counter()
    kernel, error = pool._start(None, tmp_path / "gone")
    assert kernel is None
    assert "did not start" in error and "ended as it started" in error
    assert time.perf_counter() - started < 10
    assert pool.parent.process.poll() is None, "the parent carries on for the next kernel"


@pytest.mark.slow
def test_where_kernels_cannot_be_forked_they_start_from_the_kernel_spec(tmp_path, monkeypatch):
    """Not Linux, or no pidfds: no parent, and each kernel is a new Python as the installed
    spec says (ipykernel_launcher), in the folder asked for."""
    monkeypatch.setattr(forked, "supported", lambda: False)
    with KernelPool(1, ensure_kernel(), cwd=tmp_path) as plain:
        assert plain.parent is None
        kernel, error = plain._start(None, tmp_path)
        assert error is None
        try:
            process = psutil.Process(kernel.km.provisioner.pid)
            assert "ipykernel_launcher" in process.cmdline()
            assert "--HistoryManager.enabled=False" in process.cmdline()
            assert process.ppid() == os.getpid()
            assert Path(process.cwd()) == tmp_path
        finally:
            plain._done_with(kernel)


@pytest.mark.skipif(sys.platform != "linux", reason="pidfds are Linux's")
def test_forking_is_used_on_a_linux_with_pidfds():
    major, minor = (int(part) for part in platform.release().split(".")[:2])
    assert forked.supported() == ((major, minor) >= (5, 3))


def _modules_in_a_kernel(pool, folder: Path, names: list[str]) -> list[bool]:
    kernel, error = pool._start(None, folder)
    assert error is None, error
    try:
        printed = _printed(kernel, f"import sys\nprint(*[n in sys.modules for n in {names!r}])")
    finally:
        pool._done_with(kernel)
    return [word == "True" for word in printed.split()]


@pytest.mark.slow
def test_the_warm_up_call_is_made_once_in_the_parent_before_its_kernels(tmp_path):
    """What the pool's warm-up call loads, each kernel forked afterwards has (here a module no
    kernel imports by itself); a pool without one, or whose call fails, forks kernels as
    before, and the failure is in the parent's log."""
    with KernelPool(1, ensure_kernel(), cwd=tmp_path, warm=None) as plain:
        assert _modules_in_a_kernel(plain, tmp_path, ["tabnanny"]) == [False]
    warm = ("importlib:import_module", ["tabnanny"])
    with KernelPool(1, ensure_kernel(), cwd=tmp_path, warm=warm) as warmed:
        assert _modules_in_a_kernel(warmed, tmp_path, ["tabnanny"]) == [True]
        assert _modules_in_a_kernel(warmed, tmp_path, ["tabnanny"]) == [True]
    logs = tmp_path / "logs"
    logs.mkdir()
    broken = ("analysis.no_such_module:warm", [])
    with KernelPool(1, ensure_kernel(), cwd=tmp_path, log_dir=logs, warm=broken) as failing:
        assert _modules_in_a_kernel(failing, tmp_path, ["tabnanny"]) == [False]
    assert "warm-up call skipped" in (logs / "kernel-parent.log").read_text()
    assert "analysis.no_such_module" in (logs / "kernel-parent.log").read_text()


@pytest.mark.slow
def test_a_warm_up_longer_than_a_kernel_start_is_waited_for(tmp_path, monkeypatch):
    """A warm-up may build the tables it reads (a cold cache): the first kernel waits for it
    beyond the time a kernel has to start, rather than failing its notebook."""
    from analysis.pack import engine

    monkeypatch.setattr(engine, "START_TIMEOUT_S", 1)
    with KernelPool(1, ensure_kernel(), cwd=tmp_path, warm=("time:sleep", [2.5])) as slow:
        assert slow.parent.ready_timeout_s == 1 + forked.WARM_UP_TIMEOUT_S
        assert _modules_in_a_kernel(slow, tmp_path, ["pandas"]) == [True]
    with KernelPool(1, ensure_kernel(), cwd=tmp_path) as plain:
        assert plain.parent.ready_timeout_s == 1
