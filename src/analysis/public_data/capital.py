"""Capital outturn return (COR), sections B and C, as the department publishes them.

- COR B: how capital spending was financed (grants by source, capital receipts, revenue, borrowing),
  sheets such as ``Financing`` and ``Private dev sup``;
- COR C: the prudential system, sheets ``Capital Financing Requirement`` and ``Borrowing &
  Lending``.

Every sheet with an authority table is read: a header row naming ``LGF Code`` and ``ONS Code``
under a row of asset codes (``PRU1-prucfrend-amt``, ``FIN1-fingrngov-amt``), found wherever they
are. One row per authority and column, £ thousand. The prudential balances get standard names
from their column titles, so the finances read them whatever the asset codes:

=============================================================  =================================
column title                                                   measure
=============================================================  =================================
Capital Financing Requirement as at 1 April / 31 March         ``cfr_1apr`` / ``cfr_31mar``
Gross borrowing as at 1 April / 31 March                       ``gross_borrowing_1apr`` / ``_31mar``
Other long-term liabilities as at 1 April / 31 March           ``other_long_term_liabilities_...``
Gross external debt as at 1 April / 31 March                   ``gross_external_debt_...``
Investments as at 1 April / 31 March                           ``investments_1apr`` / ``_31mar``
Net external debt as at 1 April / 31 March                     ``net_external_debt_...``
=============================================================  =================================

Every other column is ``COR_`` and its asset code without the ``-amt`` suffix
(``COR_FIN1-fingrngov``), or ``COR:`` and its title when it has no asset code. Authority rows are
those with an LGF code (``E0101``); England, class totals and the notes below are not authorities.
The year is the financial year in the sheet's title ("COR C 2018-19: ...").
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    financial_year,
    normalise_class,
    open_workbook,
    tidy,
    to_number,
    wrong_file,
)
from analysis.public_data._layout import Header, authority_rows, find_headers

WHAT = "capital outturn return (COR B or C)"
_ASSET = re.compile(r"^[A-Z0-9]+-[a-z0-9]+(?:-[a-z0-9]+)*$")
_BALANCES = [
    ("capital financing requirement", "cfr"),
    ("gross borrowing", "gross_borrowing"),
    ("other long-term liabilities", "other_long_term_liabilities"),
    ("gross external debt", "gross_external_debt"),
    ("net external debt", "net_external_debt"),
    ("investments", "investments"),
]


def standard_measure(title: str) -> str | None:
    """``cfr_31mar`` for "Capital Financing Requirement as at 31 March 2019", and so on."""
    low = clean_text(title).lower()
    match = re.match(r"^(.*?)\s+(?:as\s+)?at\s+(1 april|31 march)\b", low)
    if not match:
        return None
    for words, name in _BALANCES:
        if match.group(1).strip() == words:
            return f"{name}_{'1apr' if match.group(2) == '1 april' else '31mar'}"
    return None


def _asset_row(rows: list[tuple], header: Header) -> int | None:
    for i in range(header.row - 1, max(header.row - 8, -1), -1):
        if sum(bool(_ASSET.match(clean_text(v))) for v in rows[i]) >= 1:
            return i
    return None


def _year(rows: list[tuple], header: Header, sheet: str) -> int | None:
    for row in rows[: header.row]:
        for value in row[:3]:
            year = financial_year(clean_text(value))
            if year:
                return year
    return financial_year(sheet)


def _sheet(path: Path, sheet: str, rows: list[tuple], header: Header) -> list[dict]:
    year = _year(rows, header, sheet)
    if year is None:
        raise wrong_file(path, WHAT, "no financial year (e.g. 2018-19) in the title rows", sheet)
    assets = _asset_row(rows, header)
    skip = {header.code, header.ons, header.name, header.authority_class, header.notes}
    columns = []
    for j, title in enumerate(rows[header.row]):
        title = clean_text(title)
        if j in skip or not title or title.lower() in ("subclass", "sub class"):
            continue
        asset = clean_text(rows[assets][j]) if assets is not None and j < len(rows[assets]) else ""
        measure = standard_measure(title)
        if measure is None:
            measure = (
                f"COR_{re.sub(r'-amt$', '', asset)}" if _ASSET.match(asset) else f"COR:{title}"
            )
        columns.append((j, measure, title))
    records = []
    for row in authority_rows(rows, header):
        ident = {
            "ons_code": clean_text(row[header.ons]) if header.ons is not None else None,
            "e_code": clean_text(row[header.code]),
            "name": clean_text(row[header.name]) if header.name is not None else "",
            "authority_class": normalise_class(row[header.authority_class])
            if header.authority_class is not None
            else None,
        }
        for j, measure, title in columns:
            records.append(
                {
                    **ident,
                    "year": year,
                    "measure": measure,
                    "description": title,
                    "value": to_number(row[j] if j < len(row) else None),
                    "unit": "gbp_k",
                    "sheet": sheet,
                }
            )
    return records


def _parse(path: Path) -> pd.DataFrame:
    workbook = open_workbook(path, WHAT)
    records: list[dict] = []
    try:
        for sheet in workbook.sheetnames:
            if not workbook.visible(sheet):
                continue
            head = workbook.head(sheet, 40)
            header = next((h for h in find_headers(head) if _asset_row(head, h) is not None), None)
            if header is None:
                continue
            records += _sheet(path, sheet, workbook.rows(sheet), header)
    finally:
        workbook.close()
    if not records:
        raise wrong_file(
            path,
            WHAT,
            "no sheet has authority rows under a header with 'LGF Code' and 'ONS Code' and a row "
            "of asset codes such as 'PRU1-prucfrend-amt' "
            f"(sheets: {', '.join(workbook.sheetnames)})",
        )
    frame = pd.DataFrame.from_records(records)
    # A column shown on two sheets (a total repeated beside its detail) is read once.
    frame = frame.drop_duplicates(["e_code", "year", "measure"], keep="first")
    return tidy(frame)


def read_capital(path: str | Path) -> pd.DataFrame:
    """Read one COR B or COR C workbook: one row per authority and column (tidy, £ thousand),
    the prudential balances as ``cfr_31mar``, ``gross_borrowing_31mar``... (see the module)."""
    path = check_file(path, WHAT)
    return cached("capital", path, _parse)
