"""Where an ``.xls`` workbook's values reach, read from its BIFF records before a reader opens it.

python-calamine builds every sheet of an ``.xls`` when it opens the file: one cell record moved
to row 65,536, column IV of a 2 MB published file makes a 16.7-million-cell sheet (1 GB to
open, several more as a table). This module follows the file's OLE2 container (its sector
allocation table, and the mini stream for a small workbook) to the ``Workbook`` (BIFF8) or
``Book`` (BIFF5) stream and walks its records: the sheets (``BOUNDSHEET``) and, for each, the
farthest row and column of a record holding a value (``NUMBER``, ``RK``, ``MULRK``,
``LABELSST``, ``LABEL``, ``RSTRING``, ``FORMULA``, ``BOOLERR``; blank cells are not values).
Anything it cannot follow is left to the reader, which says the file is damaged.
"""

from __future__ import annotations

import struct

from analysis.core.sheet_scan import Extent, Far

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205}  # row, column first
_MULRK, _BOF, _BOUNDSHEET = 0x00BD, 0x0809, 0x0085


class NotBiff(Exception):
    """The container or its records are not what an .xls holds."""


def xls_extents(data: bytes) -> tuple[int, dict[str, Extent]]:
    """(the number of sheets, each worksheet's extent by name) of an ``.xls`` file's bytes."""
    stream = _workbook_stream(data)
    sheets: dict[int, str] = {}  # BOF offset -> name
    extents: dict[str, Extent] = {}
    far: Far | None = None
    name = ""
    biff8 = True
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + size]
        if kind == _BOUNDSHEET and len(body) >= 8:
            sheets[struct.unpack_from("<I", body)[0]] = _sheet_name(body, biff8)
        elif kind == _BOF:
            if pos == 0 and len(body) >= 2:
                biff8 = struct.unpack_from("<H", body)[0] == 0x0600
            if far is not None:
                extents[name] = far.extent()
            name = sheets.get(pos, "")
            far = Far() if pos in sheets else None
        elif far is not None and kind in _CELLS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
            far.add(row + 1, column + 1)
        elif far is not None and kind == _MULRK and len(body) >= 6:
            row = struct.unpack_from("<H", body)[0]
            far.add(row + 1, struct.unpack_from("<H", body, len(body) - 2)[0] + 1)
        pos += 4 + size
    if far is not None:
        extents[name] = far.extent()
    return len(sheets), extents


def _sheet_name(body: bytes, biff8: bool) -> str:
    length = body[6]
    if not biff8:
        return body[7 : 7 + length].decode("cp1252", "replace")
    if body[7] & 1:
        return body[8 : 8 + length * 2].decode("utf-16-le", "replace")
    return body[8 : 8 + length].decode("latin-1")


def _workbook_stream(data: bytes) -> bytes:
    if not data.startswith(OLE) or len(data) < 512:
        raise NotBiff
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if not 7 <= shift <= 16 or not 1 <= mini_shift < shift:
        raise NotBiff
    size, mini_size = 1 << shift, 1 << mini_shift
    first_dir, _, cutoff, mini_fat, _, difat_next, difat_count = struct.unpack_from(
        "<IIIIIII", data, 48
    )

    def sector(n: int) -> bytes:
        start = (n + 1) * size
        if start >= len(data):
            raise NotBiff
        return data[start : start + size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    per = size // 4
    for _ in range(min(difat_count, len(data) // size)):
        if difat_next >= _END:
            break
        block = struct.unpack(f"<{per}I", sector(difat_next).ljust(size, b"\0"))
        fat_sectors += block[:-1]
        difat_next = block[-1]
    fat: list[int] = []
    for n in fat_sectors:
        if n < _END and (n + 1) * size < len(data):
            fat += struct.unpack(f"<{per}I", sector(n).ljust(size, b"\0"))

    def chain(start: int, unit, table: list[int]) -> bytes:
        out, seen = [], 0
        while start < _END and start < len(table) and seen <= len(table):
            out.append(unit(start))
            start, seen = table[start], seen + 1
        return b"".join(out)

    directory = chain(first_dir, sector, fat)
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise NotBiff
    root = entries[0]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, length - 2)].decode("utf-16-le", "replace")
        if name in ("Workbook", "Book") and entry[66] == 2:
            start, stream_size = struct.unpack_from("<II", entry, 116)
            if stream_size >= cutoff:
                return chain(start, sector, fat)[:stream_size]
            mini = chain(struct.unpack_from("<I", root, 116)[0], sector, fat)
            table_bytes = chain(mini_fat, sector, fat)
            mini_table = list(struct.unpack(f"<{len(table_bytes) // 4}I", table_bytes))

            pieces = [mini[n * mini_size : (n + 1) * mini_size] for n in range(len(mini_table))]
            return chain(start, pieces.__getitem__, mini_table)[:stream_size]
    raise NotBiff
