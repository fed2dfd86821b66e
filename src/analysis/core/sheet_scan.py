"""Where a worksheet's values reach: the farthest row and column holding a value in an
``.xlsx``/``.xlsm`` worksheet part, found by streaming its XML in chunks (never the whole part in
memory). :mod:`analysis.core.sheet_limits` holds the limits and the messages."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

CHUNK_BYTES = 4 << 20


@dataclass(frozen=True)
class Extent:
    """The farthest row and column (1-based) holding a value on one sheet (0, 0 when empty),
    and (row, column) of a cell in that farthest row and of one in that farthest column."""

    rows: int
    columns: int
    row_cell: tuple[int, int] = (0, 0)
    column_cell: tuple[int, int] = (0, 0)


class Far:
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


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")


def xlsx_sheet_extent(archive: zipfile.ZipFile, part: str) -> Extent:
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
                    leftover = bounded(buffer, part)
                    continue
                scanner = _XlsxScanner(found.group(1) or b"" if found else b"")
            if not chunk:
                scanner.block(buffer)
                break
            end = buffer.rfind(scanner.close)
            if end < 0:
                leftover = bounded(buffer, part)
                continue
            end += len(scanner.close)
            scanner.block(buffer[:end])
            leftover = buffer[end:]
    return scanner.far.extent()


MAX_ROW_BYTES = 64 << 20  # one row of 16,384 long cells is about 2 MB of XML


class TooLong(Exception):
    """A run of XML with no row end (or no tag) longer than any real sheet has."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


def bounded(buffer: bytes, part: str) -> bytes:
    if len(buffer) > MAX_ROW_BYTES:
        raise TooLong(part)
    return buffer


def column_number(letters: bytes) -> int:
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
        self.far = Far()
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
            column = max(map(column_number, {c for c, _ in valued}))
            row = max(int(r) for _, r in valued)
            if row > far.rows:  # the cell, found from the end (where the last rows are)
                digits = str(row).encode()
                at = next(c for c, r in reversed(valued) if r.lstrip(b"0") == digits)
                far.add(row, column_number(at))
            if column > far.columns:
                at = next(int(r) for c, r in valued if column_number(c) == column)
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
                col, row = column_number(ref.group(1)), int(ref.group(2))
            else:
                col += 1
            if not attrs.endswith(b"/"):
                self.far.add(row, col)
