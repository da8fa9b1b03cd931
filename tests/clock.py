"""The suite's moved clock (``--clock-shift-days``), shared with the processes a test starts."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

import time_machine

_shift: time_machine.travel | None = None

# Runs argv[2:] as a Python script with the clock at argv[1] (a POSIX timestamp), ticking from there.
_TRAVEL_THEN_RUN = (
    "import runpy, sys, time_machine; time_machine.travel(float(sys.argv[1]), tick=True).start(); "
    "sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def shift_start(days: int) -> None:
    global _shift
    _shift = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
    _shift.start()


def shift_stop() -> None:
    global _shift
    if _shift is not None:
        _shift.stop()
        _shift = None


def is_shifted() -> bool:
    return _shift is not None


def at_test_clock(command: list[str]) -> list[str]:
    """``command`` (a Python script and its arguments) run at the test's clock when it is moved.

    A worker process started by a test must agree with it on what "now" is, or rows the test wrote
    "now" are hours or days in the worker's future.
    """
    if not is_shifted():
        return command
    return [sys.executable, "-c", _TRAVEL_THEN_RUN, repr(time.time()), *command]
