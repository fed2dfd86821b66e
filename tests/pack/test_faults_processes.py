"""Faults while notebooks run: kill -9 and Ctrl-C leave no kernel and no scratch folder behind.

A real ``python -m analysis run`` in a child process, on a copy of the project whose notebooks
are stand-ins that wait while a flag file exists (so the test can strike mid-run).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from analysis.core import paths
from analysis.pack.catalogue import NOTEBOOKS

PARAMETERS = 'council = "dorset"\nperiod = "2021-22-Q2"\nscenario = "base"\ntables_dir = ""\npublic_data = ""\nautoreload = "all"'
WAITS = """
import os, time
from analysis.core import notebook
report = notebook.setup(council, period, scenario, tables_dir, public_data)
flag, deadline = os.environ.get("TOY_WAIT_FLAG", ""), time.time() + 120
while flag and os.path.exists(flag) and time.time() < deadline:
    time.sleep(0.2)
"""


@pytest.fixture
def started():
    """Processes the test started; any still alive at the end (a failing test) are killed."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()


@pytest.fixture
def project(tmp_path):
    """A project root with Dorset's inputs and stand-in notebooks under the real names."""
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text("")
    shutil.copytree(paths.council_dir("dorset"), root / "data" / "raw" / "dorset")
    for spec in NOTEBOOKS:
        nb = new_notebook(
            cells=[
                new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
                new_code_cell(WAITS),
            ]
        )
        nb.metadata["kernelspec"] = {
            "name": "council-finance",
            "display_name": "Python",
            "language": "python",
        }
        nbformat.write(nb, root / "notebooks" / spec.filename)
    return root


def _start(project: Path, flag: Path) -> subprocess.Popen:
    env = dict(os.environ, COUNCIL_FINANCE_ROOT=str(project), TOY_WAIT_FLAG=str(flag))
    command = [sys.executable, "-m", "analysis", "run", "--council", "dorset", "--period",
               "2021-22-Q2", "--notebooks", "mtfp,savings"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
        # A run started in the background by a non-interactive shell inherits SIGINT ignored,
        # and would never see the Ctrl-C: the run gets the terminal's usual handling.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


def _kernels_running(
    run: subprocess.Popen, project: Path, count: int = 2, within_s: float = 90
) -> list[int]:
    """Every process under the run, once ``count`` kernels are running and the build has
    started (its scratch folder exists: the inputs are checked and the notebooks are on)."""
    deadline = time.time() + within_s
    while time.time() < deadline:
        tree = psutil.Process(run.pid).children(recursive=True)
        kernels = [p for p in tree if _is_kernel(p)]
        if len(kernels) >= count and _scratch(project):
            time.sleep(2)  # let them reach the waiting cell
            return [p.pid for p in psutil.Process(run.pid).children(recursive=True)]
        assert run.poll() is None, run.communicate()
        time.sleep(0.3)
    raise AssertionError("the kernels did not start")


def _is_kernel(process: psutil.Process) -> bool:
    """A kernel: forked from the run's kernel parent (so with the parent's command line)."""
    try:
        parent = process.parent()
    except psutil.Error:
        return False
    return parent is not None and all(
        "analysis.pack.forked" in _cmdline(p) for p in (process, parent)
    )


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _all_gone(pids: list[int], within_s: float = 30) -> list[int]:
    deadline = time.time() + within_s
    while time.time() < deadline:
        alive = [pid for pid in pids if _alive(pid)]
        if not alive:
            return []
        time.sleep(0.3)
    return alive


def _scratch(project: Path) -> list[str]:
    folder = project / "outputs" / "dorset"
    return sorted(p.name for p in folder.glob(".*")) if folder.is_dir() else []


@pytest.mark.slow
def test_kill_9_takes_the_workers_and_kernels_with_it_and_the_next_run_reclaims(
    project, tmp_path, started
):
    flag = tmp_path / "wait"
    flag.write_text("")
    run = _start(project, flag)
    pids = _kernels_running(run, project)
    started.extend(pids)
    assert len(pids) >= 2  # the kernels started for the notebooks (children of the run)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    still = _all_gone(pids)
    assert still == [], [" ".join(_cmdline(psutil.Process(p))) for p in still]
    assert _scratch(project)  # kill -9 leaves the scratch folder: the next run reclaims it

    flag.unlink()
    again = _start(project, flag)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "removed .building-2021-22-Q2-" in out
    assert _scratch(project) == []
    assert (project / "outputs" / "dorset" / "2021-22-Q2" / "index.html").is_file()


@pytest.mark.slow
def test_ctrl_c_exits_with_one_line_and_leaves_nothing_behind(project, tmp_path, started):
    flag = tmp_path / "wait"
    flag.write_text("")
    run = _start(project, flag)
    pids = _kernels_running(run, project)
    started.extend([run.pid, *pids])
    os.killpg(run.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines() == [
        "Interrupted: nothing was published and the last good pack is untouched."
    ]
    assert _all_gone(pids) == []
    assert _scratch(project) == []
    assert not (project / "outputs" / "dorset" / "2021-22-Q2").exists()
