"""The kernels' socket files: named after the process that started them, and cleared once it
is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analysis.pack import sockets


def _files(folder: Path, base: str) -> list[Path]:
    paths = [folder / f"{base}-{n}" for n in range(1, 6)]
    for path in paths:
        path.write_text("")
    return paths


def test_the_files_of_a_process_that_has_ended_are_removed_and_no_others(tmp_path):
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(ended.stdout)
    dead = _files(tmp_path, f"council-finance-{dead_pid}-0123456789ab")
    dead.append(tmp_path / f"council-finance-{dead_pid}-0123456789ab.json")
    dead[-1].write_text("{}")
    alive = _files(tmp_path, f"council-finance-{os.getpid()}-ba9876543210")
    older = _files(tmp_path, "council-finance-0123456789ab")  # before the pid was in the name
    other = tmp_path / "kernel-1234.json"
    other.write_text("{}")

    assert sockets.remove_stale(tmp_path) == 6
    assert not any(path.exists() for path in dead)
    assert all(path.exists() for path in alive + older + [other])
    assert sockets.remove_stale(tmp_path) == 0


def test_a_kernel_s_files_carry_the_id_of_the_process_that_starts_it(tmp_path):
    base = Path(sockets.socket_base(tmp_path))
    assert base.parent == tmp_path
    assert base.name.startswith(f"council-finance-{os.getpid()}-")
    assert sockets.socket_base(tmp_path) != str(base)


def test_a_missing_runtime_folder_removes_nothing(tmp_path):
    assert sockets.remove_stale(tmp_path / "absent") == 0
