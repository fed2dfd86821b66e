"""ONS mid-year population estimates, table MYE4 (``Code``, ``Name``, ``Geography``,
``Mid-2023``, ``Mid-2022`` ...), as published, notes rows and all, on whichever boundaries the
release uses (2021 or 2023) and with whichever mid-years it holds.

The table is recognised by its header row (``Code``, ``Name`` and at least one ``Mid-YYYY``
column) under title rows that do not name another measure (MYE6, median age, has the same
header); the sheet named MYE4 is looked at first. Every ``Mid-YYYY`` column is read.
Rows are local authorities, classed from the ``Geography`` column (county = SC); aggregates
(countries, regions, metropolitan counties) are not authorities and are not read.

A financial year is matched to the mid-year estimate at its start: 2016-17 uses mid-2016.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.public_data._cells import block, each, numbers
from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    find_sheet,
    not_positive,
    tidy,
    wrong_file,
)

WHAT = "ONS mid-year population estimates (MYE4) workbook"
_MID = re.compile(r"^mid[-\s]?\s*(\d{4})\b", re.IGNORECASE)
_CODE = re.compile(r"^[EWSN]\d{8}$")

GEOGRAPHY_CLASS = {
    "unitary authority": "UA",
    "metropolitan district": "MD",
    "london borough": "LB",
    "non-metropolitan district": "SD",
    "county": "SC",
}
# Areas that are not local authorities: sums of them.
AGGREGATES = {"country", "region", "metropolitan county", "england and wales", "great britain"}


# Other MYE tables with the same header of mid-years (MYE6 median age; MYE5 density; MYE3).
_NOT_COUNTS = re.compile(r"median age|density|components of population change", re.IGNORECASE)


def _find(rows: list[tuple]) -> int | None:
    """The header row (``Code``, ``Name``, ``Mid-YYYY``) of a table of population counts: the
    title rows above it do not name another measure (median age, density)."""
    for i, row in enumerate(rows[:40]):
        texts = [clean_text(v).lower() for v in row]
        if "code" in texts and "name" in texts and any(_MID.match(t) for t in texts):
            title = " ".join(clean_text(v) for r in rows[:i] for v in r if isinstance(v, str))
            return None if _NOT_COUNTS.search(title) else i
    return None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, h = find_sheet(
        path,
        WHAT,
        _find,
        # The totals table is MYE4 in every release: looked at first, the others only if absent.
        order=lambda s: s.replace(" ", "").upper() != "MYE4",
        missing="no sheet with a header row holding 'Code', 'Name' and 'Mid-YYYY' columns under "
        "a title of population estimates",
        name_sheets=False,
    )
    head = [clean_text(v) for v in rows[h]]
    low = [t.lower() for t in head]
    code_col, name_col = low.index("code"), low.index("name")
    geo_col = low.index("geography") if "geography" in low else None
    year_cols = [(j, int(_MID.match(t).group(1))) for j, t in enumerate(low) if _MID.match(t)]
    ids = block(rows[h + 1 :], [code_col, name_col, geo_col if geo_col is not None else code_col])
    codes = np.array([clean_text(v) for v in ids[:, 0]], dtype=object)
    geography = (
        np.array([clean_text(v) for v in ids[:, 2]], dtype=object)
        if geo_col is not None
        else np.full(len(codes), "", dtype=object)
    )
    keep = np.array(
        [
            bool(_CODE.match(c)) and g.lower() not in AGGREGATES
            for c, g in zip(codes, geography, strict=True)
        ],
        dtype=bool,
    )
    if not keep.any():
        raise wrong_file(path, WHAT, "no rows with ONS codes under the header", sheet)
    data = [r for r, k in zip(rows[h + 1 :], keep, strict=True) if k]
    values = numbers(block(data, [j for j, _ in year_cols]))
    # A population divides spending per head: 0 or less is refused (a missing figure is NaN).
    bad_rows, bad_cols = np.nonzero(values <= 0)
    if len(bad_rows):
        numbers_of_rows = (h + 2 + np.flatnonzero(keep))[bad_rows]
        raise InputError(
            [
                not_positive(
                    path, sheet, int(r), year_cols[c][0], float(values[i, c]), "a population"
                )
                for r, i, c in zip(numbers_of_rows, bad_rows, bad_cols, strict=True)
            ]
        )
    n_rows, n_cols = values.shape
    geo = geography[keep]
    frame = pd.DataFrame(
        {
            "ons_code": each(codes[keep], n_cols),
            "e_code": None,
            "name": each([clean_text(v) for v in ids[keep, 1]], n_cols),
            "authority_class": each(
                [GEOGRAPHY_CLASS.get(g.lower(), g or None) for g in geo], n_cols
            ),
            "year": np.tile([y for _, y in year_cols], n_rows),
            "measure": "population",
            "line": pd.NA,
            "description": [
                f"Mid-{y} population estimate ({g})" for g in geo for _, y in year_cols
            ],
            "value": values.reshape(-1),
            "unit": "persons",
        }
    )
    return tidy(frame)


def read_population(path: str | Path) -> pd.DataFrame:
    """Read MYE4 as published: one row per area and mid-year (persons)."""
    path = check_file(path, WHAT)
    return cached("population", path, _parse)
