"""The benchmarking panel: the tidy tables (RS lines, population, performance, neighbours) read
either from the published government files (``public_data``) or from the council's own
``data/raw/<council>/benchmark/`` folder in the same tidy form.

The panel's tables are kept in the project's one cache (:mod:`analysis.core.cache`: memory,
then ``data/processed/cache/``) under a key made of every input file's name and SHA-256 and the
public-data panel's own key: the first kernel reads the files, every later one (each notebook
runs in a fresh kernel) reads the tables. A changed file gives a new key, and each caller gets
its own copy, so no caller can change another's panel.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core.cache import code_fingerprint, derived
from analysis.core.config import Council
from analysis.core.errors import InputError, Problem, Problems, display_path
from analysis.core.provenance import record_input, sha256_of
from analysis.public_data import (
    check_file,
    check_size,
    read_neighbours,
    read_performance,
    read_rs_many,
    tidy,
)
from analysis.public_data import find_files as find_history_files
from analysis.public_data import load_panel as load_public_panel
from analysis.public_data.panel import input_key as history_key
from analysis.public_data.panel import read_population_releases, with_corrected_codes


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
    # The SHA-256 key of the files it was read from (None for a panel made any other way); the
    # national figures of :mod:`analysis.benchmarking.national` are kept under it.
    key: str | None = None

    def copy(self) -> Panel:
        """A copy whose frames and lists the caller may change freely. The frames are shallow
        copies: with pandas' copy-on-write, a change to one copies the data it changes and never
        reaches the other, so a kept panel costs its memory once, not once per copy."""

        def own(frame):
            return frame.copy(deep=False) if frame is not None else None

        return replace(
            self,
            rs=own(self.rs),
            population=own(self.population),
            neighbours=own(self.neighbours),
            performance=own(self.performance),
            history=own(self.history),
            files={kind: list(paths) for kind, paths in self.files.items()},
            notes=list(self.notes),
        )


def _tidy_csv(
    path: Path, what: str, extra: tuple[str, ...] = (), divisor: bool = False
) -> pd.DataFrame:
    """A CSV in the tidy reader form (as the illustrative panel ships). ``divisor``: its values
    divide others (a population), so each must be more than 0."""
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
    values = pd.to_numeric(frame["value"], errors="coerce")
    problems = Problems(  # bounded however many rows are wrong
        Problem(shown, "value is not a number", row=i + 2, column="value")
        for i in frame.index[values.isna() & frame["value"].notna()]
    )
    if divisor:
        problems.extend(
            Problem(
                shown,
                f"a {what.split(' in ')[0]} must be more than 0 (found {values[i]:,.0f}): it "
                "divides the spending figures; leave a figure not known blank",
                row=i + 2,
                column="value",
            )
            for i in frame.index[values <= 0]
        )
    if problems:
        raise InputError(problems)
    return tidy(frame)


def _find(directory: Path, patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [p for p in sorted(directory.rglob(pattern)) if p.is_file() and p not in found]
    return found


def find_public_files(
    directory: Path, settings: BenchmarkSettings, found: dict[str, list[Path]] | None = None
) -> dict[str, list[Path]]:
    """The published files in a folder, found as the public-data panel finds them
    (:func:`analysis.public_data.find_files`: by their published names, recursively, as
    spreadsheets or CSV saves). The RS years are those with ONS codes: the legacy ``.xls``
    years (2010-11 to 2013-14, E-codes only) reach the reports through the history panel.
    ``settings.public_files`` names a file of a kind instead. ``found``: what
    :func:`~analysis.public_data.find_files` gave for the folder, when the caller has it."""
    found = find_history_files(directory) if found is None else found
    files = {
        "rs": [p for p in found["rs"] if p.suffix.lower() != ".xls"],
        "population": found["population"],
        "neighbours": _find(directory, ["*neighbour*.json"])[:1],
        "performance": _find(directory, ["*oflog*.csv", "performance/*.csv"]),
    }
    for kind, name in settings.public_files.items():
        if kind in files:
            files[kind] = [directory / name]
    return files


# The panel's tables, each kept in the cache; neighbours and performance only where a file of
# that kind is there (None otherwise).
PANEL_TABLES = ("rs", "population", "history", "neighbours", "performance")
OPTIONAL_TABLES = ("neighbours", "performance")


def _own_files(folder: Path) -> dict[str, list[Path]]:
    return {
        "rs": [folder / "rs.csv"],
        "population": [folder / "population.csv"],
        "neighbours": [p for p in [folder / "neighbours.json"] if p.is_file()],
        "performance": [p for p in [folder / "performance.csv"] if p.is_file()],
    }


def _read_files(files: dict[str, list[Path]]) -> list[Path]:
    """The files the readers open: every RS year and population release, and the first of each
    other kind."""
    every = ("rs", "population")
    return [
        *(p for kind in every for p in files.get(kind, [])),
        *(paths[0] for kind, paths in files.items() if kind not in every and paths),
    ]


def _inputs(
    council: Council, settings: BenchmarkSettings, public_data: Path | None
) -> tuple[list[Path], dict[str, list[Path]], str | None]:
    """(every file a load reads, the files by kind, the key of their contents and of how they
    are named), or a None key when the folder or a file is missing (reading them then says what
    is wrong)."""
    if public_data is not None:
        directory = Path(public_data)
        if not directory.is_dir():
            return [], {}, None
        found = find_history_files(directory)
        files = find_public_files(directory, settings, found)
        history = [p for paths in found.values() for p in paths]
        parts: list = ["public", str(directory), str(directory.resolve()), history_key(found)[0]]
    else:
        folder = council.folder / settings.panel
        if not folder.is_dir():
            return [], {}, None
        files, history = _own_files(folder), []
        parts = ["own", str(folder), (folder / "ILLUSTRATIVE.md").is_file()]
    read = _read_files(files)
    if not files["rs"] or not files["population"] or not all(p.is_file() for p in read):
        return [], {}, None
    for path in read:
        check_size(path, "benchmarking input")  # before it is hashed
    parts += [(str(p), str(p.resolve()), sha256_of(p)) for p in read]
    return [*read, *history], files, hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def load_panel(council: Council, settings: BenchmarkSettings, public_data: Path | None) -> Panel:
    """Read everything the run needs, raising one InputError listing every problem (the tables
    from the cache when the same files were read before, by this process or another; always a
    copy the caller may change)."""
    inputs, files, key = _inputs(council, settings, public_data)
    if key is None:
        return _read_panel(council, settings, public_data)
    read: list[Panel] = []  # the files, read at most once, and only if a table is not kept

    def table(name: str):
        def build() -> pd.DataFrame:
            if not read:
                read.append(_read_panel(council, settings, public_data))
            return getattr(read[0], name)

        return build

    code = code_fingerprint("benchmarking", "public_data", "core")
    tables = {
        name: derived(f"benchmark-panel-{name}", [], table(name), code=code, params=[key])
        if name not in OPTIONAL_TABLES or files[name]
        else None
        for name in PANEL_TABLES
    }
    problems = _settings_problems(council, settings, tables["neighbours"], read_ok=True)
    if problems:
        raise InputError(problems)
    if not read:
        for path in inputs:
            record_input(path)  # the manifest lists the inputs whichever way they came
    illustrative, source = _described(council, settings, public_data)
    return Panel(
        tables["rs"],
        tables["population"],
        tables["neighbours"],
        tables["performance"],
        files,
        illustrative,
        source,
        history=tables["history"],
        key=key,
    )


def _described(
    council: Council, settings: BenchmarkSettings, public_data: Path | None
) -> tuple[bool, str]:
    """(whether the panel is illustrative, where it comes from, in words)."""
    if public_data is not None:
        return False, "the government's published files"
    illustrative = (council.folder / settings.panel / "ILLUSTRATIVE.md").is_file()
    return illustrative, "the council's own benchmarking panel" + (
        " (illustrative figures)" if illustrative else ""
    )


def _settings_problems(
    council: Council, settings: BenchmarkSettings, neighbours: pd.DataFrame | None, read_ok: bool
) -> list[Problem]:
    """What the settings ask for that the data cannot give (the missing neighbour list only
    when every file was read, so it is not blamed on a file that failed)."""
    problems = []
    if settings.comparator_method == "nearest_neighbours" and neighbours is None and read_ok:
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
    return problems


def _read_panel(council: Council, settings: BenchmarkSettings, public_data: Path | None) -> Panel:
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
        rs = attempt(read_rs_many, files["rs"]) if files["rs"] else None
        if rs is not None:  # misprinted ONS codes corrected as in the history panel
            rs = attempt(with_corrected_codes, rs, directory)
        # Every population release; each area and mid-year from the newest that has it.
        population = (
            attempt(read_population_releases, files["population"]) if files["population"] else None
        )
        history = attempt(load_public_panel, directory)
    else:
        folder = council.folder / settings.panel
        if not folder.is_dir():
            raise InputError.single(
                display_path(folder),
                "no benchmarking panel for this council: add one, or run with --public-data DIR "
                "(a folder of the published RS, population and comparator files)",
            )
        files = _own_files(folder)
        rs = attempt(_tidy_csv, files["rs"][0], "RS lines in tidy form", ("line",))
        population = attempt(_tidy_csv, files["population"][0], "population in tidy form", (), True)
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
    # The neighbour list and the performance extract are read the same way from either source.
    neighbours = attempt(read_neighbours, files["neighbours"][0]) if files["neighbours"] else None
    performance = (
        attempt(read_performance, files["performance"][0]) if files["performance"] else None
    )
    problems.extend(_settings_problems(council, settings, neighbours, read_ok=not problems))
    if problems:
        raise InputError(problems)
    illustrative, source = _described(council, settings, public_data)
    return Panel(
        rs, population, neighbours, performance, files, illustrative, source, history=history
    )
