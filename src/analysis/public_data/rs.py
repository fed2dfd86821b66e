"""Revenue Outturn Summary (RS) workbooks, as MHCLG/DLUHC publish them, for any year.

Columns are found by their RS line number (the header row of three-digit numbers) and the line
description beneath it, never by position: other years use other column sets. Reserves lines
911-916 (and HRA reserves 983) appear twice, at 1 April and at 31 March; they are told apart by
the description, giving measures such as ``RS915_1apr`` and ``RS915_31mar``. Values are
£ thousand; the publisher's markers for "no figure" (``…``, ``[x]``, ``-``) become blank.
Class ``L`` (London boroughs) is given as ``LB`` to match ``council.yaml``.

Legacy years (2010-11 to 2013-14, ``.xls``) have no line-number row and no ONS code, and spread
the data over two or three sheets by measure, each saying which on its title rows: net current
expenditure (every line; reserves at 1 April), capital charges or items (service lines as
``RS190_capital``; reserves at 31 March) and net total cost (service lines as ``RS190_total``).
Their columns are matched by title through the maintained concordance ``rs_concordance.csv``
(title and occurrence -> harmonised measure, the 2013-14 numbering), so ``RS805`` is net revenue
expenditure in every year although 2010-11 printed it as line 799. A title the concordance does not
know is kept as ``RSX:<title>`` (never dropped, never guessed); ONS codes are attached later from
E-codes (:func:`analysis.public_data.panel.code_map`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import display_path
from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    find_sheet,
    is_whole,
    normalise_class,
    tidy,
    to_number,
    wrong_file,
)
from analysis.public_data.rs_legacy import _ECODE, WHAT, _year, parse_legacy

# Service lines (net current expenditure) benchmarked per head; totals and police/fire excluded.
SERVICE_LINES = {
    190: "Education services",
    290: "Highways and transport services",
    330: "Children's social care",
    360: "Adult social care",
    390: "Public health",
    490: "Housing services (GFRA only)",
    509: "Cultural and related services",
    590: "Environmental and regulatory services",
    599: "Planning and development services",
    690: "Central services",
    698: "Other services",
}
NET_REVENUE_EXPENDITURE = 805
COUNCIL_TAX_REQUIREMENT = 890
INTEREST_PAYABLE = 781


def _find_header(rows: list[tuple]) -> tuple[int, int, int] | None:
    """(description row, line-number row, column of 'E-code') in the first 20 rows."""
    for i, row in enumerate(rows[:20]):
        texts = [clean_text(v).lower() for v in row]
        if "e-code" in texts and "ons code" in texts:
            ecode_col = texts.index("e-code")
            for j in range(i - 1, max(i - 6, -1), -1):
                numbers = [v for v in rows[j] if is_whole(v, 100, 999)]
                if len(numbers) >= 10:
                    return i, j, ecode_col
            return i, -1, ecode_col
    return None


def _is_legacy(path: Path) -> bool:
    from analysis.public_data._common import open_workbook

    workbook = open_workbook(path, WHAT)
    try:
        for sheet in workbook.sheetnames:
            if not sheet.upper().startswith("RS LA DATA"):
                continue
            rows = workbook.head(sheet, 20)
            texts = {clean_text(v).lower() for r in rows for v in r}
            if "e-code" in texts and "ons code" not in texts:
                return True
        return False
    finally:
        workbook.close()


def _parse(path: Path) -> pd.DataFrame:
    if _is_legacy(path):
        from analysis.public_data._common import open_workbook

        workbook = open_workbook(path, WHAT)
        try:
            return parse_legacy(path, workbook)
        finally:
            workbook.close()
    sheet, rows, header = find_sheet(
        path,
        WHAT,
        _find_header,
        order=lambda s: not s.upper().startswith("RS LA DATA"),
        missing="no sheet has a header row with 'E-code' and 'ONS Code'",
        skip=lambda workbook, s: not workbook.visible(s) and not s.upper().startswith("RS"),
    )

    desc_row, line_row, ecode_col = header
    if line_row < 0:
        raise wrong_file(path, WHAT, "no row of RS line numbers above the line descriptions", sheet)
    year = _year(rows, sheet)
    if year is None:
        raise wrong_file(
            path, WHAT, "no financial year (e.g. 2016-17) in the title rows or sheet name", sheet
        )
    texts = [clean_text(v).lower() for v in rows[desc_row]]
    ons_col, name_col = (
        texts.index("ons code"),
        texts.index("local authority") if "local authority" in texts else ecode_col + 2,
    )
    class_col = texts.index("class") if "class" in texts else None

    # Columns: every cell on the line-number row holding an RS line number.
    lines = rows[line_row]
    columns: list[tuple[int, int, str]] = []
    for j, value in enumerate(lines):
        if is_whole(value, 100, 999):
            columns.append(
                (j, int(value), clean_text(rows[desc_row][j] if j < len(rows[desc_row]) else ""))
            )
    counts = pd.Series([c[1] for c in columns]).value_counts()
    measures = []
    for j, line, description in columns:
        key = f"RS{line}"
        if counts[line] > 1:
            low = description.lower()
            if "1 april" in low:
                key += "_1apr"
            elif "31 march" in low:
                key += "_31mar"
            else:
                key += f"_col{j + 1}"
        measures.append((j, line, description, key))

    data = [
        row
        for row in rows[desc_row + 1 :]
        if len(row) > ecode_col
        and isinstance(row[ecode_col], str)
        and _ECODE.match(row[ecode_col].strip())
    ]
    if not data:
        raise wrong_file(
            path, WHAT, "no authority rows (E-codes such as E0101) under the header", sheet
        )
    if not any(line == 805 for _, line, _, _ in measures):
        raise wrong_file(
            path, WHAT, "no RS line 805 (net revenue expenditure) in the header", sheet
        )

    width = max(j for j, *_ in measures) + 1
    values = np.array(
        [[to_number(row[j]) if j < len(row) else np.nan for j, *_ in measures] for row in data],
        dtype=float,
    )
    ident = pd.DataFrame(
        {
            "ons_code": [clean_text(r[ons_col]) or None for r in data],
            "e_code": [r[ecode_col].strip() for r in data],
            "name": [clean_text(r[name_col]) for r in data],
            "authority_class": [
                normalise_class(r[class_col]) if class_col is not None else None for r in data
            ],
        }
    )
    n_rows, n_cols = values.shape
    del width
    frame = pd.DataFrame(
        {
            "ons_code": np.repeat(ident["ons_code"].to_numpy(), n_cols),
            "e_code": np.repeat(ident["e_code"].to_numpy(), n_cols),
            "name": np.repeat(ident["name"].to_numpy(), n_cols),
            "authority_class": np.repeat(ident["authority_class"].to_numpy(), n_cols),
            "year": year,
            "measure": np.tile([m[3] for m in measures], n_rows),
            "line": np.tile([m[1] for m in measures], n_rows),
            "description": np.tile([m[2] for m in measures], n_rows),
            "value": values.reshape(-1),
            "unit": np.tile(["flag" if m[1] == 960 else "gbp_k" for m in measures], n_rows),
        }
    )
    return tidy(frame)


def read_rs(path: str | Path) -> pd.DataFrame:
    """Read one RS workbook as published: one row per authority and RS line (tidy, £ thousand).

    Columns: ons_code, e_code, name, authority_class, year (start year: 2016 for 2016-17),
    measure (``RS805``, ``RS915_31mar``), line (the RS line number), description, value, unit.
    """
    path = check_file(path, WHAT)
    return cached("rs", path, _parse)


def read_rs_many(paths: list[str | Path]) -> pd.DataFrame:
    """Several RS years stacked; a year given twice is an error."""
    frames = [read_rs(p) for p in paths]
    years = [int(f["year"].iloc[0]) for f in frames]
    if len(set(years)) != len(years):
        from analysis.core.errors import InputError, Problem

        dupes = sorted({y for y in years if years.count(y) > 1})
        raise InputError(
            [
                Problem(display_path(p), f"a second RS workbook for {y}-{(y + 1) % 100:02d}")
                for p, y in zip(paths, years, strict=True)
                if y in dupes
            ]
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def ecode_to_ons(rs: pd.DataFrame) -> pd.DataFrame:
    """E-code -> ONS code (and name) as the RS tables map them; one row per E-code."""
    return (
        rs[["e_code", "ons_code", "name", "year"]]
        .dropna(subset=["e_code"])
        .sort_values("year")
        .drop_duplicates("e_code", keep="last")
        .drop(columns="year")
        .reset_index(drop=True)
    )
