"""The project's kernel, and what running a notebook gives: its result, or the failure.

Each notebook runs on a fresh kernel forked for it (:mod:`analysis.pack.engine`) through
papermill.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.pack.catalogue import NotebookSpec

KERNEL_NAME = "council-finance"


DEFAULT_TIMEOUT_S = 600
START_TIMEOUT_S = 60  # seconds for a kernel to start and answer


class NotebookFailed(Exception):
    """A notebook raised during execution."""

    def __init__(
        self, spec: NotebookSpec, cell: int | None, error: str, executed: Path, ran: bool = False
    ):
        self.spec, self.cell, self.error, self.executed = spec, cell, error, executed
        if ran:  # every cell ran; what failed came after (its charts' files)
            super().__init__(f"notebook {spec.filename} ran, but {error}")
            return
        where = f"cell {cell}" if cell is not None else "an unknown cell"
        super().__init__(f"notebook {spec.filename} failed in {where}: {error}")


@dataclass
class NotebookResult:
    key: str
    notebook: str
    title: str
    status: str = "not run"
    duration_s: float = 0.0
    render_s: float = 0.0
    html: str | None = None
    error: str | None = None
    tables: list[str] = field(default_factory=list)


def ensure_kernel(kernel_name: str = KERNEL_NAME) -> str:
    """Make sure the project's kernel is registered for this Python; register it if not."""
    from jupyter_client.kernelspec import KernelSpecManager

    if kernel_name in KernelSpecManager().find_kernel_specs():
        return kernel_name
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            kernel_name,
            "--display-name",
            "Python (council-finance)",
        ],
        check=True,
        capture_output=True,
    )
    return kernel_name
