"""Revenue Outturn Summary (RS) workbooks, as MHCLG/DLUHC publish them, for any year and layout.

A data sheet is recognised by its own markers, never by its name, position or year: a header row
of identifiers (``E-code``, and ``ONS Code``, ``Local authority``, ``Class`` where printed) with,
above it, a row of RS line numbers (``190``, ``805``, ``915b``), a row of asset codes
(``RS-edu-net-exp``), or neither. Each column's measure comes from, in order:

1. its RS line number (``RS805``; lettered lines such as ``RS915b`` as printed);
2. its asset code, through the maintained concordance ``rs_concordance.csv``;
3. its title and occurrence, through the same concordance (the 2013-14 numbering, so ``RS805`` is
   net revenue expenditure in every year although 2010-11 printed it as line 799);
4. an asset code the concordance does not know, kept as the measure (``RS-invprp-inc-net-exp``);
   a title it does not know is kept as ``RSX:<title>`` (never dropped, never guessed).

Reserve levels (lines 911-916, 983, 1023-1030) are printed at 1 April and at 31 March; which is
which comes from the column's own title or asset code (``at 1 April``, ``-start-``), else from the
group title above it (``Reserves at 31 March 2016``), else from what the sheet says it holds,
giving measures such as ``RS915_1apr`` and ``RS915_31mar``.

Some years (2010-11 to 2013-14 ``.xls``) spread the data over sheets by measure, each saying which
on its title rows: net current expenditure (every line), capital charges or items (service lines as
``RS190_capital``; reserves at 31 March) and net total cost (service lines as ``RS190_total``). A
sheet read by its titles alone must say which of these it holds. Values are £ thousand; the
publisher's markers for "no figure" (``…``, ``[x]``, ``-``) become blank. Class ``L`` (London
boroughs) is given as ``LB`` to match ``council.yaml``. Rows are authorities (E-codes such as
``E0101``); England, class totals and the class-breakdown table under the data are not read. ONS
codes are kept as printed (a misprint is corrected in the panel); where a year prints none they are
attached later from E-codes (:func:`analysis.public_data.panel.code_map`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, Problem, display_path
from analysis.public_data._cells import (
    ECODE,
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
    normalise_class,
    open_workbook,
    tidy,
    wrong_file,
)
from analysis.public_data.rs_legacy import (
    ASSET_CODE,
    RESERVE_LEVEL_LINES,
    WHAT,
    concordance,
    date_of,
    group_titles,
    known_titles,
    legacy_kind,
    line_of,
    marker_row,
    normalise_description,
    qualified_title,
    sheet_year,
)

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

_MARKER_ROWS = 15  # rows above the header searched for line numbers, asset codes, group titles
_HEADER_SEARCH = 60
_MIN_TITLES = 5  # RS titles a sheet without line numbers or asset codes must show
# Title rows or code rows naming another publication of the same returns (the service expenditure
# summary RSX, the revenue account budget RA) that shares RS titles and line numbers.
_OTHER_TITLE = re.compile(r"\(RSX\)|\bRSX\b|revenue account budget|\(RA\)", re.IGNORECASE)
_OTHER_CODE = re.compile(r"^(RSX|RA)-[A-Za-z]")
# Identifier and bookkeeping columns beside the data (never measures).
_NOT_DATA = {
    "local authority",
    "authority",
    "class",
    "detailed class",
    "notes",
    "note",
    "certification",
    "certified",
    "region",
    "ons code",
}
_AGGREGATE_NAMES = re.compile(r"^(england|total\b|class breakdown)", re.IGNORECASE)


def _find_header(rows: list[tuple]) -> int | None:
    """The first row holding an ``E-code`` label."""
    for i, row in enumerate(rows[:_HEADER_SEARCH]):
        if any(is_ecode_label(clean_text(v).lower()) for v in row):
            return i
    return None


def _read_sheet(path: Path, sheet: str, rows: list[tuple], h: int) -> pd.DataFrame | Problem | None:
    """One sheet's table; None when it is not an RS table (no line numbers, asset codes or RS
    titles beside its E-codes)."""
    shown = display_path(path)
    texts = header_texts(rows[h])
    ecode_col = next(j for j, t in enumerate(texts) if is_ecode_label(t))
    ons_col = find_label(texts, "ons code", start=True)
    name_col = find_label(texts, "local authority", "authority", "name")
    class_col = find_label(texts, "class")
    if name_col is None:
        name_col = next(
            (j for j in range(ecode_col + 1, len(texts)) if j != ons_col and texts[j]),
            ecode_col + 1,
        )
    ident = {c for c in (ecode_col, ons_col, name_col, class_col) if c is not None}
    start = max(0, h - _MARKER_ROWS)
    above = [tuple(r) for r in rows[start:h]]
    width = max([len(rows[h])] + [len(r) for r in above])

    def is_line(v):
        return line_of(v) is not None

    # A marker row labels most of the titled columns (ten at least, in a sheet that wide).
    least = max(3, min(10, sum(1 for t in texts if t) // 2))
    line_i = marker_row(above, is_line, prefer=lambda v: line_of(v) == (805, "805"), least=least)
    asset_i = marker_row(
        above, lambda v: isinstance(v, str) and bool(ASSET_CODE.match(v.strip())), least=least
    )
    line_row = above[line_i] if line_i is not None else ()
    asset_row = above[asset_i] if asset_i is not None else ()
    kind = legacy_kind(rows[:h])
    titles = " ".join(clean_text(v) for r in rows[:h] for v in r[:3] if isinstance(v, str))
    others = marker_row(
        above, lambda v: isinstance(v, str) and bool(_OTHER_CODE.match(v.strip())), least=least
    )
    if _OTHER_TITLE.search(titles) or (others is not None and asset_i is None):
        return None  # another publication's table
    if line_i is None and asset_i is None and known_titles(rows[h]) < _MIN_TITLES:
        return None  # an identifier table of another publication
    if line_i is None and asset_i is None and kind is None:
        return Problem(
            shown,
            "a data sheet with no row of RS line numbers or asset codes whose title rows do not "
            "say its measure (expected 'Net current expenditure', 'Capital charges/items' or "
            "'Net total cost' above the header)",
            sheet=sheet,
        )

    def cell(row, j):
        return row[j] if j < len(row) else None

    if line_i is not None or asset_i is not None:
        candidates = [
            j
            for j in range(width)
            if j not in ident
            and (
                line_of(cell(line_row, j)) is not None
                or (
                    isinstance(cell(asset_row, j), str)
                    and ASSET_CODE.match(cell(asset_row, j).strip())
                )
            )
        ]
    else:
        last = max(ident)
        candidates = [
            j
            for j in range(last + 1, width)
            if clean_text(cell(rows[h], j))
            and clean_text(cell(rows[h], j)).lower() not in _NOT_DATA
        ]
    if not candidates:
        return Problem(shown, "no data columns beside the identifiers", sheet=sheet, row=h + 1)
    first = min(candidates)
    groups = group_titles(above, width, first, {i for i in (line_i, asset_i) if i is not None})

    known = concordance()
    seen_titles: dict[str, int] = {}
    columns = []  # (j, base measure, line, description, asset, already dated)
    for j in candidates:
        title = clean_text(cell(rows[h], j))
        asset = clean_text(cell(asset_row, j)) if asset_i is not None else ""
        line = line_of(cell(line_row, j)) if line_i is not None else None
        key = normalise_description(title)
        if title:
            seen_titles[key] = seen_titles.get(key, 0) + 1
        if line is not None:
            base, number, dated = f"RS{line[1]}", line[0], False
        elif asset and (asset.lower(), 1) in known:
            base, number = known[(asset.lower(), 1)]
            dated = base.endswith(("_1apr", "_31mar"))
        elif title and (qualified := qualified_title(known, groups[j], key)) is not None:
            base, number = qualified
            dated = False
        elif title and (key, seen_titles[key]) in known:
            base, number = known[(key, seen_titles[key])]
            dated = False
        elif asset:
            base, number, dated = asset, None, False
        else:
            base, number, dated = f"RSX:{title}", None, False
        columns.append((j, base, number, title, asset, dated))

    counts = pd.Series([c[1] for c in columns]).value_counts()
    measures: list[tuple[int, str, int | None, str]] = []
    used: set[str] = set()
    for j, base, number, title, asset, dated in columns:
        measure = base
        level = number in RESERVE_LEVEL_LINES
        if kind in ("capital", "total") and not dated:
            # Only the service lines carry this sheet's own measure (reserves at 31 March on the
            # capital sheet); the other columns repeat the layout of the net sheet.
            if level and kind == "capital":
                measure += "_31mar"
            elif level or not (base.startswith("RS") and number is not None and number <= 699):
                continue
            else:
                measure += f"_{kind}"
        elif not dated and (level or counts[base] > 1):
            date = date_of(title) or date_of(asset) or date_of(" ".join(groups[j]))
            if date is None and level and kind == "net":
                date = "_1apr"
            if date is not None:
                measure += date
            elif counts[base] > 1:
                measure += f"_col{j + 1}"
        if measure in used:
            measure += f"_col{j + 1}"
        used.add(measure)
        measures.append((j, measure, number, title))

    # Authority rows: E-codes under the header, up to the next header (a second table, such as
    # the class breakdown) ; England and class totals carry no E-code.
    data_rows = []
    for row in rows[h + 1 :]:
        code = clean_text(cell(row, ecode_col))
        if is_ecode_label(code.lower()):
            break
        if ECODE.match(code) and not _AGGREGATE_NAMES.match(clean_text(cell(row, name_col))):
            data_rows.append(row)
    if not data_rows:
        return Problem(
            shown, "no authority rows (E-codes such as E0101) under the header", sheet=sheet
        )
    idents = block(
        data_rows, [ecode_col, name_col] + [c for c in (ons_col, class_col) if c is not None]
    )
    values = numbers(block(data_rows, [m[0] for m in measures]))
    n_rows, n_cols = values.shape
    ons = [clean_text(v) or None for v in idents[:, 2]] if ons_col is not None else [None] * n_rows
    classes = (
        [normalise_class(v) for v in idents[:, -1]] if class_col is not None else [None] * n_rows
    )
    frame = pd.DataFrame(
        {
            "ons_code": each(ons, n_cols),
            "e_code": each([clean_text(v) for v in idents[:, 0]], n_cols),
            "name": each([clean_text(v) for v in idents[:, 1]], n_cols),
            "authority_class": each(classes, n_cols),
            "measure": cycle([m[1] for m in measures], n_rows),
            "line": np.tile(np.array([m[2] for m in measures], dtype=object), n_rows),
            "description": cycle([m[3] for m in measures], n_rows),
            "value": values.reshape(-1),
            "unit": cycle(["flag" if m[2] == 960 else "gbp_k" for m in measures], n_rows),
        }
    )
    frame["sheet"] = sheet
    return frame


def _sheet_order(workbook) -> list[str | None]:
    """Visible sheets, those the publisher names as data sheets ('RS LA Data 2016-17') first; None
    marks the end of those (the others, front pages and drop-down forms, need not be read when the
    data sheets hold the table)."""
    sheets = [s for s in workbook.sheetnames if workbook.visible(s)] or workbook.sheetnames
    named = [s for s in sheets if "data" in s.lower()]
    return named + [None] + [s for s in sheets if s not in named]


def _parse(path: Path) -> pd.DataFrame:
    workbook = open_workbook(path, WHAT)
    frames, problems, years = [], [], []
    try:
        for sheet in _sheet_order(workbook):
            if sheet is None:  # the sheets named as data sheets held the table: done
                if any(f["measure"].eq("RS805").any() for f in frames):
                    break
                continue
            rows = workbook.rows(sheet)  # each sheet parsed once
            h = _find_header(rows)
            if h is None:
                continue
            result = _read_sheet(path, sheet, rows, h)
            if result is None:
                continue
            if isinstance(result, Problem):
                problems.append(result)
                continue
            year = sheet_year(rows[:h], sheet)
            if year is None:
                problems.append(
                    Problem(
                        display_path(path),
                        "no financial year (e.g. 2016-17) in the title rows or sheet name",
                        sheet=sheet,
                    )
                )
                continue
            result["year"] = year
            years.append(year)
            frames.append(result)
    finally:
        workbook.close()
    if problems:
        raise InputError(problems)
    if not frames:
        raise wrong_file(
            path,
            WHAT,
            "no sheet has a header row with 'E-code' and 'ONS Code' (or 'Local authority') "
            "under a row of RS line numbers or asset codes, or with RS line titles "
            f"(sheets: {', '.join(workbook.sheetnames)})",
        )
    if len(set(years)) > 1:
        raise wrong_file(path, WHAT, f"its data sheets give different years ({sorted(set(years))})")
    out = pd.concat(frames, ignore_index=True)
    out = out.drop_duplicates(["e_code", "measure"], keep="first")
    if not out["measure"].eq("RS805").any():
        raise wrong_file(
            path,
            WHAT,
            "no column for net revenue expenditure (RS line 805, its asset code or its title)",
        )
    return tidy(out.drop(columns="sheet"))


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
