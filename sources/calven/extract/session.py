"""What the resources report to, and ask, while they extract: a ``Session``.

The source counts what it read (rows, windows, failures), asks which planned windows to fetch
(``choose``, which also learns how many windows the sync plans per dataset: ``planned``) and
whether the current load package has rows enough (``full``), and registers
what stops its requests (``on_abort``). This base class takes every window and never fills up,
so the source works on its own in any dlt pipeline; a runner that checkpoints subclasses it
with a budget per load package (``pipelines.checkpoints``). The same session serves every
package of one sync, so the lookback is re-read once per sync (``run_id``), and a window that
failed is not retried by each later package.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sources.calven.incremental.ledger import PlannedWindow
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


class Session:
    """One sync as the source sees it; thread-safe (windows finish on client workers)."""

    def __init__(
        self,
        on_window: Callable[[WindowResult], None] | None = None,
        on_planned: Callable[[str, int], None] | None = None,
    ) -> None:
        self.run_id = uuid.uuid4().hex
        self.on_window = on_window
        self.on_planned = on_planned
        self.rows: Counter[str] = Counter()
        self.windows: Counter[str] = Counter()
        self.planned_windows: Counter[str] = Counter()
        """Windows per dataset this sync plans in all (loaded, failed and still to fetch)."""
        self.failures: list[WindowResult] = []
        self.requests = 0
        self.retries = 0
        self._lock = threading.Lock()
        self._aborted = False
        self._aborters: list[Callable[[], None]] = []

    def choose(self, dataset: str, planned: Sequence[PlannedWindow]) -> list[PlannedWindow]:
        """The planned windows to fetch now: all but those that already failed in this sync."""
        self.planned(dataset, len(planned))
        return [p for p in planned if not self.failed(dataset, p.partition, p.window)]

    def planned(self, dataset: str, left: int) -> None:
        """The source plans ``left`` windows of ``dataset`` that this sync has not loaded (those
        that failed included); with the ones it loaded, that is the sync's total for it.

        A sync in several load packages plans again for each: the total holds as long as the
        ledger does, and grows only if a window is added (say, the day turned meanwhile).
        """
        with self._lock:
            total = self.windows[dataset] + left
            self.planned_windows[dataset] = total
        if self.on_planned is not None:
            self.on_planned(dataset, total)

    @property
    def full(self) -> bool:
        """Whether the current load package has rows enough: request no more windows."""
        return False

    def put_back(self, dataset: str, windows: int) -> None:
        """``windows`` chosen but never requested (``full`` came first)."""

    def failed(self, dataset: str, partition: str, window: Window) -> bool:
        return any(
            (f.dataset, f.partition, f.window) == (dataset, partition, window)
            for f in self.failures
        )

    def count_rows(self, dataset: str, rows: int) -> None:
        """Rows read outside windows (a dimension, future bookings)."""
        with self._lock:
            self.rows[dataset] += rows

    def report(self, result: WindowResult) -> None:
        """Count a window's outcome and log it: one line per window."""
        fields = {
            "event": "window",
            "dataset": result.dataset,
            "partition": result.partition,
            "window": str(result.window),
            "rows": result.rows,
            "seconds": round(result.seconds, 3),
            "error": result.error,
        }
        if result.error is None:
            logger.info("%s", result, extra=fields)
        else:
            logger.warning("%s", result, extra=fields)
        with self._lock:
            if result.error is None:
                self.rows[result.dataset] += result.rows
                self.windows[result.dataset] += 1
                self._counted(result.rows)
            else:
                self.failures.append(result)
        if self.on_window is not None:
            self.on_window(result)

    def _counted(self, rows: int) -> None:
        """A window's rows arrived (called under the lock; a budget counts them here)."""

    def on_abort(self, callback: Callable[[], None]) -> None:
        """Register what stops this session's in-flight work (a client's ``abort``).

        On a session already aborted, ``callback`` runs at once: a client created by a package
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
