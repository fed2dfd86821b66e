"""Which input files a run read, with their SHA-256, for the pack's manifest.

:func:`sha256_of` remembers each file's digest with the file's identity and state (device,
inode, size, modification and change times in nanoseconds), so a warm process hashes a file
again only when it has changed: a rewrite, even to the same size with the modification time put
back, moves the change time, which no program can set. File times tick coarsely (a few
milliseconds), so a digest is remembered only for a file unchanged for :data:`SETTLED_NS`
before it was hashed: a rewrite after that always shows a new change time (as git does for
"racily clean" files).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_READ: dict[str, str] = {}
# Absolute path -> (stat signature, digest); a few hundred input files at most.
_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}
_MAX_DIGESTS = 4096
SETTLED_NS = 1_000_000_000


def _signature(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _hash_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: str | Path) -> str:
    """The file's SHA-256 (hex), hashed again only when the file has changed since last asked."""
    key = os.path.abspath(path)
    before = _signature(os.stat(key))
    known = _DIGESTS.get(key)
    if known is not None and known[0] == before:
        return known[1]
    digest = _hash_file(key)
    # Not remembered: a file written while it was read (the digest may mix old and new), or
    # one changed so recently that a rewrite could still leave the same times.
    settled = time.time_ns() - max(before[3], before[4]) > SETTLED_NS
    if settled and _signature(os.stat(key)) == before:
        if len(_DIGESTS) >= _MAX_DIGESTS:
            _DIGESTS.clear()
        _DIGESTS[key] = (before, digest)
    return digest


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
