"""Boundary changes: which authorities replaced which, and the history of a successor built from
its predecessors.

Read from the restructuring workbook (``restructuring_2013_to_2023.xlsx``, compiled from the ONS
Code History Database) by its column titles: the changes sheet (``GEOGCD`` successor,
``GEOGCD_P`` predecessor, ``YEAR`` of the change), the 2013 history sheet (``PARENTCD``: the
county a district sat in) and the code lookup (``ons_code_YYYY``, ``ecode_YYYY``,
``authority_YYYY``, ``class_YYYY``).

A successor's figure for a year before it existed is the sum of its predecessors' figures, for
quantities that add up (spend and reserves in £, tax base, dwellings, population), flagged as
aggregated and naming the predecessors. Ratios and averages (Band D, collection rate) are never
summed: they are listed in :data:`NOT_AGGREGATED` and left blank. A county whose districts went to
several successors is counted whole in the successor that took at least three quarters of its
districts (Dorset County Council: five of six to Dorset Council), and the note says that its
services for the other area are not apportioned; for every other successor of a split county
(BCP; North and West Northamptonshire) the measures the county reports cannot be aggregated and
are left out, with a note: only district-level quantities such as the tax base are summed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, Problem, display_path
from analysis.public_data._common import check_file, clean_text, open_workbook

WHAT = "restructuring lookup (ONS code changes, 2013 onwards)"
_CODE = re.compile(r"^E\d{8}$")
SUMMABLE_UNITS = {"gbp_k", "gbp", "band_d_equivalents", "dwellings", "persons"}
COUNTY_PRECEPTED = {"council_tax_requirement"}
# A county split between successors is counted whole in the one that took at least this share of
# its districts (Dorset County Council: 5 of 6 to Dorset Council); below it, no successor gets it.
WHOLE_COUNTY_SHARE = 0.75
NOT_AGGREGATED = {
    "band_d": "an average (requirement / tax base), recomputed from the summed parts instead",
    "collection_rate": "a rate; the predecessors' rates cannot be added",
}


@dataclass
class Change:
    successor: str
    name: str
    year: int  # first financial year of the successor (2019 = 2019-20)
    predecessors: list[str]
    counties: list[str] = field(default_factory=list)
    # Counties that served part of this successor but are not counted in it: whatever they
    # report (county services) cannot be aggregated for it.
    partial_counties: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Restructuring:
    changes: list[Change]
    lookup: pd.DataFrame  # year, ons_code, e_code, name, authority_class

    def successor_of(self) -> dict[str, str]:
        return {p: c.successor for c in self.changes for p in c.predecessors + c.counties}


def _frame(rows: list[tuple], header: int) -> pd.DataFrame:
    names = [clean_text(v) for v in rows[header]]
    body = [list(r) + [None] * (len(names) - len(r)) for r in rows[header + 1 :]]
    return pd.DataFrame([r[: len(names)] for r in body], columns=names)


def _find(book, titles: set[str], path: Path) -> pd.DataFrame | None:
    for sheet in book.sheetnames:
        rows = book.rows(sheet)
        for i, row in enumerate(rows[:10]):
            texts = {clean_text(v) for v in row}
            if titles <= texts:
                return _frame(rows, i)
    return None


def read_restructuring(path: str | Path) -> Restructuring:
    """The changes and the code lookup; InputError naming what is missing."""
    path = check_file(path, WHAT)
    book = open_workbook(path, WHAT)
    try:
        changes = _find(book, {"GEOGCD", "GEOGCD_P", "YEAR"}, path)
        history = _find(book, {"GEOGCD", "PARENTCD"}, path)
        lookup_wide = None
        for sheet in book.sheetnames:
            rows = book.rows(sheet)
            for i, row in enumerate(rows[:5]):
                if any(re.match(r"^ecode_\d{4}$", clean_text(v)) for v in row):
                    lookup_wide = _frame(rows, i)
                    break
            if lookup_wide is not None:
                break
    finally:
        book.close()
    problems = [
        Problem(display_path(path), f"no sheet with the columns {what}")
        for frame, what in [
            (changes, "GEOGCD, GEOGCD_P and YEAR (the changes)"),
            (history, "GEOGCD and PARENTCD (the 2013 structure)"),
            (lookup_wide, "ons_code_YYYY and ecode_YYYY (the code lookup)"),
        ]
        if frame is None
    ]
    if problems:
        raise InputError(problems)

    parent = {
        clean_text(c): clean_text(p)
        for c, p in zip(history["GEOGCD"], history["PARENTCD"], strict=True)
        if clean_text(p)
    }
    changes = changes[changes["GEOGCD_P"].map(lambda v: bool(_CODE.match(clean_text(v))))]
    changes = changes.assign(
        successor=changes["GEOGCD"].map(clean_text),
        predecessor=changes["GEOGCD_P"].map(clean_text),
        year=pd.to_numeric(changes["YEAR"], errors="coerce"),
    )
    # Fire and rescue areas (E31) are not councils; a renamed authority keeps its code.
    changes = changes[~changes["predecessor"].str.startswith("E31")]
    changes = changes[changes["successor"] != changes["predecessor"]]
    gone = changes["GEOGNM"].map(clean_text).str.lower().str.contains("abolished") | ~changes[
        "successor"
    ].map(lambda v: bool(_CODE.match(v)))
    abolished = changes[gone & (changes["successor"] != "")]
    live = changes[~gone]
    # A predecessor split between successors (a minor boundary transfer, as Gateshead to
    # Northumberland in 2013) counts whole only for the successor that kept its name.
    takers = live.groupby("predecessor")["successor"].nunique()
    out: dict[str, Change] = {}
    for successor, rows in live.groupby("successor", sort=True):
        name = clean_text(rows["GEOGNM"].iloc[0])
        whole, partial = [], []
        for code, old_name in zip(rows["predecessor"], rows["GEOGNM_P"], strict=True):
            if takers[code] == 1 or clean_text(old_name) == name:
                whole.append(code)
            else:
                partial.append(code)
        change = Change(successor, name, int(rows["year"].max()), sorted(whole))
        change.notes += [
            f"the part of {code} transferred in a boundary change is not included"
            for code in partial
        ]
        out[successor] = change
    for county in sorted(set(abolished["predecessor"])):
        districts = [d for d, p in parent.items() if p == county]
        takers = {c.successor: sum(d in c.predecessors for d in districts) for c in out.values()}
        takers = {k: v for k, v in takers.items() if v}
        if not takers:
            continue
        main = max(takers, key=lambda k: (takers[k], k))
        share = takers[main] / len(districts)
        others = sorted(k for k in takers if k != main)
        if share >= WHOLE_COUNTY_SHARE:
            out[main].counties.append(county)
            if others:
                out[main].notes.append(
                    f"includes all of the former county council {county} ({takers[main]} of its "
                    f"{len(districts)} districts came here), whose services also covered areas "
                    f"now in {', '.join(others)} (not apportioned)"
                )
        else:
            others = sorted(takers)
        for other in others:
            out[other].partial_counties.append(county)
            out[other].notes.append(
                f"the county-level figures of {county} cannot be aggregated: its area was split "
                "and its services cannot be apportioned between successors"
            )
    lookup = _lookup_long(lookup_wide)
    return Restructuring(list(out.values()), lookup)


def _lookup_long(wide: pd.DataFrame) -> pd.DataFrame:
    years = sorted(
        {int(m.group(1)) for c in wide.columns if (m := re.match(r"^ecode_(\d{4})$", str(c)))}
    )
    parts = []
    for year in years:
        part = pd.DataFrame(
            {
                "year": year,
                "ons_code": wide.get(f"ons_code_{year}"),
                "e_code": wide.get(f"ecode_{year}"),
                "name": wide.get(f"authority_{year}"),
                "authority_class": wide.get(f"class_{year}"),
            }
        )
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for column in ["ons_code", "e_code", "name", "authority_class"]:
        out[column] = out[column].map(clean_text)
    return out[out["e_code"].str.match(r"^E\d{4}$") & out["ons_code"].str.match(r"^E\d{8}$")]


def aggregate_successors(panel: pd.DataFrame, restructuring: Restructuring) -> pd.DataFrame:
    """Rows for each successor in the years before it existed: the sum of its predecessors where
    every predecessor has the figure and the quantity adds up; ``aggregated`` True and ``note``
    naming the predecessors (and what is not included)."""
    extra, skipped = [], []
    summable = panel[panel["unit"].isin(SUMMABLE_UNITS) & ~panel["measure"].isin(NOT_AGGREGATED)]
    for change in restructuring.changes:
        parts = change.predecessors + change.counties
        mine = summable[summable["ons_code"].isin(parts)]
        before = mine[mine["year"] < change.year]
        if before.empty:
            continue
        # Who reports each measure at all (a county is not a billing authority: no tax base).
        reporters = mine.groupby("measure")["ons_code"].nunique()
        own = panel.loc[panel["ons_code"] == change.successor, ["year", "measure"]]
        have = set(zip(own["year"], own["measure"], strict=True))
        groups = before.groupby(["year", "measure", "unit"], sort=True)
        sums = groups["value"].sum(min_count=1)
        counts = groups["value"].count()
        expected = counts.index.get_level_values("measure").map(reporters).to_numpy()
        sums = sums[counts.to_numpy() == expected].dropna().reset_index()
        sums = sums[
            [(y, m) not in have for y, m in zip(sums["year"], sums["measure"], strict=True)]
        ]
        if change.partial_counties:
            county_measures = set(
                panel.loc[panel["ons_code"].isin(change.partial_counties), "measure"].astype(str)
            )
            blocked = sums["measure"].astype(str).isin(county_measures)
            if blocked.any():
                skipped.append(
                    (
                        change.successor,
                        sorted(set(sums.loc[blocked, "measure"].astype(str))),
                        "county services split between successors cannot be apportioned",
                    )
                )
            sums = sums[~blocked]
        if change.counties:
            # The county's council tax is a precept on the districts' bills, not in the
            # billing authorities' requirement: the districts' sum would understate it.
            county_reports = set(mine.loc[mine["ons_code"].isin(change.counties), "measure"])
            precept = sums["measure"].isin(COUNTY_PRECEPTED) & ~sums["measure"].isin(county_reports)
            if precept.any():
                skipped.append(
                    (
                        change.successor,
                        sorted(set(sums.loc[precept, "measure"])),
                        "the former "
                        "county's council tax is a precept, not in the billing authorities' table",
                    )
                )
            sums = sums[~precept]
        if sums.empty:
            continue
        note = "sum of " + ", ".join(parts)
        if change.notes:
            note += "; " + "; ".join(change.notes)
        sources = before.drop_duplicates("source_file")
        sums["ons_code"], sums["name"] = change.successor, change.name
        sums["aggregated"], sums["note"] = True, note
        sums["source_file"] = "; ".join(sorted(sources["source_file"]))
        sums["sha256"] = "; ".join(sorted(sources["sha256"]))
        extra.append(sums)
    out = pd.concat(extra, ignore_index=True) if extra else panel.iloc[0:0].copy()
    out.attrs["not_aggregated"] = skipped
    return out


CORRECTED = "ONS code corrected"
_CORRECTED = re.compile(
    CORRECTED + r": printed (?P<printed>\S+), (?P<code>E\d{8}) is the code the restructuring "
    r"lookup gives E-code (?P<e_code>E\d{4})"
)


def correct_ons_codes(panel: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """The panel with every misprinted ONS code corrected from the row's E-code.

    A printed ONS code is misprinted when the restructuring lookup knows the row's E-code but
    never gave it that ONS code in any year (North Yorkshire, E-code E2721, printed as
    E10000022 in the 2015-16 RS: the lookup gives E10000023 in every year). It is replaced by
    the lookup's code for the row's year (the nearest year the lookup covers), and the row's
    ``note`` says what was printed and why it changed (:func:`code_corrections` lists them).
    An E-code the lookup does not know leaves the printed code as it is."""
    if lookup is None or lookup.empty:
        return panel
    pairs = pd.MultiIndex.from_frame(lookup[["e_code", "ons_code"]].drop_duplicates())
    known = panel["e_code"].isin(set(lookup["e_code"])) & panel["ons_code"].notna()
    rows = panel.loc[known, ["e_code", "ons_code"]].astype(object)
    wrong = ~pd.MultiIndex.from_frame(rows).isin(pairs)
    if not wrong.any():
        return panel
    index = rows.index[wrong]
    years = sorted(lookup["year"].unique())
    by_year = lookup.set_index(["e_code", "year"])["ons_code"]
    by_year = by_year[~by_year.index.duplicated(keep="last")]
    out = panel.copy()
    if "note" not in out:
        out["note"] = None
    out["note"] = out["note"].astype(object)
    clamped = out.loc[index, "year"].clip(years[0], years[-1]).astype(int)
    found = pd.MultiIndex.from_arrays([out.loc[index, "e_code"].astype(object), clamped])
    right = by_year.reindex(found).to_numpy()
    for i, code in zip(index, right, strict=True):
        if not isinstance(code, str):  # the E-code has no code in the years around this one
            continue
        e_code, printed = out.at[i, "e_code"], out.at[i, "ons_code"]
        note = (
            f"{CORRECTED}: printed {printed}, {code} is the code the restructuring lookup gives "
            f"E-code {e_code}"
        )
        old = out.at[i, "note"]
        out.at[i, "note"] = f"{old}; {note}" if isinstance(old, str) and old else note
        out.at[i, "ons_code"] = code
    return out


def code_corrections(panel: pd.DataFrame) -> pd.DataFrame:
    """Every ONS code corrected in the panel, once per file and authority: source_file, year,
    e_code, name, printed, corrected (for the data log and the page)."""
    columns = ["source_file", "year", "e_code", "name", "printed", "corrected"]
    notes = panel["note"].astype("string")
    hit = panel[notes.str.contains(CORRECTED, regex=False, na=False)]
    if hit.empty:
        return pd.DataFrame(columns=columns)
    parts = hit["note"].astype(str).str.extract(_CORRECTED)
    out = pd.DataFrame(
        {
            "source_file": hit["source_file"].astype(str),
            "year": hit["year"].astype(int),
            "e_code": parts["e_code"],
            "name": hit["name"].astype(str),
            "printed": parts["printed"],
            "corrected": parts["code"],
        }
    )
    return out.drop_duplicates(["source_file", "e_code"]).sort_values(
        ["year", "e_code"], ignore_index=True
    )
