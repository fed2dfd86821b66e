"""One cache for tables derived from input files, keyed on SHA-256s.

A derived table (a published file parsed into tidy rows, a national table computed from the
panel) is looked up in this process's memory, then on disk, and built only when neither has it.
Its key is the SHA-256 of what is derived (``kind``), the name and SHA-256 of each input file,
any parameters (a year), and a fingerprint of the code that derives it. A changed file, year or
line of that code is a new key: nothing is ever invalidated by date.

On disk the tables are Parquet files in ``data/processed/cache/``, shared by every process: each
notebook of a pack runs in a fresh kernel, and a batch runs hundreds, so a table is parsed or
computed once per input and code, not once per kernel. Files are written to a temporary name and
moved into place, so a reader never sees half a file; one that cannot be read is built again. A
table whose Parquet round trip would change it (a column of mixed Python objects) is kept in
memory only, and a folder that cannot be written leaves the cache in memory only: neither is an
error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.provenance import sha256_of

FORMAT = "1"  # the cache's own layout; a change here rebuilds every table
MEMORY_TABLES = 64  # tables kept in this process (least recently used dropped first)
DISK_TABLES = 2_000  # files kept on disk (the least recently written removed first)

log = logging.getLogger(__name__)

_MEMORY: OrderedDict[str, pd.DataFrame] = OrderedDict()


def cache_dir() -> Path:
    """``data/processed/cache/`` of the project."""
    return paths.processed_dir() / "cache"


@lru_cache(maxsize=32)
def code_fingerprint(*packages: str) -> str:
    """SHA-256 of the source of ``packages`` (sub-packages of ``analysis``, e.g.
    ``"public_data"``): every ``.py``, ``.csv`` and ``.yaml`` file's name and bytes."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(FORMAT.encode())
    for package in sorted(packages):
        folder = root / package
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".csv", ".yaml"} and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def table_key(kind: str, inputs: Iterable[str | Path], code: str, params: Sequence = ()) -> str:
    """The key of a derived table: SHA-256 of its kind, inputs (name and SHA-256), code and
    parameters (JSON-serialisable)."""
    files = [(Path(p).name, sha256_of(p)) for p in inputs]
    blob = json.dumps([FORMAT, kind, files, code, list(params)], default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _remember(key: str, frame: pd.DataFrame) -> None:
    _MEMORY[key] = frame
    _MEMORY.move_to_end(key)
    while len(_MEMORY) > MEMORY_TABLES:
        _MEMORY.popitem(last=False)


def _read(target: Path) -> pd.DataFrame | None:
    if not target.is_file():
        return None
    try:
        return pd.read_parquet(target)
    except Exception as exc:  # a damaged or foreign file is rebuilt, never trusted
        log.warning("%s cannot be read (%s): building it again", target.name, exc)
        return None


def _write(target: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` to ``target`` when it reads back equal; otherwise keep it in memory only."""
    tmp = target.with_name(f"{target.stem}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(tmp, index=True)
        back = pd.read_parquet(tmp)
        pd.testing.assert_frame_equal(back, frame)
        if back.attrs != frame.attrs:  # which assert_frame_equal does not compare
            raise ValueError("its attrs do not survive the round trip")
        os.replace(tmp, target)
    except Exception as exc:  # not representable in Parquet, or the folder is read-only
        log.debug("%s kept in memory only: %s", target.name, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the folder itself is not there to hold it
            pass
        return
    _prune(target.parent)


def _prune(folder: Path) -> None:
    """Keep at most :data:`DISK_TABLES` files (tests and edits make new keys; old ones go)."""
    try:
        files = [e for e in os.scandir(folder) if e.name.endswith(".parquet")]
        if len(files) <= DISK_TABLES:
            return
        files.sort(key=lambda e: e.stat().st_mtime)
        for entry in files[: len(files) - DISK_TABLES]:
            Path(entry.path).unlink(missing_ok=True)
    except OSError:  # another process pruned first
        return


def derived(
    kind: str,
    inputs: Iterable[str | Path],
    build: Callable[[], pd.DataFrame],
    *,
    code: str,
    params: Sequence = (),
) -> pd.DataFrame:
    """The table ``build()`` gives for these inputs, code and parameters: from memory, else from
    disk, else built (and stored). Always a copy the caller may change (pandas' copy-on-write:
    a shallow copy whose changes never reach the cache)."""
    key = table_key(kind, inputs, code, params)
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key].copy(deep=False)
    target = cache_dir() / f"{kind}-{key[:32]}.parquet"
    frame = _read(target)
    if frame is None:
        frame = build()
        _write(target, frame)
    _remember(key, frame)
    return frame.copy(deep=False)


def clear_memory() -> None:
    """Forget the tables held in this process (the files on disk stay)."""
    _MEMORY.clear()
