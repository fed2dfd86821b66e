"""The summary's value-for-money sentences: the services proposed for a review, each with its own
reason, or that none qualifies, or that the council is not in the benchmarking data.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.display import join_words, pct_text
from analysis.summary.sentences import year_text
from analysis.summary.tables import (
    PRIORITY_DETAIL_COLUMNS,
    TOP_SERVICES,
)


def top_services(proposals: pd.DataFrame, n: int = TOP_SERVICES) -> pd.DataFrame:
    """The ``n`` first proposed services (rank 1 first) with the detail columns present."""
    ordered = proposals.dropna(subset=["rank"]).sort_values(["rank", "service"], kind="mergesort")
    columns = ["rank", "service", *[c for c in PRIORITY_DETAIL_COLUMNS if c in proposals.columns]]
    out = ordered.head(n)[columns].reset_index(drop=True)
    out["rank"] = out["rank"].astype(int)
    return out


def is_present(status: pd.DataFrame | None) -> bool:
    if status is None or status.empty:
        return True
    value = status.iloc[0]["council_present"]
    return str(value).strip().lower() in {"true", "1", "1.0", "yes"}


def absent_sentence(status: pd.DataFrame) -> str:
    """'No benchmarking data for E06000059 in the 2016-17 data: value for money could not be
    assessed against comparable councils.'"""
    row = status.iloc[0]
    return (
        f"No benchmarking data for {row['ons_code']} in the {row['year_label']} data: value for "
        "money could not be assessed against comparable councils."
    )


def older_year_sentence(status: pd.DataFrame | None) -> str | None:
    """Why the benchmarking figures are for an earlier year than the newest outturn in the data:
    the council made no return for it ('Mid Suffolk made no Revenue Outturn return for 2023-24
    in the published data, so its benchmarking figures here are for 2016-17, the newest year
    for which it made one.'); None when they are for the newest year (or there are none)."""
    if status is None or status.empty or "newest_outturn_year" not in status.columns:
        return None
    if not is_present(status):
        return None
    row = status.iloc[0]
    newest, used = pd.to_numeric(pd.Series([row["newest_outturn_year"], row["year"]]))
    if pd.isna(newest) or pd.isna(used) or newest <= used:
        return None
    return (
        f"{row['council']} made no Revenue Outturn return for {year_text(int(newest))} in the "
        f"published data, so its benchmarking figures here are for {year_text(int(used))}, the "
        "newest year for which it made one."
    )


def vfm_sentence(
    proposals: pd.DataFrame, status: pd.DataFrame | None = None, n: int = TOP_SERVICES
) -> str:
    """The services proposed for a value-for-money review, each with its own reason; or that
    none qualifies; or that the council is not in the benchmarking data at all."""
    if not is_present(status):
        return absent_sentence(status)
    top = top_services(proposals, n)
    year = f" on the {status.iloc[0]['year_label']} figures" if status is not None else ""
    if top.empty:
        return (
            f"No service qualifies for a value-for-money review{year}: none is materially more "
            "costly than comparable councils or performing below them on most of its measures."
        )
    total = int(proposals["rank"].notna().sum())
    names = [str(x) for x in top["service"]]
    if total == 1:
        head = f"The service proposed for a value-for-money review is {names[0]}."
    elif total > len(top):
        head = (
            f"{total} services are proposed for a value-for-money review; the first {len(top)} "
            f"are {join_words(names)}."
        )
    else:
        head = (
            f"The {total} services proposed for a value-for-money review are {join_words(names)}."
        )
    why = [
        f" {r['service']}: {r['reason']}."
        for _i, r in top.iterrows()
        if "reason" in top.columns and isinstance(r["reason"], str) and r["reason"]
    ]
    return (
        head
        + "".join(why)
        + " Benchmarks pose questions for the review to answer; they are not a league table."
    )


def latest_reserves(resilience: pd.DataFrame | None) -> pd.Series | None:
    """The benchmarking's row for the council's usable reserves as a share of its net revenue
    expenditure in the latest published outturn (``reserves_to_nre_ratio``), or None."""
    if resilience is None or resilience.empty:
        return None
    rows = resilience[resilience["indicator"] == "reserves_to_nre_ratio"].dropna(subset=["value"])
    return None if rows.empty else rows.sort_values("year").iloc[-1]


def same_year(resilience: pd.DataFrame, indicator: str, row: pd.Series) -> pd.Series:
    """The values of another ``indicator`` of the resilience table in the year of ``row``."""
    return resilience[(resilience["indicator"] == indicator) & (resilience["year"] == row["year"])][
        "value"
    ]


def nil_reserves_note(resilience: pd.DataFrame, row: pd.Series) -> str:
    """'published as nil at 31 March 2024 after a positive balance a year before: check it
    against the council's own accounts'. No council can run with no reserves at all: a nil
    balance is a return to check (one council's 2023-24 return has nil at 31 March after £59.8m
    a year before)."""
    change = same_year(resilience, "reserves_change_fraction", row)
    before = " after a positive balance a year before" if (change == -1).any() else ""
    return (
        f"published as nil at 31 March {int(row['year']) + 1}{before}: check it against the "
        "council's own accounts"
    )


def negative_unallocated(resilience: pd.DataFrame, row: pd.Series) -> float | None:
    """The council's unallocated reserves as a share of its net revenue expenditure in the
    year of ``row``, when they were published below zero (they take the usable total down);
    else None."""
    found = same_year(resilience, "unallocated_reserves_to_nre_ratio", row).dropna()
    return float(found.iloc[0]) if len(found) and found.iloc[0] < 0 else None


def rank_words(row: pd.Series) -> str | None:
    """'rank 11 of 16' for a resilience row, or None when it has no rank."""
    if pd.isna(row["rank"]) or pd.isna(row["n_ranked"]):
        return None
    return f"rank {float(row['rank']):g} of {int(row['n_ranked'])}"


def published_reserves_sentence(resilience: pd.DataFrame | None) -> str | None:
    """Without the MTFP report, the reserves as the council last published them, for the
    summary's budget gap and reserves section: 'At 31 March 2024 the council's usable reserves
    were 156.5% of its net revenue expenditure for 2023-24 (published outturn), against a
    comparator median of 211.3% (rank 11 of 16, 1 = highest); the Medium Term Financial Plan
    report, which projects the budget gap and reserves, was not part of this run.' None when
    the benchmarking has no such figure."""
    row = latest_reserves(resilience)
    if row is None:
        return None
    year = int(row["year"])
    after = (
        "; the Medium Term Financial Plan report, which projects the budget gap and reserves, "
        "was not part of this run."
    )
    if row["value"] == 0:
        return f"The council's usable reserves were {nil_reserves_note(resilience, row)}" + after
    text = (
        f"At 31 March {year + 1} the council's usable reserves were {pct_text(row['value'], 1)} "
        f"of its net revenue expenditure for {year_text(year)} (published outturn)"
    )
    if pd.notna(row["comparator_median_value"]):
        text += f", against a comparator median of {pct_text(row['comparator_median_value'], 1)}"
        if rank := rank_words(row):
            text += f" ({rank}, 1 = highest)"
    text += after
    if (below := negative_unallocated(resilience, row)) is not None:
        text += (
            f" Its unallocated reserves were published below zero ({pct_text(below, 1)} of net "
            "revenue expenditure), which takes the usable total down: check them against the "
            "council's own accounts."
        )
    return text


def reserves_tile(resilience: pd.DataFrame | None) -> tuple[str, str, str] | None:
    """The council's usable reserves as a share of its net revenue expenditure in the latest
    published outturn, against its comparators: a headline tile for a pack without the MTFP
    report (a council benchmarked from the published data alone). None when there is no figure."""
    row = latest_reserves(resilience)
    if row is None:
        return None
    note = "of net revenue expenditure, published outturn"
    if row["value"] == 0:
        note = nil_reserves_note(resilience, row)
    elif negative_unallocated(resilience, row) is not None:
        note += " (unallocated reserves published below zero)"
    if pd.notna(row["comparator_median_value"]):
        note += f"; comparator median {pct_text(row['comparator_median_value'], 1)}"
    if rank := rank_words(row):
        note += f"; {rank} (1 = highest)"
    return (f"Usable reserves {year_text(int(row['year']))}", pct_text(row["value"], 1), note)
