"""Errors for a user's mistakes in their inputs.

Every loader raises :class:`InputError` with one :class:`Problem` per thing that is wrong, so a
user sees the whole list at once, each naming the file, the sheet, the row and the column (or the
YAML key), what was expected and what was found. The command line prints these without a
traceback and exits with status 2 before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    key: str | None = None

    def where(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.key is not None:
            parts.append(f"key '{self.key}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


class InputError(Exception):
    """One or more problems with the user's input files. Nothing has been written."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        self.summary = summary or (
            "1 problem in the input data"
            if len(self.problems) == 1
            else f"{len(self.problems)} problems in the input data"
        )
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.summary}:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def single(cls, file: str | Path, message: str, **where) -> InputError:
        return cls([Problem(file=str(file), message=message, **where)])


def display_path(path: str | Path) -> str:
    """A path as a user would recognise it: relative to the project root when inside it."""
    from analysis.core.paths import project_root

    p = Path(path).resolve()
    try:
        return str(p.relative_to(project_root()))
    except ValueError:
        return str(p)
