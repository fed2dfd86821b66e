"""The pack's notebooks: which exist, what each is called, which module checks its inputs, and the
order a reader meets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NotebookSpec:
    key: str
    filename: str
    title: str
    validates: str | None  # the module whose validate_inputs covers this notebook's inputs
    reads_pack: bool = False  # reads other notebooks' tables: runs after them


# Execution order: the analyses first, the longest first (they run side by side, the first
# ahead of the others: KernelPool.run), then the summary that reads their tables.
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


# A council with no MTFP or savings inputs of its own (one a batch generated from the published
# data, or a new folder with only council.yaml): what the published data alone can show.
PUBLIC_ONLY = ("benchmark", "summary")


def default_notebooks(council_folder: Path) -> tuple[str, ...] | None:
    """The notebooks a pack runs when none are named: all of them (None) where the council has
    MTFP assumptions or savings registers (a missing one is then reported by the checks), else
    :data:`PUBLIC_ONLY`."""
    folder = Path(council_folder)
    if (folder / "mtfp.yaml").is_file() or (folder / "savings").is_dir():
        return None
    return PUBLIC_ONLY


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
