"""How far a workbook's sheets reach, found before any reader builds them.

A spreadsheet reader (python-calamine, through pandas or not) builds a sheet as one rectangle
from A1 to the farthest cell that holds a value: one value typed at ``XFD1048576`` in a 10 KB
file makes a rectangle of 17 billion cells, and the process aborts trying to allocate it. So
before a sheet is read, :func:`check_workbook` streams the sheet's XML (an ``.xlsx`` or
``.xlsm`` worksheet, an ``.ods`` file's ``content.xml``, never the whole file in memory) and
finds the farthest row and column that hold a value, counting an ``.ods`` file's repeated rows
and columns (``table:number-rows-repeated``, ``table:number-columns-repeated``) as the reader
would. A sheet that reaches beyond the limits, or a workbook with too many sheets, is an
:class:`~analysis.core.errors.InputError` naming the file, the sheet and the cell.

Cells with no value (an empty ``<c .../>`` carrying only a style, an ``.ods`` cell with no
value type and no text) are not counted: the readers leave them out too, so a sheet formatted
down to row 1,048,576 is read as the few rows it holds. A worksheet's declared
``<dimension ref>`` is not trusted either way: the readers do not allocate from it, and a file
may declare anything. ``.xls`` files (at most 65,536 rows x 256 columns by the format) are
bounded by their size alone.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from analysis.core.errors import InputError

CHUNK_BYTES = 4 << 20
MAX_PART_BYTES = 10_000_000  # workbook.xml and its relationships: a few KB in a real workbook


@dataclass(frozen=True)
class SheetLimits:
    """What one kind of workbook may hold. ``what`` names it in messages ("a savings
    register"); ``cells`` bounds rows x columns of the used range (the reader's rectangle)."""

    what: str
    rows: int
    columns: int
    cells: int
    sheets: int

    def describe(self) -> str:
        return (
            f"{self.rows:,} rows x {self.columns:,} columns ({self.cells:,} cells in all), "
            f"{self.sheets:,} sheets"
        )


@dataclass(frozen=True)
class Extent:
    """The farthest row and column (1-based) holding a value on one sheet (0, 0 when empty),
    and (row, column) of a cell in that farthest row and of one in that farthest column."""

    rows: int
    columns: int
    row_cell: tuple[int, int] = (0, 0)
    column_cell: tuple[int, int] = (0, 0)


class _Far:
    """The farthest valued cells seen so far on one sheet."""

    def __init__(self):
        self.rows = self.columns = 0
        self.row_cell = self.column_cell = (0, 0)

    def add(self, row: int, column: int) -> None:
        if row > self.rows:
            self.rows, self.row_cell = row, (row, column)
        if column > self.columns:
            self.columns, self.column_cell = column, (row, column)

    def extent(self) -> Extent:
        return Extent(self.rows, self.columns, self.row_cell, self.column_cell)


def check_workbook(
    path: Path, shown: str, limits: SheetLimits, sheets: list[str] | None = None
) -> dict[str, Extent]:
    """Every sheet's extent (only ``sheets``, when named, for an ``.xlsx``), or an InputError
    when the workbook has more sheets than ``limits.sheets`` or a sheet reaches beyond the
    limits. Files that are not zip-based workbooks are left to the reader (and its size cap)."""
    suffix = path.suffix.lower()
    try:
        with zipfile.ZipFile(path) as archive:
            if suffix == ".ods" or "content.xml" in archive.namelist():
                extents = _ods_extents(archive, shown, limits)
            elif "xl/workbook.xml" in archive.namelist():
                extents = _xlsx_extents(archive, shown, limits, sheets)
            else:
                return {}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError):
        return {}  # not a zip, or a damaged one: the reader says what it is
    except _TooLong as exc:
        raise InputError.single(
            shown,
            f"{exc.part} inside the workbook has over {MAX_ROW_BYTES >> 20} MB of XML in one row "
            "or tag: the file is damaged or not a workbook",
        ) from None
    for name, extent in extents.items():
        _check_extent(shown, name, extent, limits)
    return extents


def _check_extent(shown: str, sheet: str, extent: Extent, limits: SheetLimits) -> None:
    far = None
    if extent.rows > limits.rows:
        far = extent.row_cell
    elif extent.columns > limits.columns:
        far = extent.column_cell
    if far is not None:
        raise InputError.single(
            shown,
            f"cell {_reference(*far)} holds a value, beyond the {limits.rows:,} rows x "
            f"{limits.columns:,} columns {limits.what} may use: delete what is in the far rows "
            "or columns (Ctrl+End in Excel goes to the last cell)",
            sheet=sheet,
        )
    used = extent.rows * extent.columns
    if used > limits.cells:
        raise InputError.single(
            shown,
            f"the used range A1:{_reference(extent.rows, extent.columns)} is {used:,} cells; "
            f"{limits.what} may use at most {limits.cells:,} (rows x columns): delete what is "
            "in the far rows or columns",
            sheet=sheet,
        )


def _reference(row: int, column: int) -> str:
    return f"{_column_letters(column)}{row}"


def _column_letters(column: int) -> str:
    return get_column_letter(min(max(column, 1), 18278))


def _too_many_sheets(shown: str, count: int, limits: SheetLimits) -> InputError:
    return InputError.single(
        shown,
        f"the workbook has {count:,} sheets; {limits.what} has at most {limits.sheets:,}: "
        "save the sheets needed in a workbook of their own",
    )


# --- .xlsx, .xlsm --------------------------------------------------------------------------

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _small_part(archive: zipfile.ZipFile, name: str, shown: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise InputError.single(
            shown,
            f"{name} inside the workbook is {info.file_size:,} bytes (a real one is a few KB): "
            "the file is damaged or not a workbook",
        )
    return archive.read(name)


def sheet_states(path: Path) -> dict[str, str]:
    """Sheet name -> ``visible``, ``hidden`` or ``veryHidden`` of an ``.xlsx``/``.xlsm``, in
    workbook order; empty for other files."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(_small_part(archive, "xl/workbook.xml", str(path)))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, InputError):
        return {}
    return {s.get("name", ""): s.get("state", "visible") for s in root.iter(f"{_NS_MAIN}sheet")}


def _xlsx_extents(
    archive: zipfile.ZipFile, shown: str, limits: SheetLimits, wanted: list[str] | None
) -> dict[str, Extent]:
    try:
        root = ElementTree.fromstring(_small_part(archive, "xl/workbook.xml", shown))
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = (
            ElementTree.fromstring(_small_part(archive, rels_name, shown))
            if rels_name in archive.namelist()
            else None
        )
    except ElementTree.ParseError:
        return {}  # damaged: the reader says so
    sheets = [(s.get("name", ""), s.get(f"{_NS_REL}id")) for s in root.iter(f"{_NS_MAIN}sheet")]
    if len(sheets) > limits.sheets:
        raise _too_many_sheets(shown, len(sheets), limits)
    targets = {}
    if rels is not None:
        for rel in rels:
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = str(PurePosixPath(part))
    names = set(archive.namelist())
    extents = {}
    for name, rel_id in sheets:
        if wanted is not None and name not in wanted:
            continue
        part = targets.get(rel_id)
        if part is None or part not in names:
            # No relationship to follow (a damaged or hand-made file): a reader may still find
            # the sheet by its usual name, so every worksheet part is measured for it.
            parts = sorted(n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))
            found = [_xlsx_sheet_extent(archive, p) for p in parts]
            far = _Far()
            for extent in found:
                far.add(*extent.row_cell)
                far.add(*extent.column_cell)
            extents[name] = far.extent()
        else:
            extents[name] = _xlsx_sheet_extent(archive, part)
        _check_extent(shown, name, extents[name], limits)
    return extents


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")


def _xlsx_sheet_extent(archive: zipfile.ZipFile, part: str) -> Extent:
    """The farthest valued cell of one worksheet, streaming its XML in chunks that end at a
    ``</row>`` (so no row is split between two of them)."""
    scanner = None
    leftover = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            buffer = leftover + chunk
            if scanner is None:
                found = _ROOT.search(buffer)
                if found is None and chunk:
                    leftover = _bounded(buffer, part)
                    continue
                scanner = _XlsxScanner(found.group(1) or b"" if found else b"")
            if not chunk:
                scanner.block(buffer)
                break
            end = buffer.rfind(scanner.close)
            if end < 0:
                leftover = _bounded(buffer, part)
                continue
            end += len(scanner.close)
            scanner.block(buffer[:end])
            leftover = buffer[end:]
    return scanner.far.extent()


MAX_ROW_BYTES = 64 << 20  # one row of 16,384 long cells is about 2 MB of XML


class _TooLong(Exception):
    """A run of XML with no row end (or no tag) longer than any real sheet has."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


def _bounded(buffer: bytes, part: str) -> bytes:
    if len(buffer) > MAX_ROW_BYTES:
        raise _TooLong(part)
    return buffer


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + (byte - 64)
    return number


class _XlsxScanner:
    """The farthest row and column of valued cells in blocks of whole ``<row>`` elements.

    When every cell and row carries its reference (``r="B7"``, as Excel and every library
    write), the extent is the largest reference among cells that are not empty (``<c .../>``),
    found by one regular expression over the block. A file that leaves references out (allowed:
    a cell then follows the one before it) is walked element by element.
    """

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.close = b"</" + prefix + b"row>"
        self.cell_tags = [b"<" + prefix + b"c" + end for end in (b" ", b">", b"/", b"\t", b"\n")]
        self.row_tags = [b"<" + prefix + b"row" + end for end in (b" ", b">", b"/", b"\t", b"\n")]
        self.row_first = b"<" + prefix + b'row r="'
        self.first_ref = re.compile(rb"<" + p + rb'c r="([A-Z]{1,3})(\d{1,7})"([^>]*)>')
        self.token = re.compile(rb"<(/?)" + p + rb"(c|row)(?=[\s/>])([^>]*)>")
        self.reference = re.compile(rb'\br="([A-Z]{1,3})?(\d{1,7})"')
        self.far = _Far()
        self.row = 0  # the last row number seen

    def block(self, data: bytes) -> None:
        cells = self.first_ref.findall(data)
        if len(cells) != sum(map(data.count, self.cell_tags)) or data.count(self.row_first) != sum(
            map(data.count, self.row_tags)
        ):
            self._walk(data)  # a cell or row without its reference first
            return
        valued = [(c, r) for c, r, rest in cells if rest[-1:] != b"/"]
        if valued:
            far = self.far
            column = max(map(_column_number, {c for c, _ in valued}))
            row = max(int(r) for _, r in valued)
            if row > far.rows:  # the cell, found from the end (where the last rows are)
                digits = str(row).encode()
                at = next(c for c, r in reversed(valued) if r.lstrip(b"0") == digits)
                far.add(row, _column_number(at))
            if column > far.columns:
                at = next(int(r) for c, r in valued if _column_number(c) == column)
                far.add(at, column)
        last = data.rfind(self.row_first)
        if last >= 0:
            digits = data[last + len(self.row_first) : data.find(b'"', last + len(self.row_first))]
            self.row = int(digits) if digits.isdigit() else self.row

    def _walk(self, data: bytes) -> None:
        col = 0
        for match in self.token.finditer(data):
            closing, kind, attrs = match.groups()
            if kind == b"row":
                if closing:
                    continue
                ref = self.reference.search(attrs)
                self.row = int(ref.group(2)) if ref else self.row + 1
                col = 0
                continue
            if closing:
                continue
            ref = self.reference.search(attrs)
            row = self.row
            if ref and ref.group(1):
                col, row = _column_number(ref.group(1)), int(ref.group(2))
            else:
                col += 1
            if not attrs.endswith(b"/"):
                self.far.add(row, col)


# --- .ods ----------------------------------------------------------------------------------

_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>"
)
_ROWS_REPEATED = re.compile(rb"table:number-rows-repeated=\"(\d+)\"")
_COLUMNS_REPEATED = re.compile(rb"table:number-columns-repeated=\"(\d+)\"")
_TABLE_NAME = re.compile(rb"table:name=\"([^\"]*)\"")


def _ods_extents(archive: zipfile.ZipFile, shown: str, limits: SheetLimits) -> dict[str, Extent]:
    """Every sheet's extent in ``content.xml``, in one streaming pass; refuses as soon as the
    sheets are too many or one reaches too far (so a file of huge repeats stops early)."""
    if "content.xml" not in archive.namelist():
        return {}
    extents: dict[str, Extent] = {}
    name = ""
    far = _Far()
    row = col = 0  # rows before the current one, columns before the current cell
    repeat_rows = 1
    row_valued_col = 0  # the farthest valued column in the current row
    leftover = b""
    with archive.open("content.xml") as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            buffer = leftover + chunk
            cut = len(buffer) if not chunk else buffer.rfind(b"<")
            if cut < 0:
                cut = 0
            for match in _ODS_TOKEN.finditer(buffer, 0, cut):
                closing, kind, attrs = match.groups()
                if kind == b"table":
                    if closing:
                        extents[name] = far.extent()
                        _check_extent(shown, name, extents[name], limits)
                        continue
                    if len(extents) + 1 > limits.sheets:
                        raise _too_many_sheets(shown, len(extents) + 1, limits)
                    found = _TABLE_NAME.search(attrs)
                    name = found.group(1).decode("utf-8", "replace") if found else ""
                    name = _unescape(name)
                    far, row = _Far(), 0
                elif kind == b"table-row":
                    if closing:
                        if row_valued_col:
                            far.add(row + 1, row_valued_col)
                            far.add(row + repeat_rows, row_valued_col)
                            _check_extent(shown, name, far.extent(), limits)
                        row += repeat_rows
                        continue
                    found = _ROWS_REPEATED.search(attrs)
                    repeat_rows = int(found.group(1)) if found else 1
                    col = row_valued_col = 0
                    if attrs.endswith(b"/"):  # an empty row written as one tag
                        row += repeat_rows
                else:
                    if closing:
                        continue
                    found = _COLUMNS_REPEATED.search(attrs)
                    col += int(found.group(1)) if found else 1
                    if not attrs.endswith(b"/") or b"office:value-type" in attrs:
                        row_valued_col = col
            leftover = _bounded(buffer[cut:], "content.xml")
            if not chunk:
                break
    return extents


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )
