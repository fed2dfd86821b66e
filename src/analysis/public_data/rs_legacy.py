"""Naming RS columns: the rows of markers above a sheet's header (RS line numbers, asset codes,
group titles), the maintained concordance ``rs_concordance.csv`` (title and occurrence, or asset
code -> harmonised measure) for sheets without line numbers (2010-11 to 2013-14 ``.xls`` and any
other year printed that way), the dates of reserve levels, the measure a sheet says it holds on
its title rows, and the financial year on those rows; see :mod:`analysis.public_data.rs`."""

from __future__ import annotations

import re

from analysis.public_data._common import clean_text, financial_year, is_whole

WHAT = "Revenue Outturn Summary (RS) workbook"
_ECODE = re.compile(r"^E\d{4}$")

# Reserve levels are printed twice: at 1 April and at 31 March.
RESERVE_LEVEL_LINES = {911, 912, 913, 914, 915, 916, 983} | set(range(1023, 1031))
_CONCORDANCE: dict[tuple[str, int], tuple[str, int | None]] | None = None


def sheet_year(rows: list[tuple], sheet: str) -> int | None:
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


def legacy_kind(rows: list[tuple]) -> str | None:
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


_LINE_TEXT = re.compile(r"^(\d{3,4})(?:\.0+)?([a-z])?$")
ASSET_CODE = re.compile(r"^RS-[A-Za-z]")
_FORM_REF = re.compile(r"^C\d+R\d+[a-z]?$", re.IGNORECASE)


def line_of(value: object) -> tuple[int, str] | None:
    """(line, as printed) for an RS line-number cell: 190, 1023, '815a'."""
    if is_whole(value, 100, 1999):
        return int(value), str(int(value))
    if isinstance(value, str):
        match = _LINE_TEXT.match(value.strip().lower())
        if match and 100 <= int(match.group(1)) <= 1999:
            return int(match.group(1)), match.group(1) + (match.group(2) or "")
    return None


def date_of(text: str) -> str | None:
    low = text.lower()
    if re.search(r"\b1(st)? april\b", low) or re.search(r"-(start|strt)\b", low):
        return "_1apr"
    if re.search(r"\b31(st)? march\b", low) or re.search(r"-end\b", low):
        return "_31mar"
    return None


def group_titles(above: list[tuple], width: int, first: int, skip: set[int]) -> list[list[str]]:
    """For each column, the group titles printed above it (each carried right to the next), one
    per title row, nearest the header last. Numbers and form references (``C1R190``) are not
    titles."""
    groups: list[list[str]] = [[] for _ in range(width)]
    for i, row in enumerate(above):
        if i in skip:
            continue
        current = ""
        for j in range(first, width):
            value = row[j] if j < len(row) else None
            text = clean_text(value) if isinstance(value, str) else ""
            if text and re.search(r"[A-Za-z]{3}", text) and not _FORM_REF.match(text):
                current = text
            if current:
                groups[j].append(current)
    return groups


def qualified_title(known: dict, groups: list[str], key: str) -> tuple[str, int | None] | None:
    """The concordance's entry for a title under one of its group titles, if it has one."""
    for group in reversed(groups):
        found = known.get((f"{normalise_description(group)} > {key}", 1))
        if found is not None:
            return found
    return None


def marker_row(above: list[tuple], test, prefer=None, least: int = 10) -> int | None:
    """Index (in ``above``) of the row nearest the header with at least ``least`` cells passing
    ``test`` (one holding ``prefer`` if any does)."""
    found = [i for i, row in enumerate(above) if sum(1 for v in row if test(v)) >= least]
    if prefer is not None:
        preferred = [i for i in found if any(prefer(v) for v in above[i])]
        if preferred:
            return preferred[-1]
    return found[-1] if found else None


def known_titles(header: tuple) -> int:
    """How many of a header row's titles the concordance knows (an RS sheet has dozens)."""
    titles = {normalise_description(v) for v in header if isinstance(v, str) and v.strip()}
    known = {key for key, _ in concordance()}
    return len(titles & known)
