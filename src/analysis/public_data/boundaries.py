"""Boundary changes: which authorities replaced which, and the history of a successor built from
its predecessors.

Read from the restructuring workbook (``restructuring_2013_to_2023.xlsx``, compiled from the ONS
Code History Database) by its column titles: the changes sheet (``GEOGCD`` successor,
``GEOGCD_P`` predecessor, ``YEAR`` of the change), the 2013 history sheet (``PARENTCD``: the
county a district sat in) and the code lookup (``ons_code_YYYY``, ``ecode_YYYY``,
``authority_YYYY``, ``class_YYYY``): a code that changes from one year's column to the next is a
change too (how the lookup records the 2023 unitaries, which the changes sheet does not list).

A county ends in the first year in which none of its 2013 districts is a district any more (the
lookup leaves the county's own code unchanged: North Yorkshire, Somerset, Cumbria in 2023). If
all its districts went to one successor the county is counted whole in it (Buckinghamshire 2020,
North Yorkshire and Somerset 2023). If they went to several (Dorset 2019 between Dorset Council
and BCP, Northamptonshire 2021, Cumbria 2023), the county's figures are **apportioned** between
its successors by the share of the county's council tax base (Band D equivalents for council-tax
setting, CTR ``tax_base``) in each successor's districts in that year; in a year with no tax base
for every district, the county-level figures are left out of the successors' history and the
note says why. Nothing is ever counted twice or in full in two places.

A successor's figure for a year before it existed is then:

- for quantities of an area (tax base, dwellings, population): the sum of its districts and
  unitaries (a county's own figure is the same area again, never added);
- for quantities of an authority (spend and reserves in £): the sum of its predecessors, the
  whole counties and the apportioned share of split counties;
- never for ratios and averages (:data:`NOT_AGGREGATED`), and never the council tax requirement
  of a successor of a split county (its council tax is never its districts' plus part of a
  county's) or of a county the CTR table does not list (the county precept is not in the
  billing authorities' table).

Rows are flagged ``aggregated``, their ``note`` names the parts and any share, and their
``source_file`` and ``sha256`` name the files the parts came from. Successors of successors
(Somerset West and Taunton, 2019, into Somerset, 2023) are built in order, so the later one sums
the earlier one's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError, Problem, display_path
from analysis.public_data._common import check_file, clean_text, open_workbook

WHAT = "restructuring lookup (ONS code changes, 2013 onwards)"
_CODE = re.compile(r"^E\d{8}$")
SUMMABLE_UNITS = {"gbp_k", "gbp", "band_d_equivalents", "dwellings", "persons"}
# Quantities of an area: a county's figure is the sum of its districts', never added to them.
AREA_UNITS = {"band_d_equivalents", "dwellings", "persons"}
COUNTY_PRECEPTED = {"council_tax_requirement"}
# The basis on which a split county's figures are shared between its successors.
SHARE_MEASURE = "tax_base"
SHARE_BASIS = "council tax base (Band D equivalents for council-tax setting, CTR)"
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
    # Counties split between this successor and others: apportioned by the tax-base share of
    # the districts in ``county_parts`` among all of ``county_districts``.
    partial_counties: list[str] = field(default_factory=list)
    county_parts: dict[str, list[str]] = field(default_factory=dict)
    county_districts: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Restructuring:
    changes: list[Change]
    lookup: pd.DataFrame  # year, ons_code, e_code, name, authority_class
    # predecessor -> (year, successor) where the predecessor went whole to the successor.
    moves: dict[str, tuple[int, str]] = field(default_factory=dict)

    def successor_of(self) -> dict[str, str]:
        return {p: c.successor for c in self.changes for p in c.predecessors + c.counties}

    def code_at(self, code: str, year: int) -> str:
        """The code of ``code``'s area (or the authority it went whole to) in ``year``."""
        seen = set()
        while code in self.moves and self.moves[code][0] <= year and code not in seen:
            seen.add(code)
            code = self.moves[code][1]
        return code


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


def _find_lookup(book) -> pd.DataFrame | None:
    """The code lookup sheet with the most years of ``ons_code_YYYY`` (a workbook may keep an
    older, shorter copy beside it)."""
    best, most = None, 0
    for sheet in book.sheetnames:
        rows = book.head(sheet, 5)
        for i, row in enumerate(rows):
            texts = [clean_text(v) for v in row]
            if any(re.match(r"^ecode_\d{4}$", t) for t in texts):
                years = sum(bool(re.match(r"^ons_code_\d{4}$", t)) for t in texts)
                if years > most:
                    best, most = (sheet, i), years
                break
    if best is None:
        return None
    return _frame(book.rows(best[0]), best[1])


def _lookup_changes(wide: pd.DataFrame) -> pd.DataFrame:
    """(successor, predecessor, year, name) wherever a row's code changes between two
    consecutive ``ons_code_YYYY`` columns of the lookup."""
    years = sorted(
        int(m.group(1)) for c in wide.columns if (m := re.match(r"^ons_code_(\d{4})$", str(c)))
    )
    parts = []
    for before, after in zip(years, years[1:], strict=False):
        old = wide[f"ons_code_{before}"].map(clean_text)
        new = wide[f"ons_code_{after}"].map(clean_text)
        moved = old.map(bool) & (old != new) & old.str.match(_CODE) & new.str.match(_CODE)
        name = wide.get(f"authority_{after}")
        parts.append(
            pd.DataFrame(
                {
                    "successor": new[moved],
                    "predecessor": old[moved],
                    "year": after,
                    "name": name[moved].map(clean_text) if name is not None else "",
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["successor", "predecessor", "year", "name"])
    return pd.concat(parts, ignore_index=True)


def read_restructuring(path: str | Path) -> Restructuring:
    """The changes and the code lookup; InputError naming what is missing."""
    path = check_file(path, WHAT)
    book = open_workbook(path, WHAT)
    try:
        changes = _find(book, {"GEOGCD", "GEOGCD_P", "YEAR"}, path)
        history = _find(book, {"GEOGCD", "PARENTCD"}, path)
        lookup_wide = _find_lookup(book)
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
    changes = pd.DataFrame(
        {
            "successor": changes["GEOGCD"].map(clean_text),
            "predecessor": changes["GEOGCD_P"].map(clean_text),
            "year": pd.to_numeric(changes["YEAR"], errors="coerce"),
            "name": changes["GEOGNM"].map(clean_text),
            "old_name": changes["GEOGNM_P"].map(clean_text),
        }
    )
    # A county abolished ("County Abolished", or no successor code) is found from its districts
    # below; its rows are not changes of an authority.
    gone = changes["name"].str.lower().str.contains("abolished") | ~changes["successor"].map(
        lambda v: bool(_CODE.match(v))
    )
    changes = changes[~gone]
    found = _lookup_changes(lookup_wide)
    found = found[
        ~found.set_index(["successor", "predecessor"]).index.isin(
            changes.set_index(["successor", "predecessor"]).index
        )
    ]
    changes = pd.concat([changes, found.assign(old_name="")], ignore_index=True)
    # Fire and rescue areas (E31) are not councils; a renamed authority keeps its code.
    changes = changes[~changes["predecessor"].str.startswith("E31")]
    changes = changes[changes["successor"] != changes["predecessor"]]
    changes = changes.dropna(subset=["year"]).drop_duplicates(["successor", "predecessor"])
    changes["year"] = changes["year"].astype(int)
    # A predecessor split between successors (a minor boundary transfer, as Gateshead to
    # Northumberland in 2013) counts whole only for the successor that kept its name.
    takers = changes.groupby("predecessor")["successor"].nunique()
    out: dict[str, Change] = {}
    moves: dict[str, tuple[int, str]] = {}
    for successor, rows in changes.groupby("successor", sort=True):
        names = [n for n in rows["name"] if n]
        name = names[0] if names else ""
        whole, partial = [], []
        for code, old_name in zip(rows["predecessor"], rows["old_name"], strict=True):
            if takers[code] == 1 or (old_name and old_name == name):
                whole.append(code)
                moves[code] = (int(rows["year"].max()), successor)
            else:
                partial.append(code)
        change = Change(successor, name, int(rows["year"].max()), sorted(whole))
        change.notes += [
            f"the part of {code} transferred in a boundary change is not included"
            for code in partial
        ]
        out[successor] = change
    structure = Restructuring(list(out.values()), _lookup_long(lookup_wide), moves)
    _place_counties(structure, out, parent)
    return structure


def _place_counties(structure: Restructuring, out: dict[str, Change], parent: dict) -> None:
    """Each county that ended (none of its districts is a district any more) counted whole in
    its one successor, or apportioned between several."""
    counties: dict[str, list[str]] = {}
    for district, county in parent.items():
        if district.startswith("E07") and county.startswith("E10"):
            counties.setdefault(county, []).append(district)
    years = sorted({c.year for c in out.values()})
    for county, districts in sorted(counties.items()):
        districts = sorted(districts)
        ended = next(
            (
                y
                for y in years
                if not any(structure.code_at(d, y).startswith("E07") for d in districts)
            ),
            None,
        )
        if ended is None:
            continue
        takers: dict[str, list[str]] = {}
        for d in districts:
            takers.setdefault(structure.code_at(d, ended), []).append(d)
        takers = {k: v for k, v in takers.items() if k in out}
        if len(takers) == 1:
            out[next(iter(takers))].counties.append(county)
            continue
        for successor, mine in sorted(takers.items()):
            change = out[successor]
            change.partial_counties.append(county)
            change.county_parts[county] = mine
            change.county_districts[county] = districts
            others = ", ".join(sorted(k for k in takers if k != successor))
            change.notes.append(f"the former county council {county} was split with {others}")


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


def _label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def county_shares(
    pool: pd.DataFrame, structure: Restructuring, change: Change, county: str
) -> pd.Series:
    """year -> the share of ``county``'s council tax base in the districts that went to
    ``change.successor``, for the years in which every district of the county (or the district
    its area was in that year) has a tax base in ``pool``."""
    base = pool[pool["measure"] == SHARE_MEASURE].set_index(["ons_code", "year"])["value"]
    base = base[~base.index.duplicated(keep="last")]
    years = sorted(set(base.index.get_level_values("year")))
    mine = set(change.county_parts[county])
    shares = {}
    for year in years:
        if year >= change.year:
            continue
        codes = {d: structure.code_at(d, year) for d in change.county_districts[county]}
        values = {c: base.get((c, year), np.nan) for c in set(codes.values())}
        if any(pd.isna(v) for v in values.values()):
            continue
        # A district merged with another of the county's (Taunton Deane and West Somerset)
        # is counted once, in its merged area.
        here = {codes[d] for d in mine}
        if here & {codes[d] for d in codes if d not in mine}:
            continue  # an area shared with another successor's districts: no clean share
        total = sum(values.values())
        if total > 0:
            shares[year] = sum(values[c] for c in here) / total
    return pd.Series(shares, dtype="float64")


def aggregate_successors(panel: pd.DataFrame, restructuring: Restructuring) -> pd.DataFrame:
    """Rows for each successor in the years before it existed (see the module's rules):
    ``aggregated`` True, ``note`` naming the parts (and any share), ``source_file`` and
    ``sha256`` the files the parts came from. ``attrs["not_aggregated"]`` lists (successor,
    measures, reason) for what was left out."""
    extra, skipped = [], []
    involved = {
        code
        for c in restructuring.changes
        for code in c.predecessors + c.counties + c.partial_counties
    }
    pool = panel[
        panel["ons_code"].isin(involved)
        & panel["unit"].isin(SUMMABLE_UNITS)
        & ~panel["measure"].isin(list(NOT_AGGREGATED))
    ]
    for change in sorted(restructuring.changes, key=lambda c: (c.year, c.successor)):
        rows, gaps = _successor_rows(panel, pool, restructuring, change)
        skipped += gaps
        if rows is not None and len(rows):
            extra.append(rows)
            # A later successor of this one (Somerset West and Taunton into Somerset) sums it.
            pool = pd.concat([pool, rows[pool.columns]], ignore_index=True)
    out = pd.concat(extra, ignore_index=True) if extra else panel.iloc[0:0].copy()
    out.attrs["not_aggregated"] = [
        {"successor": who, "measures": measures, "reason": reason}
        for who, measures, reason in skipped
    ]
    return out


def history_gaps(panel: pd.DataFrame) -> pd.DataFrame:
    """What the panel's successor histories leave out, and why (successor, name, measures,
    reason): a split county's figures in a year with no tax base to apportion them by, and
    council tax a sum would misstate. Kept with the panel (its ``attrs``, in the cache too)."""
    gaps = pd.DataFrame(
        panel.attrs.get("not_aggregated", []), columns=["successor", "measures", "reason"]
    )
    names = panel.dropna(subset=["ons_code"]).drop_duplicates("ons_code", keep="last")
    gaps.insert(1, "name", gaps["successor"].map(names.set_index("ons_code")["name"]))
    gaps["measures"] = gaps["measures"].map(
        lambda m: ", ".join(m) if len(m) <= 6 else (f"{', '.join(m[:5])} and {len(m) - 5} more")
    )
    return gaps


def _successor_rows(
    panel: pd.DataFrame, pool: pd.DataFrame, structure: Restructuring, change: Change
) -> tuple[pd.DataFrame | None, list]:
    gaps: list[tuple[str, list[str], str]] = []
    counties = change.counties + change.partial_counties
    parts = change.predecessors + counties
    mine = pool[pool["ons_code"].isin(parts)]
    before = mine[mine["year"] < change.year]
    if before.empty:
        return None, gaps
    area = before["unit"].isin(AREA_UNITS).to_numpy()
    in_county = before["ons_code"].isin(counties).to_numpy()
    # A county's own area figure (its population) is its districts' again: never added.
    before = before[~(area & in_county)]
    area = before["unit"].isin(AREA_UNITS).to_numpy()
    weight = pd.Series(1.0, index=before.index)
    share_text: dict[tuple[str, int], str] = {}
    for county in change.partial_counties:
        shares = county_shares(pool, structure, change, county)
        rows = before["ons_code"].eq(county).to_numpy() & ~area
        weight[rows] = before.loc[rows, "year"].map(shares).to_numpy()
        for year, share in shares.items():
            share_text[(county, int(year))] = (
                f"{share:.1%} of the former county council {county}'s figures (the share of "
                f"its {SHARE_BASIS} in {_label(int(year))} that lay in "
                f"{', '.join(change.county_parts[county])})"
            )
        no_basis = sorted(set(before.loc[rows & weight.isna().to_numpy(), "year"]))
        if no_basis:
            gaps.append(
                (
                    change.successor,
                    sorted(set(before.loc[rows, "measure"].astype(str))),
                    f"the former county council {county}'s figures (and so the sums of every "
                    f"measure it reports) are left out for "
                    f"{', '.join(_label(int(y)) for y in no_basis)}: no {SHARE_BASIS} for each "
                    "of its districts in those years to apportion it by",
                )
            )
    before = before.assign(value=before["value"] * weight.to_numpy())
    # Who reports each measure at all (a county is not a billing authority: no tax base).
    reporters = (
        mine[~(mine["unit"].isin(AREA_UNITS) & mine["ons_code"].isin(counties))]
        .groupby("measure", observed=True)["ons_code"]
        .nunique()
    )
    own = panel.loc[panel["ons_code"] == change.successor, ["year", "measure"]]
    have = set(zip(own["year"], own["measure"].astype(str), strict=True))
    groups = before.groupby(["year", "measure", "unit"], sort=True, observed=True)
    sums = groups["value"].sum(min_count=1)
    counts = groups["value"].count()
    expected = counts.index.get_level_values("measure").map(reporters).to_numpy()
    sums = sums[counts.to_numpy() == expected].dropna().reset_index()
    sums = sums[
        [(y, str(m)) not in have for y, m in zip(sums["year"], sums["measure"], strict=True)]
    ]
    precept = sums["measure"].astype(str).isin(COUNTY_PRECEPTED)
    if change.partial_counties and precept.any():
        gaps.append(
            (
                change.successor,
                sorted(COUNTY_PRECEPTED),
                "its council tax is never its districts' plus part of a split county's",
            )
        )
        sums = sums[~precept]
    elif change.counties and precept.any():
        # The county's council tax is a precept on the districts' bills, not in the billing
        # authorities' requirement: without the county's own row the sum would understate it.
        county_reports = set(mine.loc[mine["ons_code"].isin(change.counties), "measure"])
        missing = precept & ~sums["measure"].isin(county_reports)
        if missing.any():
            gaps.append(
                (
                    change.successor,
                    sorted(COUNTY_PRECEPTED),
                    "the former county's council tax is a precept, not in the billing "
                    "authorities' table",
                )
            )
            sums = sums[~missing]
    if sums.empty:
        return None, gaps
    is_area = sums["unit"].isin(AREA_UNITS).to_numpy()
    chain = [
        f"{c.successor} before {_label(c.year)}: sum of {', '.join(c.predecessors)}"
        for c in structure.changes
        if c.successor in change.predecessors
    ]
    base = "; ".join(chain + change.notes + [reason for _, _, reason in gaps])
    area_note = "sum of " + ", ".join(change.predecessors)
    reports = {c: set(before.loc[before["ons_code"] == c, "measure"].astype(str)) for c in counties}
    notes = []
    for year, measure, is_a in zip(sums["year"], sums["measure"].astype(str), is_area, strict=True):
        if is_a:
            note = area_note + (
                f" (the former county {', '.join(counties)} is the same area, not added)"
                if counties
                else ""
            )
        else:
            whole = [c for c in change.counties if measure in reports[c]]
            note = "sum of " + ", ".join(change.predecessors + whole)
            if whole:
                note += " (the former county council counted whole)"
            shares = [
                share_text[(c, int(year))]
                for c in change.partial_counties
                if measure in reports[c] and (c, int(year)) in share_text
            ]
            if shares:
                note += " plus " + " and ".join(shares)
        notes.append(note + ("; " + base if base else ""))
    # The files the parts came from, per year and measure.
    sources = before.drop_duplicates(["year", "measure", "source_file"])[
        ["year", "measure", "source_file", "sha256"]
    ]
    sources = sources.assign(
        source_file=sources["source_file"].astype(str), sha256=sources["sha256"].astype(str)
    )
    joined = sources.groupby(["year", "measure"], observed=True).agg(
        source_file=("source_file", lambda v: "; ".join(sorted(set(v)))),
        sha256=("sha256", lambda v: "; ".join(sorted(set(v)))),
    )
    sums = sums.join(joined, on=["year", "measure"])
    sums["ons_code"], sums["name"] = change.successor, change.name or None
    sums["aggregated"], sums["note"] = True, notes
    sums["e_code"], sums["authority_class"] = None, None
    return sums, gaps


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
