"""Checking notebook 03's inputs before it runs: for one pack, or once for a batch of packs.

:func:`validate_inputs` loads (and so checks) everything the notebook reads for one council.
A batch of hundreds of councils on the same published files checks those files once, with
:func:`public_check`, and hands each council's pack the result
(:meth:`PublicCheck.prechecked_for`): the same summary line and the same record of the inputs
read, without each worker loading the national panel again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.benchmarking.panel import load_panel
from analysis.benchmarking.settings import BenchmarkSettings, load_settings
from analysis.core import provenance
from analysis.core.config import Council
from analysis.core.periods import Period, year_label
from analysis.core.provenance import Prechecked


def summary_line(
    where: str, years: list[int], n_authorities: int, method: str, ons_code: str, present: bool
) -> str:
    """'Benchmarking (public data): RS 2015-16, 2016-17 for 441 authorities; comparators by
    nearest neighbours' (and '; E06000059 not in these data' when the council is missing)."""
    return (
        f"Benchmarking ({where}): RS {', '.join(year_label(y) for y in years)} for "
        f"{n_authorities} authorities; comparators by {method.replace('_', ' ')}"
        + ("" if present else f"; {ons_code} not in these data")
    )


def validate_inputs(
    council: Council, period: Period, scenario: str, public_data: Path | None
) -> str:
    """Load and check everything notebook 03 reads; returns a one-line summary."""
    settings = load_settings(council)
    panel = load_panel(council, settings, public_data)
    years = sorted(int(y) for y in panel.rs["year"].unique())
    where = (
        "illustrative panel" if panel.illustrative else ("public data" if public_data else "panel")
    )
    return summary_line(
        where,
        years,
        int(panel.rs["ons_code"].nunique()),
        settings.comparator_method,
        council.ons_code,
        bool((panel.rs["ons_code"] == council.ons_code).any()),
    )


@dataclass(frozen=True)
class PublicCheck:
    """The published files in ``folder``, checked once: the RS years, the authorities they
    cover, and every file read with its SHA-256."""

    folder: str
    years: tuple[int, ...]
    codes: frozenset[str]
    has_neighbours: bool
    inputs: tuple[tuple[str, str], ...]

    def covers(self, settings: BenchmarkSettings, public_data: Path | None) -> bool:
        """Whether this check is the one a council's pack would make: the same folder, no
        council-specific choice of files, and settings the files satisfy (otherwise the pack
        makes its own check, which names the problem)."""
        method_ok = {
            "nearest_neighbours": self.has_neighbours,
            "list": bool(settings.comparators),
        }.get(settings.comparator_method, True)
        return (
            public_data is not None
            and str(Path(public_data).resolve()) == self.folder
            and not settings.public_files
            and method_ok
        )

    def prechecked_for(self, council: Council, settings: BenchmarkSettings) -> Prechecked:
        """What :func:`validate_inputs` would have found for ``council``."""
        line = summary_line(
            "public data",
            list(self.years),
            len(self.codes),
            settings.comparator_method,
            council.ons_code,
            council.ons_code in self.codes,
        )
        return Prechecked(line, dict(self.inputs))


def public_check(public_data: Path) -> PublicCheck:
    """Check the published files in ``public_data`` once (raises InputError listing every
    problem, as a pack's own check would)."""
    folder = Path(public_data).resolve()
    before = provenance.inputs_read()
    provenance.reset()
    try:
        # Settings that ask nothing of the files beyond what every pack needs; whether a
        # council's own comparator method is satisfied is decided by :meth:`PublicCheck.covers`.
        settings = BenchmarkSettings(comparator_method="class")
        probe = Council.model_construct(slug="", name="", folder=folder)
        panel = load_panel(probe, settings, folder)
        inputs = tuple(provenance.inputs_read().items())
    finally:
        provenance.reset()
        provenance.record_known(before)
    return PublicCheck(
        folder=str(folder),
        years=tuple(sorted(int(y) for y in panel.rs["year"].unique())),
        codes=frozenset(str(c) for c in panel.rs["ons_code"].dropna().unique()),
        has_neighbours=panel.neighbours is not None,
        inputs=inputs,
    )
