"""Which services should get a value-for-money review, and in what order.

A service is **proposed** only on evidence (:class:`~analysis.benchmarking.settings.ReviewRules`):
its cost per head materially above the comparator median under every comparator set, and/or its
performance below the comparator median on more measures than above. Tiny lines cannot be
proposed (a minimum share of net spend), and a MAD of 0 (at least half the comparators report
the same figure) neither proposes a service nor lifts its score. A low-cost service with no
performance data is never proposed, however large. Among the proposed services the priority
score (weights from ``council.yaml``: size of spend, cost, performance, the council's own
self-assessment) sets the order, so money at stake weighs. Each service carries its own reason
in words (:mod:`analysis.benchmarking.reasons`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.benchmarking import reasons
from analysis.benchmarking.settings import BenchmarkSettings

SCORE_CAP = 3.0


PRIORITY_COLUMNS = [
    "rank",
    "service",
    "line",
    "proposed",
    "evidence",
    "priority_score",
    "net_expenditure_gbp_k",
    "share_of_net_spend",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "cost_diff_from_median_fraction",
    "cost_robust_score",
    "mad_is_zero",
    "n_comparators_with_data",
    "n_sets_with_data",
    "n_sets_above_median",
    "sets_not_above_median",
    "n_measures",
    "n_measures_below_median",
    "n_measures_above_median",
    "bottom_quartile_measures",
    "performance_position",
    "quadrant",
    "self_assessment_score",
    "spend_component",
    "cost_component",
    "performance_component",
    "self_assessment_component",
    "components_used",
    "reason",
    "not_proposed_because",
]


# The tidy review list (``benchmark_review_proposals``): one row per proposed service.
REVIEW_COLUMNS = [
    "rank",
    "service",
    "line",
    "evidence",
    "net_expenditure_gbp_k",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "n_comparators_with_data",
    "cost_diff_from_median_fraction",
    "comparator_sets_above_median",
    "performance_position",
    "self_assessment_score",
    "priority_score",
    "reason",
]


SAVINGS_COLUMNS = [
    "service",
    "line",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "population",
    "notional_saving_gbp_k",
    "label",
]


def self_assessment_for(settings: BenchmarkSettings, line: int, service: str) -> float:
    for key, score in settings.self_assessment.items():
        if str(key).strip() == str(line) or str(key).strip().lower() == service.lower():
            return float(score)
    return np.nan


def performance_by_service(perf: pd.DataFrame | None) -> pd.DataFrame:
    """Per service line, over the measures with a polarity: how many measures, how many below
    and above the comparator median (polarity applied), and the measures in the bottom quartile
    (the worst quarter: quartile 1 where higher is better, 4 where lower is better)."""
    columns = [
        "n_measures",
        "n_measures_below_median",
        "n_measures_above_median",
        "bottom_quartile_measures",
    ]
    if perf is None or perf.empty:
        return pd.DataFrame(columns=columns).rename_axis("line")
    scored = perf.dropna(subset=["better_than_median", "service_line"]).copy()
    if scored.empty:
        return pd.DataFrame(columns=columns).rename_axis("line")
    worst = np.where(scored["polarity"].eq("lower_is_better"), 4, 1)
    scored["bottom"] = scored["quartile"].astype("float").to_numpy() == worst
    names = scored["description"].fillna(scored["measure"]).astype(str)
    scored["name"] = names.where(names.str.strip() != "", scored["measure"])
    by = scored.groupby(scored["service_line"].astype(int))
    out = pd.DataFrame(
        {
            "n_measures": by.size(),
            "n_measures_below_median": by["better_than_median"].apply(lambda s: int((s < 0).sum())),
            "n_measures_above_median": by["better_than_median"].apply(lambda s: int((s > 0).sum())),
            "bottom_quartile_measures": by.apply(
                lambda g: reasons.join([f'"{n}"' for n in sorted(g.loc[g["bottom"], "name"])]),
                include_groups=False,
            ),
        }
    )
    return out.rename_axis("line")


def priority_components(frame: pd.DataFrame) -> pd.DataFrame:
    """Each component 0-1, 1 = more reason to review:

    - spend: the service's net expenditure / the largest service's (negative spend counts 0);
    - cost: the cost robust score capped at +/-3 MADs mapped to 0-1 ((score + 3) / 6); blank
      where the MAD is 0 (the score is not defined, so it neither lifts nor lowers the service);
    - performance: (3 - capped performance score) / 6, blank without performance data;
    - self_assessment: (4 - score) / 3 for the council's own 1-4 VfM score (4 = good value), blank
      where not given.
    """
    out = frame.copy()
    spend = out["net_expenditure_gbp_k"].clip(lower=0)
    out["spend_component"] = spend / spend.max() if spend.max() > 0 else 0.0
    cost = out["cost_robust_score"].where(~out["mad_is_zero"].fillna(False).astype(bool))
    out["cost_component"] = (cost.clip(-SCORE_CAP, SCORE_CAP) + SCORE_CAP) / (2 * SCORE_CAP)
    out["performance_component"] = (
        SCORE_CAP - out["performance_score"].clip(-SCORE_CAP, SCORE_CAP)
    ) / (2 * SCORE_CAP)
    out["self_assessment_component"] = (4 - out["self_assessment_score"]) / 3
    return out


def _weighted(frame: pd.DataFrame, settings: BenchmarkSettings) -> pd.DataFrame:
    weights = settings.weights.model_dump()
    comps = [f"{k}_component" for k in weights]
    values = frame[comps].to_numpy(dtype=float)
    w = np.array([weights[k] for k in weights], dtype=float)
    present = ~np.isnan(values)
    total_w = (present * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["priority_score"] = np.where(
            total_w > 0, 100 * np.nansum(values * w, axis=1) / total_w, np.nan
        )
    frame["components_used"] = [
        ", ".join(k for k, p in zip(weights, row, strict=True) if p) for row in present
    ]
    return frame


def above_by_rule(frame: pd.DataFrame, rules) -> pd.Series:
    """Is each service's cost materially above the comparator median (the cost rule, before the
    checks of size, comparators and comparator groups)?

    At least ``cost_threshold`` above the median, and at least ``min_robust_score`` MADs above
    it (the percentage alone where the MAD is 0). Where the median is nil or net income there is
    no percentage: a service with net spending above such a median meets the percentage part
    (any net spending is more than nil), and the MADs still apply. A service with net income
    (a negative net figure) is never above by this rule."""
    pct = frame["cost_diff_from_median_fraction"]
    value = frame["net_expenditure_per_head_gbp"]
    median = frame["comparator_median_per_head_gbp"]
    no_pct = pct.isna() & (value > 0) & (median <= 0)
    enough_pct = (pct.fillna(-np.inf) >= rules.cost_threshold) | no_pct
    zero = frame["mad_is_zero"].fillna(False).astype(bool)
    spread = zero | (frame["cost_robust_score"].fillna(-np.inf) >= rules.min_robust_score)
    return enough_pct & spread & (value > 0)


def _evidence(frame: pd.DataFrame, settings: BenchmarkSettings) -> pd.DataFrame:
    rules = settings.review
    spend = frame["net_expenditure_gbp_k"].clip(lower=0)
    total = spend.sum()
    frame["share_of_net_spend"] = spend / total if total > 0 else 0.0
    frame["material"] = frame["share_of_net_spend"] >= rules.min_share_of_spend
    enough = frame["n_comparators_with_data"].fillna(0) >= rules.min_comparators
    frame["cost_material"] = above_by_rule(frame, rules)
    sets = frame["n_sets_with_data"].fillna(0)
    frame["cost_holds"] = (sets == 0) | (frame["n_sets_above_median"].fillna(0) == sets)
    on_cost = frame["material"] & enough & frame["cost_material"] & frame["cost_holds"]
    on_perf = (
        frame["material"]
        & enough
        & (frame["n_measures_below_median"] > frame["n_measures_above_median"])
    )
    frame["proposed"] = on_cost | on_perf
    frame["evidence"] = [
        "cost and performance" if c and p else "cost" if c else "performance" if p else ""
        for c, p in zip(on_cost, on_perf, strict=True)
    ]
    return frame


def priorities(
    positions_frame: pd.DataFrame,
    quadrant_frame: pd.DataFrame,
    settings: BenchmarkSettings,
    performance: pd.DataFrame | None = None,
    holds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every service, with whether it is proposed for a review and why (or why not); proposed
    services ranked 1, 2, ... by the weighted priority score (0-100), the others unranked.

    ``positions_frame``: the council's cost positions (value, comparator_median, diff,
    diff_fraction, robust_score, mad_is_zero, n_comparators_with_data, net_expenditure_gbp_k, ...);
    ``quadrant_frame``: performance_score and quadrant per line; ``performance``: the council's
    position on each measure; ``holds``: :func:`~analysis.benchmarking.robustness.holds_across_sets`.
    """
    frame = positions_frame.rename(
        columns={
            "robust_score": "cost_robust_score",
            "diff": "diff_per_head_gbp",
            "diff_fraction": "cost_diff_from_median_fraction",
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
        }
    )
    frame = frame.merge(
        quadrant_frame[["line", "performance_score", "quadrant"]], on="line", how="left"
    )
    frame = frame.join(performance_by_service(performance), on="line")
    for column in ("n_measures", "n_measures_below_median", "n_measures_above_median"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["bottom_quartile_measures"] = frame["bottom_quartile_measures"].fillna("")
    if holds is None:
        holds = pd.DataFrame(
            columns=["line", "n_sets_with_data", "n_sets_above_median", "sets_not_above_median"]
        )
    frame = frame.merge(holds, on="line", how="left")
    frame["sets_not_above_median"] = frame["sets_not_above_median"].fillna("")
    frame["self_assessment_score"] = [
        self_assessment_for(settings, int(line), svc)
        for line, svc in zip(frame["line"], frame["service"], strict=True)
    ]
    frame = _weighted(priority_components(frame), settings)
    frame = _evidence(frame, settings)
    frame["performance_position"] = [
        reasons.performance_phrase(r) if r["n_measures"] else "" for _i, r in frame.iterrows()
    ]
    frame["reason"] = [reasons.reason(r) if r["proposed"] else "" for _i, r in frame.iterrows()]
    frame["not_proposed_because"] = [
        reasons.not_proposed_because(r, settings.review) for _i, r in frame.iterrows()
    ]
    frame = frame.sort_values(
        ["proposed", "priority_score", "net_expenditure_gbp_k", "line"],
        ascending=[False, False, False, True],
        na_position="last",
        ignore_index=True,
    )
    n = int(frame["proposed"].sum())
    frame["rank"] = pd.array(list(range(1, n + 1)) + [pd.NA] * (len(frame) - n), dtype="Int64")
    return frame[PRIORITY_COLUMNS]


def review_proposals(prios: pd.DataFrame) -> pd.DataFrame:
    """The tidy review list: one row per proposed service, rank order, with its reason."""
    out = prios[prios["proposed"].astype(bool)].copy()
    out["comparator_sets_above_median"] = [
        f"{int(a)} of {int(n)}" if pd.notna(n) and n else ""
        for a, n in zip(out["n_sets_above_median"], out["n_sets_with_data"], strict=True)
    ]
    return out.sort_values("rank", ignore_index=True)[REVIEW_COLUMNS]


def weights_table(settings: BenchmarkSettings) -> pd.DataFrame:
    text = {
        "spend": "the size of the service's net spend",
        "cost": "how far its cost per head is above or below the comparator median, against the "
        "usual spread of the comparators' costs",
        "performance": "how far its performance is below or above the comparator median "
        "(whether higher or lower is better applied)",
        "self_assessment": "the council's own value-for-money score (1 = poor to 4 = good)",
    }
    names = {
        "spend": "Size of spend",
        "cost": "Cost",
        "performance": "Performance",
        "self_assessment": "Self-assessment",
    }
    weights = settings.weights.model_dump()
    total = sum(weights.values()) or 1.0
    return pd.DataFrame(
        {
            "component": [names[k] for k in weights],
            "what_it_measures": [text[k] for k in weights],
            "weight": list(weights.values()),
            "weight_share_fraction": [v / total for v in weights.values()],
        }
    )


def notional_savings(positions_frame: pd.DataFrame) -> pd.DataFrame:
    """For services with net spending above a comparator median that is not net income: what
    spending at the median would have cost. A question for review, not a target. A service with
    net income, or against a median of net income, is left out: "spending at the median" means
    nothing there (its difference is in £ a head in the cost table)."""
    frame = positions_frame
    above = frame[(frame["diff"] > 0) & (frame["value"] > 0) & (frame["comparator_median"] >= 0)]
    above = above.copy()
    above["notional_saving_gbp_k"] = above["diff"] * above["population"] / 1000.0
    above = above.rename(
        columns={
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
            "diff": "diff_per_head_gbp",
        }
    )
    above["label"] = "question for review, not a target"
    cols = SAVINGS_COLUMNS
    return above.sort_values("notional_saving_gbp_k", ascending=False, ignore_index=True)[cols]


def vfm_share(settings: BenchmarkSettings) -> tuple[float | None, int]:
    """The share of self-assessed services scoring 2 or above (the Bromsgrove measure), and the
    number of services scored."""
    scores = list(settings.self_assessment.values())
    if not scores:
        return None, 0
    return sum(1 for s in scores if s >= 2) / len(scores), len(scores)
