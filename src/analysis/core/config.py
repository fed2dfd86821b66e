"""Where things are, and what a council is.

Paths come from here, never from a notebook's working directory. ``council.yaml`` in
``data/raw/<council>/`` describes one council; its core keys are validated here and its
``savings`` and ``benchmark`` sections by the modules that use them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.core import paths
from analysis.core.errors import InputError, Problem, display_path, listing
from analysis.core.paths import available_councils, council_dir, council_name_problem
from analysis.core.provenance import record_input

MAX_YAML_BYTES = 1_000_000  # a council's YAML is a few KB; anything this big is not one
MAX_YAML_NODES = 100_000  # values once aliases are expanded: stops an "alias bomb"
MAX_DIRECTORATES = 100  # a council reports by 4 to 12; every check lists them
MAX_ABS_NUMBER = 1e15  # larger than any council figure in £k; beyond it sums lose precision


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's parser where PyYAML has it: about five times faster),
    refusing duplicate keys and reading ``1e6`` as a number."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: the base class says so
                    continue
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key '{key}' appears twice (first on line {first.start_mark.line + 1}): "
                        "keep one",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads 1e6 and 1.5E+3 without a dot as text; a user means a number.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _expanded_size(node, memo: dict[int, int]) -> int:
    """Values in ``node`` once every alias is expanded, counted without expanding anything."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive alias counts once and ends the walk
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[id(node)] = min(size, MAX_YAML_NODES + 1)
    return memo[id(node)]


def _bad_numbers(data: Any, key: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) of every number that is NaN, infinite or too large to be a figure."""
    if isinstance(data, dict):
        return [
            found
            for k, v in data.items()
            for found in _bad_numbers(v, f"{key}.{k}" if key else str(k))
        ]
    if isinstance(data, list):
        return [
            found
            for i, v in enumerate(data)
            for found in _bad_numbers(v, f"{key}.{i}" if key else str(i))
        ]
    if isinstance(data, bool) or not isinstance(data, int | float):
        return []
    if isinstance(data, float) and not math.isfinite(data):
        return [(key, data)]
    if abs(data) > MAX_ABS_NUMBER:
        return [(key, data)]
    return []


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file safely, turning every fault into an :class:`InputError` naming the file.

    Refused, with the line or key: syntax errors, duplicate keys, files over
    :data:`MAX_YAML_BYTES`, aliases expanding to more than :data:`MAX_YAML_NODES` values (the
    message never expands them), text that is not UTF-8, and numbers that are NaN, infinite or
    beyond :data:`MAX_ABS_NUMBER`.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise InputError.single(shown, "file not found")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise InputError.single(
            shown, f"the file is {size:,} bytes; a settings file is at most {MAX_YAML_BYTES:,}"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.single(
            shown,
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
            row=line,
        ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_YAML_NODES:
            raise InputError.single(
                shown,
                f"more than {MAX_YAML_NODES:,} values once its aliases (*name) are expanded: "
                "write the values out, or use fewer aliases",
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(shown, exc)]) from None
    finally:
        loader.dispose()
    bad = _bad_numbers(data)
    if bad:
        raise InputError(
            Problem(
                shown,
                f"{value!r} is not a usable number: write a finite figure "
                f"(at most {MAX_ABS_NUMBER:,.0f} in size)",
                key=key or None,
            )
            for key, value in bad
        )
    record_input(path)
    return data


def _syntax_problem(shown: str, exc: yaml.YAMLError) -> Problem:
    """A YAML error as one Problem: the line where the fault is, and where it began if elsewhere."""
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    message = f"not valid YAML: {problem}"
    if getattr(exc, "context", None):
        message += f" ({exc.context}"
        if context is not None and (mark is None or context.line != mark.line):
            message += f" that starts on line {context.line + 1}"
        message += ")"
    if isinstance(exc, yaml.constructor.ConstructorError) and problem.startswith("key '"):
        message = problem
    # An unclosed quote or bracket is noticed lines later, at the end of the file or the next
    # key: the line to fix is where it was opened.
    where = context if context is not None and "scanning" in (exc.context or "") else mark
    if where is not mark and mark is not None:
        message = f"{message}; noticed on line {mark.line + 1}"
    return Problem(shown, message, row=where.line + 1 if where is not None else None)


def validation_problems(file: str, error: ValidationError, prefix: str = "") -> list[Problem]:
    """One :class:`Problem` per pydantic error, keyed by the dotted YAML key."""
    problems = []
    for err in error.errors():
        key = ".".join(str(part) for part in err["loc"])
        if prefix:
            key = f"{prefix}.{key}" if key else prefix
        found = err.get("input")
        message = err["msg"]
        if (
            err["type"] not in {"missing"}
            and not isinstance(found, dict | list)
            and "(found " not in message
        ):
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
    directorates: list[str] = Field(min_length=1, max_length=MAX_DIRECTORATES)
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

    @model_validator(mode="after")
    def distinct_directorates(self) -> Council:
        seen: set[str] = set()
        twice = [d for d in self.directorates if d.casefold() in seen or seen.add(d.casefold())]
        if twice:
            raise ValueError(
                f"directorates: {listing(dict.fromkeys(twice), sep='; ')} listed more than once"
            )
        return self


SCENARIO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # a folder name, never a path


def scenario_name_problem(scenario: str) -> str | None:
    """Why ``scenario`` cannot name a scenario (its pack is published in a folder of that name),
    or None when it can. ``validate`` and ``run`` both ask this."""
    if isinstance(scenario, str) and SCENARIO_NAME.match(scenario):
        return None
    return f"'{scenario}' is not a name: use letters, digits, hyphens and underscores"


def load_council(council: str) -> Council:
    """Load and validate ``data/raw/<council>/council.yaml``."""
    problem = council_name_problem(council)
    if problem:
        raise InputError.single("--council", problem)
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
    # A batch's generated folder of the same name is the one data/raw/ shadows, not a copy.
    generated = paths.generated_councils_dir().resolve()
    others = [
        p
        for p in folders_with_code(model.ons_code)
        if p.resolve() != folder.resolve()
        and not (p.name == council and p.resolve().parent == generated)
    ]
    if others:
        raise InputError.single(
            display_path(path),
            f"{model.ons_code} is also the ons_code of {listing(display_path(p) for p in others)}: "
            "one council has one folder (a copied folder keeps the original's code: give the "
            "copy its own council's code and name, or remove one)",
            key="ons_code",
        )
    return model.model_copy(update={"slug": council, "folder": folder})


_ONS_LINE = re.compile(rb"^[ \t]*ons_code[ \t]*:[ \t]*[\"']?(E\d{8})\b", re.MULTILINE)
_CODES: dict[Path, tuple[int, str | None]] = {}  # council.yaml -> (mtime_ns, its ons_code)


def folders_with_code(ons_code: str) -> list[Path]:
    """Every council folder, in ``data/raw/`` and those a batch generated, whose council.yaml
    gives ``ons_code`` (read from each file's ``ons_code:`` line; remembered per file until it
    changes)."""
    found = []
    for root in (paths.raw_dir(), paths.generated_councils_dir()):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            path = folder / "council.yaml"
            try:
                stat = path.stat()
            except OSError:
                continue
            known = _CODES.get(path)
            if known is None or known[0] != stat.st_mtime_ns:
                try:
                    with open(path, "rb") as handle:
                        match = _ONS_LINE.search(handle.read(MAX_YAML_BYTES))
                except OSError:
                    continue
                known = (stat.st_mtime_ns, match.group(1).decode() if match else None)
                _CODES[path] = known
            if known[1] == ons_code:
                found.append(folder)
    return found
