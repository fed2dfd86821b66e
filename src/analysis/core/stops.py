"""A run stopped by a signal (SIGTERM from a scheduler, SIGHUP from a closed terminal), never
lost.

:func:`stop` is the handler the command line installs. Like Python's own Ctrl-C handler it
raises KeyboardInterrupt wherever the main thread is, and it records the signal first. Python
drops an exception raised while it runs a finalizer (an object's ``__del__``, which the garbage
collector may run at any moment, in whichever thread is allocating): a signal that arrives just
then would be reported as "Exception ignored" and the run would go on to the end. Each wait of
the main thread calls :func:`check`, which raises the recorded stop again.
"""

from __future__ import annotations

__all__ = ["check", "forget", "stop"]

_received: list[int] = []


def stop(signum: int, frame=None) -> None:
    """The signal handler: record ``signum``, then raise KeyboardInterrupt."""
    _received.append(signum)
    raise KeyboardInterrupt


def check() -> None:
    """Raise KeyboardInterrupt if a stop was recorded since the last check (once for it)."""
    if _received:
        _received.clear()
        raise KeyboardInterrupt


def forget() -> None:
    """Forget a recorded stop: a command starts, or has dealt with it."""
    _received.clear()
