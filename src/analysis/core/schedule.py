"""Which quarter a scheduled run is for: ``--period latest``.

A quarter has data when ``data/raw/<council>/savings/`` holds a register named for it
(``2021-22-Q2.xlsx``) in a format the loader reads, the extension in any case. A file named for
a quarter in a format the loader cannot read is refused by name, never skipped: a scheduled run
must not quietly build the quarter before.
"""

from __future__ import annotations

from pathlib import Path

from analysis.core import config, paths
from analysis.core.config import Council
from analysis.core.errors import InputError, display_path
from analysis.core.periods import Period

SNAPSHOT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def _named_periods(folder: Path) -> dict[Period, list[Path]]:
    """Every file in ``folder`` named like a quarter (any extension), by quarter."""
    found: dict[Period, list[Path]] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue  # Excel's lock files, hidden files
        try:
            period = Period.parse(path.stem)
        except ValueError:
            continue
        found.setdefault(period, []).append(path)
    return found


def snapshot_files(council: str, folder: Path | None = None) -> dict[Period, list[Path]]:
    """Readable register files by quarter; a quarter with more than one is the caller's to refuse."""
    folder = (folder or paths.council_dir(council)) / "savings"
    return {
        period: readable
        for period, files in _named_periods(folder).items()
        if (readable := [p for p in files if p.suffix.lower() in SNAPSHOT_SUFFIXES])
    }


def periods_with_data(council: str) -> list[Period]:
    """Quarters for which the council has a savings register snapshot, oldest first."""
    return sorted(snapshot_files(council))


def latest_period(council: str) -> Period:
    """The most recent quarter that has data; else the council's ``default_period``."""
    folder = paths.council_dir(council) / "savings"
    periods = periods_with_data(council)
    unreadable = [
        path
        for period, files in _named_periods(folder).items()
        if not periods or period > periods[-1]
        for path in files
        if path.suffix.lower() not in SNAPSHOT_SUFFIXES
    ]
    if unreadable:
        raise InputError.single(
            display_path(unreadable[-1]),
            f"looks like the latest savings register, but {unreadable[-1].suffix or 'a file without an extension'}"
            f" cannot be read: save it as {', '.join(SNAPSHOT_SUFFIXES)} (or give --period)",
        )
    if periods:
        return periods[-1]
    loaded = config.load_council(council)
    if loaded.default_period:
        return Period.parse(loaded.default_period)
    raise InputError.single(
        display_path(paths.council_dir(council)),
        "cannot work out the latest period: no savings snapshots named like 2021-22-Q1.xlsx "
        "and no default_period in council.yaml",
    )


def resolve_period(council: Council, period: str) -> Period:
    if period == "latest":
        return latest_period(council.slug)
    return Period.parse(period)
