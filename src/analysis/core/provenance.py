"""Which input files a run read, with their SHA-256, for the pack's manifest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

_READ: dict[str, str] = {}


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_input(path: str | Path) -> Path:
    """Note that ``path`` was read as an input; returns it unchanged for chaining."""
    p = Path(path)
    if p.is_file():
        _READ[str(p.resolve())] = sha256_of(p)
    return p


@dataclass(frozen=True)
class Prechecked:
    """An analysis module's inputs checked already (a batch checks the public files once for
    every council): the summary its ``validate_inputs`` would return, and the inputs it read
    (absolute path -> SHA-256) for the manifest."""

    summary: str
    inputs: dict[str, str] = field(default_factory=dict)


def record_known(inputs: dict[str, str]) -> None:
    """Note inputs read and hashed elsewhere (absolute path -> SHA-256), e.g. public files a
    batch checked once for all its packs."""
    _READ.update(inputs)


def inputs_read() -> dict[str, str]:
    """Absolute path -> SHA-256 of every input recorded so far, sorted by path."""
    return dict(sorted(_READ.items()))


def reset() -> None:
    _READ.clear()
