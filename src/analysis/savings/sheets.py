"""Reading a register's cells from ``.xlsx`` or ``.csv`` and finding its header row among title
rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.core.errors import InputError, Problem
from analysis.savings.fields import (
    FIELDS,
    REQUIRED,
    SavingsSettings,
    cell_text,
    is_blank,
    normalise,
)

HEADER_SEARCH_ROWS = 30


@dataclass
class Sheet:
    """Raw rows of the sheet read, each with its spreadsheet row number."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def read_xlsx(path: Path, shown: str, settings: SavingsSettings) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as exc:  # a corrupt or password-protected file
        raise InputError.single(shown, f"cannot open as an Excel workbook: {exc}") from None
    try:
        if settings.sheet is not None:
            if settings.sheet not in workbook.sheetnames:
                raise InputError.single(
                    shown,
                    f"no sheet named '{settings.sheet}' (savings.sheet in council.yaml); "
                    f"sheets: {', '.join(workbook.sheetnames)}",
                )
            sheet = workbook[settings.sheet]
        else:
            visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
            if not visible:
                raise InputError.single(shown, "the workbook has no visible sheet")
            sheet = visible[0]
        result = Sheet(shown, sheet.title)
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            result.rows.append((number, list(values)))
        return result
    finally:
        workbook.close()


def read_csv(path: Path, shown: str) -> Sheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    result = Sheet(shown, None)
    reader = csv.reader(text.splitlines())
    for number, values in enumerate(reader, start=1):
        result.rows.append((number, list(values)))
    return result


def find_header(
    sheet: Sheet, settings: SavingsSettings
) -> tuple[int, int, dict[str, int], list[Problem]] | None:
    """(index into rows, row number, field -> column index, problems) for the header row."""
    mapped = {normalise(header): name for name, header in settings.columns.items()}
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
                    f"rename one, or set savings.columns.{name} in council.yaml",
                    row=number,
                    sheet=sheet.sheet,
                )
            )
        columns[name] = cols[0]
    for name in REQUIRED:
        if name not in columns:
            hint = (
                f"'{settings.columns[name]}' (savings.columns.{name})"
                if name in settings.columns
                else f"'{FIELDS[name][0]}'"
            )
            problems.append(
                Problem(
                    sheet.file,
                    f"required column missing: expected a header such as {hint}",
                    row=number,
                    sheet=sheet.sheet,
                )
            )
    return index, number, columns, problems
