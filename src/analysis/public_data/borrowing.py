"""The local authority borrowing and investment live table (quarterly borrowing and investment,
QB), as the department publishes it: one sheet per quarter or year and kind ("LA Borrowing 19-20
Q4", "LA Investments 17-18"), each titled "Outstanding borrowing [investments] by local authority
and category, as at 31 March 2020".

What is read, and how:

- a sheet is recognised by its title ("Outstanding borrowing" or "Outstanding investments") and
  its date ("as at 31 March 2020"; failing that, the sheet name's year and quarter: "19-20 Q4",
  or a year alone for an annual sheet, which is at 31 March);
- only balances at **31 March** are read (the fourth quarter, or an annual sheet): the balance at
  31 March 2020 is financial year 2019-20's (``year`` 2019), the date of the RS reserves and the
  COR balances. The other quarters are left out;
- the authority table is the one under the header row naming ``LGF code`` whose rows carry the
  department's authority codes (``E0101``); the UK and country totals above it are not
  authorities, and nor are Welsh, Scottish and Northern Irish councils (English codes only). The
  ONS code is the table's ``ONS code`` column (the last), where there is one; otherwise the panel
  attaches it from the LGF code;
- ``external_borrowing`` is **the sum of the lender columns**: every column of the table other
  than the identifiers (LGF code, name, region code, category, country, class, ONS code), that is
  short- and longer-term loans by lender (banks, building societies, PWLB, other local
  authorities...) and securities (bonds, stock issues); a blank lender cell counts as nothing, and
  a row with no figure at all is missing (never 0). ``investments`` is the sum of the investment
  columns the same way. Each is £ thousand at 31 March;
- two sheets at the same date (an annual sheet and a fourth quarter) give the first in workbook
  order, the newest release first as published.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    normalise_class,
    open_workbook,
    tidy,
    to_number,
    wrong_file,
)
from analysis.public_data._layout import ENGLISH_CODE, authority_rows, find_headers

WHAT = "borrowing and investment live table"
_IDENTIFIERS = {
    "lgf code",
    "e-code",
    "local authority name",
    "local authority",
    "region code",
    "category",
    "country",
    "class of authority",
    "class",
    "ons code",
}
_CLASSES = {"UNIT": "UA", "OTHER": "O", "GLA": "O", "MC": "MD"}
# Some sheets swap the 'Country' and 'Class of authority' columns: a country is never a class.
_COUNTRIES = {"ENG", "SCO", "WAL", "NI"}
_DATE = re.compile(
    r"as at\s+(\d{1,2})(?:st|nd|rd|th)?\s+(january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\s+(\d{4})",
    re.IGNORECASE,
)
_SHEET_YEAR = re.compile(r"(\d{2}|\d{4})\s*-\s*(\d{2})\s*(?:Q([1-4]))?", re.IGNORECASE)
_OTHER_QUARTER = re.compile(r"\bQ[123]\b")
KINDS = {"borrowing": "external_borrowing", "investments": "investments"}


def _kind(title: str) -> str | None:
    low = title.lower()
    if "outstanding borrowing" in low:
        return "borrowing"
    if "outstanding investment" in low:
        return "investments"
    return None


def _year_at_31_march(title: str, sheet: str) -> int | None:
    """The financial year whose 31 March the sheet is at; None for another quarter."""
    match = _DATE.search(title)
    if match:
        day, month, year = int(match.group(1)), match.group(2).lower(), int(match.group(3))
        when = dt.datetime.strptime(f"{day} {month} {year}", "%d %B %Y").date()
        return when.year - 1 if (when.month, when.day) == (3, 31) else None
    match = _SHEET_YEAR.search(sheet)
    if not match:
        return None
    start = int(match.group(1))
    start = start + 2000 if start < 100 else start
    return start if match.group(3) in (None, "4") else None


def _sheet_records(sheet: str, rows: list[tuple], kind: str, year: int) -> list[dict]:
    for header in find_headers(rows, need_ons=False):
        data = authority_rows(rows, header, ENGLISH_CODE)
        if not data:
            continue
        texts = header.texts
        ons = texts.index("ons code") if "ons code" in texts else None
        classes = [texts.index(t) for t in ("class of authority", "country") if t in texts]
        amounts = [j for j, t in enumerate(texts) if t and t not in _IDENTIFIERS]
        records = []
        for row in data:
            values = np.array([to_number(row[j] if j < len(row) else None) for j in amounts])
            found = [clean_text(row[j]) for j in classes if j < len(row)]
            klass = next((c for c in found if c and c.upper() not in _COUNTRIES), "")
            records.append(
                {
                    "ons_code": (clean_text(row[ons]) or None) if ons is not None else None,
                    "e_code": clean_text(row[header.code]),
                    "name": clean_text(row[header.name]) if header.name is not None else "",
                    "authority_class": _CLASSES.get(klass, normalise_class(klass)),
                    "year": year,
                    "measure": KINDS[kind],
                    "description": f"{kind} at 31 March {year + 1}: sum of {len(amounts)} columns",
                    "value": float(np.nansum(values)) if not np.isnan(values).all() else np.nan,
                    "unit": "gbp_k",
                    "sheet": sheet,
                }
            )
        return records
    return []


def _parse(path: Path) -> pd.DataFrame:
    workbook = open_workbook(path, WHAT)
    records: list[dict] = []
    seen: set[tuple[str, int]] = set()
    try:
        for sheet in workbook.sheetnames:
            if _OTHER_QUARTER.search(sheet):  # named as a first to third quarter: not 31 March
                continue
            rows = workbook.rows(sheet)
            title = " ".join(clean_text(v) for row in rows[:5] for v in row[:2] if v)
            kind = _kind(title)
            if kind is None:
                continue
            year = _year_at_31_march(title, sheet)
            if year is None or (kind, year) in seen:
                continue
            found = _sheet_records(sheet, rows, kind, year)
            if found:
                seen.add((kind, year))
                records += found
    finally:
        workbook.close()
    if not records:
        raise wrong_file(
            path,
            WHAT,
            "no sheet titled 'Outstanding borrowing ... as at 31 March' with authority rows "
            f"under an 'LGF code' header (sheets: {', '.join(workbook.sheetnames)})",
        )
    return tidy(pd.DataFrame.from_records(records))


def read_borrowing(path: str | Path) -> pd.DataFrame:
    """Read the borrowing and investment live table: ``external_borrowing`` and ``investments``
    at 31 March of each financial year in it (tidy, £ thousand; see the module for the sums)."""
    path = check_file(path, WHAT)
    return cached("borrowing", path, _parse)
