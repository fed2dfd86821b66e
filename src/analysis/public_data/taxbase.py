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

from analysis.public_data._cells import (
    block,
    cycle,
    each,
    find_label,
    header_texts,
    is_ecode_label,
    numbers,
)
from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    find_sheet,
    open_workbook,
    tidy,
    wrong_file,
)

WHAT = "Council Taxbase (CTB) local authority level data"
_ECODE = re.compile(r"^E\d{4}$")
_TABLE = re.compile(r"^table\s+(\d+\.\d+)\.?\s*(.*)$", re.IGNORECASE)
_OCTOBER = re.compile(r"(?:october|oct)\s+(20\d\d)", re.IGNORECASE)


def _find_header(rows: list[tuple]) -> int | None:
    """The identifier header: an E-code label beside 'ONS Code' or 'Local Authority'."""
    for i, row in enumerate(rows[:40]):
        texts = header_texts(row)
        if any(is_ecode_label(t) for t in texts) and (
            find_label(texts, "ons code") is not None
            or find_label(texts, "local authority") is not None
        ):
            return i
    return None


def _count_year(rows: list[tuple]) -> int | None:
    for row in rows:
        for value in row:
            match = _OCTOBER.search(clean_text(value))
            if match:
                return int(match.group(1))
    return None


def _cover_year(path: Path) -> int | None:
    """The count's year as the other sheets' title rows (the cover) give it."""
    workbook = open_workbook(path, WHAT)
    try:
        for sheet in workbook.sheetnames:
            year = _count_year(workbook.head(sheet, 15))
            if year is not None:
                return year
    finally:
        workbook.close()
    return None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, h = find_sheet(
        path,
        WHAT,
        _find_header,
        order=lambda s: "taxbase_data" not in s.lower().replace(" ", "_"),
        missing="no sheet has a header row with 'E-code' and 'ONS Code' or 'Local Authority'",
    )
    head = header_texts(rows[h])
    ecode_col = next(j for j, t in enumerate(head) if is_ecode_label(t))
    ons_col = find_label(head, "ons code")
    name_col = find_label(head, "local authority", "authority")
    if name_col is None:
        name_col = (ons_col if ons_col is not None else ecode_col) + 1
    columns, table = [], None
    # Table titles sit on a row above the header (the nearest one that has any).
    titled = [r for r in rows[max(0, h - 5) : h] if any(_TABLE.match(clean_text(v)) for v in r)]
    titles = titled[-1] if titled else ()
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
    count_year = _count_year(rows[:h]) or _cover_year(path)
    if count_year is None:
        match = re.search(r"(20\d\d)", path.stem)
        count_year = int(match.group(1)) if match else None
    if count_year is None:
        raise wrong_file(
            path, WHAT, "no year (e.g. 'October 2022') in the title rows or file name", sheet
        )
    body = rows[h + 1 :]
    codes = [clean_text(r[ecode_col]) if len(r) > ecode_col else "" for r in body]
    data = [r for r, c in zip(body, codes, strict=True) if _ECODE.match(c)]
    if not data:
        raise wrong_file(
            path, WHAT, "no authority rows (E-codes such as E0101) under the header", sheet
        )
    ids = block(data, [ecode_col, name_col, ons_col if ons_col is not None else ecode_col])
    values = numbers(block(data, [c[0] for c in columns]))
    n_rows, n_cols = values.shape
    units = [
        "band_d_equivalents"
        if "band d equivalent" in d.lower() or d.lower().startswith("tax base")
        else "dwellings"
        for _, _, d in columns
    ]

    def rep(items):
        return each(items, n_cols)

    frame = pd.DataFrame(
        {
            "ons_code": rep(
                [clean_text(v) or None for v in ids[:, 2]]
                if ons_col is not None
                else [None] * n_rows
            ),
            "e_code": rep([clean_text(v) for v in ids[:, 0]]),
            "name": rep([clean_text(v) for v in ids[:, 1]]),
            "authority_class": None,
            "year": count_year + 1,
            "measure": cycle([m for _, m, _ in columns], n_rows),
            "line": pd.NA,
            "description": cycle([f"{d} (October {count_year})" for _, _, d in columns], n_rows),
            "value": values.reshape(-1),
            "unit": cycle(units, n_rows),
        }
    )
    return tidy(frame)


def read_taxbase(path: str | Path) -> pd.DataFrame:
    """Read a Council Taxbase workbook as published: one row per authority and table total."""
    path = check_file(path, WHAT)
    return cached("taxbase", path, _parse)
