"""Time the public-data panel: every published year built from cold, then loaded from the cache.

    .venv/bin/python benchmarks/benchmark_panel.py [PUBLIC_DATA_DIR]

Targets (issue 18, on the shared 2-core machine): the panel with every file in
``../shared/data/public`` builds cold (a new process, an empty cache folder) in under 15 s and
loads from its Parquet cache in under 0.5 s. Each is printed as wall time and as the CPU time of
the process (on a machine other people are using, the wall time includes their share of the
cores: the load average is printed beside it). Needs ``../shared/data/public`` (or the folder
given); prints what it measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

BUILD_TARGET_S = 15.0
LOAD_TARGET_S = 0.5

CHILD = """
import sys, time
started = time.perf_counter()
from analysis.public_data import load_panel
imported = time.perf_counter()
cpu = time.process_time()
panel = load_panel(sys.argv[1], sys.argv[2])
done = time.perf_counter()
print(f"{done - imported:.3f} {time.process_time() - cpu:.3f} {imported - started:.3f} "
      f"{len(panel)} {panel['year'].min()} {panel['year'].max()} {panel['ons_code'].nunique()} "
      f"{int(panel['aggregated'].sum())}")
"""


def run(folder: Path, cache: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(cache)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def verdict(seconds: float, target: float) -> str:
    return "meets" if seconds < target else "MISSES"


def main() -> None:
    from analysis.core import paths

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.shared_public_data()
    if folder is None or not Path(folder).is_dir():
        sys.exit("no public data folder (../shared/data/public); give one as the argument")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = run(folder, cache)
        warm = run(folder, cache)
    rows, first, last, codes, aggregated = cold[3:]
    build, build_cpu, load, load_cpu = (float(v) for v in (*cold[:2], *warm[:2]))
    print(f"Public-data panel from {folder}")
    print(
        f"  {int(rows):,} rows, years {first}-{last}, {int(codes)} ONS codes, "
        f"{int(aggregated):,} aggregated"
    )
    print(
        f"  build from cold   {build:6.2f} s wall, {build_cpu:5.2f} s CPU  "
        f"(new process, empty cache; target < {BUILD_TARGET_S:g} s: {verdict(build, BUILD_TARGET_S)})"
    )
    print(
        f"  load from cache   {load:6.2f} s wall, {load_cpu:5.2f} s CPU  "
        f"(target < {LOAD_TARGET_S:g} s: {verdict(load, LOAD_TARGET_S)}; import {float(warm[2]):.2f} s)"
    )
    print(
        f"  load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
