"""Reading a register's cells from a workbook (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) or a
``.csv`` file, and finding its header row among title rows.

Workbooks are read with python-calamine (fast, and it reads all three workbook formats). Before
anything is parsed the file is checked: its size, what it really is (an ``.xlsx`` renamed
``.csv``, a password-protected workbook), and how far a zip-based workbook would expand. Every
cell longer than Excel's own limit of 32,767 characters is refused by row and column.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.core.errors import InputError, Problem
from analysis.core.sheet_limits import (
    WEB_PAGE,
    SheetLimits,
    check_workbook,
    column_letter,
    is_web_page,
)
from analysis.savings.fields import (
    FIELDS,
    REQUIRED,
    SavingsSettings,
    cell_text,
    is_blank,
    normalise,
)

HEADER_SEARCH_ROWS = 30
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 50_000_000  # a register of 100,000 rows is about 10 MB
MAX_EXPANDED_BYTES = 250_000_000  # what a zip-based workbook may unpack to
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell

# How far a register may reach (checked before a sheet is read; see README "Input limits").
# A 100,000-row register of 12 columns is 1.2 million cells; 5 million cells is about 300 MB
# once read.
LIMITS = SheetLimits("a savings register", rows=120_000, columns=200, cells=5_000_000, sheets=250)

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected workbook


@dataclass
class Sheet:
    """Raw rows of the sheet read, each with its spreadsheet row number."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # the workbook's other visible sheets


def check_file(path: Path, shown: str) -> None:
    """Refuse a file that is too big, is not what its name says, or would unpack too far."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError.single(
            shown,
            f"the file is {size / 1e6:,.0f} MB; a savings register is at most "
            f"{MAX_FILE_BYTES / 1e6:,.0f} MB: remove other sheets, images or blank formatted rows",
        )
    with open(path, "rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if head.startswith((_ZIP, _OLE)):
            raise InputError.single(
                shown,
                "this is an Excel workbook saved with a .csv name: rename it .xlsx (or .xls), "
                "or use Save As > CSV in Excel",
            )
        return
    if not head.startswith((_ZIP, _OLE)) and is_web_page(path):
        raise InputError.single(shown, WEB_PAGE)
    if head.startswith(_OLE) and suffix in (".xlsx", ".xlsm", ".ods"):
        raise InputError.single(
            shown,
            "the workbook is encrypted (password-protected): save a copy without a password "
            "(File > Info > Protect Workbook > Encrypt with Password, clear it)",
        )
    if suffix == ".xls" and head.startswith(_ZIP):
        raise InputError.single(shown, "this is an .xlsx workbook named .xls: rename it .xlsx")
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if not head.startswith(_ZIP):
            raise InputError.single(
                shown,
                f"not a {suffix} workbook (the file is damaged, or is another format renamed)",
            )
        try:
            with zipfile.ZipFile(path) as archive:
                expanded = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise InputError.single(
                shown, f"not a {suffix} workbook: the file is damaged"
            ) from None
        if expanded > MAX_EXPANDED_BYTES:
            raise InputError.single(
                shown,
                f"the workbook unpacks to {expanded / 1e6:,.0f} MB (at most "
                f"{MAX_EXPANDED_BYTES / 1e6:,.0f} MB): it holds far more than a register",
            )


class RegisterWorkbook:
    """A register workbook opened once: its sheets are read one at a time, each checked
    against :data:`LIMITS` before the reader builds it (a value at ``XFD1048576`` is refused
    by name, never allocated). Use as a context manager."""

    def __init__(self, path: Path, shown: str):
        import python_calamine as calamine

        self.path, self.shown = path, shown
        check_file(path, shown)
        # Sheets are counted, and an .ods file's content.xml measured, before the reader opens
        # the file: calamine builds every .ods sheet when it opens one.
        check_workbook(path, shown, LIMITS, sheets=[])
        try:
            self._book = calamine.CalamineWorkbook.from_path(str(path))
        except calamine.PasswordError:
            raise InputError.single(
                shown,
                "the workbook is encrypted (password-protected): save a copy without a password",
            ) from None
        except Exception as exc:  # a damaged file: calamine says what it could not read
            raise InputError.single(shown, f"cannot open as a workbook: {exc}") from None
        if len(self._book.sheet_names) > LIMITS.sheets:  # an .xls: counted once it is open
            self._book.close()
            raise InputError.single(
                shown,
                f"the workbook has {len(self._book.sheet_names):,} sheets; {LIMITS.what} has at "
                f"most {LIMITS.sheets:,}: save the sheets needed in a workbook of their own",
            )
        worksheets = [
            m for m in self._book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet
        ]
        self.visible = [
            m.name for m in worksheets if m.visible == calamine.SheetVisibleEnum.Visible
        ]
        self.hidden = {
            m.name: (
                "very hidden" if m.visible == calamine.SheetVisibleEnum.VeryHidden else "hidden"
            )
            for m in worksheets
            if m.visible != calamine.SheetVisibleEnum.Visible
        }
        self.names = list(self._book.sheet_names)
        self._measured: set[str] = set()

    def __enter__(self) -> RegisterWorkbook:
        return self

    def __exit__(self, *_exc) -> None:
        self._book.close()

    def choose(self, sheet_name: str | None) -> str:
        """The named sheet (``savings.sheet``), else the first visible one."""
        if sheet_name is not None:
            if sheet_name not in self.names:
                raise InputError.single(
                    self.shown,
                    f"no sheet named '{sheet_name}' (savings.sheet in council.yaml); "
                    f"sheets: {', '.join(self.names[:50])}"
                    + (f" and {len(self.names) - 50:,} more" if len(self.names) > 50 else ""),
                )
            return sheet_name
        if self.visible:
            return self.visible[0]
        raise InputError.single(self.shown, "the workbook has no visible sheet")

    def hidden_register(self, name: str, read: str) -> str:
        """The message for a register found on hidden sheet ``name`` (``read`` was read)."""
        how = (
            "in the VBA editor (Alt+F11): set its Visible property to -1"
            if self.hidden[name] == "very hidden"
            else "right-click a sheet tab > Unhide"
        )
        return (
            f"the register is on sheet '{name}', which is {self.hidden[name]} (not '{read}'): "
            f"unhide it ({how}) and set savings.sheet: '{name}' in council.yaml"
        )

    def measure(self, names: list[str]) -> None:
        """Check how far these sheets reach, in one pass over the file."""
        wanted = [n for n in names if n not in self._measured]
        if wanted:
            check_workbook(self.path, self.shown, LIMITS, sheets=wanted)
            self._measured.update(wanted)

    def read(self, name: str) -> Sheet:
        """One sheet's rows, after checking how far it reaches."""
        self.measure([name])
        try:
            values = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise InputError.single(
                self.shown, f"cannot read the sheet: {exc}", sheet=name
            ) from None
        result = Sheet(self.shown, name, others=[v for v in self.visible if v != name])
        result.rows = [(number, row) for number, row in enumerate(values, start=1)]
        check_cells(result)
        return result


def read_workbook(path: Path, shown: str, sheet_name: str | None) -> Sheet:
    """The named sheet (``savings.sheet``), else the first visible one, of any workbook."""
    with RegisterWorkbook(path, shown) as book:
        return book.read(book.choose(sheet_name))


def read_csv(path: Path, shown: str) -> Sheet:
    """The rows of a CSV register, read as a stream: a row past :data:`LIMITS` rows, or with
    more than its columns, stops the reading there and is refused by number."""
    check_file(path, shown)
    with open(path, "rb") as handle:
        if b"\x00" in handle.read(1 << 20):
            raise InputError.single(
                shown, "not a text file (it holds NUL bytes): export the register as CSV from Excel"
            )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with open(path, encoding=encoding, newline="") as handle:
                return _csv_rows(handle, shown)
        except UnicodeDecodeError:
            continue
    raise InputError.single(
        shown, "not text in UTF-8 or Windows-1252: save it as 'CSV UTF-8' from Excel"
    )


def _csv_rows(handle, shown: str) -> Sheet:
    result = Sheet(shown, None)
    reader = csv.reader(handle)
    try:
        for number, values in enumerate(reader, start=1):
            if number > LIMITS.rows:
                raise InputError.single(
                    shown,
                    f"the file has more than {LIMITS.rows:,} rows, the most {LIMITS.what} may "
                    "have: delete the blank or unrelated rows below the register",
                    row=number,
                )
            if len(values) > LIMITS.columns:
                raise InputError.single(
                    shown,
                    f"the row has {len(values):,} columns; {LIMITS.what} may use "
                    f"{LIMITS.columns:,}: delete what is in the far columns",
                    row=number,
                )
            result.rows.append((number, values))
    except csv.Error as exc:
        raise InputError.single(
            shown,
            f"cannot read the CSV ({exc}): a cell is far too long, or a quote mark is not closed",
            row=len(result.rows) + 1,
        ) from None
    check_cells(result)
    return result


def check_cells(sheet: Sheet) -> None:
    """Refuse every cell longer than Excel allows, by row and column letter."""
    problems = [
        Problem(
            sheet.file,
            f"the cell holds {len(value):,} characters; Excel allows {MAX_CELL_CHARS:,}",
            row=number,
            column=column_letter(col + 1),
            sheet=sheet.sheet,
        )
        for number, values in sheet.rows
        for col, value in enumerate(values)
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS
    ]
    if problems:
        raise InputError(problems[:20] + _more(problems, 20))


def _more(problems: list[Problem], shown: int) -> list[Problem]:
    if len(problems) <= shown:
        return []
    return [Problem(problems[0].file, f"and {len(problems) - shown:,} more cells like these")]


def uncached_formulas(path: Path, sheet_name: str | None) -> set[tuple[int, int]]:
    """(row, column index) of the formula cells an ``.xlsx`` holds with no saved value (a file
    written by a program, never opened and saved in Excel). Only asked when cells look blank."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return set()
    from openpyxl import load_workbook

    try:
        formulas = load_workbook(path, read_only=True, data_only=False)
        values = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return set()
    try:
        name = sheet_name if sheet_name in formulas.sheetnames else formulas.sheetnames[0]
        found = set()
        rows = zip(formulas[name].iter_rows(), values[name].iter_rows(), strict=False)
        for row_f, row_v in rows:
            for cell_f, cell_v in zip(row_f, row_v, strict=False):
                text = getattr(cell_f, "value", None)
                if isinstance(text, str) and text.startswith("=") and cell_v.value is None:
                    found.add((cell_f.row, cell_f.column - 1))
        return found
    finally:
        formulas.close()
        values.close()


def find_header(
    sheet: Sheet, settings: SavingsSettings
) -> tuple[int, int, dict[str, int], list[Problem]] | None:
    """(index into rows, row number, field -> column index, problems) for the header row."""
    mapped = settings.header_map()
    synonyms = {word: name for name, (_label, words) in FIELDS.items() for word in words}
    best = None
    for index, (number, values) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        matches: dict[str, list[int]] = {}
        for col, value in enumerate(values):
            if is_blank(value) or not isinstance(value, str):
                continue
            key = normalise(value)
            name = mapped.get(key)
            if name is None:
                name = synonyms.get(key)
                if name in settings.columns:  # the user named this field's column explicitly
                    name = None
            if name is not None:
                matches.setdefault(name, []).append(col)
        required_found = len(set(matches) & set(REQUIRED))
        if required_found >= 3 and (best is None or required_found > best[0]):
            best = (required_found, index, number, matches)
    if best is None:
        return None
    _found, index, number, matches = best
    headers = sheet.rows[index][1]
    problems = []
    columns = {}
    for name, cols in matches.items():
        if len(cols) > 1:
            written = ", ".join(f"'{cell_text(headers[c])}'" for c in cols)
            problems.append(
                Problem(
                    sheet.file,
                    f"more than one column could be the {FIELDS[name][0]} column ({written}): "
                    f"rename one, or set {settings.setting_to_change(name)}",
                    row=number,
                    sheet=sheet.sheet,
                )
            )
        columns[name] = cols[0]
    found = [cell_text(h) for h in headers if not is_blank(h)]
    for name in REQUIRED:
        if name not in columns:
            problems.append(
                Problem(
                    sheet.file,
                    settings.missing_column(name, found),
                    row=number,
                    sheet=sheet.sheet,
                )
            )
    return index, number, columns, problems
