"""The kernels' socket files in Jupyter's runtime folder, and clearing those left behind.

A kernel talks to its run over IPC sockets: five files named after the process that started
it (``council-finance-<pid>-<id>-<n>``), beside its connection file
(``council-finance-<pid>-<id>.json``). A kernel shut down by its run takes them away; a run
that is killed, or a batch worker that its cluster stops, leaves them. Each new run removes the
files of processes that no longer exist.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path

PREFIX = "council-finance"
_NAME = re.compile(rf"^{PREFIX}-(\d+)-[0-9a-f]{{12}}(?:-\d+|\.json)$")


def socket_base(runtime: Path) -> str:
    """The path the kernel's socket files start with: this process's id and a fresh id."""
    return str(runtime / f"{PREFIX}-{os.getpid()}-{uuid.uuid4().hex[:12]}")


def connection_file(base: str) -> str:
    """The kernel's connection file, named as its sockets are (``<base>.json``)."""
    return f"{base}.json"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale(runtime: Path) -> int:
    """Remove the socket files of processes that are no longer running; how many went. Files
    of running processes, and any other file, are left alone."""
    removed = 0
    with contextlib.suppress(OSError):
        for path in runtime.iterdir():
            found = _NAME.match(path.name)
            if found and not _running(int(found.group(1))):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed
