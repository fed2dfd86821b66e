"""The MTFP's inputs checked before a pack runs: ``mtfp.yaml`` and every scenario in it, the
savings register's evidence the plan reads, the productivity figures, and every Monte Carlo
distribution against every scenario it will be drawn around.
"""

from __future__ import annotations

from pathlib import Path

from analysis.core.config import Council
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.mtfp.assumptions import load_assumptions, resolve_scenario
from analysis.mtfp.delivery import delivery_evidence
from analysis.mtfp.montecarlo import distribution_problems
from analysis.mtfp.productivity import load_productivity


def validate_inputs(
    council: Council, period: Period, scenario: str, public_data: Path | None
) -> str:
    """Load and check ``mtfp.yaml`` and the chosen scenario; a one-line summary."""
    assumptions = load_assumptions(council)
    resolve_scenario(assumptions, scenario, council)
    labels = assumptions.year_labels
    if period.year_label not in labels:
        raise InputError.single(
            assumptions.file,
            f"the period {period.label} is outside the plan ({labels[0]} to {labels[-1]})",
            key="base_year",
        )
    evidence = delivery_evidence(assumptions, council, period)
    problems = []
    for name in assumptions.scenario_names():
        plan = resolve_scenario(assumptions, name, council)
        problems += distribution_problems(plan, council, evidence)
    if problems:
        raise InputError(problems)
    register = f"; savings register {evidence.period_label} for {evidence.year}" if evidence else ""
    productivity = load_productivity(council)
    if productivity is not None:
        register += f"; productivity plan figures for {productivity['year'].iloc[0]}"
    return (
        f"MTFP assumptions: {len(assumptions.scenario_names())} scenarios over {labels[0]} to "
        f"{labels[-1]}{register}"
    )
