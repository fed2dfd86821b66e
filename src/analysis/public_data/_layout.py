"""Finding an authority table in a published sheet by the publication's own markers.

The department's finance tables (RS, RSX, RA, COR, the borrowing table) share a layout: title and
notes rows, sometimes hidden rows of asset codes and line numbers, a header row of identifiers
(``E-code`` or ``LGF Code``, ``ONS Code``, ``Local authority``, ``Class``), one row per authority,
then aggregate rows (England, class totals) or a second table. These helpers find the header by
its identifier names, wherever it is, and the authority rows beneath it, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.public_data._common import (
    clean_text,
    financial_year,
    is_whole,
    normalise_class,
    to_number,
)

# The department's own authority code: E, W, S or N and four digits (E0101, W7301).
LGF_CODE = re.compile(r"^[EWSN]\d{4}$")
ENGLISH_CODE = re.compile(r"^E\d{4}$")
_CODE_HEADERS = ("e-code", "e code", "lgf code", "la_lgf_code", "lgf_code")
_ONS_HEADERS = ("ons code", "ons_code", "la_ons_code", "ons")
_NAME_HEADERS = (
    "local authority",
    "local authority name",
    "la name",
    "la_name",
    "authority",
    "local authority / body",
)
_CLASS_HEADERS = ("class", "la_class_code", "class of authority")


@dataclass
class Header:
    """The header row of an authority table and the columns of its identifiers."""

    row: int
    code: int
    ons: int | None
    name: int | None
    authority_class: int | None
    notes: int | None
    texts: list[str]


def _index(texts: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in texts:
            return texts.index(name)
    return None


def find_header(
    rows: list[tuple], limit: int = 40, need_ons: bool = True, start: int = 0
) -> Header | None:
    """The first row (from ``start``, in the first ``limit``) naming the authority code column
    (``E-code``, ``LGF Code``) and, when ``need_ons``, the ``ONS Code`` column."""
    for i, row in enumerate(rows[:limit]):
        if i < start:
            continue
        texts = [clean_text(v).lower() for v in row]
        code = _index(texts, _CODE_HEADERS)
        if code is None:
            continue
        ons = _index(texts, _ONS_HEADERS)
        if need_ons and ons is None:
            continue
        return Header(
            row=i,
            code=code,
            ons=ons,
            name=_index(texts, _NAME_HEADERS),
            authority_class=_index(texts, _CLASS_HEADERS),
            notes=_index(texts, ("notes", "note")),
            texts=texts,
        )
    return None


def authority_rows(
    rows: list[tuple], header: Header, pattern: re.Pattern[str] = ENGLISH_CODE
) -> list[tuple]:
    """The rows under ``header`` whose code cell is an authority's code (``E0101``), up to the
    next header row (a second table, such as the class breakdown, repeats authorities). England,
    class and country totals carry other codes (``Eng``, ``[Y]``, ``ENG``) and are left out."""
    out = []
    for row in rows[header.row + 1 :]:
        cell = clean_text(row[header.code]) if len(row) > header.code else ""
        if cell.lower() in _CODE_HEADERS:
            break
        if pattern.match(cell):
            out.append(row)
    return out


def cell(row: tuple, column: int | None):
    """The cell of ``row`` at ``column`` (None for no column, or past a short row's end)."""
    return row[column] if column is not None and column < len(row) else None


def identity_columns(data: list[tuple], header: Header) -> dict[str, list]:
    """Each authority row's identifiers under ``header``, for :func:`long_frame`: ``ons_code``,
    ``e_code``, ``name`` and ``authority_class`` (None where the sheet has no such column)."""
    return {
        "ons_code": [clean_text(cell(r, header.ons)) or None for r in data],
        "e_code": [clean_text(r[header.code]) for r in data],
        "name": [clean_text(cell(r, header.name)) for r in data],
        "authority_class": [normalise_class(cell(r, header.authority_class)) for r in data],
    }


def line_number(rows: list[tuple], above: range, column: int) -> int | None:
    """The line number of ``column``: a whole number 100-999 in one of the rows ``above`` the
    header, or the row part of a cell code such as ``C1R190``."""
    for i in above:
        if i < 0 or column >= len(rows[i]):
            continue
        value = rows[i][column]
        if is_whole(value, 100, 999):
            return int(value)
        match = re.fullmatch(r"C\d+R(\d{3})", clean_text(value))
        if match:
            return int(match.group(1))
    return None


def find_headers(rows: list[tuple], limit: int = 40, need_ons: bool = True):
    """Every header row (see :func:`find_header`) in the first ``limit`` rows, in order."""
    header = find_header(rows, limit, need_ons)
    while header is not None:
        yield header
        header = find_header(rows, limit, need_ons, start=header.row + 1)


def long_frame(
    data: list[tuple], ident: dict[str, list], columns: list[int], per_column: dict[str, list]
) -> pd.DataFrame:
    """One row per authority row of ``data`` and column of ``columns``: the identifiers in
    ``ident`` (one value per authority row), the column's own fields in ``per_column`` (one value
    per column) and ``value``, the cell read by :func:`to_number` (blank or marker: NaN)."""
    values = np.array(
        [[to_number(row[j]) if j < len(row) else np.nan for j in columns] for row in data],
        dtype=float,
    ).reshape(len(data), len(columns))
    n_rows, n_cols = values.shape
    out = {k: np.repeat(np.asarray(v, dtype=object), n_cols) for k, v in ident.items()}
    out.update({k: np.tile(np.asarray(v, dtype=object), n_rows) for k, v in per_column.items()})
    out["value"] = values.reshape(-1)
    return pd.DataFrame(out)


def year_in_titles(rows: list[tuple], sheet: str, depth: int = 8) -> int | None:
    """The financial year a sheet's title rows give (the first three cells of the first
    ``depth`` rows), else its sheet name's; None when neither gives one."""
    for row in rows[:depth]:
        for value in row[:3]:
            year = financial_year(clean_text(value))
            if year:
                return year
    return financial_year(sheet)
