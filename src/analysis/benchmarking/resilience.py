"""Financial resilience indicators from the RS tables (after the CIPFA Financial Resilience Index).

For each authority and RS year (RS year Y covers 1 April Y to 31 March Y+1):

- ``reserves_to_nre_ratio``: usable reserves at 31 March / net revenue expenditure (line 805).
  Usable reserves = other earmarked (line 915) + unallocated (line 916); schools (911) and public
  health (914) reserves are left out, as in the CIPFA index, because they are ring-fenced;
- ``interest_to_nre_ratio``: interest payable (line 781) / net revenue expenditure;
- ``social_care_ratio``: (children's social care, line 330 + adult social care, line 360) / NRE;
- ``council_tax_ratio``: council tax requirement (line 890) / NRE;
- ``reserves_change_fraction``: change in usable reserves from 1 April of the first year to 31 March of
  the last, over the years available (up to three), as a fraction of the opening balance;
- ``reserves_sustainability_years``: years until usable reserves would run out at the average
  annual fall over those years; 100 where reserves are not falling (and capped at 100);
- ``unallocated_reserves_to_nre_ratio`` and ``earmarked_reserves_to_nre_ratio``: unallocated
  (line 916) and other earmarked (line 915) reserves at 31 March / NRE, as CIPFA shows them;
- ``unallocated_reserves_change`` and ``earmarked_reserves_change``: the change in each over three
  years, CIPFA's convention: the balance at 31 March of the year against the balance three years
  earlier (31 March Y+1 against 31 March Y-2), as a fraction of the earlier balance. A balance at
  31 March is read from that year's RS, or from the next year's "at 1 April" column when the year's
  own file is missing (2014-15 here). Where three years are not available the change is over the
  years there are, and :func:`reserve_changes` says how many (never silently shortened).

With ``history`` (the multi-year public-data panel) these four come from every published year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.benchmarking.trends import summed_frame

INDICATORS = {
    "reserves_to_nre_ratio": "Usable reserves / net revenue expenditure",
    "reserves_change_fraction": "Change in usable reserves over the years available",
    "reserves_sustainability_years": "Years until usable reserves run out at the recent rate of use (100 in the saved table where reserves are steady or rising)",
    "interest_to_nre_ratio": "Interest payable / net revenue expenditure",
    "social_care_ratio": "Adult and children's social care / net revenue expenditure",
    "council_tax_ratio": "Council tax requirement / net revenue expenditure",
}
NEEDED = [
    "RS805",
    "RS781",
    "RS330",
    "RS360",
    "RS890",
    "RS915_1apr",
    "RS916_1apr",
    "RS915_31mar",
    "RS916_31mar",
]
MAX_YEARS = 3
INDICATORS.update(
    {
        "unallocated_reserves_to_nre_ratio": "Unallocated reserves / net revenue expenditure",
        "earmarked_reserves_to_nre_ratio": "Earmarked reserves / net revenue expenditure",
        "unallocated_reserves_change": "Change in unallocated reserves over three years",
        "earmarked_reserves_change": "Change in earmarked reserves over three years",
    }
)
RESERVE_KINDS = {"unallocated": 916, "earmarked": 915}
CHANGE_YEARS = 3


def reserve_balances(frame: pd.DataFrame) -> pd.DataFrame:
    """Balances at 31 March of each financial year: ons_code, year, kind, balance_gbp_k, nre_gbp_k."""
    measures = [f"RS{n}_{d}" for n in RESERVE_KINDS.values() for d in ("1apr", "31mar")]
    wide = (
        frame[frame["measure"].isin(measures + ["RS805"])]
        .dropna(subset=["ons_code"])
        .pivot_table(index=["ons_code", "year"], columns="measure", values="value", aggfunc="first")
        .reindex(columns=measures + ["RS805"])
    )
    parts = []
    for kind, line in RESERVE_KINDS.items():
        closing = wide[f"RS{line}_31mar"]
        # 1 April of year Y+1 is 31 March of year Y: fills a year whose own file is missing.
        opening_next = wide[f"RS{line}_1apr"].rename(index=lambda y: y - 1, level="year")
        balance = closing.combine_first(opening_next)
        parts.append(
            pd.DataFrame({"kind": kind, "balance_gbp_k": balance}).join(
                wide["RS805"].rename("nre_gbp_k")
            )
        )
    out = pd.concat(parts).reset_index()
    return out.dropna(subset=["balance_gbp_k"]).sort_values(["ons_code", "kind", "year"])


def reserve_changes(
    frame: pd.DataFrame, years: int = CHANGE_YEARS, balances: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Change in each kind of reserve over ``years`` years to 31 March of each year, or over the
    years available: ons_code, year, kind, change (fraction), years_used, from_year.
    ``balances``: :func:`reserve_balances` of ``frame`` when the caller has them already."""
    keys = ["ons_code", "kind", "year"]
    if balances is None:
        balances = reserve_balances(frame)
    balances = balances[[*keys, "balance_gbp_k"]].reset_index(drop=True)
    lookup = balances.set_index(keys)["balance_gbp_k"]
    end = balances["balance_gbp_k"].to_numpy(dtype=float)
    start = np.full(len(balances), np.nan)
    used = np.zeros(len(balances), dtype=int)
    # The longest span first: each balance takes the earliest start within ``years`` years.
    for back in range(years, 0, -1):
        earlier = pd.MultiIndex.from_arrays(
            [balances["ons_code"], balances["kind"], balances["year"] - back]
        )
        found = lookup.reindex(earlier).to_numpy(dtype=float)
        take = np.isnan(start) & ~np.isnan(found)
        start[take], used[take] = found[take], back
    has = ~np.isnan(start)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(start > 0, (end - start) / start, np.nan)
    out = balances.loc[has, ["ons_code", "year", "kind"]].assign(
        change=change[has], years_used=used[has], from_year=balances["year"][has] - used[has]
    )
    return out.reset_index(drop=True)


def _reserve_indicators(frame: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    every = reserve_balances(frame)
    balances = every[every["year"].isin(years)]
    ratio = balances.assign(
        indicator=balances["kind"] + "_reserves_to_nre_ratio",
        value=balances["balance_gbp_k"] / balances["nre_gbp_k"].where(balances["nre_gbp_k"] > 0),
    )
    changes = reserve_changes(frame, balances=every)
    changes = changes[changes["year"].isin(years)]
    change = changes.assign(indicator=changes["kind"] + "_reserves_change", value=changes["change"])
    cols = ["ons_code", "year", "indicator", "value"]
    return pd.concat([ratio[cols], change[cols]], ignore_index=True).dropna(subset=["value"])


def resilience_indicators(rs: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy indicators: ons_code, name, year, indicator, value (one row per authority, year and
    indicator; the reserves change and sustainability only for the latest year, over up to three
    years). The unallocated and earmarked reserves indicators come from ``history`` where given
    (every published year), else from ``rs``."""
    wide = (
        rs[rs["measure"].isin(NEEDED)]
        .dropna(subset=["ons_code"])
        .pivot_table(index=["ons_code", "year"], columns="measure", values="value", aggfunc="first")
        .reindex(columns=NEEDED)
    )
    names = (
        rs.dropna(subset=["ons_code"])
        .drop_duplicates("ons_code", keep="last")
        .set_index("ons_code")["name"]
    )
    nre = wide["RS805"].where(wide["RS805"] > 0)
    opening = wide["RS915_1apr"] + wide["RS916_1apr"]
    closing = wide["RS915_31mar"] + wide["RS916_31mar"]
    out = {
        "reserves_to_nre_ratio": closing / nre,
        "interest_to_nre_ratio": wide["RS781"] / nre,
        "social_care_ratio": (wide["RS330"] + wide["RS360"]) / nre,
        "council_tax_ratio": wide["RS890"] / nre,
    }
    frame = pd.DataFrame(out)
    years = sorted(wide.index.get_level_values("year").unique())[-MAX_YEARS:]
    if years:
        first, last = years[0], years[-1]
        start = opening.xs(first, level="year")
        end = closing.xs(last, level="year")
        start, end = start.align(end, join="outer")
        span = len(years)
        change = (end - start) / start.where(start > 0)
        per_year = (end - start) / span
        with np.errstate(divide="ignore", invalid="ignore"):
            lasting = np.where(per_year >= 0, 100.0, np.minimum(100.0, end / -per_year))
        lasting = pd.Series(lasting, index=end.index).where(end.notna() & start.notna())
        extra = pd.DataFrame(
            {"reserves_change_fraction": change, "reserves_sustainability_years": lasting}
        )
        extra["year"] = last
        extra = extra.set_index("year", append=True)
        frame = frame.join(extra, how="left")
    long = (
        frame.reset_index()
        .melt(id_vars=["ons_code", "year"], var_name="indicator", value_name="value")
        .dropna(subset=["value"])
    )
    source = history if history is not None else rs
    rs_years = sorted(int(y) for y in rs["year"].unique())
    long = pd.concat([long, _reserve_indicators(source, rs_years)], ignore_index=True)
    long["name"] = long["ons_code"].map(names)
    long["description"] = long["indicator"].map(INDICATORS)
    order = {k: i for i, k in enumerate(INDICATORS)}
    long = long.sort_values(
        ["ons_code", "year", "indicator"],
        key=lambda s: s.map(order) if s.name == "indicator" else s,
    )
    return long[["ons_code", "name", "year", "indicator", "description", "value"]].reset_index(
        drop=True
    )


def years_covered(rs: pd.DataFrame) -> list[int]:
    return sorted(rs["year"].unique())[-MAX_YEARS:]


def reserve_sentences(result) -> list[str]:
    """What the unallocated and earmarked reserves indicators say for the council, generated from
    the figures; says plainly when the change spans fewer than three years."""
    code, year = result.council.ons_code, result.year
    history = getattr(result.panel, "history", None)
    national = getattr(result, "national", None)  # the run's figures for every authority
    changes = (
        national.reserve_changes()
        if national is not None
        else reserve_changes(history if history is not None else result.panel.rs)
    )
    changes = changes[(changes["ons_code"] == code) & (changes["year"] == year)].set_index("kind")
    table = result.resilience.set_index("indicator") if len(result.resilience) else None
    out = []
    for kind in RESERVE_KINDS:
        ratio_key = f"{kind}_reserves_to_nre_ratio"
        if table is None or ratio_key not in table.index:
            out.append(
                f"No {kind} reserves figures for {code} in {year_label_of(year)}: the indicator "
                "cannot be shown."
            )
            continue
        rows = table.loc[[ratio_key]]
        rows = rows[rows["year"] == year]
        if rows.empty:
            out.append(
                f"No {kind} reserves figures for {code} in {year_label_of(year)}: the indicator "
                "cannot be shown."
            )
            continue
        row = rows.iloc[0]
        median = row["comparator_median_value"]
        against = (
            f"comparator median {median:.1%}"
            if pd.notna(median)
            else "no comparator has a figure for that date"
        )
        text = (
            f"{kind.capitalize()} reserves were {row['value']:.1%} of net revenue expenditure at "
            f"31 March {year + 1} ({against})."
        )
        if kind in changes.index and pd.isna(changes.loc[kind]["change"]):
            start = int(changes.loc[kind]["from_year"]) + 1
            text += (
                f" No change can be shown: the balance at 31 March {start} was nil, and a "
                "change from nil is not a percentage."
            )
        elif kind in changes.index:
            change = changes.loc[kind]
            span = int(change["years_used"])
            direction = "rose" if change["change"] >= 0 else "fell"
            text += (
                f" They {direction} {abs(change['change']):.1%} over the "
                f"{'three years' if span == 3 else f'{span} year' + ('s' if span > 1 else '')}"
                f" from 31 March {int(change['from_year']) + 1}."
            )
            if span < CHANGE_YEARS:
                text += (
                    f" Only {span} year{'s' if span > 1 else ''} of balances "
                    f"{'are' if span > 1 else 'is'} available, not the three CIPFA uses."
                )
        else:
            text += " No earlier balance is available, so no change can be shown."
        out.append(text)
    if history is not None and "aggregated" in history:
        every = national.summed("RS805") if national is not None else summed_frame(history, "RS805")
        summed = sorted(int(y) for y in every.loc[every["ons_code"] == code, "year"])
        if summed and out:
            out.append(
                f"The figures for {', '.join(year_label_of(y) for y in summed)} are the sums of "
                f"the authorities {result.council.name} replaced (it did not exist then)."
            )
    return out


def year_label_of(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"
