"""Publishing under faults: scenario and subset runs, the lock, environment faults, leftovers.

Uses the stand-in notebooks of test_pack_runner (run by the real runner).
"""

from __future__ import annotations

import errno
import json
import os
import threading
import time

import pytest
from pack_toys import BAD, _notebook

from analysis.cli import main
from analysis.core.errors import EnvironmentFault, InputError
from analysis.core.periods import Period
from analysis.pack import cover as cover_module
from analysis.pack.build import build_pack
from analysis.pack.publish import pack_directory, pack_lock, publish, reclaim

PERIOD = Period(2021, 2)


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leftovers(out) -> list[str]:
    return sorted(
        p.name for p in (out / "dorset").rglob("*") if p.name.startswith((".building", ".previous"))
    )


# --- where packs go -------------------------------------------------------------------------


def test_scenario_packs_go_to_their_own_folder_under_the_output_root(tmp_path):
    assert pack_directory(tmp_path, "dorset", PERIOD, "base") == tmp_path / "dorset" / "2021-22-Q2"
    assert pack_directory(tmp_path, "dorset", PERIOD, "pessimistic") == (
        tmp_path / "dorset" / "scenarios" / "pessimistic" / "2021-22-Q2"
    )


@pytest.mark.parametrize("scenario", ["../../x", "/tmp/x", "a b", "a/b", "..", ""])
def test_a_scenario_that_is_not_a_name_is_refused(tmp_path, scenario):
    with pytest.raises(InputError, match="is not a name"):
        pack_directory(tmp_path, "dorset", PERIOD, scenario)


@pytest.mark.parametrize("scenario", ["high_inflation", "Pessimistic", "plan-b2"])
def test_scenario_names_as_written_in_mtfp_yaml_are_folders(tmp_path, scenario):
    folder = pack_directory(tmp_path, "dorset", PERIOD, scenario)
    assert folder.parent.name == scenario and folder.is_relative_to(tmp_path)


def test_a_linked_pack_folder_is_an_environment_fault(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out" / "dorset").mkdir(parents=True)
    (tmp_path / "out" / "dorset" / "2021-22-Q2").symlink_to(elsewhere)
    with pytest.raises(EnvironmentFault, match="is a link"):
        pack_directory(tmp_path / "out", "dorset", PERIOD, "base")


@pytest.mark.slow
def test_a_scenario_run_never_replaces_the_committee_pack(toy_pack):
    out = toy_pack / "outputs"
    base = build_pack("dorset", "2021-22-Q2", output_root=out)
    before = _files(base.directory)
    other = build_pack("dorset", "2021-22-Q2", scenario="pessimistic", output_root=out)
    assert other.ok, other.message
    assert other.directory == out / "dorset" / "scenarios" / "pessimistic" / "2021-22-Q2"
    assert json.loads((other.directory / "manifest.json").read_text())["scenario"] == "pessimistic"
    assert _files(base.directory) == before


@pytest.mark.slow
def test_a_subset_run_replaces_a_complete_pack_only_when_asked(toy_pack):
    out = toy_pack / "outputs"
    full = build_pack("dorset", "2021-22-Q2", output_root=out)
    before = _files(full.directory)
    with pytest.raises(InputError) as caught:
        build_pack("dorset", "2021-22-Q2", notebooks=["alpha"], output_root=out)
    assert caught.value.problems[0].file == "--notebooks"
    assert "--replace" in caught.value.problems[0].message
    assert _files(full.directory) == before and _leftovers(out) == []
    replaced = build_pack(
        "dorset", "2021-22-Q2", notebooks=["alpha"], output_root=out, replace=True
    )
    assert replaced.ok
    assert json.loads((replaced.directory / "manifest.json").read_text())["notebooks_run"] == [
        "alpha"
    ]


# --- reproducibility ------------------------------------------------------------------------


@pytest.mark.slow
def test_pack_records_no_machine_path_and_no_kernel_log(toy_pack):
    out = toy_pack / "outputs"
    result = build_pack("dorset", "2021-22-Q2", output_root=out)
    assert result.ok, result.message
    for path in [result.directory / "manifest.json", *result.directory.glob("executed/*")]:
        text = path.read_text()
        assert str(toy_pack) not in text, path
        assert ".building-" not in text, path
    assert not list(result.directory.rglob("*.log"))
    manifest = json.loads((result.directory / "manifest.json").read_text())
    assert manifest["parameters"]["tables_dir"] == "tables"
    # the library cannot change during a run: no module checks before every cell
    assert manifest["parameters"]["autoreload"] == "off"
    assert all(not key.startswith("/") for key in manifest["inputs"])


# --- the lock -------------------------------------------------------------------------------


def test_a_second_run_says_who_holds_the_lock(toy_pack):
    out = toy_pack / "outputs"
    with pack_lock(out, "dorset", PERIOD):
        with pytest.raises(EnvironmentFault) as caught:
            build_pack("dorset", "2021-22-Q2", output_root=out, lock_wait_s=0.2)
    assert f"process {os.getpid()}" in str(caught.value)
    assert not (out / "dorset" / "2021-22-Q2").exists() and _leftovers(out) == []


@pytest.mark.slow
def test_a_second_run_waits_for_the_first(toy_pack):
    out = toy_pack / "outputs"
    said: list[str] = []
    holding = threading.Event()

    def first_run():
        with pack_lock(out, "dorset", PERIOD):
            holding.set()
            time.sleep(1.5)

    thread = threading.Thread(target=first_run)
    thread.start()
    holding.wait()
    result = build_pack("dorset", "2021-22-Q2", output_root=out, progress=said.append)
    thread.join()
    assert result.ok
    assert any(line.strip().startswith("waiting  for the run by process") for line in said)


# --- leftovers and environment faults -------------------------------------------------------


def test_reclaim_restores_a_stranded_pack_and_removes_scratch(tmp_path):
    destination = tmp_path / "dorset" / "2021-22-Q2"
    stranded = tmp_path / "dorset" / ".previous-2021-22-Q2-4242"
    (stranded / "tables").mkdir(parents=True)
    (stranded / "index.html").write_text("good pack")
    (tmp_path / "dorset" / ".building-2021-22-Q2-4243" / "executed").mkdir(parents=True)
    done = reclaim(destination)
    assert (destination / "index.html").read_text() == "good pack"
    assert sorted(p.name for p in destination.parent.iterdir()) == ["2021-22-Q2"]
    assert len(done) == 2


def test_a_failed_second_rename_puts_the_good_pack_back(tmp_path):
    destination = tmp_path / "2021-22-Q2"
    destination.mkdir()
    (destination / "index.html").write_text("good pack")
    with pytest.raises(OSError):
        publish(tmp_path / "missing-build", destination)
    assert (destination / "index.html").read_text() == "good pack"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021-22-Q2"]


@pytest.mark.slow
def test_a_full_disk_exits_3_in_one_line_keeping_the_last_good_pack(toy_pack, monkeypatch, capsys):
    out = toy_pack / "outputs"
    good = build_pack("dorset", "2021-22-Q2", output_root=out)
    before = _files(good.directory)

    def full_disk(folder, manifest):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "index.html"))

    # The build imports the cover's writer when it writes the cover (nbconvert comes with it).
    monkeypatch.setattr(cover_module, "write_cover", full_disk)
    code = main(["run", "--council", "dorset", "--period", "2021-22-Q2", "--output-dir", str(out)])
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Cannot build the pack: ") and "disk is full" in err[-1]
    assert "index.html" in err[-1] and "Traceback" not in "\n".join(err)
    assert _files(good.directory) == before
    assert _leftovers(out) == []


def test_an_output_folder_that_is_a_file_exits_3(toy_pack, capsys):
    target = toy_pack / "a-file"
    target.write_text("not a folder")
    code = main(
        ["run", "--council", "dorset", "--period", "2021-22-Q2", "--output-dir", str(target)]
    )
    assert code == 3
    err = capsys.readouterr().err.strip()
    assert (
        err.splitlines()[-1]
        == f"Cannot build the pack: {target}: is a file, not a folder: move it, or use --output-dir"
    )
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize("timeout", ["-5", "0", "soon"])
def test_a_timeout_that_is_not_positive_is_a_usage_error(timeout, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--timeout", timeout])
    assert caught.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_build_pack_refuses_a_non_positive_timeout():
    with pytest.raises(InputError, match="positive number of seconds"):
        build_pack("dorset", "2021-22-Q2", timeout_s=-1)


@pytest.mark.slow
def test_a_failed_notebook_keeps_its_kernel_log_for_diagnosis(toy_pack):
    _notebook(toy_pack / "notebooks" / "beta.ipynb", BAD, "Beta report")
    result = build_pack("dorset", "2021-22-Q2", output_root=toy_pack / "outputs")
    assert not result.ok
    assert list((result.directory / "logs").glob("kernel-*.log")), "the kernels' logs are kept"
    assert _leftovers(toy_pack / "outputs") == []


def _publish_many(args) -> int:
    """In a separate process: publish ``times`` small packs under the lock; returns failures."""
    root, times = args
    from pathlib import Path

    from analysis.pack.publish import pack_lock, publish, reclaim, scratch_folder

    out = Path(root)
    destination = out / "dorset" / "2021-22-Q2"
    failures = 0
    for i in range(times):
        try:
            with pack_lock(out, "dorset", PERIOD, wait_s=60):
                reclaim(destination)
                build = scratch_folder(destination)
                (build / "tables").mkdir(parents=True)
                (build / "index.html").write_text(f"pack {os.getpid()} {i}")
                publish(build, destination)
        except Exception:
            failures += 1
    return failures


def test_concurrent_runs_never_fail_to_publish_or_lose_the_pack(tmp_path):
    # Before the lock, about 1 in 190 publishes failed when two runs raced.
    from concurrent.futures import ProcessPoolExecutor

    (tmp_path / "dorset").mkdir()
    with ProcessPoolExecutor(max_workers=4) as pool:
        failures = list(pool.map(_publish_many, [(str(tmp_path), 40)] * 4))
    assert failures == [0, 0, 0, 0]
    destination = tmp_path / "dorset" / "2021-22-Q2"
    assert (destination / "index.html").read_text().startswith("pack ")
    assert sorted(p.name for p in (tmp_path / "dorset").iterdir()) == ["2021-22-Q2"]


def test_a_folder_that_cannot_be_written_exits_3(toy_pack, monkeypatch, capsys):
    from pathlib import Path

    real = Path.write_bytes

    def refuse(self, data):
        if self.name.startswith(".write-test-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    out = toy_pack / "outputs"
    code = main(["run", "--council", "dorset", "--period", "2021-22-Q2", "--output-dir", str(out)])
    assert code == 3
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("Cannot build the pack: ") and "no permission" in last
    assert "outputs/dorset" in last
