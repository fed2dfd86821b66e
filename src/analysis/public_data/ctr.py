"""Council Tax Requirement (CTR) tables as DLUHC publish them (``ctr_2223.xlsx``, the 2023-24
``.ods``), for billing and precepting authorities alike.

A data sheet is recognised by its own markers, not its name: a header row holding the E-code column
(``Ecode`` or ``E-code``) and numbered line titles ("3. Council Tax Requirement ..."). The full
table has been published two ways:

- one ``Data`` sheet (2015-16 to 2022-23): the billing authorities under a header whose line titles
  span two columns, the financial year of each on the row below; then, under a "Precepting
  authorities" heading, the county councils, police, fire and combined authorities, either in the
  billing columns (to 2018-19) or under their own header of precepting lines (from 2020-21; its
  years are those of the billing header's year row, the same grid);
- two sheets, ``Data_Billing`` and ``Data_Precepting`` (from 2023-24): one header row, each
  column titled with its line and "previous year" or "current year", the year named on the title
  rows above.

Every authority row (an E-code such as ``E0101``) is read, the county councils' included; England,
class totals and other aggregate rows have no E-code and are not. The table's own ``ONS Code``
column is used where present, otherwise :func:`attach_ons_codes` maps E-codes with the RS tables.

Measures are ``CTR<line>`` for the billing return's lines (``CTR3`` = council tax requirement
excluding parish precepts, in £; ``CTR7`` = tax base for council-tax setting, Band D equivalents;
``CTR9`` = average Band D excluding parish precepts, £) and ``CTRP<line>`` for the precepting
return's. Line numbers change between years (2015-16 has the tax base on line 8 and Band D on line
11), so each row also carries ``standard``, the measure its description names in every year:
``council_tax_requirement`` (excluding parish precepts, £; a precepting authority's own
requirement), ``tax_base`` (Band D equivalents for council-tax setting, or for the precept),
``band_d`` (average Band D excluding parish precepts, £), ``collection_rate`` (a fraction in
every year: the tables print 97.1 in some years and 0.971 in others) and ``parish_precepts`` (£).

A Band D of 0 beside a positive requirement and tax base (a council in the year it was created) is
not passed through: it is derived as requirement / tax base and ``flag`` says so.
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
    is_ecode_label,
    numbers,
)
from analysis.public_data._common import (
    cached,
    check_file,
    clean_text,
    financial_year,
    normalise_class,
    open_workbook,
    tidy,
    wrong_file,
)

WHAT = "Council Tax Requirement (CTR) table"
_LINE = re.compile(r"^(\d{1,2}[a-z]?)\s*\.\s*(.*)$")
_PERIOD = re.compile(r"[\s:,;(\[-]*\b(previous|current)\s+year\b[)\]]?\s*$", re.IGNORECASE)
_FY = re.compile(r"\s*[(\[]?\b20\d\d\s*[-/]\s*\d\d\b[)\]]?\s*$")
_AGGREGATE_NAMES = re.compile(r"^(england|total|of which)", re.IGNORECASE)


def _unit(description: str) -> str:
    low = description.lower()
    if "collection rate" in low:
        return "fraction"
    if "tax base" in low or "taxbase" in low:
        return "band_d_equivalents"
    if "average (band d" in low or "band d" in low and "council tax" in low:
        return "gbp_per_band_d"
    return "gbp"


_TITLES = {
    "council_tax_requirement": "'Council Tax Requirement ... excluding local precepts'",
    "tax_base": "'Council tax base for council tax setting purposes'",
}


def standard_measure(description: str, precepting: bool = False) -> str | None:
    """The measure a CTR line description names, whatever its number that year. A precepting
    authority's return has no local precepts: its own requirement, tax base for the precept and
    Band D are the standard measures (``precepting=True``)."""
    low = description.lower()
    if "collection rate" in low:
        return "collection_rate"
    if "council tax base for council tax setting" in low:
        return "tax_base"
    if re.match(r"^(\d+[a-z]?\.\s*)?parish precepts", low):
        return "parish_precepts"
    if "council tax requirement" in low and "excluding local precepts" in low:
        return "council_tax_requirement"
    if "average (band d" in low and "excluding local precepts" in low:
        return "band_d"
    if precepting and "local precepts" not in low and "parish" not in low:
        if "council tax requirement" in low:
            return "council_tax_requirement"
        if "tax base" in low and "precept" in low:
            return "tax_base"
        if "average (band d" in low and "major precepting authority" in low:
            return "band_d"
    return None


def _harmonise(frame: pd.DataFrame) -> pd.DataFrame:
    """Collection rate as a fraction; Band D of 0 derived from requirement / tax base, flagged."""
    frame["flag"] = None
    rate = frame["standard"].eq("collection_rate")
    # A rate above 1.5 can only be a percentage (97.5); a fraction is at most 1.
    percent = rate & frame["value"].gt(1.5)
    frame.loc[percent, "value"] = frame.loc[percent, "value"] / 100
    frame.loc[percent, "flag"] = "published as a percentage; divided by 100"
    key = ["e_code", "year"]
    std = frame.dropna(subset=["standard"]).drop_duplicates(key + ["standard"])
    wide = std.pivot_table(index=key, columns="standard", values="value", aggfunc="first")
    if {"band_d", "council_tax_requirement", "tax_base"} <= set(wide.columns):
        zero = wide[
            wide["band_d"].eq(0) & wide["council_tax_requirement"].gt(0) & wide["tax_base"].gt(0)
        ]
        for (e_code, year), row in zero.iterrows():
            mask = (
                frame["e_code"].eq(e_code) & frame["year"].eq(year) & frame["standard"].eq("band_d")
            )
            frame.loc[mask, "value"] = row["council_tax_requirement"] / row["tax_base"]
            frame.loc[mask, "flag"] = (
                "published Band D was 0 (a reorganised council); derived as council tax "
                "requirement / tax base"
            )
    return frame


def _is_header(row: tuple) -> bool:
    """An identifier header: an E-code label and a numbered council tax requirement title."""
    if not any(isinstance(v, str) and is_ecode_label(v.strip().lower()) for v in row):
        return False
    return any(
        isinstance(v, str) and _LINE.match(v.strip()) and "council tax requirement" in v.lower()
        for v in row
    )


def _precepting_titles(row: tuple) -> bool:
    """A header of the precepting return's lines: a tax base or Band D 'of the major precepting
    authority' and no parish precepts line (every billing return has one)."""
    titles = [clean_text(v).lower() for v in row if isinstance(v, str) and _LINE.match(v.strip())]
    return not any("parish precepts" in t for t in titles) and any(
        "major precepting authority" in t for t in titles
    )


def _table_year(rows: list[tuple]) -> int | None:
    """The newest financial year the title rows name ('Council Tax Requirement 2023-24')."""
    years = [
        financial_year(m.group(0))
        for row in rows
        for v in row
        if isinstance(v, str)
        for m in re.finditer(r"20\d\d\s*[-/]\s*\d\d\b", v)
    ]
    years = [y for y in years if y]
    return max(years) if years else None


class _Header:
    """The columns one header row gives: identifiers, and (column, line, description, year)."""

    def __init__(self, rows: list[tuple], i: int, precepting: bool, previous: _Header | None):
        self.row = i
        self.precepting = precepting
        texts = [clean_text(v).lower() for v in rows[i]]
        self.ecode = next(j for j, t in enumerate(texts) if is_ecode_label(t))
        inherit = previous if previous is not None else None
        self.name = find_label(texts, "authority", "local authority")
        if self.name is None:
            self.name = inherit.name if inherit else self.ecode + 1
        self.cls = find_label(texts, "class")
        if self.cls is None and inherit:
            self.cls = inherit.cls
        self.ons = find_label(texts, "ons code")
        if self.ons is None and inherit:
            self.ons = inherit.ons
        below = rows[i + 1] if i + 1 < len(rows) else ()
        self.year_row = [financial_year(clean_text(v)) for v in below]
        if not any(self.year_row) and inherit is not None:
            self.year_row = inherit.year_row  # the same grid as the header above
        self.texts = [clean_text(v) for v in rows[i]]

    def columns(self, current: int | None) -> list[tuple[int, str, str, int]]:
        out, seen, title = [], set(), None
        for j, text in enumerate(self.texts):
            match = _LINE.match(text)
            if match:
                title = (match.group(1), text)
            elif text:
                title = None
            if title is None:
                continue
            description = title[1]
            year = self.year_row[j] if j < len(self.year_row) else None
            period = _PERIOD.search(description)
            if period:
                description = description[: period.start()].strip()
                if year is None and current is not None:
                    year = current - (period.group(1).lower() == "previous")
            if year is None:
                fy = _FY.search(description)
                if fy:
                    year = financial_year(fy.group(0))
                    description = description[: fy.start()].strip()
            if year is None or (title[0], year) in seen:
                continue
            seen.add((title[0], year))
            out.append((j, title[0], description, year))
        return out


def _read_sheet(path: Path, sheet: str, rows: list[tuple]) -> pd.DataFrame | Problem:
    shown = display_path(path)
    starts = [i for i, row in enumerate(rows) if _is_header(row)]
    current = _table_year(rows[: starts[0]])
    sheet_precepting = "precept" in sheet.lower()
    frames, previous, heading = [], None, False
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(rows)
        between = rows[(previous.row + 1) if previous else 0 : i]
        heading = heading or any(
            clean_text(r[0] if r else "").lower().startswith("precepting authorities")
            for r in between
        )
        header = _Header(
            rows, i, sheet_precepting or heading or _precepting_titles(rows[i]), previous
        )
        columns = header.columns(current)
        if not columns:
            return Problem(
                shown,
                "no numbered line columns with a year (e.g. 2021-22 below them, or 'previous "
                "year' / 'current year' with the year on the title rows)",
                sheet=sheet,
                row=i + 1,
            )
        data = []
        for row in rows[i + 1 : end]:
            code = clean_text(row[header.ecode]) if header.ecode < len(row) else ""
            name = clean_text(row[header.name]) if header.name < len(row) else ""
            if ECODE.match(code) and not _AGGREGATE_NAMES.match(name):
                data.append(row)
        previous = header
        if not data:
            continue
        prefix = "CTRP" if header.precepting else "CTR"
        idcols = [header.ecode, header.name, header.cls, header.ons]
        ids = block(data, [c if c is not None else header.ecode for c in idcols])
        values = numbers(block(data, [c[0] for c in columns]))
        n_rows, n_cols = values.shape

        def rep(items, n=n_cols):
            return each(items, n)

        frame = pd.DataFrame(
            {
                "ons_code": rep(
                    [clean_text(v) or None for v in ids[:, 3]]
                    if header.ons is not None
                    else [None] * n_rows
                ),
                "e_code": rep([clean_text(v) for v in ids[:, 0]]),
                "name": rep([clean_text(v) for v in ids[:, 1]]),
                "authority_class": rep(
                    [normalise_class(v) for v in ids[:, 2]]
                    if header.cls is not None
                    else [None] * n_rows
                ),
                "year": np.tile([c[3] for c in columns], n_rows),
                "measure": cycle([f"{prefix}{c[1]}" for c in columns], n_rows),
                "line": pd.NA,
                "description": cycle([c[2] for c in columns], n_rows),
                "value": values.reshape(-1),
                "unit": cycle([_unit(c[2]) for c in columns], n_rows),
                "standard": cycle(
                    [standard_measure(c[2], header.precepting) for c in columns], n_rows
                ),
            }
        )
        frames.append(frame)
    if not frames:
        return Problem(
            shown, "no authority rows (E-codes such as E0101) under the header", sheet=sheet
        )
    return pd.concat(frames, ignore_index=True)


def _parse(path: Path) -> pd.DataFrame:
    workbook = open_workbook(path, WHAT)
    frames, problems = [], []
    try:
        named = [s for s in workbook.sheetnames if "data" in s.lower()]
        for sheet in named + [None] + [s for s in workbook.sheetnames if s not in named]:
            if sheet is None:
                # The sheets the publisher names as data sheets ('Data', 'Data_Billing') held
                # the table: the forms and lookups after them need not be read.
                if frames:
                    break
                continue
            rows = workbook.rows(sheet)  # each sheet parsed once
            if not any(_is_header(r) for r in rows[:40]):
                continue
            result = _read_sheet(path, sheet, rows)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                result["sheet"] = sheet
                frames.append(result)
    finally:
        workbook.close()
    if problems:
        raise InputError(problems)
    if not frames:
        raise wrong_file(
            path,
            WHAT,
            "no sheet has a header row with 'Ecode' (or 'E-code') and numbered line titles "
            "such as '3. Council Tax Requirement ...' "
            f"(sheets: {', '.join(workbook.sheetnames)})",
        )
    frame = pd.concat(frames, ignore_index=True)
    # A table repeated on a second sheet (an extract) adds nothing: the first reading stands.
    frame = frame.drop_duplicates(["e_code", "measure", "year"], keep="first")
    found = set(frame["standard"].dropna())
    missing = [m for m in ("council_tax_requirement", "tax_base") if m not in found]
    if missing:
        sheets = ", ".join(dict.fromkeys(frame["sheet"]))
        raise wrong_file(
            path,
            WHAT,
            "no column whose title names "
            + " or ".join(_TITLES[m] for m in missing)
            + " (numbered columns found: "
            + ", ".join(sorted({d[:40] for d in frame["description"]}))
            + ")",
            sheets if "," not in sheets else None,
        )
    frame = _harmonise(frame.drop(columns="sheet").reset_index(drop=True))
    return tidy(frame)


def read_ctr(path: str | Path) -> pd.DataFrame:
    """Read a CTR workbook as published: one row per billing authority, line and year (tidy)."""
    path = check_file(path, WHAT)
    return cached("ctr", path, _parse)


def attach_ons_codes(ctr: pd.DataFrame, rs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing ONS codes from the RS E-code map; returns (ctr, unmatched report)."""
    from analysis.public_data.rs import ecode_to_ons
    from analysis.public_data.unmatched import unmatched_frame

    mapping = ecode_to_ons(rs).set_index("e_code")["ons_code"]
    out = ctr.copy()
    missing = out["ons_code"].isna()
    out.loc[missing, "ons_code"] = out.loc[missing, "e_code"].map(mapping)
    still = out[out["ons_code"].isna()].drop_duplicates("e_code")
    report = unmatched_frame(
        "CTR", still["e_code"], still["name"], "E-code not in the RS tables' E-code to ONS code map"
    )
    return out, report
