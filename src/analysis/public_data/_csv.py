"""A published sheet saved as delimited text (CSV), read as a one-sheet workbook.

:class:`CsvWorkbook` has the interface of :class:`analysis.public_data._common.Workbook`
(``sheetnames``, ``visible``, ``rows``, ``head``, ``close``), so every reader reads a CSV save of
a published sheet without knowing it is one; :func:`analysis.public_data._common.open_workbook`
opens one for a ``.csv``, ``.tsv`` or ``.txt`` file that is not a workbook.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any

from analysis.core.errors import InputError, display_path

TEXT_FORMATS = (".csv", ".tsv", ".txt")

# Characters a published sheet's text uses beyond ASCII. Decoded with the right 8-bit code page,
# a file shows these; with the wrong one it shows accented capitals instead (Windows-1252 reads
# Mac Roman's en dash 0xD0 as 'Ð' and its ellipsis 0xC9 as 'É'; Mac Roman reads Windows-1252's
# en dash 0x96 as 'ñ'). Both put '£' at 0xA3.
_TYPOGRAPHY = "£€–—‘’“”…•°½¼¾·é"
_EIGHT_BIT = ("cp1252", "mac_roman")
# A number written as text: sign or accounting brackets, optional '£', thousands separators.
_NUMBER = re.compile(r"^(\()?\s*([-+])?\s*£?\s*(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?\s*(\))?$")
_SCIENTIFIC = re.compile(r"^[-+]?\d+(?:\.\d+)?[eE][-+]?\d+$")


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file saved from a spreadsheet.

    UTF-8 with a byte-order mark, UTF-16 with one, UTF-8 without one when the bytes are valid
    UTF-8; otherwise an 8-bit code page, Windows-1252 or Mac Roman (Excel for Mac's "CSV"): the
    one whose decoding shows more of the typographic characters sheets use (``£``, dashes, curly
    quotes, ellipsis), Windows-1252 on a tie. A general-purpose detector is not used: on text that
    is almost all ASCII with a handful of such bytes it guesses other code pages.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    scores = []
    for encoding in _EIGHT_BIT:
        text = data.decode(encoding, errors="replace")
        scores.append((sum(text.count(c) for c in _TYPOGRAPHY), -_EIGHT_BIT.index(encoding), text))
    best = max(scores, key=lambda s: s[:2])
    return best[2], _EIGHT_BIT[-best[1]]


def text_cell(text: str) -> Any:
    """A CSV cell as a spreadsheet would hold it: blank -> None, a number written as text
    (``"1,234"``, ``"-2,305"``, ``"(1,234)"``, ``"1.5E+05"``) -> int or float, anything else
    (codes such as ``E0101`` or ``0101``, markers such as ``[x]`` or ``-``) -> the text stripped.
    """
    text = text.strip()
    if not text:
        return None
    match = _NUMBER.match(text)
    if match and (match.group(3) or match.group(4)):
        opened, sign, whole, fraction, closed = match.groups()
        if bool(opened) != bool(closed) or (whole and len(whole) > 1 and whole.startswith("0")):
            return text
        digits = (whole or "0").replace(",", "")
        negative = bool(opened) != (sign == "-")
        value: float | int = float(digits + fraction) if fraction else int(digits)
        return -value if negative else value
    if _SCIENTIFIC.match(text):
        return float(text)
    return text


class CsvWorkbook:
    """A published sheet saved as delimited text, read as a one-sheet :class:`Workbook`.

    The sheet is named after the file (its stem); every row is a tuple of the same width (blank
    cells None, numbers as int or float, see :func:`text_cell`). ``encoding`` says how the text
    was decoded (:func:`decode_text`). The delimiter (comma, semicolon or tab) is found by the
    standard library's :class:`csv.Sniffer`, which also reads quoted cells with commas and line
    breaks in them.
    """

    def __init__(self, path: Path, what: str):
        self.path, self.what = path, what
        shown = display_path(path)
        data = path.read_bytes()
        if not data.strip():
            raise InputError.single(shown, f"the file is empty (expected the {what})")
        text, self.encoding = decode_text(data)
        if "\x00" in text[:8192]:
            raise InputError.single(
                shown, f"not a text (CSV) file: it holds binary data (expected the {what})"
            )
        if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html", "<?xml")):
            raise InputError.single(
                shown,
                f"not a CSV file (expected the {what}): a web page or XML document saved in its "
                "place",
            )
        try:
            dialect: Any = csv.Sniffer().sniff(text[:65536], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
        try:
            raw = list(csv.reader(io.StringIO(text, newline=""), dialect))
        except csv.Error as exc:
            raise InputError.single(
                shown, f"could not read the CSV file (expected the {what}): {exc}"
            ) from None
        width = max((len(r) for r in raw), default=0)
        self._rows = [tuple(text_cell(v) for v in r) + (None,) * (width - len(r)) for r in raw]
        self.sheetnames = [path.stem]

    def _check(self, sheet: str) -> None:
        if sheet not in self.sheetnames:
            raise InputError.single(
                display_path(self.path),
                f"a CSV file has one sheet ({self.sheetnames[0]})",
                sheet=sheet,
            )

    def visible(self, sheet: str) -> bool:
        self._check(sheet)
        return True

    def rows(self, sheet: str) -> list[tuple]:
        self._check(sheet)
        return list(self._rows)

    def head(self, sheet: str, n: int = 20) -> list[tuple]:
        self._check(sheet)
        return self._rows[:n]

    def close(self) -> None:
        pass
