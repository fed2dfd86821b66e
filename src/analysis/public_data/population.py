"""ONS mid-year population estimates, table MYE4 (``Code``, ``Name``, ``Geography``,
``Mid-2020``, ``Mid-2019`` ...), as published, notes rows and all.

A financial year is matched to the mid-year estimate at its start: 2016-17 uses mid-2016.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    find_sheet,
    not_positive,
    tidy,
    to_number,
    wrong_file,
)

WHAT = "ONS mid-year population estimates (MYE4) workbook"
_MID = re.compile(r"^mid-?\s*(\d{4})$", re.IGNORECASE)

GEOGRAPHY_CLASS = {
    "unitary authority": "UA",
    "metropolitan district": "MD",
    "london borough": "LB",
    "non-metropolitan district": "SD",
    "county": "SC",
}


def _find(rows: list[tuple]) -> int | None:
    for i, row in enumerate(rows[:40]):
        texts = [clean_text(v).lower() for v in row]
        if "code" in texts and "name" in texts and any(_MID.match(t) for t in texts):
            return i
    return None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, h = find_sheet(
        path,
        WHAT,
        _find,
        order=lambda s: s.replace(" ", "").upper() != "MYE4",
        missing="no MYE sheet with a header row holding 'Code', 'Name' and 'Mid-YYYY' columns",
        skip=lambda workbook, s: not s.replace(" ", "").upper().startswith("MYE"),
        name_sheets=False,
    )
    head = [clean_text(v) for v in rows[h]]
    low = [t.lower() for t in head]
    code_col, name_col = low.index("code"), low.index("name")
    geo_col = low.index("geography") if "geography" in low else None
    year_cols = [(j, int(_MID.match(t).group(1))) for j, t in enumerate(low) if _MID.match(t)]
    records = []
    problems = []
    for number, row in enumerate(rows[h + 1 :], start=h + 2):
        code = clean_text(row[code_col]) if len(row) > code_col else ""
        if not re.match(r"^[EWSNK]\d{8}$", code):
            continue
        geography = clean_text(row[geo_col]) if geo_col is not None else ""
        for j, year in year_cols:
            value = to_number(row[j]) if j < len(row) else float("nan")
            if value <= 0:  # it divides spending per head: a missing figure is NaN, never 0
                problems.append(not_positive(path, sheet, number, j, value, "a population"))
            records.append(
                {
                    "ons_code": code,
                    "e_code": None,
                    "name": clean_text(row[name_col]),
                    "authority_class": GEOGRAPHY_CLASS.get(geography.lower(), geography or None),
                    "year": year,
                    "measure": "population",
                    "line": pd.NA,
                    "description": f"Mid-{year} population estimate ({geography})",
                    "value": value,
                    "unit": "persons",
                }
            )
    if problems:
        raise InputError(problems)
    if not records:
        raise wrong_file(path, WHAT, "no rows with ONS codes under the header", sheet)
    return tidy(pd.DataFrame.from_records(records))


def read_population(path: str | Path) -> pd.DataFrame:
    """Read MYE4 as published: one row per area and mid-year (persons)."""
    path = check_file(path, WHAT)
    return cached("population", path, _parse)
