"""Financial resilience indicators from the RS tables (after the CIPFA Financial Resilience Index).

For each authority and RS year (RS year Y covers 1 April Y to 31 March Y+1):

- ``reserves_to_nre_ratio``: usable reserves at 31 March / net revenue expenditure (line 805).
  Usable reserves = other earmarked (line 915) + unallocated (line 916); schools (911) and public
  health (914) reserves are left out, as in the CIPFA index, because they are ring-fenced;
- ``interest_to_nre_ratio``: interest payable (line 781) / net revenue expenditure;
- ``social_care_ratio``: (children's social care, line 330 + adult social care, line 360) / NRE;
- ``council_tax_ratio``: council tax requirement (line 890) / NRE;
- ``reserves_change_pct``: change in usable reserves from 1 April of the first year to 31 March of
  the last, over the years available (up to three), as a fraction of the opening balance;
- ``reserves_sustainability_years``: years until usable reserves would run out at the average
  annual fall over those years; 100 where reserves are not falling (and capped at 100).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDICATORS = {
    "reserves_to_nre_ratio": "Usable reserves / net revenue expenditure",
    "reserves_change_pct": "Change in usable reserves over the years available",
    "reserves_sustainability_years": "Years until usable reserves run out at the recent rate of use (100 = not falling)",
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


def resilience_indicators(rs: pd.DataFrame) -> pd.DataFrame:
    """Tidy indicators: ons_code, name, year, indicator, value (one row per authority, year and
    indicator; the reserves change and sustainability only for the latest year, over up to three
    years)."""
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
            {"reserves_change_pct": change, "reserves_sustainability_years": lasting}
        )
        extra["year"] = last
        extra = extra.set_index("year", append=True)
        frame = frame.join(extra, how="left")
    long = (
        frame.reset_index()
        .melt(id_vars=["ons_code", "year"], var_name="indicator", value_name="value")
        .dropna(subset=["value"])
    )
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
