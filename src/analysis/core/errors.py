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


class EnvironmentFault(Exception):
    """The machine, not the inputs, stopped the run: a folder that is a file or cannot be
    written, a full disk, a link where the pack goes, another run holding the lock. The command
    line prints one line naming the path and what to do, and exits with status 3; the last good
    pack is left as it was and no partial file is left behind."""

    def __init__(self, path: str | Path, message: str):
        self.path, self.message = str(path), message
        super().__init__(f"{self.path}: {message}")

    @classmethod
    def from_os_error(cls, exc: OSError, fallback: str | Path) -> EnvironmentFault:
        """A one-line explanation of an operating-system error while writing the pack."""
        import errno

        path = exc.filename or fallback
        advice = {
            errno.ENOSPC: "the disk is full: free some space (or use --output-dir on another disk)",
            errno.EDQUOT: "the disk quota is used up: free some space",
            errno.EACCES: "cannot write here (no permission): fix the folder's permissions or "
            "use --output-dir",
            errno.EPERM: "cannot write here (not permitted): use --output-dir",
            errno.EROFS: "the disk is read-only: use --output-dir on a writable disk",
            errno.ENOTDIR: "a file is in the way where a folder should be: move it, or use "
            "--output-dir",
            errno.EEXIST: "a file is in the way where a folder should be: move it, or use "
            "--output-dir",
            errno.EISDIR: "a folder is in the way where a file should be",
        }.get(exc.errno, f"{exc.strerror or exc}: check the folder, or use --output-dir")
        return cls(display_path(path), advice)
