"""Every wait has an end and every stop says what it left (issue 23): the per-cell timeout, a
signal while a pack is published, SIGHUP, a browser that is missing or fails, an unreachable
scheduler."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from pack_toys import GOOD, _notebook

from analysis.cli import main
from analysis.pack import browser
from analysis.pack import publish as publish_module
from analysis.pack.publish import pack_lock

RUN = ["run", "--council", "dorset", "--period", "2021-22-Q2"]


@pytest.mark.slow
def test_a_cell_over_the_timeout_fails_the_run_naming_the_cell_and_limit(toy_pack, capsys):
    out = toy_pack / "outputs"
    assert main([*RUN, "--output-dir", str(out)]) == 0
    good = (out / "dorset" / "2021-22-Q2" / "manifest.json").read_bytes()
    _notebook(toy_pack / "notebooks" / "beta.ipynb", "import time\ntime.sleep(30)", "Beta report")
    started = time.perf_counter()
    code = main([*RUN, "--output-dir", str(out), "--timeout", "3"])
    assert code == 1
    assert time.perf_counter() - started < 25, "the cell was stopped at its limit"
    err = capsys.readouterr().err
    assert "beta.ipynb failed in cell" in err and "3 s limit (--timeout)" in err
    assert "time.sleep(30)" in err or "import time" in err
    # the last good pack is kept, and the lock was released (taken again at once)
    assert (out / "dorset" / "2021-22-Q2" / "manifest.json").read_bytes() == good
    with pack_lock(out, "dorset", publish_module.Period(2021, 2), wait_s=0):
        pass


def _signal_between_renames(monkeypatch, number: int) -> list[str]:
    """Send ``number`` to this process right after the first rename of a publish."""
    renames: list[str] = []
    real = Path.rename

    def rename(self, target):
        result = real(self, target)
        renames.append(Path(target).name)
        if len(renames) == 1:
            os.kill(os.getpid(), number)
            time.sleep(0.1)  # an unmasked signal is handled here, between the renames
        return result

    monkeypatch.setattr(Path, "rename", rename)
    return renames


@pytest.fixture
def ctrl_c_interrupts():
    """Ctrl-C as a terminal delivers it (Python's KeyboardInterrupt), however the tests were
    started: a non-interactive shell starts a background job with SIGINT ignored, and the pack
    rightly leaves an ignored signal ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_between_the_two_renames_leaves_a_pack_and_says_which(
    toy_pack, monkeypatch, capsys, number, ctrl_c_interrupts
):
    out = toy_pack / "outputs"
    assert main([*RUN, "--output-dir", str(out)]) == 0
    pack = out / "dorset" / "2021-22-Q2"
    old = (pack / "manifest.json").read_text()
    renames = _signal_between_renames(monkeypatch, number)
    code = main([*RUN, "--output-dir", str(out)])
    assert code == 130
    assert len(renames) == 2, "both renames ran: the signal was held off"
    assert (pack / "manifest.json").is_file() and (pack / "manifest.json").read_text() != old
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "the new pack is in place" in last and "outputs/dorset/2021-22-Q2" in last
    assert sorted(p.name for p in (out / "dorset").iterdir()) == ["2021-22-Q2"]


@pytest.mark.slow
def test_sighup_during_a_run_leaves_no_scratch_folder_or_kernel_file(toy_pack, monkeypatch, capsys):
    out = toy_pack / "outputs"
    runtime = toy_pack / "runtime"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("TOY_RUN_PID", str(os.getpid()))  # the run (the kernel's parent forks it)
    _notebook(
        toy_pack / "notebooks" / "beta.ipynb",
        GOOD.replace("alpha_gap", "beta_gap")
        + "\nimport os, signal, time\nos.kill(int(os.environ['TOY_RUN_PID']), signal.SIGHUP)"
        + "\ntime.sleep(20)",
        "Beta report",
    )
    started = time.perf_counter()
    assert main([*RUN, "--output-dir", str(out)]) == 130
    assert time.perf_counter() - started < 20
    assert "nothing was published" in capsys.readouterr().err
    assert not (out / "dorset").exists() or [p.name for p in (out / "dorset").iterdir()] == []
    assert sorted(p.name for p in runtime.iterdir() if not p.name.startswith(".")) == []


def test_no_chromium_for_pdf_is_one_line_naming_the_fix(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "CANDIDATES", ("no-such-browser-either",))
    monkeypatch.setattr(browser, "DEFAULT_PATH", tmp_path / "no-chromium-here")
    code = main([*RUN, "--output-dir", str(tmp_path / "out"), "--pdf"])
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Cannot build the pack: ") and "Traceback" not in "".join(err)
    assert "No Chromium found" in err[-1] and "CHROMIUM" in err[-1]


@pytest.mark.slow
def test_a_failing_chromium_is_one_line_and_publishes_nothing(toy_pack, monkeypatch, capsys):
    fake = toy_pack / "chromium"
    fake.write_text("#!/bin/sh\necho 'crashed at start' >&2\nexit 7\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))
    out = toy_pack / "outputs"
    assert main([*RUN, "--output-dir", str(out), "--pdf"]) == 3
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("Cannot build the pack: ") and str(fake) in last
    assert "nothing was published" in last and "crashed at start" in last
    assert not (out / "dorset" / "2021-22-Q2").exists()
    assert [p.name for p in (out / "dorset").iterdir()] == []


def test_an_unreachable_scheduler_names_its_address(monkeypatch, capsys):
    from analysis.batch import command

    def refuse(args):
        raise OSError("Timed out trying to connect to tcp://127.0.0.1:9 after 1 s")

    monkeypatch.setattr(command, "run", refuse)
    code = main(["batch", "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 3
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "tcp://127.0.0.1:9" in last and "cannot reach the Dask scheduler" in last
    assert "--output-dir" not in last and ": .:" not in last


def test_a_batch_interrupted_says_how_many_packs_were_published(monkeypatch, capsys, tmp_path):
    from analysis.batch import command

    def build_two_then_stop(args):
        for council in ("a", "b"):
            pack = tmp_path / council / "2021-22-Q2"
            pack.mkdir(parents=True)
            (pack / "manifest.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "run", build_two_then_stop)
    assert main(["batch", "--output-dir", str(tmp_path)]) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("Interrupted: 2 packs published before the stop")


def test_a_runtime_folder_that_cannot_be_written_exits_3_naming_the_setting(
    tmp_path, monkeypatch, capsys
):
    """A read-only HOME puts Jupyter's runtime folder out of reach: one line naming the folder
    and JUPYTER_RUNTIME_DIR, before any kernel starts (the run hung before)."""
    (tmp_path / "home").write_text("not a folder")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "home" / "runtime"))
    started = time.perf_counter()
    assert main([*RUN, "--output-dir", str(tmp_path / "out")]) == 3
    assert time.perf_counter() - started < 10
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("Cannot build the pack: ") and "home/runtime" in last
    assert "JUPYTER_RUNTIME_DIR" in last
    assert not (tmp_path / "out").exists()
