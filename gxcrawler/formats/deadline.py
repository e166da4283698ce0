"""A wall-clock budget that interrupts pure-Python work in the middle (pdfminer on one page).

Checking the clock between pages cannot stop a page whose drawing instructions take
minutes to interpret; an alarm signal can. Signals reach only a process's main thread,
which is where the parse pool's workers (and ``gxcrawler parse``) run a document; in any
other thread the block runs unbounded and the pool's per-document time-out is the cap.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class OutOfTime(BaseException):  # noqa: N818 - reads as what happened
    """The budget ran out. A BaseException, so library code's ``except Exception`` lets it through."""


@contextmanager
def deadline(seconds: float) -> Iterator[bool]:
    """Raise :class:`OutOfTime` inside the block after ``seconds``; yields whether it can."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield False
        return

    def expire(signum, frame) -> None:
        raise OutOfTime(f"not done within {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    # repeat every second: should a library swallow even a BaseException, the next one comes
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # an enclosing timer keeps its remaining time
            left = max(outer_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
