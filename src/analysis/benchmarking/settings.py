"""The council's benchmarking settings (``benchmark:`` in ``council.yaml``): comparator method,
years, priority weights, self-assessment scores, polarity overrides.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis.core.config import Council, parse_model
from analysis.core.errors import display_path

METHOD_TEXT = {
    "nearest_neighbours": "the published nearest-neighbour list",
    "computed": "nearest neighbours computed here from standardised variables",
    "list": "a list of comparators given in council.yaml",
    "class": "all authorities of the same class",
}


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spend: float = Field(default=0.25, ge=0)
    cost: float = Field(default=0.35, ge=0)
    performance: float = Field(default=0.25, ge=0)
    self_assessment: float = Field(default=0.15, ge=0)


class ReviewRules(BaseModel):
    """When a service is proposed for a value-for-money review (``benchmark.review``).

    On cost: at least ``cost_threshold`` (a fraction: 0.10 = 10%) above the comparator median
    and at least ``min_robust_score`` median absolute deviations above it (where the MAD is 0,
    the percentage alone), with at least ``min_comparators`` comparators with data, and above the
    median under every comparator set the data allow. On performance: below the comparator
    median on more scored measures than above. Either way, only a service whose net spend is at
    least ``min_share_of_spend`` of the council's net spend on the services compared.
    """

    model_config = ConfigDict(extra="forbid")
    cost_threshold: float = Field(default=0.10, ge=0)
    min_robust_score: float = Field(default=1.0, ge=0)
    min_share_of_spend: float = Field(default=0.0025, ge=0, le=1)
    min_comparators: int = Field(default=5, ge=1)


class BenchmarkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comparator_method: Literal["nearest_neighbours", "computed", "list", "class"] = (
        "nearest_neighbours"
    )
    comparators: list[str] = Field(default_factory=list)
    computed_variables: list[str] = Field(default_factory=lambda: ["population", "RS805_per_head"])
    k: int = Field(default=15, ge=1, le=100)
    panel: str = "benchmark"
    public_files: dict[Literal["rs", "population", "neighbours", "performance"], str] = Field(
        default_factory=dict
    )
    weights: Weights = Field(default_factory=Weights)
    review: ReviewRules = Field(default_factory=ReviewRules)
    self_assessment: dict[str, int] = Field(default_factory=dict)
    vfm_target_share: float = Field(default=0.75, ge=0, le=1)
    performance_services: dict[str, int] = Field(default_factory=lambda: {"ASC": 360})
    polarity_overrides: dict[str, Literal["higher_is_better", "lower_is_better"]] = Field(
        default_factory=dict
    )

    @field_validator("self_assessment")
    @classmethod
    def scores_1_to_4(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {k: v for k, v in value.items() if v not in (1, 2, 3, 4)}
        if bad:
            raise ValueError(f"self-assessment scores must be 1, 2, 3 or 4 (found {bad})")
        return value

    @field_validator("comparators")
    @classmethod
    def ons_codes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not re.match(r"^E\d{8}$", c)]
        if bad:
            raise ValueError(f"not ONS codes: {bad}")
        return value


def load_settings(council: Council) -> BenchmarkSettings:
    return parse_model(
        BenchmarkSettings,
        council.benchmark,
        display_path(council.folder / "council.yaml"),
        "benchmark",
    )
