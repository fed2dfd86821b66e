"""The council's productivity plan figures, ``data/raw/<council>/productivity.yaml`` (optional):
spend on agency staff, consultants and the like as a share of the total staff budget, as the
council reports it in its productivity plan (DLUHC asked every council for one in 2024). The
MTFP notebook saves them as ``mtfp_productivity`` for the summary's productivity section.

    year: 2024-25
    source: Example Council, Productivity Plan, Cabinet 9 July 2024, para 2.6
    share_of_staff_budget:        # fractions: 0.0035 is 0.35%
      Agency staff: 0.0035
      Consultants: 0.0096
    staff_budget_gbp_k: 131500    # optional: the total staff budget, £ thousand

Shares are fractions of the total staff budget; with ``staff_budget_gbp_k`` the table also gives
the spend in £k.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis.core.config import Council, load_yaml, parse_model
from analysis.core.errors import InputError, Problem, display_path
from analysis.core.periods import parse_year, year_label

FILE_NAME = "productivity.yaml"
COLUMNS = ["year", "item", "share_of_staff_budget_fraction", "spend_gbp_k", "source"]


class Productivity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: str
    source: str = Field(min_length=1)
    share_of_staff_budget: dict[str, float] = Field(min_length=1)
    staff_budget_gbp_k: float | None = Field(default=None, gt=0)

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value) -> str:
        try:
            return year_label(parse_year(str(value)))
        except ValueError as exc:
            raise ValueError(str(exc)) from None


def load_productivity(council: Council) -> pd.DataFrame | None:
    """The productivity figures as a tidy table (:data:`COLUMNS`), or None when the council has
    no ``productivity.yaml``. Every problem is an InputError naming the key."""
    path = council.folder / FILE_NAME
    if not path.is_file():
        return None
    file = display_path(path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError.single(file, "expected a mapping of keys to values")
    model = parse_model(Productivity, data, file)
    problems = [
        Problem(
            file,
            f"expected a share between 0 and 1 of the staff budget, e.g. 0.0035 for 0.35% "
            f"(found {share!r}; did you type a percentage?)",
            key=f"share_of_staff_budget.{item}",
        )
        for item, share in model.share_of_staff_budget.items()
        if not 0 <= share <= 1
    ]
    if not problems and sum(model.share_of_staff_budget.values()) > 1:
        problems.append(
            Problem(
                file,
                "the shares add up to more than the whole staff budget",
                key="share_of_staff_budget",
            )
        )
    if problems:
        raise InputError(problems)
    budget = model.staff_budget_gbp_k
    return pd.DataFrame(
        [
            {
                "year": model.year,
                "item": item,
                "share_of_staff_budget_fraction": share,
                "spend_gbp_k": share * budget if budget is not None else None,
                "source": model.source,
            }
            for item, share in model.share_of_staff_budget.items()
        ],
        columns=COLUMNS,
    )
