"""Where things are, and what a council is.

Paths come from here, never from a notebook's working directory. ``council.yaml`` in
``data/raw/<council>/`` describes one council; its core keys are validated here and its
``savings`` and ``benchmark`` sections by the modules that use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.core.errors import InputError, Problem, display_path
from analysis.core.paths import available_councils, council_dir
from analysis.core.provenance import record_input


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file, turning syntax errors into an :class:`InputError` naming file and line."""
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise InputError.single(shown, "file not found")
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(shown, f"not valid YAML: {problem}", row=row)]) from None
    record_input(path)
    return data


def validation_problems(file: str, error: ValidationError, prefix: str = "") -> list[Problem]:
    """One :class:`Problem` per pydantic error, keyed by the dotted YAML key."""
    problems = []
    for err in error.errors():
        key = ".".join(str(part) for part in err["loc"])
        if prefix:
            key = f"{prefix}.{key}" if key else prefix
        found = err.get("input")
        message = err["msg"]
        if err["type"] not in {"missing"} and not isinstance(found, dict | list):
            message += f" (found {found!r})"
        problems.append(Problem(file, message, key=key or None))
    return problems


def parse_model(model: type[BaseModel], data: Any, file: str, prefix: str = "") -> Any:
    """Validate ``data`` against ``model``; every failure becomes a keyed :class:`Problem`."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise InputError(validation_problems(file, exc, prefix)) from None


# ---------------------------------------------------------------------------------------------
# council.yaml


class ReservePolicy(BaseModel):
    """The minimum prudent general fund balance, as a share of net budget or as an amount."""

    model_config = ConfigDict(extra="forbid")
    percent_of_net_budget: float | None = Field(default=None, gt=0, lt=100)
    amount_gbp_k: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def one_of(self) -> ReservePolicy:
        if (self.percent_of_net_budget is None) == (self.amount_gbp_k is None):
            raise ValueError("give exactly one of percent_of_net_budget or amount_gbp_k")
        return self

    def minimum_gbp_k(self, net_budget_gbp_k: float) -> float:
        if self.amount_gbp_k is not None:
            return self.amount_gbp_k
        return net_budget_gbp_k * self.percent_of_net_budget / 100.0

    def describe(self) -> str:
        if self.amount_gbp_k is not None:
            return f"£{self.amount_gbp_k / 1000:.1f}m"
        return f"{self.percent_of_net_budget:g}% of the net budget"


class Council(BaseModel):
    """The contents of ``data/raw/<council>/council.yaml``."""

    model_config = ConfigDict(extra="forbid")
    name: str
    short_name: str | None = None
    ons_code: str = Field(pattern=r"^E\d{8}$")
    e_code: str | None = Field(default=None, pattern=r"^E\d{4}$")
    authority_class: Literal["UA", "MD", "LB", "SC", "SD"]
    committee: str = "Cabinet"
    minimum_general_fund_reserve: ReservePolicy
    directorates: list[str] = Field(min_length=1)
    default_period: str | None = None
    data_notes: str | None = None
    savings: dict[str, Any] = Field(default_factory=dict)
    benchmark: dict[str, Any] = Field(default_factory=dict)

    # Filled in by load_council, not from YAML.
    slug: str = ""
    folder: Path = Path()

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


def load_council(council: str) -> Council:
    """Load and validate ``data/raw/<council>/council.yaml``."""
    folder = council_dir(council)
    path = folder / "council.yaml"
    if not folder.is_dir():
        known = ", ".join(available_councils()) or "none"
        raise InputError.single(
            display_path(folder), f"no such council folder (councils with data: {known})"
        )
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError.single(display_path(path), "expected a mapping of keys to values")
    for reserved in ("slug", "folder"):
        data.pop(reserved, None)
    model = parse_model(Council, data, display_path(path))
    return model.model_copy(update={"slug": council, "folder": folder})
