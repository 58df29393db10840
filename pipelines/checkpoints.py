"""The runner's budget per load package: a checkpoint ends at a number of windows or rows.

A sync runs as several load packages so a crash loses at most one. Each package takes at most
``max_windows`` windows across its resources, and asks for no more once ``max_rows`` rows
arrived (the windows already in flight still land in it). What a package did not take is
``remaining`` for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sources.calven.extract.session import Session, WindowResult
from sources.calven.incremental.ledger import PlannedWindow

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
    ) -> None:
        super().__init__(on_window)
        self.max_windows = max_windows
        self.max_rows = max_rows
        self.remaining: dict[str, int] = {}
        self.taken = 0
        self._package_rows = 0

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
