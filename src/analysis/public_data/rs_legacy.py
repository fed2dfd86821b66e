"""Legacy RS workbooks (2010-11 to 2013-14 ``.xls``): no line numbers, no ONS codes, the data
split over sheets by measure. Columns are matched by title through the maintained concordance
``rs_concordance.csv`` (see :mod:`analysis.public_data.rs`)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import display_path
from analysis.public_data._common import (
    clean_text,
    financial_year,
    normalise_class,
    tidy,
    to_number,
    wrong_file,
)

WHAT = "Revenue Outturn Summary (RS) workbook"
_ECODE = re.compile(r"^E\d{4}$")


def _year(rows: list[tuple], sheet: str) -> int | None:
    for row in rows[:6]:
        for value in row[:3]:
            year = financial_year(clean_text(value))
            if year:
                return year
    return financial_year(sheet)


RESERVE_LEVEL_LINES = {911, 914, 915, 916, 983}
_CONCORDANCE: dict[tuple[str, int], tuple[str, int | None]] | None = None


def normalise_description(text: object) -> str:
    """A column title as the concordance keys it: lower case, spacing and '(TOTAL OF LINES ..)'
    and '(1 April 2012)' asides removed."""
    t = re.sub(r"\s+", " ", str(text or "")).strip().lower()
    t = re.sub(r"\(\s*total of lines[^)]*\)", "", t)
    t = re.sub(r"\(\s*\d{1,2} [a-z]+ \d{4}\s*\)", "", t)
    t = re.sub(r"\s*([()/:+\-])\s*", r"\1", t)
    return re.sub(r"\s+", " ", t).strip()


def concordance() -> dict[tuple[str, int], tuple[str, int | None]]:
    """(normalised title, occurrence) -> (measure, harmonised line) from ``rs_concordance.csv``."""
    global _CONCORDANCE
    if _CONCORDANCE is None:
        import csv
        import io
        from importlib import resources

        text = resources.files("analysis.public_data").joinpath("rs_concordance.csv").read_text()
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        _CONCORDANCE = {
            (row["description"], int(row["occurrence"])): (
                row["measure"],
                int(row["line"]) if row["line"] else None,
            )
            for row in csv.DictReader(io.StringIO(body))
        }
    return _CONCORDANCE


def _legacy_kind(rows: list[tuple]) -> str | None:
    """Which measure a legacy sheet holds, from what its title rows say."""
    for row in rows[:5]:
        for value in row[:3]:
            low = clean_text(value).lower()
            if low.startswith("net current expenditure"):
                return "net"
            if low.startswith(("capital charges", "capital items")):
                return "capital"
            if low.startswith("net total cost"):
                return "total"
    return None


def parse_legacy(path: Path, workbook) -> pd.DataFrame:
    from analysis.core.errors import InputError, Problem

    known = concordance()
    frames, problems, kinds_seen = [], [], set()
    for sheet in workbook.sheetnames:
        top = workbook.head(sheet, 20)
        if not any(clean_text(r[0] if r else "").lower() == "e-code" for r in top):
            continue  # a cover or drop-down sheet: no authority table
        rows = workbook.rows(sheet)
        head = next(
            (
                i
                for i, r in enumerate(rows[:20])
                if clean_text(r[0] if r else "").lower() == "e-code"
            ),
            None,
        )
        if head is None:
            continue
        kind = _legacy_kind(rows)
        if kind is None:
            problems.append(
                Problem(
                    display_path(path),
                    "a data sheet whose title rows do not say its measure (expected 'Net current "
                    "expenditure', 'Capital charges/items' or 'Net total cost' on rows 1-5)",
                    sheet=sheet,
                )
            )
            continue
        year = _year(rows, sheet)
        if year is None:
            problems.append(
                Problem(display_path(path), "no financial year in the title rows", sheet=sheet)
            )
            continue
        texts = [clean_text(v).lower() for v in rows[head]]
        missing = [c for c in ("local authority", "class") if c not in texts]
        if missing:
            problems.append(
                Problem(
                    display_path(path),
                    f"no '{missing[0]}' column beside 'E-code' on the header row",
                    sheet=sheet,
                    row=head + 1,
                )
            )
            continue
        name_col, class_col = texts.index("local authority"), texts.index("class")
        seen: dict[str, int] = {}
        columns = []
        for j, value in enumerate(rows[head]):
            if j <= class_col or not clean_text(value):
                continue
            key = normalise_description(value)
            seen[key] = seen.get(key, 0) + 1
            measure, line = known.get((key, seen[key]), (f"RSX:{clean_text(value)}", None))
            base = line if line is not None else 0
            if base in RESERVE_LEVEL_LINES:
                if kind == "total":
                    continue
                measure += "_1apr" if kind == "net" else "_31mar"
            elif kind != "net":
                # Only the service lines carry this sheet's own measure; the other columns
                # repeat the layout of sheet (1) with blanks or zeros.
                if not (measure.startswith("RS") and line is not None and line <= 699):
                    continue
                measure += f"_{kind}"
            columns.append((j, measure, line, clean_text(value)))
        data = [
            r
            for r in rows[head + 1 :]
            if r and isinstance(r[0], str) and _ECODE.match(r[0].strip())
        ]
        kinds_seen.add(kind)
        records = {
            "e_code": [],
            "name": [],
            "authority_class": [],
            "measure": [],
            "line": [],
            "description": [],
            "value": [],
        }
        for r in data:
            for j, measure, line, description in columns:
                records["e_code"].append(r[0].strip())
                records["name"].append(clean_text(r[name_col]))
                records["authority_class"].append(normalise_class(r[class_col]))
                records["measure"].append(measure)
                records["line"].append(line)
                records["description"].append(description)
                records["value"].append(to_number(r[j]) if j < len(r) else np.nan)
        frame = pd.DataFrame(records)
        frame["year"], frame["ons_code"] = year, None
        frame["unit"] = np.where(frame["line"].eq(960), "flag", "gbp_k")
        frames.append(frame)
    if problems:
        raise InputError(problems)
    if "net" not in kinds_seen:
        raise wrong_file(
            path,
            WHAT,
            "no sheet of net current expenditure with an 'E-code' header row"
            f" (sheets: {', '.join(workbook.sheetnames)})",
        )
    out = pd.concat(frames, ignore_index=True)
    if not out["measure"].eq("RS805").any():
        raise wrong_file(path, WHAT, "no column the concordance maps to net revenue expenditure")
    return tidy(out)
