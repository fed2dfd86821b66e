"""Which services should get a value-for-money review first: priority scores from cost,
performance, size and the self-assessment, the weights shown, and notional savings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.benchmarking.settings import BenchmarkSettings

SCORE_CAP = 3.0


PRIORITY_COLUMNS = [
    "rank",
    "service",
    "line",
    "priority_score",
    "net_expenditure_gbp_k",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "cost_robust_score",
    "cost_rank",
    "n_ranked",
    "performance_score",
    "quadrant",
    "self_assessment_score",
    "spend_component",
    "cost_component",
    "performance_component",
    "self_assessment_component",
    "components_used",
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


def priority_components(frame: pd.DataFrame) -> pd.DataFrame:
    """Each component 0-1, 1 = more reason to review:

    - spend: the service's net expenditure / the largest service's (negative spend counts 0);
    - cost: the cost robust score capped at +/-3 MADs mapped to 0-1 ((score + 3) / 6); a MAD of 0
      counts as the cap in the direction of the difference;
    - performance: (3 - capped performance score) / 6, blank without performance data;
    - self_assessment: (4 - score) / 3 for the council's own 1-4 VfM score (4 = good value), blank
      where not given.
    """
    out = frame.copy()
    spend = out["net_expenditure_gbp_k"].clip(lower=0)
    out["spend_component"] = spend / spend.max() if spend.max() > 0 else 0.0
    cost = out["cost_robust_score"].copy()
    zero = out["mad_is_zero"].fillna(False).astype(bool) & cost.isna()
    cost[zero] = np.sign(out.loc[zero, "diff_per_head_gbp"]) * SCORE_CAP
    out["cost_component"] = (cost.clip(-SCORE_CAP, SCORE_CAP) + SCORE_CAP) / (2 * SCORE_CAP)
    out["performance_component"] = (
        SCORE_CAP - out["performance_score"].clip(-SCORE_CAP, SCORE_CAP)
    ) / (2 * SCORE_CAP)
    out["self_assessment_component"] = (4 - out["self_assessment_score"]) / 3
    return out


def priorities(
    positions_frame: pd.DataFrame, quadrant_frame: pd.DataFrame, settings: BenchmarkSettings
) -> pd.DataFrame:
    """Services ranked for a VfM deep dive by a weighted score 0-100 (weights from council.yaml,
    re-scaled over the components each service has)."""
    frame = positions_frame.rename(
        columns={"robust_score": "cost_robust_score", "diff": "diff_per_head_gbp"}
    )
    frame = frame.merge(
        quadrant_frame[["line", "performance_score", "quadrant", "n_measures"]],
        on="line",
        how="left",
    )
    frame["self_assessment_score"] = [
        self_assessment_for(settings, int(line), svc)
        for line, svc in zip(frame["line"], frame["service"], strict=True)
    ]
    frame = priority_components(frame)
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
    frame = frame.sort_values(
        ["priority_score", "net_expenditure_gbp_k", "line"],
        ascending=[False, False, True],
        na_position="last",
        ignore_index=True,
    )
    frame["rank"] = np.arange(1, len(frame) + 1)
    cols = PRIORITY_COLUMNS
    frame = frame.rename(
        columns={
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
            "rank_cost": "cost_rank",
        }
    )
    return frame[cols]


def weights_table(settings: BenchmarkSettings) -> pd.DataFrame:
    text = {
        "spend": "size of the service's net spend",
        "cost": "cost per head against the comparator median (MADs)",
        "performance": "performance against the comparator median (MADs, polarity applied)",
        "self_assessment": "the council's own VfM self-assessment (1 = poor to 4 = good)",
    }
    weights = settings.weights.model_dump()
    total = sum(weights.values()) or 1.0
    return pd.DataFrame(
        {
            "component": list(weights),
            "what_it_measures": [text[k] for k in weights],
            "weight": list(weights.values()),
            "weight_share_pct": [v / total for v in weights.values()],
        }
    )


def notional_savings(positions_frame: pd.DataFrame) -> pd.DataFrame:
    """For services above the comparator median per head: what spending at the median would have
    cost. A question for review, not a target."""
    above = positions_frame[positions_frame["diff"] > 0].copy()
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
