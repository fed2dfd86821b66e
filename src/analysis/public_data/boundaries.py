"""Boundary changes: which authorities replaced which, read from the restructuring workbook
(``restructuring_2013_to_2023.xlsx``, compiled from the ONS Code History Database) by its column
titles: the changes sheet (``GEOGCD`` successor, ``GEOGCD_P`` predecessor, ``YEAR`` of the
change), the 2013 history sheet (``PARENTCD``: the county a district sat in) and the code lookup
(``ons_code_YYYY``, ``ecode_YYYY``, ``authority_YYYY``, ``class_YYYY``): a code that changes from
one year's column to the next is a change too (how the lookup records the 2023 unitaries, which
the changes sheet does not list).

A county ends in the first year in which none of its 2013 districts is a district any more (the
lookup leaves the county's own code unchanged: North Yorkshire, Somerset, Cumbria in 2023). If
all its districts went to one successor the county is counted whole in it (Buckinghamshire 2020,
North Yorkshire and Somerset 2023); if they went to several (Dorset 2019 between Dorset Council
and BCP, Northamptonshire 2021, Cumbria 2023) it is split, and
:mod:`analysis.public_data.successors` apportions it. The successors' histories are built there.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, Problem, display_path
from analysis.public_data._common import check_file, clean_text, open_workbook

WHAT = "restructuring lookup (ONS code changes, 2013 onwards)"
_CODE = re.compile(r"^E\d{8}$")


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


_READ: dict[tuple, Restructuring] = {}


def read_restructuring(path: str | Path) -> Restructuring:
    """The changes and the code lookup; InputError naming what is missing. Read once per
    process for each file (path, modification time and size)."""
    path = check_file(path, WHAT)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _READ:
        _READ.clear()
        _READ[key] = _read(path)
    found = _READ[key]
    return Restructuring(copy.deepcopy(found.changes), found.lookup.copy(), dict(found.moves))


def _read(path: Path) -> Restructuring:
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
