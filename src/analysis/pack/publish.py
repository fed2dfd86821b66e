"""Where a pack is published, and publishing it so that nothing is lost or left behind.

- The committee pack (scenario ``base``) is ``<output-root>/<council>/<period>/``; a run of
  another scenario publishes to ``<output-root>/<council>/scenarios/<scenario>/<period>/``, so it
  never replaces the committee pack. Every write stays under the output root.
- A run takes a lock per council and period (``<output-root>/.locks/``, with ``filelock``); a
  second run waits for it, saying whose it is, and gives up with an environment fault after
  ``wait_s`` seconds. The operating system drops the lock of a run that is killed.
- Holding the lock, a run reclaims what a killed run left: scratch ``.building-*`` folders and a
  good pack stranded in ``.previous-*`` between the two renames of a publish.
- A subset run (``--notebooks``) never replaces a pack holding notebooks it does not run, unless
  asked to (``--replace``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import EnvironmentFault, InputError, display_path
from analysis.core.periods import Period

BASE_SCENARIO = "base"
_SCENARIO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # a folder name, never a path
DEFAULT_LOCK_WAIT_S = 600


def pack_directory(output_root: Path, council: str, period: Period, scenario: str) -> Path:
    """The folder a pack is published to; refuses anything that would land outside the root."""
    if not paths.is_slug(council):
        raise InputError.single(
            "--council", f"'{council}' is not a name: use lower-case letters, digits and hyphens"
        )
    if not _SCENARIO.match(scenario):
        raise InputError.single(
            "--scenario",
            f"'{scenario}' is not a name: use letters, digits, hyphens and underscores",
        )
    base = output_root / council
    folder = (
        base / str(period)
        if scenario == BASE_SCENARIO
        else base / "scenarios" / scenario / str(period)
    )
    if folder.is_symlink():
        raise EnvironmentFault(
            display_path(folder),
            "is a link: a pack is published by renaming folders, so it must be a real folder "
            "(remove the link, or use --output-dir)",
        )
    if not paths.is_within(folder.parent, output_root):
        raise EnvironmentFault(
            display_path(folder.parent),
            "leads outside the output folder (a link?): remove the link, or use --output-dir",
        )
    return folder


def prepare_root(output_root: Path, destination: Path) -> None:
    """Create the folders above the pack, as an environment fault when that cannot be done."""
    if output_root.exists() and not output_root.is_dir():
        raise EnvironmentFault(
            display_path(output_root), "is a file, not a folder: move it, or use --output-dir"
        )
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        probe = destination.parent / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise EnvironmentFault.from_os_error(exc, destination.parent) from None


def _owner_file(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + ".owner")


def _describe_owner(lock_path: Path) -> str:
    try:
        owner = json.loads(_owner_file(lock_path).read_text("utf-8"))
        return f"the run by process {owner['pid']} on {owner['host']}, started {owner['started']}"
    except (OSError, ValueError, KeyError):
        return "another run"


@contextlib.contextmanager
def pack_lock(
    output_root: Path,
    council: str,
    period: Period,
    wait_s: float = DEFAULT_LOCK_WAIT_S,
    progress: Callable[[str], None] = lambda message: None,
) -> Iterator[None]:
    """Hold the lock for one council and period while a pack is built and published."""
    from filelock import FileLock, Timeout

    folder = output_root / ".locks"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentFault.from_os_error(exc, folder) from None
    lock_path = folder / f"{council}-{period}.lock"
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        progress(f"  waiting  for {_describe_owner(lock_path)} to finish {council} {period}")
        try:
            lock.acquire(timeout=max(wait_s, 0))
        except Timeout:
            raise EnvironmentFault(
                display_path(lock_path),
                f"{_describe_owner(lock_path)} is still building {council} {period} after "
                f"{wait_s:g} s: let it finish, then run again (or give --wait longer)",
            ) from None
    except OSError as exc:
        raise EnvironmentFault.from_os_error(exc, lock_path) from None
    try:
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            "command": " ".join(os.path.basename(a) for a in sys.argv[:1]) + " run",
        }
        with contextlib.suppress(OSError):
            _owner_file(lock_path).write_text(json.dumps(owner), "utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            _owner_file(lock_path).unlink()
        lock.release()


def scratch_folder(destination: Path) -> Path:
    return destination.parent / f".building-{destination.name}-{os.getpid()}"


def reclaim(destination: Path) -> list[str]:
    """Put back a good pack stranded by a killed publish and remove killed runs' scratch
    folders. Call while holding the lock. Returns what was done, for the progress log."""
    done = []
    parent = destination.parent
    if not parent.is_dir():
        return done
    stranded = sorted(parent.glob(f".previous-{destination.name}-*"))
    if stranded and not destination.exists():
        stranded[-1].rename(destination)
        done.append(f"restored the last good pack from {stranded[-1].name}")
        stranded = stranded[:-1]
    for leftover in [*stranded, *parent.glob(f".building-{destination.name}-*")]:
        shutil.rmtree(leftover, ignore_errors=True)
        done.append(f"removed {leftover.name} left by an interrupted run")
    return done


def reclaim_council(output_root: Path, council: str) -> list[str]:
    """After a batch is stopped (its workers ended with their packs half built): reclaim, as
    :func:`reclaim` does, every base-scenario pack folder of ``council`` that a scratch
    ``.building-*`` folder was left beside, each under its lock. A pack whose lock another run
    holds is left to that run (it reclaims when it finishes, or the next run does)."""
    done = []
    folder = output_root / council
    periods = {
        scratch.name.removeprefix(".building-").rpartition("-")[0]
        for scratch in (folder.glob(".building-*-*") if folder.is_dir() else [])
    }
    for period in sorted(p for p in periods if p):
        try:
            with pack_lock(output_root, council, period, wait_s=0):
                done += [f"{council}: {line}" for line in reclaim(folder / period)]
        except EnvironmentFault:
            continue  # another run holds it, or the lock cannot be taken: left as it is
    return done


def existing_notebooks(destination: Path) -> list[str] | None:
    """The notebooks the pack at ``destination`` holds, or None when there is no pack."""
    manifest = destination / "manifest.json"
    if not destination.exists():
        return None
    try:
        return list(json.loads(manifest.read_text("utf-8"))["notebooks_run"])
    except (OSError, ValueError, KeyError, TypeError):
        return ["(unknown: the pack has no readable manifest)"]


def check_replace(destination: Path, running: list[str], replace: bool) -> None:
    """Refuse a subset run that would replace a pack holding more notebooks, unless asked."""
    held = existing_notebooks(destination)
    if held is None or replace:
        return
    lost = [key for key in held if key not in running]
    if lost:
        raise InputError.single(
            "--notebooks",
            f"{display_path(destination)} holds a pack with {', '.join(held)}; this run of "
            f"{', '.join(running)} would replace it without {', '.join(lost)}: add --replace to "
            "do that, or --output-dir to build the subset elsewhere",
        )


# The signals a scheduler or a terminal stops a run with: held off while a pack is published.
HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


class InterruptedAfterPublishing(KeyboardInterrupt):
    """A signal came while the pack was being published: it was held off until the new pack
    was in place, and stops the run now; the message says so."""

    def __init__(self, destination: Path):
        self.destination = destination
        super().__init__(
            f"Interrupted as the pack was published: the new pack is in place "
            f"({display_path(destination)})."
        )


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold off Ctrl-C, SIGTERM and SIGHUP: one that comes meanwhile is noted, and raised again
    on leaving, for the handler that was in place. (Python runs signal handlers in the main
    thread, whichever thread the signal reaches; elsewhere this holds nothing off, and no
    handler of the process interrupts that thread.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {}
    for number in HELD_SIGNALS:
        previous[number] = signal.signal(number, lambda n, frame: pending.append(n))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        for number in dict.fromkeys(pending):
            signal.raise_signal(number)


def publish(build: Path, destination: Path) -> None:
    """Replace ``destination`` with ``build`` by two renames, so readers never see half a pack.
    Signals are held off across the renames, so a stop at any instant leaves the last good pack
    or the new one in place (a stop that came meanwhile raises
    :class:`InterruptedAfterPublishing`, which says so); if the second rename fails, the last
    good pack is put back."""
    previous = destination.parent / f".previous-{destination.name}-{os.getpid()}"
    try:
        with signals_held():
            had_previous = destination.exists()
            if had_previous:
                destination.rename(previous)
            try:
                build.rename(destination)
            except OSError:
                if had_previous:
                    previous.rename(destination)
                raise
        # A signal held meanwhile is handled here, on leaving: the new pack is in place.
        published = True
    except KeyboardInterrupt:
        if not destination.exists() or build.exists():
            raise
        raise InterruptedAfterPublishing(destination) from None
    finally:
        if previous.exists() and destination.exists():
            shutil.rmtree(previous, ignore_errors=True)
    if published:
        stale_failure = destination.parent / f"{destination.name}.failed"
        if stale_failure.exists():
            shutil.rmtree(stale_failure, ignore_errors=True)


def keep_failed(build: Path, destination: Path) -> Path:
    """Keep a failed build beside the destination for diagnosis, replacing an older one."""
    failed = destination.parent / f"{destination.name}.failed"
    if failed.exists():
        shutil.rmtree(failed)
    build.rename(failed)
    return failed
