"""Performance indicators with polarity, and the cost-against-performance quadrants."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.benchmarking import comparators as comp
from analysis.benchmarking.settings import BenchmarkSettings

QUADRANTS = {
    (True, False): "Higher cost, lower performance",
    (True, True): "Higher cost, higher performance",
    (False, False): "Lower cost, lower performance",
    (False, True): "Lower cost, higher performance",
}


QUADRANT_COLUMNS = [
    "ons_code",
    "line",
    "service",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "diff_from_median_fraction",
    "cost_robust_score",
    "n_measures",
    "performance_balance",
    "performance_score",
    "measures",
    "quadrant",
]


# One row per authority in the cost-against-performance scatter of a service.
POINT_COLUMNS = [
    "ons_code",
    "name",
    "role",
    "net_expenditure_per_head_gbp",
    "performance_vs_median_fraction",
    "service_line",
]


def performance_year(performance: pd.DataFrame, year: int) -> int:
    available = sorted(performance["year"].unique())
    earlier = [y for y in available if y <= year]
    return int(earlier[-1] if earlier else available[0])


def service_for_measure(measure: str, row_line, mapping: dict[str, int]) -> float:
    if pd.notna(row_line):
        return int(row_line)
    for prefix, line in mapping.items():
        if str(measure).upper().startswith(prefix.upper()):
            return line
    return np.nan


def performance_positions(
    performance: pd.DataFrame, groups: pd.DataFrame, year: int, settings: BenchmarkSettings
) -> pd.DataFrame:
    """The council's position on each performance measure: positions plus polarity and
    ``performance_score`` (the robust score, sign turned so + = better than the comparator
    median) and ``better_than_median`` (+1 better, -1 worse, 0 at the median)."""
    perf = performance[performance["year"] == year].copy()
    override = perf["measure"].map(settings.polarity_overrides)
    perf["polarity"] = override.where(override.notna(), perf["polarity"]).astype(str)
    perf["service_line"] = [
        service_for_measure(m, s, settings.performance_services)
        for m, s in zip(perf["measure"], perf["service_line"], strict=True)
    ]
    meta = perf.drop_duplicates("measure").set_index("measure")[
        ["description", "polarity", "service_line"]
    ]
    pos = comp.positions(perf.dropna(subset=["ons_code"]), groups, ["measure"])
    pos = pos.join(meta, on="measure")
    # float64 whatever the polarity column's dtype: with no measures for the authority (a
    # district council in a performance file of upper-tier measures) the map of an empty
    # string column keeps its string dtype, and the products below would fail.
    sign = pos["polarity"].map({"higher_is_better": 1.0, "lower_is_better": -1.0}).astype("float64")
    pos["performance_score"] = pos["robust_score"] * sign
    pos["better_than_median"] = np.sign(pos["diff"]) * sign
    pos["year"] = year
    return pos


def quadrants(costs: pd.DataFrame, perf: pd.DataFrame) -> pd.DataFrame:
    """Each service's cost position (above or below the comparator median per head) against its
    performance position (the mean of its scored measures' better/worse signs)."""
    scored = perf.dropna(subset=["better_than_median", "service_line"]) if len(perf) else perf
    if len(scored):
        by = scored.groupby("service_line")
        summary = pd.DataFrame(
            {
                "n_measures": by.size(),
                "performance_balance": by["better_than_median"].mean(),
                "performance_score": by["performance_score"].mean(),
                "measures": by["measure"].apply(lambda s: ", ".join(sorted(s))),
            }
        )
    else:
        summary = pd.DataFrame(
            columns=["n_measures", "performance_balance", "performance_score", "measures"]
        )
    out = costs[
        [
            "ons_code",
            "line",
            "service",
            "value",
            "comparator_median",
            "diff",
            "diff_fraction",
            "robust_score",
        ]
    ].rename(
        columns={
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
            "diff": "diff_per_head_gbp",
            "diff_fraction": "diff_from_median_fraction",
            "robust_score": "cost_robust_score",
        }
    )
    out = out.join(summary, on="line")
    out["n_measures"] = out["n_measures"].fillna(0).astype("int64")
    labels = []
    for diff, balance in zip(out["diff_per_head_gbp"], out["performance_balance"], strict=True):
        if pd.isna(balance) or pd.isna(diff):
            labels.append("No performance data" if pd.isna(balance) else "No cost comparison")
        elif balance == 0:
            labels.append(("Higher" if diff > 0 else "Lower") + " cost, performance at the median")
        else:
            labels.append(QUADRANTS[(bool(diff > 0), bool(balance > 0))])
    out["quadrant"] = labels
    return out.reset_index(drop=True)


def performance_points(
    performance: pd.DataFrame,
    costs: pd.DataFrame,
    comparators: pd.DataFrame,
    perf_pos: pd.DataFrame,
    pyear: int,
    code: str,
) -> pd.DataFrame:
    """For the cost-performance chart: each group member's cost per head on the service and its
    mean polarity-adjusted difference from the comparator median over the scored measures."""
    scored = perf_pos[perf_pos["polarity"].isin(["higher_is_better", "lower_is_better"])].dropna(
        subset=["service_line"]
    )
    if scored.empty:
        return pd.DataFrame(columns=POINT_COLUMNS)
    perf = performance[
        (performance["year"] == pyear)
        & performance["measure"].isin(scored["measure"])
        & performance["ons_code"].isin(comparators["ons_code"])
    ]
    stats = scored.set_index("measure")
    sign = stats["polarity"].map({"higher_is_better": 1.0, "lower_is_better": -1.0})
    perf = perf.assign(
        rel=(perf["value"] - perf["measure"].map(stats["comparator_median"]))
        / perf["measure"].map(stats["comparator_median"]).abs()
        * perf["measure"].map(sign),
        service_line=perf["measure"].map(stats["service_line"]),
    )
    by = (
        perf.groupby(["ons_code", "service_line"], as_index=False)["rel"]
        .mean()
        .rename(columns={"rel": "performance_vs_median_fraction"})
    )
    cost = costs[["ons_code", "line", "net_expenditure_per_head_gbp", "name"]].rename(
        columns={"line": "service_line"}
    )
    out = by.merge(cost, on=["ons_code", "service_line"], how="inner")
    out["role"] = np.where(out["ons_code"] == code, "council", "comparator")
    return out[
        [
            "ons_code",
            "name",
            "role",
            "service_line",
            "net_expenditure_per_head_gbp",
            "performance_vs_median_fraction",
        ]
    ].sort_values(["service_line", "ons_code"], ignore_index=True)
