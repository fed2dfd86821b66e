"""Time positions for every English authority on every RS service line for one year.

    .venv/bin/python benchmarks/benchmark_positions.py [PUBLIC_DATA_DIR]

Uses the shared RS 2016-17 workbook and the ONS population; comparator groups are all
authorities of the same class (the largest groups: ~200 shire districts each).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from analysis import public_data
from analysis.benchmarking import comparators, unit_costs
from analysis.core import paths


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.shared_public_data()
    if root is None:
        print("no public data folder (pass one, e.g. ../shared/data/public)")
        return 1
    t0 = time.perf_counter()
    rs = public_data.read_rs(root / "revenue_outturn_summary" / "RS_2016-17_data_by_LA.xlsx")
    t1 = time.perf_counter()
    population = public_data.read_population(
        root / "population" / "ukpopestimatesmid2020on2021geography.xlsx"
    )
    t2 = time.perf_counter()
    costs, _unmatched = unit_costs(rs, population, 2016)
    classes = costs.drop_duplicates("ons_code").set_index("ons_code")["authority_class"]
    groups = comparators.class_groups(classes)
    t3 = time.perf_counter()
    pos = comparators.positions(
        costs.rename(columns={"net_expenditure_per_head_gbp": "value"})[
            ["ons_code", "line", "value"]
        ],
        groups,
        ["line"],
    )
    t4 = time.perf_counter()
    print(
        f"read RS 2016-17: {t1 - t0:.2f} s; read MYE4: {t2 - t1:.2f} s; unit costs + groups: {t3 - t2:.2f} s"
    )
    print(
        f"positions: {len(pos):,} (authority x line) from {len(groups):,} comparator pairs in {t4 - t3:.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
