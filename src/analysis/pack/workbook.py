"""The pack's tables as one Excel workbook, ``tables.xlsx``, for finance teams.

One sheet per CSV table in ``tables/`` (the same rows and columns, in the same order), and a
first sheet, "Contents", listing each table with a link to its sheet. Each sheet has its column
headers in words with the unit (``budget_gap_cumulative_gbp_m`` becomes "Budget gap cumulative
(£m)"), the row of headers frozen, a filter on every column, and number formats by unit: £m to
one decimal place, £k and £ to whole pounds, fractions as percentages, counts with thousands
separators.

The cells hold what the CSV holds: a column whose every cell is a number is written as numbers,
True/False as booleans, anything else as text exactly as in the CSV, so text that Excel would
run as a formula keeps the apostrophe :func:`analysis.core.csvtext.neutralise` put in front of
it (and is stored as text, never as a formula).
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

WORKBOOK_NAME = "tables.xlsx"
CONTENTS = "Contents"

# Formats by unit (the end of the column name).
FORMAT_GBP_M = "#,##0.0;-#,##0.0;0.0"
FORMAT_WHOLE = "#,##0;-#,##0;0"
FORMAT_PENCE = "#,##0.00;-#,##0.00;0.00"
FORMAT_PERCENT = "0.0#%"
FORMAT_INTEGER = "0"
FORMAT_DECIMAL = "#,##0.0###"

# Words that are initials, and units, in column names.
_INITIALS = {
    "dsg": "DSG",
    "mtfp": "MTFP",
    "asc": "ASC",
    "ons": "ONS",
    "rag": "RAG",
    "mad": "MAD",
    "vfm": "VfM",
    "id": "ID",
    "d": "D",  # band D
}
_UNITS = (
    ("_gbp_m", "£m"),
    ("_gbp_k", "£k"),
    ("_gbp", "£"),
    ("_fraction", "%"),
)
_PERCENTILE = re.compile(r"^p(\d\d)$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_COLOUR = "DDE6F0"


def header_words(column: str) -> str:
    """A column name in words with its unit: ``cumulative_gap_gbp_m`` -> "Cumulative gap (£m)",
    ``delivery_rate`` -> "Delivery rate (%)", ``n_ranked`` -> "Number ranked",
    ``budget_gap_cumulative_p05_gbp_m`` -> "Budget gap cumulative 5th percentile (£m)"."""
    name, unit = column, ""
    for suffix, label in _UNITS:
        if name.endswith(suffix):
            name, unit = name[: -len(suffix)], label
            break
    else:
        if name.endswith("_rate"):
            unit = "%"
    words = []
    for i, word in enumerate(w for w in name.split("_") if w):
        percentile = _PERCENTILE.match(word)
        if percentile:
            words.append("median" if word == "p50" else f"{int(percentile.group(1))}th percentile")
        elif word in _INITIALS:
            words.append(_INITIALS[word])
        elif i == 0 and word == "n":
            words.append("number of")
        else:
            words.append(word)
    text = " ".join(words) or column
    text = text[0].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def number_format(column: str, values: list[float]) -> str:
    """The Excel number format of a numeric column, by its unit."""
    if column.endswith("_gbp_m"):
        return FORMAT_GBP_M
    if column.endswith("_gbp_k"):
        return FORMAT_WHOLE
    if column.endswith("_gbp"):
        return FORMAT_WHOLE if all(float(v).is_integer() for v in values) else FORMAT_PENCE
    if column.endswith(("_fraction", "_rate")):
        return FORMAT_PERCENT
    whole = all(float(v).is_integer() for v in values if not math.isnan(v))
    if whole and ("year" in column or column in ("line", "code", "quarter", "rank")):
        return FORMAT_INTEGER  # a year or a code: 2021, never 2,021
    if whole:
        return FORMAT_WHOLE  # counts
    return FORMAT_DECIMAL


def _column_kind(cells: list[str]) -> str:
    """'number' when every non-empty cell is a number, 'bool' when each is True/False, else
    'text' (an empty column is text)."""
    filled = [c for c in cells if c != ""]
    if not filled:
        return "text"
    if all(c in ("True", "False") for c in filled):
        return "bool"
    if all(_NUMBER.match(c) for c in filled):
        return "number"
    return "text"


def _convert(text: str, kind: str):
    if text == "":
        return None
    if kind == "number":
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "bool":
        return text == "True"
    return text  # as in the CSV, where formula-like text already starts with an apostrophe


def read_csv_table(path: Path) -> tuple[list[str], list[list]]:
    """The CSV's header and its rows as the workbook holds them (see the module docstring)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return [], []
    header, body = rows[0], rows[1:]
    kinds = [_column_kind([r[i] if i < len(r) else "" for r in body]) for i in range(len(header))]
    converted = [
        [_convert(r[i] if i < len(r) else "", kinds[i]) for i in range(len(header))] for r in body
    ]
    return header, converted


def sheet_names(stems: list[str]) -> dict[str, str]:
    """A sheet name for each table (Excel's limit is 31 characters, unique, no []:*?/\\, and no
    apostrophe first or last)."""
    names: dict[str, str] = {}
    taken = {CONTENTS.lower()}
    for stem in stems:
        base = _SHEET_FORBIDDEN.sub("_", stem)[:31]
        base = re.sub(r"^'|'$", "_", base) or "_"
        name, n = base, 2
        while name.lower() in taken:
            suffix = f"~{n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        names[stem] = name
    return names


def _title(stem: str) -> str:
    """A table's name in words: ``mtfp_budget_gap`` -> "MTFP budget gap"."""
    return header_words(stem)


def _quoted(sheet: str) -> str:
    """A sheet name as a formula or link names it: in apostrophes, each of its own doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def write_workbook(tables_dir: Path, target: Path | None = None) -> Path | None:
    """Write ``tables.xlsx`` beside ``tables_dir`` (or to ``target``) from its CSV tables;
    returns the path, or None when there are no tables.

    Written with XlsxWriter, which writes a workbook about three times faster than openpyxl
    builds and saves one (a batch writes one for every council); every cell is written as the
    type it is (text always as text: no string becomes a formula, a number or a link)."""
    # XlsxWriter is loaded here, not when the pack's command starts.
    import xlsxwriter

    tables_dir = Path(tables_dir)
    files = sorted(tables_dir.glob("*.csv"))
    if not files:
        return None
    target = Path(target) if target else tables_dir.parent / WORKBOOK_NAME
    names = sheet_names([f.stem for f in files])
    target.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(target),
        {
            "in_memory": True,  # no scratch files of its own
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"author": "council-finance-analysis"})
    styles = _Styles(book)
    contents = book.add_worksheet(CONTENTS)
    for col, name in enumerate(["Table", "Sheet", "Rows", "CSV file"]):
        contents.write_string(0, col, name, styles.contents_header)
    for row, path in enumerate(files, start=1):
        header, body = read_csv_table(path)
        _write_sheet(book.add_worksheet(names[path.stem]), header, body, styles)
        contents.write_string(row, 0, _title(path.stem))
        contents.write_url(
            row, 1, f"internal:{_quoted(names[path.stem])}!A1", string=names[path.stem]
        )
        contents.write_number(row, 2, len(body), styles.number(FORMAT_WHOLE))
        contents.write_string(row, 3, f"tables/{path.name}")
    contents.freeze_panes(1, 0)
    contents.autofilter(0, 0, len(files), 3)
    for col, width in enumerate((44, 32, 8, 44)):
        contents.set_column(col, col, width)
    book.close()
    return target


class _Styles:
    """The workbook's cell formats, each made once."""

    def __init__(self, book):
        self._book = book
        header = {"bold": True, "bg_color": f"#{HEADER_COLOUR}", "pattern": 1}
        self.contents_header = book.add_format(header)
        self.header = book.add_format({**header, "text_wrap": True, "valign": "top"})
        self._numbers: dict[str, object] = {}

    def number(self, number_format: str):
        if number_format not in self._numbers:
            self._numbers[number_format] = self._book.add_format({"num_format": number_format})
        return self._numbers[number_format]


def _write_sheet(sheet, header: list[str], body: list[list], styles: _Styles) -> None:
    for col, name in enumerate(header):
        sheet.write_string(0, col, header_words(name), styles.header)
    formats = {}
    for col, name in enumerate(header):
        values = [r[col] for r in body if isinstance(r[col], (int, float))]
        numeric = [r[col] for r in body if r[col] is not None]
        if numeric and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in numeric
        ):
            formats[col] = styles.number(number_format(name, [float(v) for v in values]))
    for r, values in enumerate(body, start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, col, value, formats.get(col))
            else:
                # Text as in the CSV (formula-like text keeps the apostrophe neutralise() put in
                # front of it), and never a formula, from the pack's CSVs or any other.
                sheet.write_string(r, col, value)
    for col, name in enumerate(header):
        longest = max(
            [len(header_words(name)) // 2 + 1]
            + [len(str(r[col])) for r in body[:200] if r[col] is not None]
        )
        sheet.set_column(col, col, min(max(longest + 2, 8), 60))
    sheet.freeze_panes(1, 0)
    if header:
        sheet.autofilter(0, 0, max(len(body), 0), len(header) - 1)
