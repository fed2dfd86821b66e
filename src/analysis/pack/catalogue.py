"""The pack's notebooks: which exist, what each is called, which module checks its inputs, and the
order a reader meets them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotebookSpec:
    key: str
    filename: str
    title: str
    validates: str | None  # the module whose validate_inputs covers this notebook's inputs
    reads_pack: bool = False  # reads other notebooks' tables: runs after them


# Execution order: the analyses first, then the summary that reads their tables.
NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec(
        "mtfp", "01_mtfp_scenarios.ipynb", "Medium Term Financial Plan scenarios", "analysis.mtfp"
    ),
    NotebookSpec("savings", "02_savings_delivery.ipynb", "Savings delivery", "analysis.savings"),
    NotebookSpec(
        "benchmark",
        "03_vfm_benchmarking.ipynb",
        "Value for money benchmarking",
        "analysis.benchmarking",
    ),
    NotebookSpec("summary", "00_summary.ipynb", "Quarterly finance summary", None, reads_pack=True),
)


# Reading order in the pack: the summary first.
READING_ORDER = ("summary", "mtfp", "savings", "benchmark")


def select_notebooks(keys: list[str] | None) -> list[NotebookSpec]:
    """The notebooks to run, in execution order; unknown keys are a usage error."""
    known = {spec.key: spec for spec in NOTEBOOKS}
    if not keys:
        return list(NOTEBOOKS)
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(
            f"unknown notebook(s) {', '.join(unknown)}: choose from {', '.join(known)}"
        )
    return [spec for spec in NOTEBOOKS if spec.key in keys]
