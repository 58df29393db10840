"""The runner's budget per load package: a checkpoint ends at a number of windows or rows.

A sync runs as several load packages so a crash loses at most one. Each package takes at most
``max_windows`` windows across its resources, and asks for no more once ``max_rows`` rows
arrived (the windows already in flight still land in it). What a package did not take is
``remaining`` for the next one. Each package that lands is logged in one line (``landed``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence

from sources.calven.extract.session import Session, WindowResult
from sources.calven.incremental.ledger import PlannedWindow

logger = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_WINDOWS = 1_000
DEFAULT_CHECKPOINT_ROWS = 1_000_000
"""A load package ends at whichever comes first (the windows in flight still land)."""


class CheckpointSession(Session):
    """A ``Session`` whose windows are handed out one load package at a time."""

    def __init__(
        self,
        *,
        max_windows: int | None,
        max_rows: int | None,
        on_window: Callable[[WindowResult], None] | None = None,
        on_planned: Callable[[str, int], None] | None = None,
    ) -> None:
        super().__init__(on_window, on_planned)
        self.max_windows = max_windows
        self.max_rows = max_rows
        self.remaining: dict[str, int] = {}
        self.taken = 0
        self.checkpoints = 0
        """Load packages of this sync that landed."""
        self._package_rows = 0
        self._landed: tuple[Counter[str], ...] = (Counter(), Counter(), Counter())

    def new_package(self) -> None:
        """Start the budget of the next load package."""
        self.taken = 0
        self._package_rows = 0
        self.remaining.clear()

    def choose(self, dataset: str, planned: Sequence[PlannedWindow]) -> list[PlannedWindow]:
        todo = super().choose(dataset, planned)
        with self._lock:
            granted = len(todo)
            if self.max_windows is not None:
                granted = max(0, min(granted, self.max_windows - self.taken))
            self.taken += granted
            self.remaining[dataset] = len(todo) - granted
        return todo[:granted]

    @property
    def full(self) -> bool:
        return self.max_rows is not None and self._package_rows >= self.max_rows

    def put_back(self, dataset: str, windows: int) -> None:
        with self._lock:
            self.taken -= windows
            self.remaining[dataset] = self.remaining.get(dataset, 0) + windows

    def _counted(self, rows: int) -> None:
        self._package_rows += rows

    def landed(self, load_id: str | None) -> None:
        """The current package is in the destination: log one line for it.

        The line names what the package added (each dataset it moved, with its rows and windows
        so far) and the sync's totals; every dataset's figures go along as ``extra`` fields for
        a structured log.
        """
        with self._lock:
            rows, windows = Counter(self.rows), Counter(self.windows)
            planned = Counter(self.planned_windows)
            failed = Counter(failure.dataset for failure in self.failures)
        before, self._landed = self._landed, (rows, windows, failed)
        self.checkpoints += 1
        datasets: dict[str, dict[str, int]] = {}
        moved = []
        for name in sorted(set(rows) | set(planned)):
            figures = datasets[name] = {"rows": rows[name]}
            text = f"{name} {rows[name]:,} rows"
            if name in planned:
                figures |= {"windows": windows[name], "planned": planned[name]}
                text += f" {windows[name]:,}/{planned[name]:,} windows"
            if failed[name]:
                figures["failed"] = failed[name]
                text += f" ({failed[name]:,} failed)"
            if any(now[name] != then[name] for now, then in zip(self._landed, before, strict=True)):
                moved.append(text)
        total_rows, total_windows = sum(rows.values()), sum(windows.values())
        logger.info(
            "checkpoint %d landed: %s; so far %s rows, %s/%s windows",
            self.checkpoints,
            ", ".join(moved) or "nothing new",
            f"{total_rows:,}",
            f"{total_windows:,}",
            f"{planned.total():,}",
            extra={
                "event": "checkpoint",
                "checkpoint": self.checkpoints,
                "load_id": load_id,
                "rows": total_rows,
                "windows": total_windows,
                "planned": planned.total(),
                "failed_windows": sum(failed.values()),
                "datasets": datasets,
            },
        )
