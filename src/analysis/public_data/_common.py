"""Helpers shared by the readers of published files.

A published sheet saved as CSV (``.csv``, ``.tsv``, ``.txt``) opens as a one-sheet workbook
(:class:`CsvWorkbook`, the same interface as :class:`Workbook`), so every reader reads a CSV save
without knowing it is one: the text encoding is detected (:func:`decode_text`), cells that are
numbers as text (``"1,234"``, ``"(1,234)"``, ``"-2,305"``) become numbers and the rest stay text,
for the readers' markers to find.

Every reader returns a tidy frame with the columns in :data:`TIDY_COLUMNS` (one row per
authority, year and line or measure) and raises :class:`analysis.core.errors.InputError` naming the
file and what it could not find when handed the wrong file or a damaged one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.cache import clear_memory, code_fingerprint, derived
from analysis.core.errors import InputError, Problem, display_path
from analysis.core.provenance import record_input
from analysis.core.sheet_limits import (
    WEB_PAGE,
    SheetLimits,
    check_workbook,
    column_letter,
    is_web_page,
)
from analysis.public_data._csv import TEXT_FORMATS, CsvWorkbook, text_cell

TIDY_COLUMNS = [
    "ons_code",
    "e_code",
    "name",
    "authority_class",
    "year",
    "measure",
    "line",
    "description",
    "value",
    "unit",
]

# Markers publishers use for "no figure": suppressed, not applicable, not collected.
MISSING_MARKERS = {
    "",
    "-",
    "..",
    "...",
    "\u2026",
    "[x]",
    "[z]",
    "[c]",
    "x",
    "z",
    "c",
    "n/a",
    "na",
    "null",
    "#n/a",
}

# Authority classes as published -> the classes used in council.yaml.
CLASS_ALIASES = {"L": "LB", "ILB": "LB", "OLB": "LB", "LB": "LB"}


def cached(kind: str, path: Path, build: Callable[[Path], pd.DataFrame]) -> pd.DataFrame:
    """``build(path)``, parsed once per file content and readers' code (the project's one cache,
    :mod:`analysis.core.cache`: keyed on the file's SHA-256); returns a copy."""
    return derived(kind, [path], lambda: build(path), code=code_fingerprint("public_data", "core"))


def clear_cache() -> None:
    """Forget the parsed files held in this process (the cache on disk stays)."""
    clear_memory()


def check_file(path: str | Path, what: str) -> Path:
    """The path as a Path, or an InputError when it is not a file or is far larger than any
    published table (checked before it is hashed: a 3 GB file would be read whole); records
    it as an input."""
    path = Path(path)
    if not path.is_file():
        raise InputError.single(display_path(path), f"{what}: file not found")
    check_size(path, what)
    record_input(path)
    return path


MAX_FILE_BYTES = 200_000_000  # the largest published file read here is about 3 MB


def check_size(path: Path, what: str) -> None:
    """An InputError when the file is larger than :data:`MAX_FILE_BYTES`."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError.single(
            display_path(path),
            f"the file is {size / 1e6:,.0f} MB; {LIMITS.what} is at most "
            f"{MAX_FILE_BYTES / 1e6:,.0f} MB (expected the {what}): it is not the file meant",
        )


# File signatures: OLE2 (.xls), zip (.xlsx, .ods).
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
FORMATS = {".xls": _OLE, ".xlsx": _ZIP, ".xlsm": _ZIP, ".ods": _ZIP}


# How far a published table may reach, checked before a sheet is read (README "Input limits").
# The largest published sheet read here is about 700 rows x 170 columns (RS 2023-24: 437 x
# 166); the council taxbase workbook has 132 sheets.
LIMITS = SheetLimits("a published table", rows=5_000, columns=2_000, cells=2_000_000, sheets=500)
MAX_XLS_BYTES = 20_000_000  # an .xls is bounded by its size (the largest published: 2 MB)


class Workbook:
    """A spreadsheet (.xls, .xlsx or .ods) opened with python-calamine through pandas.

    ``sheetnames`` lists the sheets in workbook order; ``visible(sheet)`` says whether a sheet is
    shown; ``rows(sheet)`` gives every row as a tuple (blank cells None, whole numbers int).
    Phantom sheets that some publishers' files carry (names of external links such as
    ``'file:///C:/...xls'#Sheet``) are left out of ``sheetnames``.

    Every sheet is measured before it is read (:mod:`analysis.core.sheet_limits`): a workbook of
    more than :data:`LIMITS` sheets, or a sheet with a value beyond its rows and columns, is an
    InputError naming the file, sheet and cell, never a reader building billions of cells.
    """

    def __init__(self, path: Path, what: str):
        self.path, self.what = path, what
        shown = display_path(path)
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)  # never the whole file (it may be a 3 GB sparse one)
        if not head.startswith((_OLE, _ZIP)) and is_web_page(path):
            raise InputError.single(shown, f"{WEB_PAGE} (expected the {what})")
        if not (head.startswith(_OLE) or head.startswith(_ZIP)) or (
            head.startswith(_ZIP) and not zipfile.is_zipfile(path)
        ):
            raise InputError.single(
                shown,
                f"not a spreadsheet (.xls, .xlsx or .ods; expected the {what}); the file may be "
                "damaged, truncated or a web page saved in its place",
            )
        if head.startswith(_OLE) and size > MAX_XLS_BYTES:
            raise InputError.single(
                shown,
                f"the file is {size / 1e6:,.0f} MB; {LIMITS.what} saved as .xls is at most "
                f"{MAX_XLS_BYTES / 1e6:,.0f} MB (expected the {what})",
            )
        # Sheets are counted, and an .ods file's sheets all measured (its reader builds them
        # all when it opens the file), before the reader opens it.
        self._extents = check_workbook(path, shown, LIMITS, sheets=[])
        try:
            self._book = pd.ExcelFile(path, engine="calamine")
            meta = {m.name: m for m in self._book.book.sheets_metadata}
        except Exception as exc:  # damaged containers surface as many exception types
            raise InputError.single(
                shown,
                f"could not open the workbook (expected the {what}); it may be damaged: "
                f"{type(exc).__name__}: {exc}",
            ) from None
        if len(self._book.sheet_names) > LIMITS.sheets:  # an .xls: counted once open
            self._book.close()
            raise InputError.single(
                shown,
                f"the workbook has {len(self._book.sheet_names):,} sheets; {LIMITS.what} has at "
                f"most {LIMITS.sheets:,} (expected the {what})",
            )
        self._meta = meta
        self.sheetnames = [s for s in self._book.sheet_names if not is_phantom(s)]

    def visible(self, sheet: str) -> bool:
        meta = self._meta.get(sheet)
        return meta is None or str(meta.visible).lower().endswith("visible")

    def _measure(self, sheet: str) -> None:
        """Refuse the sheet before it is read when it reaches beyond :data:`LIMITS`."""
        if sheet not in self._extents:
            self._extents.update(
                check_workbook(self.path, display_path(self.path), LIMITS, sheets=[sheet])
            )

    def rows(self, sheet: str) -> list[tuple]:
        self._measure(sheet)
        try:
            frame = pd.read_excel(self._book, sheet_name=sheet, header=None)
        except Exception as exc:
            raise InputError.single(
                display_path(self.path),
                f"could not read the sheet; the workbook may be damaged: {type(exc).__name__}: {exc}",
                sheet=sheet,
            ) from None
        values = frame.to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None  # blank cells
        return list(map(tuple, values.tolist()))

    def head(self, sheet: str, n: int = 20) -> list[tuple]:
        """The first ``n`` rows only (to recognise a sheet without reading all of it)."""
        self._measure(sheet)
        try:
            frame = pd.read_excel(self._book, sheet_name=sheet, header=None, nrows=n)
        except Exception:
            return self.rows(sheet)[:n]
        values = frame.to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = None
        return list(map(tuple, values.tolist()))

    def close(self) -> None:
        self._book.close()


def not_positive(
    path: Path, sheet: str | None, row: int, column: int, value: float, what: str
) -> Problem:
    """A figure that divides (a population, a tax base) that is 0 or less, by row and column
    letter (``column`` counted from 0)."""
    return Problem(
        display_path(path),
        f"{what} must be more than 0 (found {value:,.0f}): it divides the spending figures; "
        "a figure not published is left blank or marked [x], never 0",
        row=row,
        column=column_letter(column + 1),
        sheet=sheet,
    )


def is_whole(value: Any, low: float, high: float) -> bool:
    """A number (not a bool) that is a whole number between ``low`` and ``high``."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and low <= value <= high
    )


def is_phantom(sheet: str) -> bool:
    """Sheets named after an external link ('file:///...'#Sheet) hold nothing of the data."""
    low = sheet.strip().strip("'").lower()
    return low.startswith(("file:", "http:", "https:")) or "'#" in sheet


def open_workbook(path: Path, what: str) -> Workbook | CsvWorkbook:
    """Open a .xls, .xlsx or .ods workbook, or a sheet saved as CSV (a .csv, .tsv or .txt file that
    is not a workbook); a damaged or non-spreadsheet file is an InputError."""
    path = Path(path)
    if path.suffix.lower() in TEXT_FORMATS and path.is_file():
        with path.open("rb") as handle:
            head = handle.read(8)
        if not (head.startswith(_OLE) or head.startswith(_ZIP)):
            return CsvWorkbook(path, what)
    return Workbook(path, what)


def sheet_rows(workbook: Workbook | CsvWorkbook, sheet: str, path: Path) -> list[tuple]:
    """All rows of a sheet as tuples of values (InputError when the sheet is damaged)."""
    return workbook.rows(sheet)


def find_sheet(
    path: Path,
    what: str,
    find_header: Callable[[list[tuple]], Any],
    order: Callable[[str], Any],
    missing: str,
    skip: Callable[[Any, str], bool] | None = None,
    name_sheets: bool = True,
) -> tuple[str, list[tuple], Any]:
    """(sheet, rows, header) for the first sheet, in ``order``, where ``find_header`` finds one.

    Sheets for which ``skip(workbook, sheet)`` is true are not read. When no sheet has a header,
    the InputError says ``missing`` (followed by the workbook's sheet names if ``name_sheets``).
    """
    workbook = open_workbook(path, what)
    try:
        for sheet in sorted(workbook.sheetnames, key=order):
            if skip is not None and skip(workbook, sheet):
                continue
            rows = sheet_rows(workbook, sheet, path)
            header = find_header(rows)
            if header is not None:
                return sheet, rows, header
    finally:
        workbook.close()
    if name_sheets:
        missing += f" (sheets: {', '.join(workbook.sheetnames)})"
    raise wrong_file(path, what, missing)


def clean_text(value: Any) -> str:
    """Cell text with whitespace collapsed ('Total \\nCapital \\nItems ' -> 'Total Capital Items')."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def to_number(value: Any) -> float:
    """A cell as a float; publishers' missing-value markers, blanks and other text (such as
    "Category discontinued") become NaN. Numbers written as text are read with their thousands
    separators and accounting brackets: ``"1,234"`` -> 1234.0, ``"(1,234)"`` -> -1234.0."""
    if value is None:
        return float("nan")
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.lower() in MISSING_MARKERS:
        return float("nan")
    number = text_cell(text)
    if isinstance(number, int | float):
        return float(number)
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return float("nan")


def normalise_class(value: Any) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    return CLASS_ALIASES.get(text, text)


def financial_year(text: str) -> int | None:
    """The start year of the first financial year written in ``text`` ('2016-17' -> 2016)."""
    match = re.search(r"(20\d\d)\s*[-/]\s*(\d\d)\b", text or "")
    if not match:
        return None
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        return None
    return start


def wrong_file(path: Path, what: str, missing: str, sheet: str | None = None) -> InputError:
    return InputError(
        [Problem(display_path(path), f"this does not look like the {what}: {missing}", sheet=sheet)]
    )


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Order and type the tidy columns."""
    for column in TIDY_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    extra = [c for c in frame.columns if c not in TIDY_COLUMNS]
    out = frame[TIDY_COLUMNS + extra].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["line"] = pd.array(out["line"], dtype="Int64")
    return out
