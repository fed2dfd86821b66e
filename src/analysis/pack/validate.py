"""Check every input a pack needs before any notebook runs.

Each analysis module exposes ``validate_inputs(council, period, scenario, public_data) -> str``
that loads (and so checks) everything it will read and returns a one-line summary, or raises
:class:`analysis.core.errors.InputError` listing every problem. Problems from all modules are
gathered into one error so the user sees them all at once.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from analysis.core import provenance
from analysis.core.config import Council, scenario_name_problem
from analysis.core.errors import EnvironmentFault, InputError, Problem
from analysis.core.periods import Period
from analysis.core.provenance import Prechecked

__all__ = ["CHECKED_MODULES", "Prechecked", "validate_all"]

# Module, in the order they are checked.
CHECKED_MODULES = ("analysis.mtfp", "analysis.savings", "analysis.benchmarking")


def validate_all(
    council: Council,
    period: Period,
    scenario: str,
    public_data: Path | None = None,
    modules: tuple[str, ...] = CHECKED_MODULES,
    prechecked: dict[str, Prechecked] | None = None,
) -> list[str]:
    """Validate the named modules' inputs; returns their summaries or raises one InputError.
    A module in ``prechecked`` is not checked again: its summary and inputs are taken as given."""
    problem = scenario_name_problem(scenario)  # checked by run and validate alike
    if problem:
        raise InputError.single("--scenario", problem)
    summaries: list[str] = []
    problems: list[Problem] = []
    prechecked = prechecked or {}
    for name in modules:
        if name in prechecked:
            summaries.append(prechecked[name].summary)
            provenance.record_known(prechecked[name].inputs)
            continue
        module = importlib.import_module(name)
        try:
            summaries.append(module.validate_inputs(council, period, scenario, public_data))
        except InputError as exc:
            problems.extend(exc.problems)
        except (MemoryError, KeyboardInterrupt, OSError, EnvironmentFault):
            raise  # the machine, not the inputs: the command line says so in one line
        except Exception as exc:  # a fault no check foresaw: still one line, exit 2
            problems.append(
                Problem(
                    f"the {name.rsplit('.', 1)[-1]} inputs",
                    f"could not be checked ({type(exc).__name__}: {str(exc)[:200]}): a file "
                    "is not in the form expected; please report this with the files",
                )
            )
    if problems:
        # Two modules that read the same file (the MTFP check reads the savings register for
        # its reconciliation) report its problems once.
        raise InputError(problems)
    return summaries
