"""Ctrl-C during a sync: stop the requests at once, let a load in progress finish, then exit.

Python raises KeyboardInterrupt wherever the main thread happens to be. During extraction that is
what we want (it cuts a blocking read), but inside dlt it is unsafe twice over: raised inside the
load step it can leave DuckDB mid-call, and raised in a finalizer or a garbage-collector callback
it is printed and swallowed, so the run goes on. dlt's own handling does not help either: it
records a Ctrl-C during normalize or load and forgets it when the step ends, so one that arrives
as a load finishes is lost (seen). So while a sync runs, dlt's handling is off for the pipeline
(``intercept_signals``) and ours is installed instead: a first Ctrl-C records a
stop and aborts the requests in flight from another thread (the handler may have interrupted code
holding the client's locks); during extraction it also raises, and while a step runs inside
``StopRequest.deferred()`` it does not. Either way the runner raises KeyboardInterrupt at the
next step boundary (``StopRequest.check``), so a swallowed interrupt still stops the sync. A
second Ctrl-C always raises at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import dlt

logger = logging.getLogger(__name__)


class StopRequest:
    """Whether Ctrl-C was pressed during the sync, and whether it may interrupt the step now."""

    def __init__(self) -> None:
        self.requested = False
        self.deferring = False

    def check(self) -> None:
        """Raise KeyboardInterrupt if a stop was requested."""
        if self.requested:
            raise KeyboardInterrupt

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A first Ctrl-C does not interrupt the block; ``check`` raises it afterwards."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False


@contextmanager
def stop_on_interrupt(pipeline: dlt.Pipeline, abort: Callable[[], None]) -> Iterator[StopRequest]:
    """Handle SIGINT as above for the block; ``abort`` cuts the requests in flight.

    Outside the main thread (where Python delivers signals) nothing is installed and Ctrl-C
    keeps its default behaviour.
    """
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.requested = True
        threading.Thread(target=abort, name="calven-abort", daemon=True).start()
        if not stop.deferring:
            raise KeyboardInterrupt
        logger.warning("interrupted: finishing the load in progress (Ctrl-C again to force)")

    runtime = pipeline.config.runtime
    intercepted, runtime.intercept_signals = runtime.intercept_signals, False
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
        runtime.intercept_signals = intercepted
