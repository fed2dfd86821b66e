"""The kernels: each notebook on a fresh kernel forked for it; failures, timeouts and
environment faults reported, never a hang."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis.core.chart_files import LATER_VARIABLE
from analysis.core.errors import EnvironmentFault
from analysis.pack import engine
from analysis.pack.catalogue import NotebookSpec
from analysis.pack.engine import FOLLOWER_NICENESS, Job, KernelPool, default_workers
from analysis.pack.execute import ensure_kernel


@pytest.mark.parametrize(
    ("notebooks", "cores", "expected"),
    [
        (4, 2, 3),  # the default pack on two cores: its three first reports at once
        (3, 2, 3),
        (2, 2, 2),  # never more kernels than notebooks
        (1, 8, 1),
        (4, 8, 4),
        (4, 1, 1),  # one core: one kernel at a time
        (0, 2, 1),
    ],
)
def test_a_pack_runs_one_kernel_more_than_the_cores(notebooks, cores, expected):
    assert default_workers(notebooks, cores) == expected


def _notebook(path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('label = "x"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "council-finance", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    from analysis.core import paths

    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(
        folder / "first.ipynb",
        "%load_ext autoreload\n%autoreload 2\nleft_behind = 41\nprint(label, left_behind + 1)",
    )
    _notebook(
        folder / "second.ipynb",
        "%load_ext autoreload\n%autoreload 2\nprint(label, 'left_behind' in globals())",
    )
    _notebook(folder / "broken.ipynb", "1 / 0")
    _notebook(folder / "sleepy.ipynb", "x = 1", "import time\ntime.sleep(30)", "print('late')")
    _notebook(
        folder / "reload.ipynb",
        "%load_ext autoreload\n%autoreload 2\n"
        "magics = get_ipython().magics_manager.registry['AutoreloadMagics']\n"
        "print(magics._reloader.enabled)",
    )
    monkeypatch.setattr(paths, "notebooks_dir", lambda: folder)
    return folder


def _spec(name: str) -> NotebookSpec:
    return NotebookSpec(name, f"{name}.ipynb", name.title(), None)


def _texts(nb) -> list[str]:
    return [
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    ]


@pytest.mark.slow
def test_each_notebook_runs_on_a_fresh_kernel_with_autoreload_working(notebooks, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    jobs = [
        Job(_spec("first"), out / "first.ipynb", {"label": "one"}, 60),
        Job(_spec("second"), out / "second.ipynb", {"label": "two"}, 60),
        Job(_spec("reload"), out / "reload.ipynb", {}, 60),
    ]
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        outcomes = [next(pool.run([job])) for job in jobs]
    assert [o.error for o in outcomes] == [None, None, None]
    first, second, reload = (nbformat.read(j.destination, as_version=4) for j in jobs)
    assert _texts(first) == ["one 42\n"]
    # the second notebook does not see the first one's variable
    assert _texts(second) == ["two False\n"]
    # a notebook's %autoreload 2 is IPython's own, and on
    assert _texts(reload) == ["True\n"]
    counts = [c.execution_count for c in second.cells if c.cell_type == "code"]
    assert counts[0] == 1, "execution counts start at 1 with each notebook"


@pytest.mark.slow
def test_a_failing_cell_is_reported_and_the_next_notebook_runs(notebooks, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        broken = next(pool.run([Job(_spec("broken"), out / "broken.ipynb", {}, 60)]))
        after = next(pool.run([Job(_spec("second"), out / "second.ipynb", {"label": "ok"}, 60)]))
    assert not broken.ok
    assert "ZeroDivisionError" in broken.error and "1 / 0" in broken.error
    assert (out / "broken.ipynb").is_file(), "the notebook as far as it ran is kept"
    assert after.ok and _texts(nbformat.read(out / "second.ipynb", as_version=4)) == ["ok False\n"]


@pytest.mark.slow
def test_a_cell_over_the_timeout_fails_the_notebook_naming_the_cell_and_limit(notebooks, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    started = time.perf_counter()
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        outcome = next(pool.run([Job(_spec("sleepy"), out / "sleepy.ipynb", {}, 3)]))
    assert time.perf_counter() - started < 25
    assert not outcome.ok
    assert outcome.cell == 3, outcome
    assert "3 s limit (--timeout)" in outcome.error and "import time" in outcome.error
    assert (out / "sleepy.ipynb").is_file()


def test_a_runtime_folder_that_cannot_be_made_names_the_setting(tmp_path, monkeypatch):
    """A read-only HOME (the default runtime folder is under it) or a file in the way: an
    environment fault naming the folder and JUPYTER_RUNTIME_DIR, before any kernel starts."""
    (tmp_path / "home").write_text("a file where a folder should be")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "home" / "runtime"))
    with pytest.raises(EnvironmentFault) as caught:
        KernelPool(1, ensure_kernel())
    assert "JUPYTER_RUNTIME_DIR" in str(caught.value)
    assert caught.value.path.endswith("home/runtime")


def test_a_worker_that_fails_reaches_the_caller_as_an_error(monkeypatch):
    """Nothing waits for ever on a worker: its failure is raised where the run waits."""

    def broken(self, log, cwd):
        raise MemoryError("no room for a kernel")

    monkeypatch.setattr(KernelPool, "_start", broken)
    started = time.perf_counter()
    with KernelPool(1, ensure_kernel()) as pool:
        with pytest.raises(RuntimeError, match="a notebook runner failed: MemoryError"):
            next(pool.run([Job(_spec("first"), Path("unused.ipynb"), {}, 60)]))
    assert time.perf_counter() - started < 10


def test_the_caller_readies_the_runners_while_their_kernels_start(monkeypatch):
    """nbformat builds its schema validator for the first notebook it reads: the pool builds it
    in the thread that queues the jobs, before any runner reads its notebook (runners reading
    their first notebooks at once would each build it, holding up their kernels), once a
    process."""
    import threading

    validated = []
    real_validate = nbformat.validate

    def validate(notebook, *args, **kwargs):
        validated.append(threading.current_thread())
        return real_validate(notebook, *args, **kwargs)

    def no_kernel(self, log, cwd):
        return None, "no kernel in this test"

    monkeypatch.setattr(nbformat, "validate", validate)
    monkeypatch.setattr(KernelPool, "_start", no_kernel)
    monkeypatch.setattr(engine, "_ready", [])  # as in a new process
    with KernelPool(1, ensure_kernel()) as pool:
        outcomes = pool.run([Job(_spec("first"), Path("unused.ipynb"), {}, 60)])
        assert validated, "the validator is built before run() returns"
        assert set(validated) == {threading.current_thread()}
        assert next(outcomes).error == "no kernel in this test"
        before = len(validated)
        assert next(pool.run([Job(_spec("first"), Path("unused.ipynb"), {}, 60)])).error
        assert len(validated) == before, "once a process"


@pytest.mark.slow
def test_notebooks_queued_together_run_behind_the_first(notebooks, tmp_path):
    """Side by side, the first notebook of a run leads: the others' kernels run
    FOLLOWER_NICENESS lower (capped at 19). A pool of one worker runs them in turn, as set."""
    import os

    _notebook(notebooks / "nice.ipynb", "import os\nprint(os.getpriority(os.PRIO_PROCESS, 0))")
    own = os.getpriority(os.PRIO_PROCESS, 0)

    def niceness(pool, count):
        jobs = [Job(_spec("nice"), tmp_path / f"n{i}.ipynb", {}, 60) for i in range(count)]
        outcomes = list(pool.run(jobs))
        assert all(o.ok for o in outcomes), outcomes
        return [int(_texts(nbformat.read(j.destination, as_version=4))[0]) for j in jobs]

    with KernelPool(2, ensure_kernel(), cwd=notebooks) as pool:
        assert niceness(pool, 3) == [own] + [min(19, own + FOLLOWER_NICENESS)] * 2
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        assert niceness(pool, 2) == [own, own]


def test_a_stop_the_signal_handler_could_not_raise_ends_the_wait_for_outcomes(monkeypatch):
    """A SIGHUP whose KeyboardInterrupt Python dropped (raised inside a finalizer) still stops
    the run: the caller's wait for the next outcome raises it within a check's interval."""
    import signal

    from analysis.core import stops

    def slow_kernel(self, log, cwd):
        time.sleep(3)
        return None, "no kernel in this test"

    monkeypatch.setattr(KernelPool, "_start", slow_kernel)
    with KernelPool(1, ensure_kernel()) as pool:
        outcomes = pool.run([Job(_spec("first"), Path("unused.ipynb"), {}, 60)])
        stops.forget()
        with contextlib.suppress(KeyboardInterrupt):
            stops.stop(signal.SIGHUP)  # as if raised where Python drops it
        started = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            next(outcomes)
        assert time.perf_counter() - started < 1


def _age_where(nb) -> tuple[float, str]:
    """How long the notebook's kernel process had been running when its cell ran, in seconds,
    and the rest the cell printed."""
    age, rest = "".join(_texts(nb)).split("\n", 1)
    return float(age), rest


# The kernel process's age: the system's uptime less the process's start, both from /proc.
KERNEL_AGE = (
    "import os\n"
    "ticks = int(open(f'/proc/{os.getpid()}/stat').read().rsplit(')', 1)[1].split()[19])\n"
    "uptime = float(open('/proc/uptime').read().split()[0])\n"
    "print(uptime - ticks / os.sysconf('SC_CLK_TCK'))\n"
    "print(os.getcwd(), 'left_behind' in globals())"
)


@pytest.mark.slow
def test_a_kernel_started_ahead_runs_the_next_notebook_for_its_folder(notebooks, tmp_path):
    from analysis.pack import forked

    if not forked.supported():
        pytest.skip("kernels are forked only on Linux")
    _notebook(notebooks / "when.ipynb", KERNEL_AGE)
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        warm = next(pool.run([Job(_spec("when"), here / "w.ipynb", {}, 60, workdir=here)]))
        assert warm.ok, warm.error  # the kernels' parent is ready: a kernel starts at once
        pool.prestart(here)
        time.sleep(3)
        ahead = next(pool.run([Job(_spec("when"), here / "a.ipynb", {}, 60, workdir=here)]))
        pool.prestart(here)
        time.sleep(3)
        other = next(pool.run([Job(_spec("when"), here / "b.ipynb", {}, 60, workdir=elsewhere)]))
    assert ahead.ok and other.ok, (ahead.error, other.error)
    first, second = (nbformat.read(here / n, as_version=4) for n in ("a.ipynb", "b.ipynb"))
    # the first ran on the kernel started 3 s before it was asked for, in its folder, fresh
    age, where = _age_where(first)
    assert age > 2.5 and where == f"{here} False\n"
    assert [c.execution_count for c in first.cells if c.cell_type == "code"][0] == 1
    # a notebook for another folder gets a kernel of its own, started when it was asked for
    age, where = _age_where(second)
    assert age < 1.5 and where == f"{elsewhere} False\n"


@pytest.mark.slow
def test_a_kernel_started_ahead_and_never_used_is_stopped_with_the_pool(notebooks, tmp_path):
    import os

    from analysis.pack import sockets

    pool = KernelPool(1, ensure_kernel(), cwd=notebooks)
    try:
        pool.prestart(tmp_path)
        deadline = time.monotonic() + 30
        mine = f"{sockets.PREFIX}-{os.getpid()}-"
        while time.monotonic() < deadline and not list(pool.runtime.glob(f"{mine}*.json")):
            time.sleep(0.05)
        assert list(pool.runtime.glob(f"{mine}*.json")), "the kernel was started ahead"
    finally:
        pool.close()
    assert not list(pool.runtime.glob(f"{mine}*.json")), "and stopped, its files removed"


def test_the_svgs_left_for_later_are_written_at_the_lowest_priority(tmp_path):
    """Below every notebook still running, whatever the kernel's own priority: the code the pool
    sends a kernel after its notebook, run where a chart is waiting, in a process of its own."""
    script = (
        "import os\n"
        "from analysis.core import chart_files, charts\n"
        "from analysis.pack.engine import WRITE_LATER_CODE\n"
        f"charts.export_charts_to({str(tmp_path)!r})\n"
        "fig, ax = charts.new_figure('A line')\n"
        "ax.plot([0, 1], [0, 1])\n"
        "charts.show(fig, alt='A line rising.')\n"
        "exec(WRITE_LATER_CODE)\n"
        "print(os.getpriority(os.PRIO_PROCESS, 0))\n"
    )
    env = {**os.environ, LATER_VARIABLE: "1", "MPLBACKEND": "agg"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-1] == "19"
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".png", ".svg"]
