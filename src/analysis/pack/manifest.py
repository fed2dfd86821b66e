"""What the manifest records of how a pack was built: the git state, package versions, inputs
(relative to the project, never an absolute machine path) and the authorities the benchmarking
could not match.
"""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from analysis.core import paths
from analysis.core.csvtext import read_csv_records

PACKAGES_REPORTED = (
    "council-finance-analysis",
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbclient",
    "jupyter-client",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "openpyxl",
    "xlsxwriter",
    "python-calamine",
    "filelock",
    "pydantic",
    "pyyaml",
    "jinja2",
)


def git_state() -> dict:
    root = paths.project_root()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {"commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


LOCK_FILE = "requirements.lock"


def environment_lock() -> dict[str, str | None]:
    """The lock file the environment is installed from (``make env``) and its SHA-256, so a
    pack says which pinned environment built it; None when the project has no lock file."""
    import hashlib

    path = paths.project_root() / LOCK_FILE
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = None
    return {"file": LOCK_FILE, "sha256": digest}


@lru_cache(maxsize=1)
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """Read once a process: a batch asks for every pack, and each look-up scans site-packages."""
    versions = [("python", sys.version.split()[0])]
    for name in PACKAGES_REPORTED:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return tuple(versions)


def package_versions() -> dict[str, str]:
    """The versions of Python and the reported packages (a new dict each call)."""
    return dict(_installed_versions())


def relative_input(path: str) -> str | None:
    """``path`` relative to the project (``data/raw/...``) or beside it (``../shared/...``);
    None when it is elsewhere on the machine."""
    p = Path(path)
    for base, label in ((paths.project_root(), ""), (paths.project_root().parent, "../")):
        try:
            return label + p.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def portable_path(path: str | Path) -> str:
    """A path as recorded in a pack: relative to the project where it can be (notebooks resolve
    relative paths against the project root), else as given."""
    return relative_input(str(Path(path).resolve())) or str(path)


def manifest_inputs(read: dict[str, str]) -> dict[str, str]:
    """Input -> SHA-256 for the manifest, with no absolute machine path: an input outside the
    project is recorded by its file name (its hash identifies it)."""
    out: dict[str, str] = {}
    for path, digest in read.items():
        key = relative_input(path) or f"(outside the project)/{Path(path).name}"
        while key in out:
            key += "'"
        out[key] = digest
    return out


def unmatched_authorities(tables_dir: Path) -> list[dict]:
    path = tables_dir / "benchmark_unmatched.csv"
    if not path.is_file():
        return []
    return read_csv_records(path)
