"""Checks a batch's saved tables must pass for every council (issue 19), run on the tables each
pack saved in ``<output>/<council>/<period>/tables/``:

- one comparison per page: the trend's row for the data year and the strip for that year hold the
  cost table's own figures (the council's figure, the comparators' median and count, the rank);
- the proposed list is re-derived from the positions (:func:`derive_proposed`, written apart from
  :mod:`analysis.benchmarking.priorities` on purpose) and every service not proposed has a reason;
- no rank among nils: no service the council records nil on, or does not provide, is ranked;
- no percentage of a nil or negative figure (the council's or the median's);
- a summary without the MTFP report gives, in its budget gap and reserves section, the usable
  reserves of the benchmarking's resilience table (the council's share, the comparators' median,
  the rank), read here from that table.

:func:`check_tables` checks one pack; :func:`check_batch` every pack under an output folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.benchmarking.settings import ReviewRules

CHECK_COLUMNS = ["pack", "check", "service", "problem"]
TOLERANCE = 1e-6


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / f"{name}.csv"
    return pd.read_csv(path) if path.is_file() else None


def derive_proposed(
    positions: pd.DataFrame, priorities: pd.DataFrame, rules: ReviewRules | None = None
) -> set[int]:
    """The service lines the stated review rule proposes, from the cost positions and the counts
    the priorities table gives beside them (comparator groups, performance measures)."""
    rules = rules or ReviewRules()
    pos = positions.set_index("line")
    extra = priorities.set_index("line")
    spend = pos["net_expenditure_gbp_k"].clip(lower=0)
    share = spend / spend.sum() if spend.sum() > 0 else spend * 0
    out = set()
    for line, row in pos.iterrows():
        value, median = row["net_expenditure_per_head_gbp"], row["comparator_median_per_head_gbp"]
        diff, mad = value - median, row["mad"]
        big_enough = share[line] >= rules.min_share_of_spend
        enough = row["n_comparators_with_data"] >= rules.min_comparators
        if not (big_enough and enough):
            continue
        if value > 0 and median > 0:
            pct_ok = diff / median >= rules.cost_threshold
        else:  # no percentage: net spending above a nil or net-income median
            pct_ok = value > 0 and median <= 0 and diff > 0
        spread_ok = mad == 0 or (mad > 0 and diff / mad >= rules.min_robust_score)
        sets = extra.loc[line, "n_sets_with_data"]
        sets = 0 if pd.isna(sets) else int(sets)
        holds = sets == 0 or int(extra.loc[line, "n_sets_above_median"]) == sets
        on_cost = bool(value > 0 and pct_ok and spread_ok and holds)
        below = int(extra.loc[line, "n_measures_below_median"])
        on_perf = below > int(extra.loc[line, "n_measures_above_median"])
        if on_cost or on_perf:
            out.add(int(line))
    return out


def check_tables(folder: Path, rules: ReviewRules | None = None) -> list[dict]:
    """Problems in one pack's saved tables (an empty list when every check holds)."""
    pack = str(folder.parent)
    problems: list[dict] = []

    def problem(check: str, service: str, text: str) -> None:
        problems.append({"pack": pack, "check": check, "service": service, "problem": text})

    for text in published_reserves_problems(folder):
        problem("the summary's reserves are the benchmarking's", "usable reserves", text)
    positions = _read(folder, "benchmark_positions")
    if positions is None or positions.empty:
        return problems
    year = int(positions["year"].iloc[0])
    services = positions.set_index("line")["service"]
    # No percentage of a nil or negative figure.
    bad = positions[
        positions["diff_from_median_fraction"].notna()
        & (
            (positions["comparator_median_per_head_gbp"] <= 0)
            | (positions["net_expenditure_per_head_gbp"] <= 0)
        )
    ]
    for _i, row in bad.iterrows():
        problem("no percentage of a non-positive figure", row["service"], "a percentage is given")
    sets = _read(folder, "benchmark_comparator_sets")
    if sets is not None and len(sets):
        pct = sets["diff_from_median_fraction"].notna() & (
            sets["comparator_median_per_head_gbp"] <= 0
        )
        for service in sets.loc[pct, "service"]:
            problem("no percentage of a non-positive figure", service, "in a comparator group")
    # No rank among nils; nothing ranked that the council does not provide.
    for _i, row in positions[positions["net_expenditure_per_head_gbp"] == 0].iterrows():
        problem("no rank among zeros", row["service"], "a nil figure is ranked")
    absent = _read(folder, "benchmark_not_compared")
    if absent is not None:
        for line in set(absent["line"]) & set(positions["line"]):
            problem("services by class", services[line], "not provided, yet compared")
    # One comparison: the trend's data year and the strips are the cost table's figures.
    trend = _read(folder, "benchmark_trends")
    if trend is not None:
        this = trend[trend["year"] == year].set_index("line")
        for line, row in positions.set_index("line").iterrows():
            if line not in this.index:
                problem("one comparator set", services[line], f"no trend row for {year}")
                continue
            t = this.loc[line]
            pairs = [
                ("council_per_head_gbp", "net_expenditure_per_head_gbp"),
                ("comparator_median_per_head_gbp", "comparator_median_per_head_gbp"),
                ("n_comparators_with_data", "n_comparators_with_data"),
                ("cost_rank", "cost_rank"),
            ]
            for mine, theirs in pairs:
                if not np.isclose(float(t[mine]), float(row[theirs]), atol=TOLERANCE):
                    problem(
                        "one comparator set",
                        services[line],
                        f"trend {mine} {t[mine]} against the cost table's {row[theirs]}",
                    )
        extra = set(this.index) - set(positions["line"])
        for line in extra:
            problem("one comparator set", str(line), "trended but not in the cost table")
    strips = _read(folder, "benchmark_strips")
    if strips is not None and len(strips):
        mine = strips[strips["is_council"].astype(bool)].set_index("line")
        for line, row in positions.set_index("line").iterrows():
            if line not in mine.index or not np.isclose(
                float(mine.loc[line, "net_expenditure_per_head_gbp"]),
                float(row["net_expenditure_per_head_gbp"]),
                atol=TOLERANCE,
            ):
                problem("one comparator set", services[line], "the strip is not the cost table's")
    # The proposed list, re-derived; a reason for every service not proposed.
    priorities = _read(folder, "benchmark_priorities")
    if priorities is not None and len(priorities):
        derived = derive_proposed(positions, priorities, rules)
        proposed = set(priorities.loc[priorities["proposed"].astype(bool), "line"].astype(int))
        for line in derived ^ proposed:
            said = "proposed" if line in proposed else "not proposed"
            problem(
                "proposed list re-derived", services.get(line, str(line)), f"{said} on the page"
            )
        missing = priorities[
            ~priorities["proposed"].astype(bool)
            & priorities["not_proposed_because"].astype("string").fillna("").str.strip().eq("")
        ]
        for service in missing["service"]:
            problem("a reason for every service", service, "not proposed, and no reason given")
    return problems


def published_reserves_problems(folder: Path) -> list[str]:
    """Where the summary's budget gap and reserves section draws on the benchmarking (no MTFP
    report), what its sentences lack of the resilience table's latest usable reserves row: the
    share of net revenue expenditure, the comparators' median and the rank, each as the page
    writes it ("156.5%", "211.3%", "rank 11 of 16")."""
    messages = _read(folder, "summary_messages")
    resilience = _read(folder, "benchmark_resilience")
    if messages is None or resilience is None:
        return []
    gap = messages[(messages["section"] == "gap") & (messages["report"] == "benchmark")]
    rows = resilience[resilience["indicator"] == "reserves_to_nre_ratio"].dropna(subset=["value"])
    if gap.empty or rows.empty:
        return []
    sentence = " ".join(str(m) for m in gap["message"])  # the section as it reads
    row = rows.sort_values("year").iloc[-1]
    if row["value"] == 0:
        wanted = ["published as nil"]
    else:
        wanted = [f"{100 * float(row['value']):.1f}%"]
        if pd.notna(row["comparator_median_value"]):
            wanted.append(f"{100 * float(row['comparator_median_value']):.1f}%")
            if pd.notna(row["rank"]) and pd.notna(row["n_ranked"]):
                wanted.append(f"rank {float(row['rank']):g} of {int(row['n_ranked'])}")
    return [f"the sentence does not give {w}" for w in wanted if w not in sentence]


def check_batch(output_root: Path, rules: ReviewRules | None = None) -> pd.DataFrame:
    """Every pack's problems under ``output_root`` (one row each; empty when all hold)."""
    rows: list[dict] = []
    for folder in sorted(Path(output_root).glob("*/*/tables")):
        rows.extend(check_tables(folder, rules))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
