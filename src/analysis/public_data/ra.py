"""Revenue Account budget (RA), part 1, as the department publishes it (.xlsx, .ods, or the data
sheet saved as CSV).

One row per authority and RA line: budgeted net current expenditure by service and the lines that
finance it, £ thousand. Measures are ``RA`` and the form's line number: the service totals share
the RS outturn's numbering (``RA190`` education, ``RA290`` highways and transport, ``RA330``
children's social care, ``RA360`` adult social care, ``RA390`` public health, ``RA490`` housing
(GFRA), ``RA509`` cultural, ``RA590`` environmental and regulatory, ``RA599`` planning and
development, ``RA690`` central, ``RA698`` other, ``RA799`` total service expenditure), so a budget
sits beside its outturn (``RA190`` beside ``RS190`` of the same year). The financing lines keep
the RA form's own numbers (``RA849`` net current expenditure, ``RA900`` revenue expenditure,
``RA990`` council tax requirement), which are not the RS's (RS805, RS890): compare services, not
these, across the two. Each row also keeps the publication's asset code (``asset_code``:
``edutot``, ``ctrtot``).

The table is found by its markers, never by position: the header row naming ``E-code`` and ``ONS
Code``, the row of line numbers above it and the row of asset codes (``edutot``, ``netcurrtot``)
or a title naming the Revenue Account budget. Authority rows are those with an E-code; "no
return" markers (``[x]``, ``..``, ``…``, "Category discontinued") are missing, never 0.
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
    is_whole,
    tidy,
    wrong_file,
)
from analysis.public_data._layout import (
    Header,
    authority_rows,
    find_header,
    identity_columns,
    long_frame,
    year_in_titles,
)

WHAT = "Revenue Account budget (RA) part 1"
# Asset codes of the RA's totals: any of them marks the row of asset codes as the RA's.
RA_ASSETS = {"edutot", "csctot", "asctot", "servicetot", "netcurrtot", "revenuetot", "ctrtot"}
_ASSET = re.compile(r"^[a-z][a-z0-9_]{2,}$")


def _line_row(rows: list[tuple], header: Header) -> int | None:
    for i in range(header.row - 1, max(header.row - 8, -1), -1):
        if sum(is_whole(v, 100, 999) for v in rows[i]) >= 3:
            return i
    return None


def _asset_row(rows: list[tuple], header: Header) -> int | None:
    for i in range(header.row - 1, max(header.row - 8, -1), -1):
        codes = {clean_text(v) for v in rows[i]}
        if codes & RA_ASSETS:
            return i
    return None


def _title(rows: list[tuple]) -> str:
    return " ".join(clean_text(v) for row in rows[:10] for v in row[:3] if isinstance(v, str))


def _is_ra(rows: list[tuple], header: Header) -> bool:
    """Part 1 of the RA: line numbers, and the asset codes of its totals or (a layout without
    asset codes) a title naming the Revenue Account budget and the education and total service
    lines (190, 799), which part 2 (grants) does not have."""
    line_row = _line_row(rows, header)
    if line_row is None:
        return False
    if _asset_row(rows, header) is not None:
        return True
    title = _title(rows[: header.row]).lower()
    lines = {int(v) for v in rows[line_row] if is_whole(v, 100, 999)}
    return "revenue account budget" in title and {190, 799} <= lines


def _ra_header(rows: list[tuple]) -> Header | None:
    header = find_header(rows)
    return header if header is not None and _is_ra(rows, header) else None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, header = find_sheet(
        path,
        WHAT,
        _ra_header,
        order=lambda sheet: 0,  # the workbook's own order
        missing="no sheet has a header row with 'E-code' and 'ONS Code' under a row of RA line "
        "numbers and asset codes such as 'edutot'",
        skip=lambda workbook, sheet: not workbook.visible(sheet),
    )
    year = year_in_titles(rows, sheet, depth=header.row)
    if year is None:
        raise wrong_file(
            path, WHAT, "no financial year (e.g. 2023-24) in the title rows or sheet name", sheet
        )
    line_row = _line_row(rows, header)
    asset_row = _asset_row(rows, header)
    columns = []
    for j, value in enumerate(rows[line_row]):
        if not is_whole(value, 100, 999):
            continue
        asset = clean_text(rows[asset_row][j]) if asset_row is not None else ""
        title = clean_text(rows[header.row][j]) if j < len(rows[header.row]) else ""
        columns.append((j, int(value), asset if _ASSET.match(asset) else None, title))
    lines = pd.Series([c[1] for c in columns])
    twice = set(lines[lines.duplicated()])
    data = authority_rows(rows, header)
    if not data:
        raise wrong_file(
            path, WHAT, "no authority rows (E-codes such as E0101) under the header", sheet
        )

    ident = identity_columns(data, header)
    per_column = {
        "year": [year] * len(columns),
        "measure": [
            f"RA{line}" + (f"_{asset or j + 1}" if line in twice else "")
            for j, line, asset, _ in columns
        ],
        "line": [c[1] for c in columns],
        "description": [c[3] for c in columns],
        "unit": ["gbp_k"] * len(columns),
        "asset_code": [c[2] for c in columns],
    }
    frame = long_frame(data, ident, [c[0] for c in columns], per_column)
    return tidy(frame)


def read_ra(path: str | Path) -> pd.DataFrame:
    """Read one RA part 1 table (.xlsx, .ods or CSV save): one row per authority and RA line
    (tidy, £ thousand), measures ``RA190`` ... (see the module)."""
    path = check_file(path, WHAT)
    return cached("ra", path, _parse)
