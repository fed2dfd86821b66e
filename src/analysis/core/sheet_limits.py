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
may declare anything. An ``.xls`` file is measured from its BIFF records
(:mod:`analysis.core.biff`), all its sheets at once: its reader builds them all when it opens it.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from analysis.core.biff import OLE, NotBiff, xls_extents
from analysis.core.errors import InputError
from analysis.core.sheet_scan import (
    CHUNK_BYTES,
    MAX_ROW_BYTES,
    Extent,
    Far,
    TooLong,
    bounded,
    xlsx_sheet_extent,
)

MAX_PART_BYTES = 10_000_000  # workbook.xml and its relationships: a few KB in a real workbook

WEB_PAGE = "this file is a web page (HTML), not an Excel workbook: download the file itself"
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<meta")


def is_web_page(path: Path) -> bool:
    """Whether the file is a web page (a page saved, or an error page downloaded, in place of a
    workbook; Excel's "Web Page" format too). Reads the first 1 KB only, never the whole file."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
    if head[:2] in (b"<\x00", b"\x00<"):  # UTF-16, as Excel saves a web page
        head = head.replace(b"\x00", b"")
    head = head.lstrip().lower()
    if not head.startswith(b"<"):
        return False
    return any(marker in head for marker in _HTML_MARKERS)


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


def check_workbook(
    path: Path, shown: str, limits: SheetLimits, sheets: list[str] | None = None
) -> dict[str, Extent]:
    """Every sheet's extent (only ``sheets``, when named, for an ``.xlsx``), or an InputError
    when the workbook has more sheets than ``limits.sheets`` or a sheet reaches beyond the
    limits. Files that are not zip-based workbooks are left to the reader (and its size cap)."""
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head == OLE:
        return _xls_extents(path, shown, limits)
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
    except TooLong as exc:
        raise InputError.single(
            shown,
            f"{exc.part} inside the workbook has over {MAX_ROW_BYTES >> 20} MB of XML in one row "
            "or tag: the file is damaged or not a workbook",
        ) from None
    for name, extent in extents.items():
        _check_extent(shown, name, extent, limits)
    return extents


MAX_XLS_SCAN_BYTES = 100_000_000  # the callers refuse an .xls this big before asking


def _xls_extents(path: Path, shown: str, limits: SheetLimits) -> dict[str, Extent]:
    """An .xls file's sheets measured from its BIFF records (all of them: the reader builds
    every sheet when it opens the file)."""
    if path.stat().st_size > MAX_XLS_SCAN_BYTES:
        return {}
    try:
        count, extents = xls_extents(path.read_bytes())
    except (NotBiff, struct.error, IndexError):
        return {}  # an encrypted .xlsx, or a damaged file: the reader says which
    if count > limits.sheets:
        raise _too_many_sheets(shown, count, limits)
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
    return f"{column_letter(min(max(column, 1), 18278))}{row}"


def column_letter(column: int) -> str:
    """A column's letters as Excel shows them, ``column`` counted from 1 (1 -> "A", 28 -> "AB"),
    for naming a cell in an error. openpyxl is loaded here, when a problem is named, not with
    every module that reads a sheet (importing it loads its whole workbook model: 65 ms for every
    process and kernel)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


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
            found = [xlsx_sheet_extent(archive, p) for p in parts]
            far = Far()
            for extent in found:
                far.add(*extent.row_cell)
                far.add(*extent.column_cell)
            extents[name] = far.extent()
        else:
            extents[name] = xlsx_sheet_extent(archive, part)
        _check_extent(shown, name, extents[name], limits)
    return extents


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
    far = Far()
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
                    far, row = Far(), 0
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
            leftover = bounded(buffer[cut:], "content.xml")
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
