"""Council Tax Requirement (CTR1) tables as DLUHC publish them (e.g. ``ctr_2223.xlsx``).

The workbook's ``Billing Authorities`` sheet is a one-authority display form; the full table is
the sheet with a header row holding ``Ecode``, ``Authority``, ``Class`` and the numbered line
descriptions ("3. Council Tax Requirement ..."), the line numbers on the row above and the
financial year of each column on the row below (``Data`` in the 2022-23 release). Rows are keyed
by E-code; the table's own ``ONS Code`` column is used where present, otherwise
:func:`attach_ons_codes` maps E-codes with the RS tables. Only the billing-authority block is
read (precepting authorities follow under their own heading).

Measures are ``CTR<line>`` (``CTR3`` = council tax requirement excluding parish precepts, in £;
``CTR7`` = tax base for council-tax setting, Band D equivalents; ``CTR9`` = average Band D
excluding parish precepts, £). Line numbers change between years (2015-16 has the tax base on
line 8 and Band D on line 11), so each row also carries ``standard``, the measure its description
names in every year: ``council_tax_requirement`` (excluding parish precepts, £), ``tax_base``
(Band D equivalents for council-tax setting), ``band_d`` (average Band D excluding parish precepts,
£), ``collection_rate`` (a fraction in every year: the tables print 97.1 in some years and 0.971 in
others) and ``parish_precepts`` (£).

A Band D of 0 beside a positive requirement and tax base (a council in the year it was created) is
not passed through: it is derived as requirement / tax base and ``flag`` says so.
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
    find_sheet,
    normalise_class,
    tidy,
    to_number,
    wrong_file,
)

WHAT = "Council Tax Requirement (CTR) table"
_ECODE = re.compile(r"^E\d{4}$")
_LINE = re.compile(r"^(\d{1,2}[a-z]?)\s*\.\s*(.*)$")


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


def standard_measure(description: str) -> str | None:
    """The measure a CTR line description names, whatever its number that year."""
    low = description.lower()
    if "collection rate" in low:
        return "collection_rate"
    if "council tax base for council tax setting" in low:
        return "tax_base"
    if low.startswith(("2. parish precepts", "parish precepts")) or re.match(
        r"^\d+[a-z]?\.\s*parish precepts", low
    ):
        return "parish_precepts"
    if "council tax requirement" in low and "excluding local precepts" in low:
        return "council_tax_requirement"
    if "average (band d" in low and "excluding local precepts" in low:
        return "band_d"
    return None


def _harmonise(frame: pd.DataFrame) -> pd.DataFrame:
    """Collection rate as a fraction; Band D of 0 derived from requirement / tax base, flagged."""
    frame["standard"] = frame["description"].map(standard_measure)
    frame["flag"] = None
    rate = frame["standard"].eq("collection_rate")
    for (_measure, _year), idx in frame[rate].groupby(["measure", "year"]).groups.items():
        if frame.loc[idx, "value"].median() > 1.5:  # printed as a percentage
            frame.loc[idx, "value"] = frame.loc[idx, "value"] / 100
            frame.loc[idx, "flag"] = "published as a percentage; divided by 100"
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


def _find_header(rows: list[tuple]) -> int | None:
    for i, row in enumerate(rows[:30]):
        texts = [clean_text(v).lower() for v in row]
        if "ecode" in texts and any(t.startswith("3. council tax requirement") for t in texts):
            return i
    return None


def _parse(path: Path) -> pd.DataFrame:
    sheet, rows, h = find_sheet(
        path,
        WHAT,
        _find_header,
        order=lambda s: s != "Data",
        missing="no sheet has a header row with 'Ecode' and '3. Council Tax Requirement ...'",
    )
    head = [clean_text(v) for v in rows[h]]
    years = [clean_text(v) for v in rows[h + 1]] if h + 1 < len(rows) else []
    low = [t.lower() for t in head]
    ecode_col, name_col = low.index("ecode"), low.index("authority") if "authority" in low else 1
    class_col = low.index("class") if "class" in low else None
    ons_col = next((j for j, t in enumerate(low) if t.replace(" ", "") == "onscode"), None)

    columns = []
    current = None
    for j, text in enumerate(head):
        match = _LINE.match(text)
        if match:
            current = (match.group(1), text)
        elif text:
            current = None
        year = financial_year(years[j]) if j < len(years) else None
        if current is not None and year is not None:
            columns.append((j, current[0], current[1], year))
    if not columns:
        raise wrong_file(
            path, WHAT, "no numbered line columns with years (e.g. 2021-22) below them", sheet
        )

    data = []
    for row in rows[h + 2 :]:
        first = clean_text(row[0]) if row else ""
        if first.lower().startswith("precepting authorities"):
            break
        if len(row) > ecode_col and _ECODE.match(clean_text(row[ecode_col])):
            data.append(row)
    if not data:
        raise wrong_file(
            path, WHAT, "no authority rows (E-codes such as E0101) under the header", sheet
        )

    records = []
    for row in data:
        ident = {
            "ons_code": clean_text(row[ons_col]) or None
            if ons_col is not None and ons_col < len(row)
            else None,
            "e_code": clean_text(row[ecode_col]),
            "name": clean_text(row[name_col]),
            "authority_class": normalise_class(row[class_col]) if class_col is not None else None,
        }
        for j, label, description, year in columns:
            records.append(
                {
                    **ident,
                    "year": year,
                    "measure": f"CTR{label}",
                    "line": pd.NA,
                    "description": description,
                    "value": to_number(row[j]) if j < len(row) else float("nan"),
                    "unit": _unit(description),
                }
            )
    frame = _harmonise(pd.DataFrame.from_records(records))
    found = set(frame["standard"].dropna())
    missing = [m for m in ("council_tax_requirement", "tax_base") if m not in found]
    if missing:
        raise wrong_file(
            path,
            WHAT,
            "no column whose title names "
            + " or ".join(_TITLES[m] for m in missing)
            + f" (numbered columns found: {', '.join(sorted({c[2][:40] for c in columns}))})",
            sheet,
        )
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
