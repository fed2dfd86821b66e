"""Sizes of a pack's HTML pages against their limits: each report under 2 MB, the summary
under 1 MB (decimal megabytes, as mail systems count them).

    .venv/bin/python benchmarks/measure_sizes.py outputs/dorset/2021-22-Q2

``measure_sizes(pack_dir)`` returns one row per page; ``print_sizes(pack_dir)`` prints them
(the benchmark script calls it); the exit status is 1 when a page is over its limit.
"""

from __future__ import annotations

import sys
from pathlib import Path

MB = 1_000_000
SUMMARY_PAGE = "00_summary.html"
LIMITS_BYTES = {SUMMARY_PAGE: 1 * MB}
DEFAULT_LIMIT_BYTES = 2 * MB


def measure_sizes(pack_dir: str | Path) -> list[dict]:
    """``page, bytes, limit_bytes, ok`` for every HTML page of the pack, in name order."""
    rows = []
    for page in sorted(Path(pack_dir).glob("*.html")):
        size = page.stat().st_size
        limit = LIMITS_BYTES.get(page.name, DEFAULT_LIMIT_BYTES)
        rows.append({"page": page.name, "bytes": size, "limit_bytes": limit, "ok": size < limit})
    return rows


def print_sizes(pack_dir: str | Path) -> bool:
    """Print the sizes; True when every page is within its limit."""
    rows = measure_sizes(pack_dir)
    print("Report sizes (limits: each report < 2 MB, the summary < 1 MB)")
    for row in rows:
        flag = "" if row["ok"] else "  OVER THE LIMIT"
        print(
            f"  {row['page']:<28} {row['bytes'] / MB:6.3f} MB  "
            f"(limit {row['limit_bytes'] / MB:.0f} MB){flag}"
        )
    return all(row["ok"] for row in rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(0 if print_sizes(sys.argv[1]) else 1)
