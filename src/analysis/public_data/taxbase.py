"""Council Taxbase (CTB) local-authority data as DLUHC publish it (OpenDocument ``.ods`` since
2022; ``.xlsx`` or ``.xls`` before): cover, contents and notes sheets first, then forms and the
data sheets, and often dozens of empty phantom sheets named after external links, which are
ignored (:func:`analysis.public_data._common.is_phantom`).

The data sheet is the one with a header row holding ``E-code``, ``ONS Code`` and ``Local
Authority`` under a row of table titles (``Table 1.01 Total Number of Dwellings on Valuation
List``). Each table's ``Total`` column is read as measure ``CTB<table>`` (``CTB1.01``), in the
table's own units (dwellings, or Band D equivalents where the title says so). The count is taken
in October of year Y and sets the tax base for financial year Y+1 to Y+2, which is the year given.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    find_sheet,
    tidy,
    to_number,
    wrong_file,
)

WHAT = "Council Taxbase (CTB) local authority level data"
_ECODE = re.compile(r"^E\d{4}$")
_TABLE = re.compile(r"^table\s+(\d+\.\d+)\.?\s*(.*)$", re.IGNORECASE)
_OCTOBER = re.compile(r"(?:october|oct)\s+(20\d\d)", re.IGNORECASE)


def _find_header(rows: list[tuple]) -> int | None:
    for i, row in enumerate(rows[:30]):
        texts = [clean_text(v).lower() for v in row]
        if "e-code" in texts and "ons code" in texts:
            return i
    return None


def _count_year(rows: list[tuple], path: Path) -> int | None:
    for row in rows[:10]:
        for value in row:
            match = _OCTOBER.search(clean_text(value))
            if match:
                return int(match.group(1))
    match = re.search(r"(20\d\d)", path.stem)
    return int(match.group(1)) if match else None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, h = find_sheet(
        path,
        WHAT,
        _find_header,
        order=lambda s: "taxbase_data" not in s.lower().replace(" ", "_"),
        missing="no sheet has a header row with 'E-code' and 'ONS Code'",
    )
    head = [clean_text(v).lower() for v in rows[h]]
    titles = rows[h - 1] if h > 0 else ()
    ecode_col, ons_col = head.index("e-code"), head.index("ons code")
    name_col = next((j for j, t in enumerate(head) if t == "local authority"), ons_col + 1)
    columns, table = [], None
    for j, text in enumerate(head):
        title = clean_text(titles[j]) if j < len(titles) else ""
        match = _TABLE.match(title)
        if match:
            table = (match.group(1), match.group(2))
        if text == "total" and table is not None:
            columns.append((j, f"CTB{table[0]}", table[1]))
            table = None
    if not columns:
        raise wrong_file(
            path, WHAT, "no 'Table n.nn' titles with a 'Total' column under them", sheet
        )
    count_year = _count_year(rows, path)
    if count_year is None:
        raise wrong_file(
            path, WHAT, "no year (e.g. 'October 2022') in the title rows or file name", sheet
        )
    records = []
    for row in rows[h + 1 :]:
        code = clean_text(row[ecode_col]) if len(row) > ecode_col else ""
        if not _ECODE.match(code):
            continue
        for j, measure, description in columns:
            low = description.lower()
            records.append(
                {
                    "ons_code": clean_text(row[ons_col]) or None,
                    "e_code": code,
                    "name": clean_text(row[name_col]),
                    "authority_class": None,
                    "year": count_year + 1,
                    "measure": measure,
                    "line": pd.NA,
                    "description": f"{description} (October {count_year})",
                    "value": to_number(row[j]) if j < len(row) else float("nan"),
                    "unit": "band_d_equivalents"
                    if "band d equivalent" in low or low.startswith("tax base")
                    else "dwellings",
                }
            )
    if not records:
        raise wrong_file(
            path, WHAT, "no authority rows (E-codes such as E0101) under the header", sheet
        )
    return tidy(pd.DataFrame.from_records(records))


def read_taxbase(path: str | Path) -> pd.DataFrame:
    """Read a Council Taxbase workbook as published: one row per authority and table total."""
    path = check_file(path, WHAT)
    return cached("taxbase", path, _parse)
