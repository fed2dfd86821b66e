"""The history of a successor authority built from its predecessors (the changes read by
:mod:`analysis.public_data.boundaries`).

A successor's figure for a year before it existed is:

- for quantities of an area (tax base, dwellings, population): the sum of its districts and
  unitaries (a county's own figure is the same area again, never added);
- for quantities of an authority (spend and reserves in £): the sum of its predecessors and the
  counties it took whole, plus, for a county split between successors, a share of the county's
  figure: **the share of the county's council tax base** (Band D equivalents for council-tax
  setting, CTR ``tax_base``) **that lay in this successor's districts in that year**. In a year
  with no tax base for every district of the county, its figures, and so the sums of every
  measure it reports, are left out and the note says why. The successors of a split county hold
  it once between them, never whole in two places;
- never for ratios and averages (:data:`NOT_AGGREGATED`), never the council tax requirement of a
  split county's successor (its council tax is never its districts' plus part of a county's), nor
  of a county the CTR table does not list (the precept is not in the billing authorities' table).

Rows are flagged ``aggregated``; their ``note`` names the parts and any share, and their
``source_file`` and ``sha256`` the files the parts came from. Successors of successors (Somerset
West and Taunton, 2019, into Somerset, 2023) are built in order, so the later one sums the earlier
one's history. :func:`history_gaps` lists what was left out, and why.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analysis.public_data.boundaries import Change, Restructuring

# The panel's ``attrs`` key for what the successors' histories leave out. The list is kept as one
# JSON string: pandas deep-copies ``attrs`` into every frame derived from the panel, and a list of
# hundreds of dicts made that copy most of a benchmark report's run time (5.6 s of 16 s).
GAPS_ATTR = "not_aggregated"

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
    ``sha256`` the files the parts came from. ``attrs[GAPS_ATTR]`` lists (JSON text) (successor,
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
    # The (year, measure) each successor has figures of its own for: never summed over.
    own = panel.loc[
        panel["ons_code"].isin({c.successor for c in restructuring.changes}),
        ["ons_code", "year", "measure"],
    ]
    have: dict[str, set] = {}
    for code, year, measure in zip(own["ons_code"], own["year"], own["measure"], strict=True):
        have.setdefault(code, set()).add((year, str(measure)))
    for change in sorted(restructuring.changes, key=lambda c: (c.year, c.successor)):
        rows, gaps = _successor_rows(have.get(change.successor, set()), pool, restructuring, change)
        skipped += gaps
        if rows is not None and len(rows):
            extra.append(rows)
            # A later successor of this one (Somerset West and Taunton into Somerset) sums it.
            pool = pd.concat([pool, rows[pool.columns]], ignore_index=True)
    out = pd.concat(extra, ignore_index=True) if extra else panel.iloc[0:0].copy()
    out.attrs[GAPS_ATTR] = json.dumps(
        [
            {"successor": who, "measures": measures, "reason": reason}
            for who, measures, reason in skipped
        ]
    )
    return out


def history_gaps(panel: pd.DataFrame) -> pd.DataFrame:
    """What the panel's successor histories leave out, and why (successor, name, measures,
    reason): a split county's figures in a year with no tax base to apportion them by, and
    council tax a sum would misstate. Kept with the panel (its ``attrs``, in the cache too)."""
    gaps = pd.DataFrame(
        json.loads(panel.attrs.get(GAPS_ATTR, "[]")), columns=["successor", "measures", "reason"]
    )
    names = panel.dropna(subset=["ons_code"]).drop_duplicates("ons_code", keep="last")
    gaps.insert(1, "name", gaps["successor"].map(names.set_index("ons_code")["name"]))
    gaps["measures"] = gaps["measures"].map(
        lambda m: ", ".join(m) if len(m) <= 6 else (f"{', '.join(m[:5])} and {len(m) - 5} more")
    )
    return gaps


def _successor_rows(
    have: set, pool: pd.DataFrame, structure: Restructuring, change: Change
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
    # The files the parts came from, per year and measure (most have one).
    sources = before[["year", "measure", "source_file", "sha256"]].drop_duplicates()
    sources = sources.sort_values(["year", "measure", "source_file"], kind="stable")
    several = sources.duplicated(["year", "measure"], keep=False)
    joined = sources[~several].set_index(["year", "measure"])[["source_file", "sha256"]]
    if several.any():
        many = (
            sources[several]
            .groupby(["year", "measure"], sort=False)
            .agg(
                source_file=("source_file", lambda v: "; ".join(map(str, v))),
                sha256=("sha256", lambda v: "; ".join(map(str, v))),
            )
        )
        joined = pd.concat([joined, many])
    sums = sums.join(joined, on=["year", "measure"])
    sums["ons_code"], sums["name"] = change.successor, change.name or None
    sums["aggregated"], sums["note"] = True, notes
    sums["e_code"], sums["authority_class"] = None, None
    return sums, gaps
