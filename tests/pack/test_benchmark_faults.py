"""benchmarks/benchmark_hostile.py measures the pack-side faults of issue 23 too, each as a
fresh ``python -m analysis`` process (the fast cases here; the benchmark runs them all)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "benchmark_hostile", ROOT / "benchmarks" / "benchmark_hostile.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_times_a_read_only_home_and_a_missing_chromium(tmp_path, capsys):
    held = _benchmark().issue_23_pack(tmp_path, only=("read-only HOME", "missing program"))
    lines = capsys.readouterr().out.strip().splitlines()
    assert held, "\n".join(lines)
    rows = [line for line in lines if " MB  exit " in line]
    assert len(rows) == 2
    for row in rows:
        seconds, peak = row.split(" s ")[0].split()[-1], row.split(" MB")[0].split()[-1]
        assert float(seconds) < 10 and float(peak) < 500 and "exit 3" in row
    assert "JUPYTER_RUNTIME_DIR" in rows[0] or "runtime folder" in rows[0]
    assert "CHROMIUM is set to /nonexistent/chromium" in rows[1]
