"""What a batch worker does for one council: build its pack on the worker's kernel pool (a fresh kernel a notebook).

Each worker process keeps one :class:`~analysis.pack.engine.KernelPool` per thread for its
life, so the kernel starts once and the library's caches of parsed public files stay warm from
one council to the next. A council whose pack is already published with the same key (its
inputs, the public data and the code unchanged) is skipped. A council that fails returns its
reason; it never stops the others.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.batch.councils import BatchCouncil
from analysis.core.errors import InputError
from analysis.pack.build import build_pack
from analysis.pack.engine import KernelPool
from analysis.pack.execute import ensure_kernel
from analysis.pack.manifest import portable_path
from analysis.pack.publish import reclaim_council
from analysis.pack.validate import Prechecked

_local = threading.local()
_pools: list[KernelPool] = []


# The benchmarking tables every council shares, read once in the pool's parent (before its
# first kernel is forked) for the council the batch names (:mod:`analysis.benchmarking.warm`).
WARM_CALL = "analysis.benchmarking.warm:warm"


def warm_call(council: str | None, public_data: str | None) -> tuple[str, list] | None:
    """The warm-up call for a council, with the public folder named as the pack's notebooks
    are given it (:func:`analysis.pack.manifest.portable_path`)."""
    if council is None or public_data is None:
        return None
    return WARM_CALL, [council, portable_path(public_data)]


def worker_pool(warm: tuple[str, list] | None = None) -> KernelPool:
    """This thread's kernel pool (started on first use with the warm-up call ``warm``, closed
    when the process ends)."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = KernelPool(1, ensure_kernel(), warm=warm)  # one kernel a worker at a time
        _local.pool = pool
        _pools.append(pool)
    return pool


def close_pools() -> None:
    while _pools:
        _pools.pop().close()
    _local.__dict__.clear()


atexit.register(close_pools)


@dataclass
class CouncilOutcome:
    slug: str
    name: str
    ons_code: str
    authority_class: str
    status: str  # "ok", "skipped" or "failed"
    period: str = ""
    pack: str = ""
    seconds: float = 0.0
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def published_key(output_root: Path, council: BatchCouncil) -> tuple[str | None, Path | None]:
    """The batch key and folder of the council's last good pack, if any."""
    folder = output_root / council.slug
    if not folder.is_dir():
        return None, None
    for manifest in sorted(folder.glob("*/manifest.json")):
        try:
            data = json.loads(manifest.read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if data.get("status") == "ok" and data.get("batch", {}).get("key"):
            return data["batch"]["key"], manifest.parent
    return None, None


def build_one(
    council: BatchCouncil,
    key: str,
    output_root: str,
    public_data: str | None,
    force: bool,
    prechecked: dict[str, Prechecked] | None = None,
    warm_council: str | None = None,
) -> dict:
    """Build (or skip) one council's pack; returns a :class:`CouncilOutcome` as a dict.
    ``prechecked``: inputs the batch checked once for every council (the public files);
    ``warm_council``: a council whose benchmarking reads the tables most councils share (the
    worker's kernel parent reads them once, when the worker starts)."""
    started = time.perf_counter()
    root = Path(output_root)
    outcome = CouncilOutcome(
        council.slug, council.name, council.ons_code, council.authority_class, "failed"
    )
    if not force:
        previous, folder = published_key(root, council)
        if previous == key and folder is not None:
            outcome.status, outcome.pack, outcome.period = "skipped", str(folder), folder.name
            reclaim_council(root, council.slug)  # a killed --force build's scratch folder
            return outcome.as_dict()
    try:
        result = build_pack(
            council.slug,
            period=council.period,
            notebooks=list(council.notebooks),
            output_root=root,
            public_data=Path(public_data) if public_data else None,
            pool=worker_pool(warm_call(warm_council, public_data)),
            manifest_extra={"batch": {"key": key}},
            prechecked=prechecked,
        )
    except InputError as exc:
        outcome.reason = str(exc)
    except Exception as exc:  # one council's fault must not stop the batch
        outcome.reason = f"{type(exc).__name__}: {exc}"
    else:
        outcome.period = result.period
        if result.ok:
            outcome.status, outcome.pack = "ok", str(result.directory)
        else:
            outcome.reason = result.message.splitlines()[0]
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome.as_dict()
