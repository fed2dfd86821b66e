"""Matching RS columns by their titles: the maintained concordance ``rs_concordance.csv`` (title
and occurrence, or asset code -> harmonised measure), the measure a sheet says it holds on its
title rows, and the financial year on those rows. Used for every sheet that has no row of RS line
numbers (2010-11 to 2013-14 ``.xls`` and any other year printed that way); see
:mod:`analysis.public_data.rs`."""

from __future__ import annotations

import re

from analysis.public_data._common import clean_text, financial_year

WHAT = "Revenue Outturn Summary (RS) workbook"
_ECODE = re.compile(r"^E\d{4}$")

# Reserve levels are printed twice: at 1 April and at 31 March.
RESERVE_LEVEL_LINES = {911, 912, 913, 914, 915, 916, 983} | set(range(1023, 1031))
_CONCORDANCE: dict[tuple[str, int], tuple[str, int | None]] | None = None


def _year(rows: list[tuple], sheet: str) -> int | None:
    """The financial year the title rows (or else the sheet name) give."""
    for row in rows:
        for value in row[:3]:
            year = financial_year(clean_text(value))
            if year:
                return year
    return financial_year(sheet)


def normalise_description(text: object) -> str:
    """A column title as the concordance keys it: lower case, spacing, 'Estimated', '(TOTAL OF
    LINES ..)', note references and the dates of reserve levels ('(1 April 2012)', 'at 31 March')
    removed. Asset codes (``RS-edu-net-exp``) are kept whole, lower case; a title qualified by its
    group ('icelandic bank impairment > interest payable ...') is normalised on both sides."""
    if ">" in str(text or ""):
        group, _, title = str(text).partition(">")
        return f"{normalise_description(group)} > {normalise_description(title)}"
    t = re.sub(r"\s+", " ", str(text or "")).strip().lower()
    if re.match(r"^rs-[a-z]", t):
        return t
    t = re.sub(r"\(\s*total of lines?[^)]*\)", "", t)
    t = re.sub(r"\[\s*note\s*\d+\s*\]", "", t)
    t = re.sub(r"\(\s*\d{1,2} [a-z]+ \d{4}\s*\)", "", t)
    t = re.sub(r"\bat (1 april|31 march)( \d{4})?\b", "", t)
    t = re.sub(r"^estimated ", "", t)
    t = re.sub(r"\s*([()/:+\-])\s*", r"\1", t)
    return re.sub(r"\s+", " ", t).strip()


def concordance() -> dict[tuple[str, int], tuple[str, int | None]]:
    """(normalised title or asset code, occurrence) -> (measure, harmonised line)."""
    global _CONCORDANCE
    if _CONCORDANCE is None:
        import csv
        import io
        from importlib import resources

        text = resources.files("analysis.public_data").joinpath("rs_concordance.csv").read_text()
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        _CONCORDANCE = {
            (normalise_description(row["description"]), int(row["occurrence"])): (
                row["measure"],
                int(row["line"]) if row["line"] else None,
            )
            for row in csv.DictReader(io.StringIO(body))
        }
    return _CONCORDANCE


def _legacy_kind(rows: list[tuple]) -> str | None:
    """Which measure a sheet says it holds on its title rows (the rows above its header):
    ``net`` (net current expenditure), ``capital`` (capital charges or items) or ``total`` (net
    total cost)."""
    for row in rows:
        for value in row[:3]:
            low = clean_text(value).lower()
            if low.startswith("net current expenditure"):
                return "net"
            if low.startswith(("capital charges", "capital items")):
                return "capital"
            if low.startswith("net total cost"):
                return "total"
    return None
