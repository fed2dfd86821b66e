"""Time the public-data panel: every published year built from cold, then loaded from the cache.

    .venv/bin/python benchmarks/benchmark_panel.py [PUBLIC_DATA_DIR]

Targets (2-core machine): the panel for all years builds in well under a minute from cold (a new
process, an empty cache folder) and loads from the Parquet cache in under a second. Needs
``../shared/data/public`` (or the folder given); prints what it measured.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import sys, time
started = time.perf_counter()
from analysis.public_data import load_panel
imported = time.perf_counter()
panel = load_panel(sys.argv[1], sys.argv[2])
done = time.perf_counter()
print(f"{done - imported:.3f} {imported - started:.3f} {len(panel)} {panel['year'].min()} "
      f"{panel['year'].max()} {panel['ons_code'].nunique()} {int(panel['aggregated'].sum())}")
"""


def run(folder: Path, cache: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(cache)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def main() -> None:
    from analysis.core import paths

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.shared_public_data()
    if folder is None or not Path(folder).is_dir():
        sys.exit("no public data folder (../shared/data/public); give one as the argument")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        started = time.perf_counter()
        cold = run(folder, cache)
        cold_wall = time.perf_counter() - started
        warm = run(folder, cache)
    rows, first, last, codes, aggregated = cold[2:]
    print(f"Public-data panel from {folder}")
    print(
        f"  {int(rows):,} rows, years {first}-{last}, {int(codes)} ONS codes, {int(aggregated):,} aggregated"
    )
    print(
        f"  build from cold   {float(cold[0]):6.2f} s  (new process, empty cache; wall {cold_wall:.2f} s; target well under 60 s)"
    )
    print(
        f"  load from cache   {float(warm[0]):6.2f} s  (target < 1 s; import {float(warm[1]):.2f} s)"
    )


if __name__ == "__main__":
    main()
