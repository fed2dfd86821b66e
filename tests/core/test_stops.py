"""A stop by signal is never lost, even when Python drops the exception its handler raised."""

from __future__ import annotations

import signal
import sys

import pytest

from analysis.core import stops


class _CollectedMidSignal:
    """An object whose finalizer is running when the signal's handler runs (as when the garbage
    collector collects a finished notebook's papermill objects in the main thread)."""

    def __del__(self):
        stops.stop(signal.SIGHUP)


def test_a_stop_dropped_inside_a_finalizer_is_raised_by_the_next_check(monkeypatch):
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: dropped.append(report.exc_type))
    stops.forget()
    _CollectedMidSignal()  # its finalizer runs at once; Python drops the KeyboardInterrupt
    assert dropped == [KeyboardInterrupt]
    with pytest.raises(KeyboardInterrupt):
        stops.check()
    stops.check()  # once for each stop


def test_a_stop_raises_where_the_main_thread_is_and_forget_clears_it():
    stops.forget()
    with pytest.raises(KeyboardInterrupt):
        stops.stop(signal.SIGTERM)
    stops.forget()
    stops.check()  # nothing recorded any more
