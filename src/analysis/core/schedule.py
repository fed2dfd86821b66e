"""Which quarter a scheduled run is for: ``--period latest``."""

from __future__ import annotations

from analysis.core import config, paths
from analysis.core.config import Council
from analysis.core.errors import InputError, display_path
from analysis.core.periods import Period

SNAPSHOT_SUFFIXES = (".xlsx", ".csv")


def periods_with_data(council: str) -> list[Period]:
    """Quarters for which the council has a savings register snapshot, oldest first."""
    folder = paths.council_dir(council) / "savings"
    found = set()
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix.lower() in SNAPSHOT_SUFFIXES and not path.name.startswith(("~$", ".")):
                try:
                    found.add(Period.parse(path.stem))
                except ValueError:
                    continue
    return sorted(found)


def latest_period(council: str) -> Period:
    """The most recent quarter that has data; else the council's ``default_period``."""
    periods = periods_with_data(council)
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
