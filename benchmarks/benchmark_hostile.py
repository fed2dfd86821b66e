"""Measure the input caps of issue 10 on hostile files; prints the figures.

    .venv/bin/python benchmarks/benchmark_hostile.py

- a 100,000-row savings register (CSV and .xlsx) validated: target a few seconds;
- a YAML alias bomb (9 levels of 9 aliases, 387 million values expanded) refused: target < 1 s;
- an .xlsx whose one cell holds 10 million characters refused: target < 5 s;
- a 100,000-row table shown in a report: the HTML it makes (rows capped) in KB.
"""

from __future__ import annotations

import csv
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from analysis.core.config import Council, load_yaml
from analysis.core.display import capped_table_html
from analysis.core.errors import InputError
from analysis.core.tables import save_table
from analysis.savings.register import load_register

HEADER = ["Ref", "Title", "Directorate", "Type", "Financial year", "Planned", "Delivered",
          "Forecast", "RAG", "Owner", "Mitigation", "Note"]  # fmt: skip


def _council(folder: Path) -> Council:
    return Council(
        name="Benchmark Council",
        ons_code="E06000099",
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5},
        directorates=["Adults", "Place"],
        savings={"types": ["Tactical"]},
        slug="benchmark",
        folder=folder,
    )


def _rows(n: int) -> list[list]:
    return [
        [f"R{i}", f"Saving {i}", "Adults", "Tactical", "2021-22", 100, 40, 90, "G", "Head", "", ""]
        for i in range(n)
    ]


def _timed(label: str, action) -> None:
    started = time.perf_counter()
    try:
        outcome = action()
    except InputError as exc:
        outcome = f"refused: {exc.problems[0].message[:70]}"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<44} {seconds:6.2f} s  (peak RSS so far {peak_mb:,.0f} MB)  {outcome}")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        council = _council(folder)
        print("Hostile input (issue 10)")

        path = folder / "big.csv"
        with open(path, "w", newline="") as handle:
            csv.writer(handle).writerows([HEADER, *_rows(100_000)])
        _timed("100,000-row register, CSV", lambda: f"{len(load_register(path, council)):,} rows")

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Tracker")
        for row in [HEADER, *_rows(100_000)]:
            ws.append(row)
        xlsx = folder / "big.xlsx"
        wb.save(xlsx)
        _timed("100,000-row register, .xlsx", lambda: f"{len(load_register(xlsx, council)):,} rows")

        bomb = folder / "bomb.yaml"
        lines = ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
        lines += [
            f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]"
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        ]
        bomb.write_text("\n".join(lines) + "\n")
        _timed(f"YAML alias bomb ({bomb.stat().st_size:,} bytes)", lambda: load_yaml(bomb))

        wb = Workbook()
        wb.active.append(HEADER)
        wb.active.append(
            ["R1", "LONGCELL", "Adults", "Tactical", "2021-22", 1, 0, 1, "G", "H", "", ""]
        )
        small = folder / "small.xlsx"
        wb.save(small)
        huge = folder / "huge_cell.xlsx"
        with zipfile.ZipFile(small) as src, zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = src.read(info.filename).replace(b"LONGCELL", b"x" * 10_000_000)
                out.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        _timed(
            f"one 10-million-character cell ({huge.stat().st_size / 1000:,.0f} KB .xlsx)",
            lambda: load_register(huge, council),
        )

        frame = pd.DataFrame(_rows(100_000), columns=[h.lower().replace(" ", "_") for h in HEADER])
        started = time.perf_counter()
        save_table(frame, "savings_register", folder / "tables")
        html = capped_table_html(frame, "Every saving")
        print(
            f"  {'100,000-row table as HTML (rows capped)':<44} "
            f"{time.perf_counter() - started:6.2f} s  {len(html) / 1000:,.0f} KB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
