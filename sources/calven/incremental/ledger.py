"""The window ledger: which days of which (dataset, partition) are already in the destination.

The ledger lives in dlt resource state, so it is committed in the same load package as the
rows it describes and is restored from the destination on a fresh machine. Per resource the
state holds::

    {"ledger": {partition: [["2025-01-01", "2025-03-01"], ...]},        # loaded, half-open
     "refreshed": {"run_id": "...", "intervals": {partition: [[...]]}}}  # re-read in this run

Planning is one operation for every situation (first load, nightly sync, backfill, a new
location, resuming after a crash): the wanted range minus what is loaded, plus the lookback
(the most recent days, which Calven may still correct) unless this run already re-read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sources.calven.incremental.windows import (
    Interval,
    Window,
    intersect,
    normalize,
    split,
    subtract,
)

SOURCE_NAME = "calven"
"""The dlt source whose resource states hold the ledgers."""


def resource_states(pipeline_state: Mapping[str, Any]) -> dict[str, Any]:
    """Each resource's state, by dataset name, inside a dlt pipeline's state."""
    sources = pipeline_state.get("sources", {})
    return dict(sources.get(SOURCE_NAME, {}).get("resources", {}))


def loaded_ranges(pipeline_state: Mapping[str, Any]) -> dict[str, dict[str, list[Interval]]]:
    """What is loaded: per dataset, per partition, the merged day ranges (``state show``)."""
    return {
        name: {partition: _load(raw) for partition, raw in state.get("ledger", {}).items()}
        for name, state in resource_states(pipeline_state).items()
        if state.get("ledger")
    }


def _dump(intervals: Iterable[Interval]) -> list[list[str]]:
    return [[start.isoformat(), end.isoformat()] for start, end in intervals]


def _load(raw: Iterable[Sequence[str]]) -> list[Interval]:
    return normalize((date.fromisoformat(start), date.fromisoformat(end)) for start, end in raw)


@dataclass(frozen=True)
class PlannedWindow:
    partition: str
    window: Window


class Ledger:
    """A view over one resource's state dictionary (mutated in place)."""

    def __init__(self, state: MutableMapping[str, Any], run_id: str) -> None:
        self._state = state
        self._run_id = run_id
        state.setdefault("ledger", {})
        refreshed = state.get("refreshed")
        if not isinstance(refreshed, dict) or refreshed.get("run_id") != run_id:
            state["refreshed"] = {"run_id": run_id, "intervals": {}}

    def loaded(self, partition: str) -> list[Interval]:
        return _load(self._state["ledger"].get(partition, []))

    def refreshed(self, partition: str) -> list[Interval]:
        return _load(self._state["refreshed"]["intervals"].get(partition, []))

    def record(self, partition: str, window: Window) -> None:
        """Mark ``window`` as loaded (and as re-read by this run)."""
        span = (window.start, window.end)
        self._state["ledger"][partition] = _dump(normalize([*self.loaded(partition), span]))
        refreshed = normalize([*self.refreshed(partition), span])
        self._state["refreshed"]["intervals"][partition] = _dump(refreshed)

    def plan(
        self,
        partition: str,
        wanted: Interval,
        *,
        lookback_days: int,
        max_window_days: int,
    ) -> list[Window]:
        """Windows to fetch for ``partition``: the gaps in ``wanted`` plus the lookback."""
        todo = subtract(wanted, self.loaded(partition))
        if lookback_days > 0:
            recent = intersect(wanted, (wanted[1] - timedelta(days=lookback_days), wanted[1]))
            if recent is not None:
                todo += subtract(recent, self.refreshed(partition))
        return list(split(todo, max_window_days))


def plan_all(
    ledger: Ledger,
    partitions: Iterable[str],
    wanted: Interval,
    *,
    lookback_days: int,
    max_window_days: int,
) -> list[PlannedWindow]:
    """The plan for every partition, oldest window first across partitions."""
    planned = [
        PlannedWindow(partition, window)
        for partition in partitions
        for window in ledger.plan(
            partition, wanted, lookback_days=lookback_days, max_window_days=max_window_days
        )
    ]
    return sorted(planned, key=lambda p: (p.window.start, p.partition))
