"""The MTFP assumptions file ``data/raw/<council>/mtfp.yaml``: reading, checking, scenarios.

Every assumption that changes over the plan may be written either as one number (the same in
every year) or as a mapping from financial year to number::

    pay_award_pct: 0.02                          # 2% in every year
    pay_award_pct: {2021-22: 0.0175, 2022-23: 0.03, 2023-24: 0.02, 2024-25: 0.02, 2025-26: 0.02}

Rates (keys ending ``_pct``) are fractions: ``0.02`` means 2%. Money is in £ thousand
(``_gbp_k``) unless the key says ``_gbp`` (pounds, e.g. Band D).

Named scenarios override any assumption by its dotted key path::

    scenarios:
      pessimistic:
        pay_award_pct: 0.03
        council_tax.tax_base_growth_pct.2024-25: 0.0

A path must name an assumption that exists (so a typo is an error, not a silent no-op); the last
part may be a year where the assumption is a single number. A scenario's ``title:`` (text) is
how the pages name it ("Pay shock" rather than ``pay_shock``); it overrides nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from analysis.core.config import Council, load_yaml, parse_model
from analysis.core.errors import InputError, Problem, display_path
from analysis.core.periods import parse_year, year_label
from analysis.core.scenarios import TITLE_KEY
from analysis.mtfp.schema import (
    FILE_NAME,
    MTFPAssumptions,
    per_year,
)


def _yearly_values(m: MTFPAssumptions) -> Iterator[tuple[str, Any]]:
    yield "pay_award_pct", m.pay_award_pct
    yield "price_inflation_pct", m.price_inflation_pct
    for name, value in m.demand_growth_pct.items():
        yield f"demand_growth_pct.{name}", value
    yield "capital_financing_gbp_k", m.capital_financing_gbp_k
    yield "contingency_gbp_k", m.contingency_gbp_k
    yield "collection_fund_gbp_k", m.collection_fund_gbp_k
    for key in (
        "tax_base_growth_pct",
        "core_increase_pct",
        "asc_precept_increase_pct",
        "referendum_limit_core_pct",
        "referendum_limit_asc_pct",
    ):
        yield f"council_tax.{key}", getattr(m.council_tax, key)
    yield "business_rates.growth_pct", m.business_rates.growth_pct
    for name, grant in m.grants.items():
        yield f"grants.{name}.growth_pct", grant.growth_pct
    yield "savings_delivery.later_years_rate", m.savings_delivery.later_years_rate
    yield "reserves.general_fund_contributions_gbp_k", m.reserves.general_fund_contributions_gbp_k
    yield "reserves.earmarked_contributions_gbp_k", m.reserves.earmarked_contributions_gbp_k
    dsg = m.dsg_high_needs
    for key in (
        "plan_growth_pct",
        "unit_cost_inflation_pct",
        "other_spend_gbp_k",
        "grant_growth_pct",
    ):
        yield f"dsg_high_needs.{key}", getattr(dsg, key)
    for name, placement in dsg.placements.items():
        yield f"dsg_high_needs.placements.{name}.share", placement.share
    mit = dsg.mitigation
    for key in ("plan_growth_pct", "unit_cost_inflation_pct", "other_spend_gbp_k"):
        if getattr(mit, key) is not None:
            yield f"dsg_high_needs.mitigation.{key}", getattr(mit, key)
    for name, share in (mit.placement_shares or {}).items():
        yield f"dsg_high_needs.mitigation.placement_shares.{name}", share


def monte_carlo_keys(m: MTFPAssumptions) -> list[str]:
    """The assumptions a Monte Carlo distribution may be given for."""
    keys = ["pay_award_pct", "price_inflation_pct", "demand_growth_pct"]
    keys += [f"demand_growth_pct.{d}" for d in m.directorates]
    keys += ["council_tax.tax_base_growth_pct", "council_tax.core_increase_pct"]
    keys += ["business_rates.growth_pct"]
    keys += [f"grants.{g}.growth_pct" for g in m.grants]
    keys += ["savings_delivery_rate"]
    return keys


def check_assumptions(
    m: MTFPAssumptions, council: Council | None, file: str, prefix: str = ""
) -> list[Problem]:
    """Problems pydantic cannot see: missing years, unknown directorates, shares not adding up."""
    problems: list[Problem] = []

    def add(key: str, message: str) -> None:
        problems.append(Problem(file, message, key=f"{prefix}.{key}" if prefix else key))

    labels = m.year_labels
    span = f"{labels[0]} to {labels[-1]}"
    for key, value in _yearly_values(m):
        if isinstance(value, dict):
            missing = [y for y in labels if y not in value]
            extra = [y for y in value if y not in labels]
            if missing:
                add(
                    key,
                    f"no value for {', '.join(missing)} (give every year {span}, or one number)",
                )
            if extra:
                add(key, f"{', '.join(extra)} is outside the plan ({span})")

    if council is not None:
        expected = list(council.directorates)
        listed = "; ".join(expected)
        for section in ("base_budget", "demand_growth_pct"):
            given = getattr(m, section)
            for name in expected:
                if name not in given:
                    add(section, f"missing directorate '{name}' (council.yaml lists: {listed})")
            for name in given:
                if name not in expected:
                    add(
                        f"{section}.{name}",
                        f"'{name}' is not a directorate in council.yaml (it lists: {listed})",
                    )
    else:
        expected = m.directorates
    for i, saving in enumerate(m.planned_savings):
        if saving.directorate not in expected:
            add(
                f"planned_savings.{i}.directorate",
                f"'{saving.directorate}' is not a directorate ({'; '.join(expected)})",
            )
        if saving.type not in m.saving_types:
            add(
                f"planned_savings.{i}.type",
                f"'{saving.type}' is not one of saving_types ({', '.join(m.saving_types)})",
            )
        extra = [y for y in saving.by_year_gbp_k if y not in labels]
        if extra:
            add(
                f"planned_savings.{i}.by_year_gbp_k",
                f"{', '.join(extra)} is outside the plan ({span})",
            )

    for source, target in m.council_tax.asc_precept_carry_forward.items():
        outside = [y for y in (source, target) if y not in labels]
        if outside:
            add(
                "council_tax.asc_precept_carry_forward",
                f"{', '.join(outside)} is outside the plan ({span})",
            )

    dsg = m.dsg_high_needs
    mit = dsg.mitigation
    types = list(dsg.placements)
    for section, names in (
        ("placement_shares", mit.placement_shares),
        ("unit_costs_gbp", mit.unit_costs_gbp),
    ):
        for name in names or {}:
            if name not in dsg.placements:
                add(
                    f"dsg_high_needs.mitigation.{section}.{name}",
                    f"'{name}' is not a placement type ({', '.join(types)})",
                )
    if not problems:
        years = m.years
        base_shares = {t: per_year(p.share, years) for t, p in dsg.placements.items()}
        for where, shares in (
            ("placements", base_shares),
            (
                "mitigation.placement_shares",
                {
                    **base_shares,
                    **{t: per_year(s, years) for t, s in (mit.placement_shares or {}).items()},
                },
            ),
        ):
            total = sum(shares.values())
            for label, value in zip(labels, total, strict=True):
                if abs(value - 1.0) > 1e-6:
                    add(
                        f"dsg_high_needs.{where}",
                        f"placement shares add up to {value:.4f} in {label}, not 1",
                    )

    allowed = monte_carlo_keys(m)
    for key in m.monte_carlo.distributions:
        if key not in allowed:
            add(
                f"monte_carlo.distributions.{key}",
                f"no such uncertain assumption (choose from: {', '.join(allowed)})",
            )
    return problems


def _validate(data: dict, council: Council | None, file: str, prefix: str = "") -> MTFPAssumptions:
    model = parse_model(MTFPAssumptions, data, file, prefix)
    problems = check_assumptions(model, council, file, prefix)
    if problems:
        raise InputError(problems)
    model._file = file
    return model


def set_key_path(data: dict, path: str, value: Any, years: list[str] | None = None) -> None:
    """Set ``value`` at the dotted ``path`` in ``data``; raise KeyError naming the bad part.

    The last part may be a financial year where the assumption is one number: that number is
    first spread over ``years``.
    """
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(".".join(parts[: depth + 1]))
            index: Any = int(part)
        elif isinstance(node, dict):
            index = part
            if part not in node:
                try:
                    index = year_label(parse_year(part))
                except ValueError:
                    raise KeyError(".".join(parts[: depth + 1])) from None
                if index not in node:
                    raise KeyError(".".join(parts[: depth + 1]))
        else:
            raise KeyError(".".join(parts[: depth + 1]))
        if last:
            node[index] = value
            return
        child = node[index]
        if (
            isinstance(child, int | float)
            and not isinstance(child, bool)
            and years
            and depth == len(parts) - 2
        ):
            child = node[index] = dict.fromkeys(years, child)
        node = child


def _apply_overrides(
    base: dict, overrides: dict[str, Any], years: list[str], file: str, name: str
) -> dict:
    data = copy.deepcopy(base)
    problems = []
    for path, value in overrides.items():
        if path == TITLE_KEY:
            if not isinstance(value, str) or not value.strip():
                problems.append(
                    Problem(
                        file, "expected the scenario's title as text", key=f"scenarios.{name}.title"
                    )
                )
            continue
        try:
            set_key_path(data, str(path), copy.deepcopy(value), years)
        except KeyError as exc:
            problems.append(
                Problem(
                    file,
                    f"no assumption '{exc.args[0]}' to override (check the spelling of the key path)",
                    key=f"scenarios.{name}.{path}",
                )
            )
    if problems:
        raise InputError(problems)
    return data


def load_assumptions(council: Council) -> MTFPAssumptions:
    """Read and check ``data/raw/<council>/mtfp.yaml`` and every scenario in it."""
    path = council.folder / FILE_NAME
    file = display_path(path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError.single(file, "expected a mapping of keys to values")
    model = _validate(data, council, file)
    problems: list[Problem] = []
    for name in model.scenarios:
        if not isinstance(model.scenarios[name], dict):
            problems.append(
                Problem(file, "expected a mapping of key paths to values", key=f"scenarios.{name}")
            )
            continue
        try:
            _resolve(model, name, council)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return model


def _resolve(assumptions: MTFPAssumptions, name: str, council: Council | None) -> MTFPAssumptions:
    base = assumptions.model_dump(exclude={"scenarios"})
    data = _apply_overrides(
        base, assumptions.scenarios.get(name) or {}, assumptions.year_labels, assumptions.file, name
    )
    data["scenarios"] = assumptions.scenarios
    resolved = _validate(data, council, assumptions.file, prefix=f"scenarios.{name}")
    resolved._scenario = name
    return resolved


def resolve_scenario(
    assumptions: MTFPAssumptions, name: str, council: Council | None = None
) -> MTFPAssumptions:
    """The assumptions with scenario ``name``'s overrides applied (``base`` has none)."""
    known = assumptions.scenario_names()
    if name not in known:
        raise InputError.single(
            assumptions.file,
            f"unknown scenario '{name}' (known scenarios: {', '.join(known)})",
            key="scenarios",
        )
    return _resolve(assumptions, name, council)


def load_assumptions_from(
    data: dict, council: Council | None = None, file: str = FILE_NAME
) -> MTFPAssumptions:
    """Check assumptions given as a dict (for tests and for what-if work in a session)."""
    return _validate(data, council, file)
