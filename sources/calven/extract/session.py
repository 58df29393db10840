"""One sync invocation, which may span several dlt runs (load packages).

A runner that checkpoints calls the source repeatedly with the same ``SyncSession``: each call
fetches at most ``max_windows`` windows, and submits no more once ``max_rows`` rows arrived (the
windows in flight still land), so each load package holds a bounded chunk of work,
and the lookback is re-read once per session rather than once per chunk (``run_id``). Windows
that failed are remembered so later chunks of the same session do not retry them forever.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sources.calven.incremental.windows import Window

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowResult:
    """What happened to one window: loaded (``error`` None) or failed."""

    dataset: str
    partition: str
    window: Window
    rows: int = 0
    seconds: float = 0.0
    error: str | None = None

    def __str__(self) -> str:
        where = f"{self.dataset} partition={self.partition} window={self.window}"
        if self.error is not None:
            return f"{where}: {self.error}"
        return f"{where}: {self.rows} rows in {self.seconds:.2f} s"


@dataclass
class SyncSession:
    """Shared by every chunk of one sync; resources report into it."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    max_windows: int | None = None
    max_rows: int | None = None
    on_window: Callable[[WindowResult], None] | None = None
    rows: Counter[str] = field(default_factory=Counter)
    windows: Counter[str] = field(default_factory=Counter)
    failures: list[WindowResult] = field(default_factory=list)
    remaining: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    _taken: int = 0
    _chunk_rows: int = 0
    _aborted: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _aborters: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def on_abort(self, callback: Callable[[], None]) -> None:
        """Register what stops this session's in-flight work (a client's ``abort``).

        On a session already aborted, ``callback`` runs at once: a client created by a chunk
        that started while the abort ran must not be missed.
        """
        with self._lock:
            self._aborters.append(callback)
            aborted = self._aborted
        if aborted:
            callback()

    def abort(self) -> None:
        """Stop in-flight requests at once (Ctrl-C); completed checkpoints are kept."""
        with self._lock:
            self._aborted = True
            callbacks = list(self._aborters)
        for callback in callbacks:
            callback()

    def new_chunk(self) -> None:
        """Start the budget of the next load package."""
        self._taken = 0
        self._chunk_rows = 0
        self.remaining.clear()

    def take(self, wanted: int) -> int:
        """Reserve up to ``wanted`` windows from this chunk's budget; returns how many."""
        with self._lock:
            granted = wanted
            if self.max_windows is not None:
                granted = max(0, min(wanted, self.max_windows - self._taken))
            self._taken += granted
            return granted

    def put_back(self, dataset: str, windows: int) -> None:
        """Return ``windows`` taken but never requested to a later chunk."""
        with self._lock:
            self._taken -= windows
            self.remaining[dataset] = self.remaining.get(dataset, 0) + windows

    @property
    def full(self) -> bool:
        """Whether this chunk's rows reached ``max_rows``: request no more windows for it."""
        return self.max_rows is not None and self._chunk_rows >= self.max_rows

    @property
    def taken(self) -> int:
        return self._taken

    @property
    def pending(self) -> int:
        """Windows planned but left for a later chunk."""
        return sum(self.remaining.values())

    def failed(self, dataset: str, partition: str, window: Window) -> bool:
        return any(
            (f.dataset, f.partition, f.window) == (dataset, partition, window)
            for f in self.failures
        )

    def report(self, result: WindowResult) -> None:
        """Count a window's outcome and log it: one line per window."""
        if result.error is None:
            logger.info("%s", result)
        else:
            logger.warning("%s", result)
        with self._lock:
            if result.error is None:
                self.rows[result.dataset] += result.rows
                self.windows[result.dataset] += 1
                self._chunk_rows += result.rows
            else:
                self.failures.append(result)
        if self.on_window is not None:
            self.on_window(result)
