"""Errors for a user's mistakes in their inputs.

Every loader raises :class:`InputError` with one :class:`Problem` per thing that is wrong, so a
user sees the whole list at once, each naming the file, the sheet, the row and the column (or the
YAML key), what was expected and what was found. The command line prints these without a
traceback and exits with status 2 before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

MAX_PROBLEMS_PER_FILE = 50  # listed one by one; the rest of a file's are counted by kind
FOLD_AFTER = 3  # a message repeated on more rows or keys than this is stated once with a count
MAX_KINDS_PER_FILE = 20  # kinds of problem counted separately; the rest counted together


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    key: str | None = None
    more: int = 0  # a line that stands for this many problems not listed one by one
    repeats: int = 0  # further rows or keys this problem was found on (stated once)

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


_VARIABLE = re.compile(r"'[^']*'|\"[^\"]*\"|\(found [^)]*\)|[-+]?\d[\d,.]*")


def _kind(problem: Problem) -> tuple:
    """What a problem says, without the values it names: problems of one kind differ only in
    their row, key, quoted text and figures."""
    message = problem.message
    if problem.more and _SAME_KIND in message:  # a carried "and N more ... as: <example>" line
        message = message.split(_SAME_KIND, 1)[1]
    return (problem.file, problem.sheet, problem.column, _VARIABLE.sub("…", message)[:_EXAMPLE])


_SAME_KIND = " more of the same kind as: "
_EXAMPLE = 400  # characters of a message shown as the example of its kind


class Problems:
    """Problems gathered in bounded memory, however many are added.

    The first :data:`MAX_PROBLEMS_PER_FILE` of each file are kept; a problem saying exactly what
    :data:`FOLD_AFTER` kept ones say, about another row or key, is folded into the first of them
    (its message ends "(and N more rows like it)"); the rest are counted by kind and listed as
    "and N more of the same kind as: ...". ``len()`` is the number of problems added.
    """

    def __init__(self, problems: Iterable[Problem] = ()):
        self.kept: list[Problem] = []
        self.total = 0
        self._index: dict[tuple, int] = {}  # (file, sheet, column, message) -> first kept
        self._listed: dict[tuple, int] = {}  # (file, sheet, column, message) -> times kept
        self._seen: set[Problem] = set()
        self._repeats: dict[int, int] = {}  # kept position -> further rows or keys like it
        self._per_file: dict[str, int] = {}
        self._omitted: dict[str, dict[tuple, list]] = {}  # file -> kind -> [count, example]
        self.extend(problems)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.lines())

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def append(self, problem: Problem) -> None:
        if problem.more:
            self.total += problem.more
            self._omit(problem, problem.more)
            return
        self.total += 1 + problem.repeats
        if problem in self._seen:  # the same problem read twice is reported once
            self.total -= 1 + problem.repeats
            return
        same = (problem.file, problem.sheet, problem.column, _REPEATED.sub("", problem.message))
        at = self._index.get(same)
        full = self._per_file.get(problem.file, 0) >= MAX_PROBLEMS_PER_FILE
        if at is not None and (full or self._listed[same] >= FOLD_AFTER):
            self._repeats[at] = self._repeats.get(at, 0) + 1 + problem.repeats
            return
        if not full:
            self._per_file[problem.file] = self._per_file.get(problem.file, 0) + 1
            self._index.setdefault(same, len(self.kept))
            self._listed[same] = self._listed.get(same, 0) + 1
            self._seen.add(problem)
            self.kept.append(problem)
            return
        self._omit(problem, 1)

    def _omit(self, problem: Problem, count: int) -> None:
        kinds = self._omitted.setdefault(problem.file, {})
        if problem.more and _SAME_KIND not in problem.message:
            kind = (problem.file, None)  # a carried "and N more of other kinds" line
        else:
            kind = _kind(problem)
        if kind not in kinds and len(kinds) >= MAX_KINDS_PER_FILE:
            kind = (problem.file, None)
        entry = kinds.setdefault(kind, [0, problem])
        entry[0] += count

    def lines(self) -> list[Problem]:
        """The kept problems (each with how many more rows or keys it stands for), then per
        file a line for each kind of problem not listed."""
        out = []
        for at, problem in enumerate(self.kept):
            repeats = self._repeats.get(at)
            if repeats:
                where = "rows" if problem.row is not None else "keys" if problem.key else "times"
                base = _REPEATED.sub("", problem.message)
                repeats += problem.repeats
                problem = replace(
                    problem,
                    message=f"{base} (and {repeats:,} more {where} like it)",
                    repeats=repeats,
                )
            out.append(problem)
        for file, kinds in self._omitted.items():
            for kind, (count, example) in kinds.items():
                if kind[-1] is None:
                    out.append(Problem(file, f"and {count:,} more of other kinds", more=count))
                else:
                    out.append(
                        Problem(
                            file,
                            f"and {count:,}{_SAME_KIND}{_example(example)}",
                            sheet=example.sheet,
                            column=example.column,
                            more=count,
                        )
                    )
        return out


def _example(problem: Problem) -> str:
    if problem.more and _SAME_KIND in problem.message:
        return problem.message.split(_SAME_KIND, 1)[1]
    return problem.message[:_EXAMPLE]


_REPEATED = re.compile(r" \(and [\d,]+ more (?:rows|keys|times) like it\)$")


class InputError(Exception):
    """One or more problems with the user's input files. Nothing has been written.

    However many problems it is given, it keeps at most :data:`MAX_PROBLEMS_PER_FILE` of each
    file (see :class:`Problems`): ``problems`` lists those and a line for each kind of the rest,
    ``count`` says how many there were in all."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None):
        gathered = problems if isinstance(problems, Problems) else Problems(problems)
        self.problems = gathered.lines()
        self.count = gathered.total
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        self.summary = summary or (
            "1 problem in the input data"
            if self.count == 1
            else f"{self.count:,} problems in the input data"
        )
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.summary}:"]
        lines += [
            f"  - {p}" if not p.more else f"  - {p.where()}: {p.message}" for p in self.problems
        ]
        return "\n".join(lines)

    @classmethod
    def single(cls, file: str | Path, message: str, **where) -> InputError:
        return cls([Problem(file=str(file), message=message, **where)])


def listing(names: Iterable[str], limit: int = 20, sep: str = ", ") -> str:
    """Names for a message, at most ``limit`` of them: 'a, b, c and 9,997 more'."""
    names = list(names)
    shown = sep.join(str(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def display_path(path: str | Path) -> str:
    """A path as a user would recognise it: relative to the project root when inside it."""
    from analysis.core.paths import project_root

    p = Path(path).resolve()
    try:
        relative = p.relative_to(project_root())
    except ValueError:
        return str(p)
    return str(relative) if relative.parts else str(p)  # the root itself by its path, never "."


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
        working = _working_folder(path)
        if working is not None:
            return cls(display_path(path), _working_advice(exc, working))
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


def _working_folder(path: str | Path) -> str | None:
    """The project's working folder (``data/processed``: working tables, the panel cache,
    generated council folders) when ``path`` is in it or is it, else None."""
    from analysis.core.paths import processed_dir

    folder = processed_dir().resolve()
    target = Path(path).resolve()
    if target == folder or folder in target.parents:
        return display_path(folder)
    return None


def _working_advice(exc: OSError, folder: str) -> str:
    """What to do when the working folder cannot be written: ``--output-dir`` moves only the
    packs, and no setting moves this folder alone, so the advice is to make it writable."""
    import errno

    fix = f"{folder} holds the run's working files and --output-dir does not move it"
    return {
        errno.ENOSPC: f"the disk is full: free some space ({fix})",
        errno.EDQUOT: f"the disk quota is used up: free some space ({fix})",
        errno.EROFS: f"the disk is read-only: {fix}; run from a copy of the project on a "
        "writable disk",
        errno.ENOTDIR: f"a file is in the way where a folder should be: move it ({fix})",
        errno.EEXIST: f"a file is in the way where a folder should be: move it ({fix})",
        errno.EISDIR: f"a folder is in the way where a file should be: move it ({fix})",
    }.get(
        exc.errno,
        f"{exc.strerror or exc}: make {folder} writable (chmod -R u+w {folder}); {fix}",
    )
