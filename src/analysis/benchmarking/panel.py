"""The benchmarking panel: the tidy tables (RS lines, population, performance, neighbours) read
either from the published government files (``public_data``) or from the council's own
``data/raw/<council>/benchmark/`` folder in the same tidy form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.benchmarking import sources
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core.config import Council
from analysis.core.errors import InputError, Problem, display_path
from analysis.public_data import load_panel as load_public_panel
from analysis.public_data._common import check_file, tidy


@dataclass
class Panel:
    """The data a benchmark run uses, and where they came from."""

    rs: pd.DataFrame
    population: pd.DataFrame
    neighbours: pd.DataFrame | None
    performance: pd.DataFrame | None
    files: dict[str, list[Path]]
    illustrative: bool
    source: str
    notes: list[str] = field(default_factory=list)
    # Every published year in the tidy public-data panel form (analysis.public_data.load_panel),
    # or the council's own panel's years; trends and resilience changes read it.
    history: pd.DataFrame | None = None


def _tidy_csv(path: Path, what: str, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV in the tidy reader form (as the illustrative panel ships)."""
    path = check_file(path, what)
    shown = display_path(path)
    try:
        frame = pd.read_csv(path, dtype={"ons_code": str, "e_code": str, "measure": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError.single(shown, f"not a readable CSV ({what}): {exc}") from None
    needed = ["ons_code", "name", "authority_class", "year", "measure", "value", *extra]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError.single(shown, f"missing columns {', '.join(missing)} ({what})")
    problems = [
        Problem(shown, "value is not a number", row=i + 2, column="value")
        for i in frame.index[
            pd.to_numeric(frame["value"], errors="coerce").isna() & frame["value"].notna()
        ]
    ]
    if problems:
        raise InputError(problems)
    return tidy(frame)


def _find(directory: Path, patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [p for p in sorted(directory.rglob(pattern)) if p.is_file() and p not in found]
    return found


def find_public_files(directory: Path, settings: BenchmarkSettings) -> dict[str, list[Path]]:
    """The published files in a folder (searched recursively by their published names)."""
    patterns = {
        # Years with line numbers and ONS codes (.xlsx, or .ods as now published); the legacy
        # .xls years without ONS codes reach the reports through the history panel.
        "rs": [
            "RS_*.xlsx",
            "RS_*.ods",
            "*Revenue_Outturn_Summary*.xlsx",
            "revenue_outturn_summary/*.xlsx",
            "revenue_outturn_summary/*.ods",
        ],
        "population": ["*popestimates*.xlsx", "*mye*.xlsx", "population/*.xlsx"],
        "neighbours": ["*neighbour*.json"],
        "performance": ["*oflog*.csv", "performance/*.csv"],
    }
    files = {}
    for kind, globs in patterns.items():
        if kind in settings.public_files:
            files[kind] = [directory / settings.public_files[kind]]
        else:
            files[kind] = _find(directory, globs)
    if files["population"]:
        files["population"] = files["population"][:1]
    if files["neighbours"]:
        files["neighbours"] = files["neighbours"][:1]
    return files


def load_panel(council: Council, settings: BenchmarkSettings, public_data: Path | None) -> Panel:
    """Read everything the run needs, raising one InputError listing every problem."""
    problems: list[Problem] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except InputError as exc:
            problems.extend(exc.problems)
            return None

    if public_data is not None:
        directory = Path(public_data)
        if not directory.is_dir():
            raise InputError.single(display_path(directory), "public data folder not found")
        files = find_public_files(directory, settings)
        for kind in ("rs", "population"):
            if not files[kind]:
                problems.append(
                    Problem(
                        display_path(directory),
                        f"no {kind.upper() if kind == 'rs' else kind} file found (see data/raw/README.md, Benchmarking)",
                    )
                )
        rs = attempt(sources.read_rs_many, files["rs"]) if files["rs"] else None
        population = (
            attempt(sources.read_population, files["population"][0])
            if files["population"]
            else None
        )
        illustrative, source = False, f"published files in {display_path(directory)}"
        history = attempt(load_public_panel, directory)
    else:
        folder = council.folder / settings.panel
        if not folder.is_dir():
            raise InputError.single(
                display_path(folder),
                "no benchmarking panel for this council: add one, or run with --public-data DIR "
                "(a folder of the published RS, population and comparator files)",
            )
        files = {
            "rs": [folder / "rs.csv"],
            "population": [folder / "population.csv"],
            "neighbours": [p for p in [folder / "neighbours.json"] if p.is_file()],
            "performance": [p for p in [folder / "performance.csv"] if p.is_file()],
        }
        rs = attempt(_tidy_csv, files["rs"][0], "RS lines in tidy form", ("line",))
        population = attempt(_tidy_csv, files["population"][0], "population in tidy form")
        illustrative = (folder / "ILLUSTRATIVE.md").is_file()
        history = (
            pd.concat(
                [
                    frame.assign(source_file=path.name, aggregated=False)
                    for frame, path in ((rs, files["rs"][0]), (population, files["population"][0]))
                    if frame is not None
                ],
                ignore_index=True,
            )
            if rs is not None
            else None
        )
        source = f"the panel in {display_path(folder)}" + (
            " (illustrative figures)" if illustrative else ""
        )
    # The neighbour list and the performance extract are read the same way from either source.
    neighbours = (
        attempt(sources.read_neighbours, files["neighbours"][0]) if files["neighbours"] else None
    )
    performance = (
        attempt(sources.read_performance, files["performance"][0]) if files["performance"] else None
    )
    if settings.comparator_method == "nearest_neighbours" and neighbours is None and not problems:
        problems.append(
            Problem(
                display_path(council.folder / "council.yaml"),
                "comparator_method is nearest_neighbours but no nearest-neighbour list (*neighbour*.json) was found",
                key="benchmark.comparator_method",
            )
        )
    if settings.comparator_method == "list" and not settings.comparators:
        problems.append(
            Problem(
                display_path(council.folder / "council.yaml"),
                "comparator_method is list but no comparators are given",
                key="benchmark.comparators",
            )
        )
    if problems:
        raise InputError(problems)
    return Panel(
        rs, population, neighbours, performance, files, illustrative, source, history=history
    )
