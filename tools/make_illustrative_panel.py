"""Write the ILLUSTRATIVE benchmarking panel for Dorset: data/raw/dorset/benchmark/.

The figures are invented (seeded random draws around plausible per-head levels for a large rural
unitary authority), NOT taken from the published files. Authority names and ONS codes are real
so the panel reads naturally; every figure is illustrative. The files are in the same tidy form
the readers in ``analysis.public_data`` produce, so the benchmarking notebook runs offline. For the
published figures run with ``--public-data DIR`` (see data/raw/README.md, Benchmarking).

    .venv/bin/python tools/make_illustrative_panel.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.public_data import TIDY_COLUMNS

SEED = 20211
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "raw" / "dorset" / "benchmark"
YEARS = [2018, 2019, 2020]

DORSET = ("E06000059", "Dorset", 379_800)
COMPARATORS = [
    ("E06000054", "Wiltshire", 500_000),
    ("E06000052", "Cornwall", 570_000),
    ("E06000051", "Shropshire", 324_000),
    ("E06000019", "Herefordshire, County of", 193_000),
    ("E06000057", "Northumberland", 322_000),
    ("E06000011", "East Riding of Yorkshire", 342_000),
    ("E06000046", "Isle of Wight", 142_000),
    ("E06000049", "Cheshire East", 385_000),
    ("E06000056", "Central Bedfordshire", 289_000),
    ("E06000024", "North Somerset", 215_000),
    ("E06000022", "Bath and North East Somerset", 196_000),
    ("E06000025", "South Gloucestershire", 286_000),
    ("E06000047", "County Durham", 530_000),
    ("E06000060", "Buckinghamshire", 545_000),
    ("E06000050", "Cheshire West and Chester", 343_000),
]

# Net current expenditure, £ per head (illustrative central values), and Dorset's tilt.
SERVICES = {
    190: ("Education services", 470.0, 1.00),
    290: ("Highways and transport services", 62.0, 1.12),
    330: ("Children Social Care", 185.0, 1.15),
    360: ("Adult Social Care", 375.0, 1.06),
    390: ("Public Health", 52.0, 0.95),
    490: ("Housing services (GFRA only)", 21.0, 1.05),
    509: ("Cultural and related services", 24.0, 0.85),
    590: ("Environmental and regulatory services", 96.0, 1.10),
    599: ("Planning and development services", 19.0, 0.92),
    690: ("Central services", 34.0, 0.97),
    698: ("Other services", 2.0, 1.0),
}
PERFORMANCE = [
    (
        "ASC2",
        "Adult social care-related quality of life (score)",
        360,
        "higher_is_better",
        0.41,
        0.01,
        "score",
        -0.6,
    ),
    (
        "CSC1",
        "Re-referrals to children's social care within 12 months (%)",
        330,
        "lower_is_better",
        22.0,
        3.0,
        "percent",
        0.8,
    ),
    (
        "ENV1",
        "Household waste sent for reuse, recycling or composting (%)",
        590,
        "higher_is_better",
        52.0,
        5.0,
        "percent",
        1.2,
    ),
    (
        "HWY1",
        "Principal roads where maintenance should be considered (%)",
        290,
        "lower_is_better",
        4.0,
        1.0,
        "percent",
        0.9,
    ),
    (
        "PLN1",
        "Major planning applications decided in time (%)",
        599,
        "higher_is_better",
        88.0,
        6.0,
        "percent",
        0.3,
    ),
]


def main() -> None:
    rng = np.random.default_rng(SEED)
    authorities = [DORSET, *COMPARATORS]
    rs_rows, pop_rows, perf_rows = [], [], []
    for code, name, pop2020 in authorities:
        is_dorset = code == DORSET[0]
        level = {
            line: base * (tilt if is_dorset else rng.lognormal(0, 0.12))
            for line, (_n, base, tilt) in SERVICES.items()
        }
        reserves = rng.uniform(0.18, 0.40)
        unallocated = rng.uniform(0.04, 0.08)
        trend = rng.normal(0.03, 0.08) if not is_dorset else -0.06
        interest = rng.uniform(0.015, 0.05)
        for i, year in enumerate(YEARS):
            population = round(pop2020 * (1 - 0.006 * (YEARS[-1] - year)) * rng.normal(1, 0.001))
            pop_rows.append(
                (
                    code,
                    None,
                    name,
                    "UA",
                    year,
                    "population",
                    None,
                    f"Mid-{year} population estimate (illustrative)",
                    population,
                    "persons",
                )
            )
            growth = 1.03**i
            total = 0.0
            for line, (description, _base, _tilt) in SERVICES.items():
                value = round(level[line] * growth * rng.normal(1, 0.02) * population / 1000.0, 1)
                total += value
                rs_rows.append(
                    (code, None, name, "UA", year, f"RS{line}", line, description, value, "gbp_k")
                )
            nre = round(total * 1.04, 1)
            opening = nre * reserves * (1 + trend) ** i
            closing = opening * (1 + trend)
            finance = {
                "RS781": (
                    781,
                    "Interest: Interest payable and similar charges",
                    round(nre * interest, 1),
                ),
                "RS805": (805, "NET REVENUE EXPENDITURE", nre),
                "RS890": (890, "COUNCIL TAX REQUIREMENT", round(nre * rng.uniform(0.6, 0.72), 1)),
                "RS915_1apr": (
                    915,
                    "Other earmarked financial reserves level at 1 April",
                    round(opening * (1 - unallocated / reserves), 1),
                ),
                "RS916_1apr": (
                    916,
                    "Unallocated financial reserves level at 1 April",
                    round(opening * unallocated / reserves, 1),
                ),
                "RS915_31mar": (
                    915,
                    "Other earmarked financial reserves level at 31 March",
                    round(closing * (1 - unallocated / reserves), 1),
                ),
                "RS916_31mar": (
                    916,
                    "Unallocated financial reserves level at 31 March",
                    round(closing * unallocated / reserves, 1),
                ),
            }
            for measure, (line, description, value) in finance.items():
                rs_rows.append(
                    (code, None, name, "UA", year, measure, line, description, value, "gbp_k")
                )
            for (
                measure,
                description,
                service,
                polarity,
                centre,
                spread,
                unit,
                dorset_z,
            ) in PERFORMANCE:
                z = dorset_z if is_dorset else rng.normal(0, 1)
                value = round(centre + z * spread + rng.normal(0, spread * 0.1), 3)
                perf_rows.append(
                    (
                        code,
                        name,
                        "UA",
                        f"{year}-{(year + 1) % 100:02d}",
                        measure,
                        description,
                        value,
                        unit,
                        polarity,
                        service,
                    )
                )
    OUT.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rs_rows, columns=TIDY_COLUMNS).to_csv(
        OUT / "rs.csv", index=False, lineterminator="\n"
    )
    pd.DataFrame(pop_rows, columns=TIDY_COLUMNS).drop(columns="line").to_csv(
        OUT / "population.csv", index=False, lineterminator="\n"
    )
    pd.DataFrame(
        perf_rows,
        columns=[
            "ons_code",
            "name",
            "authority_class",
            "year",
            "measure",
            "description",
            "value",
            "unit",
            "polarity",
            "service_line",
        ],
    ).to_csv(OUT / "performance.csv", index=False, lineterminator="\n")
    codes = [a[0] for a in authorities]
    neighbours = {code: [code] + [c for c in codes if c != code] for code in codes}
    (OUT / "neighbours.json").write_text(json.dumps(neighbours, indent=2) + "\n", encoding="utf-8")
    print(f"wrote the illustrative panel to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
