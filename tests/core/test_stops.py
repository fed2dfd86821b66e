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


@pytest.mark.parametrize(
    ("before", "during"),
    [(signal.default_int_handler, stops.stop), (signal.SIG_IGN, signal.SIG_IGN)],
)
def test_the_command_handles_ctrl_c_where_python_did_and_leaves_it_ignored(
    monkeypatch, before, during
):
    from analysis import cli

    seen = {}

    def dispatch(parser, args):
        seen.update({n: signal.getsignal(n) for n in (signal.SIGINT, *cli.STOP_SIGNALS)})
        return 0

    monkeypatch.setattr(cli, "_dispatch", dispatch)
    previous = signal.signal(signal.SIGINT, before)
    try:
        assert cli.main(["list"]) == 0
        assert signal.getsignal(signal.SIGINT) is before, "put back as it was"
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen[signal.SIGINT] is during
    assert all(seen[n] is stops.stop for n in cli.STOP_SIGNALS)
