"""Revenue Outturn service expenditure summary (RSX), as the department publishes it.

The RSX splits each service's spending (the RS service lines) into seven columns, £ thousand:

=====================================  ==============================  =========================
RSX column (asset code suffix)         measure                         meaning
=====================================  ==============================  =========================
C1 Employees (``-empl``)               ``RSX190_employees``            pay and on-costs
C2 Running expenses (``-run-exp``)     ``RSX190_running_expenses``     premises, supplies,
                                                                       third-party payments
C3 Total expenditure (``-tot-exp``)    ``RSX190_total_expenditure``    C1 + C2
C4 Sales, fees and charges (``-sfc``)  ``RSX190_sales_fees_charges``   income charged to users
C5 Other income (``-oth-inc``)         ``RSX190_other_income``         e.g. NHS, other councils
C6 Total income (``-tot-inc``)         ``RSX190_total_income``         C4 + C5
C7 Net current expenditure             ``RSX190_net``                  C3 - C6; the RS line
(``-net-cur-exp``)                                                     (``RS190``) of the year
=====================================  ==============================  =========================

``190`` is the RS line number of the service (190 education, 290 highways and transport, 330
children's social care, 360 adult social care, 390 public health, 490 housing (GFRA), 509
cultural, 590 environmental and regulatory, 599 planning and development, 601 police, 602 fire,
690 central, 698 other, 699 total service expenditure), so ``RSX190_net`` sits beside ``RS190``.

The table is found by its markers, never by position: the sheet whose header row names
``E-code`` and ``ONS Code`` and whose rows above carry the RSX asset codes (``RSX-edu-empl``);
each column's line number comes from the row of line numbers or the cell code (``C1R190``) above
it, its kind from the asset code (or, failing that, from the column title: "Employees", "Running
Expenses"...). Authority rows are those with an E-code under the header, up to the next header
(the class breakdown table below repeats the GLA); England and class totals are not authorities.
``[x]`` (return not received) and other "no return" markers are missing, never 0; the Notes
column's ``M`` (return not received in time) is kept in ``note``.
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
    wrong_file,
)
from analysis.public_data._layout import (
    Header,
    authority_rows,
    cell,
    find_header,
    identity_columns,
    line_number,
    long_frame,
    year_in_titles,
)

WHAT = "Revenue Outturn service expenditure summary (RSX)"

# Asset code suffix -> measure suffix, in the publication's column order (C1..C7).
KINDS = {
    "empl": "employees",
    "run-exp": "running_expenses",
    "tot-exp": "total_expenditure",
    "sfc": "sales_fees_charges",
    "oth-inc": "other_income",
    "tot-inc": "total_income",
    "net-cur-exp": "net",
}
# Column titles -> measure suffix, for a layout without asset codes (checked in this order).
_TITLES = [
    ("total expenditure", "total_expenditure"),
    ("running expenses", "running_expenses"),
    ("employees", "employees"),
    ("sales, fees and charges", "sales_fees_charges"),
    ("other income", "other_income"),
    ("total income", "total_income"),
    ("net current expenditure", "net"),
]
_ASSET = re.compile(r"^RSX-[a-z0-9]+-(.+)$", re.IGNORECASE)


def _kind(asset: str, title: str) -> str | None:
    match = _ASSET.match(asset)
    if match and match.group(1).lower() in KINDS:
        return KINDS[match.group(1).lower()]
    low = title.lower()
    for words, kind in _TITLES:
        if words in low:
            return kind
    return None


def _columns(rows: list[tuple], header: Header) -> list[tuple[int, int, str, str]]:
    """(column, line, kind, description) for every RSX data column of the table."""
    above = range(header.row - 1, max(header.row - 8, -1), -1)
    asset_row = next(
        (
            i
            for i in above
            if sum(bool(_ASSET.match(clean_text(v))) for v in rows[i]) >= 7  # one service at least
        ),
        None,
    )
    if asset_row is None:
        return []
    out = []
    for j, title in enumerate(rows[header.row]):
        asset = clean_text(rows[asset_row][j]) if j < len(rows[asset_row]) else ""
        if not _ASSET.match(asset):
            continue
        line = line_number(rows, above, j)
        kind = _kind(asset, clean_text(title))
        if line is None or kind is None:
            continue
        out.append((j, line, kind, clean_text(title)))
    return out


def _rsx_header(rows: list[tuple]) -> Header | None:
    header = find_header(rows)
    return header if header is not None and _columns(rows, header) else None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, header = find_sheet(
        path,
        WHAT,
        _rsx_header,
        order=lambda sheet: 0,  # the workbook's own order
        missing="no sheet has a header row with 'E-code' and 'ONS Code' under a row of RSX asset "
        "codes such as 'RSX-edu-empl'",
    )
    columns = _columns(rows, header)
    year = year_in_titles(rows, sheet)
    if year is None:
        raise wrong_file(
            path, WHAT, "no financial year (e.g. 2022-23) in the title rows or sheet name", sheet
        )
    data = authority_rows(rows, header)
    if not data:
        raise wrong_file(
            path, WHAT, "no authority rows (E-codes such as E0101) under the header", sheet
        )

    notes = [clean_text(cell(r, header.notes)) for r in data]
    ident = {
        **identity_columns(data, header),
        "note": ["return not received in time (M)" if n == "M" else (n or None) for n in notes],
    }
    per_column = {
        "year": [year] * len(columns),
        "measure": [f"RSX{line}_{kind}" for _, line, kind, _ in columns],
        "line": [c[1] for c in columns],
        "description": [c[3] for c in columns],
        "unit": ["gbp_k"] * len(columns),
    }
    return tidy(long_frame(data, ident, [c[0] for c in columns], per_column))


def read_rsx(path: str | Path) -> pd.DataFrame:
    """Read one RSX workbook (or a CSV save of its data sheet): one row per authority, service
    line and column (tidy, £ thousand), measures such as ``RSX190_employees`` (see the module)."""
    path = check_file(path, WHAT)
    return cached("rsx", path, _parse)
