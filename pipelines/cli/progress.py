"""Progress bars for a person at a terminal: one per dataset while a sync runs, one for a push.

A sync's bar counts windows against the total the source planned for the dataset
(``Session.planned``), beside the rows read, rows per second and the time left. Off a terminal,
or with ``--log-format json``, nothing is drawn: the runner logs one line per checkpoint and the
push one per results checkpoint, which is what a log file wants.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, Task, TaskID
from rich.progress import Progress as Bars
from rich.table import Column
from rich.text import Text

from pipelines.cli.logformat import interactive
from sources.calven.extract.session import WindowResult
from sources.calven.push.outcomes import Outcome

logger = logging.getLogger(__name__)

REFRESHES_PER_SECOND = 4
ROWS_PER_UPDATE = 100
"""A push moves its bar every this many source rows (a row costs microseconds)."""


def terminal() -> Console:
    """The console bars are drawn on: stderr, when a person watches it."""
    return Console(stderr=True, force_terminal=interactive())


class _Text(ProgressColumn):
    """A column that is never wrapped: a narrow terminal shortens the bar instead."""

    def __init__(self, render: Callable[[Task], str], style: str = "") -> None:
        super().__init__(table_column=Column(no_wrap=True))
        self._render = render
        self._style = style

    def render(self, task: Task) -> Text:
        return Text(self._render(task), style=self._style)


def _count(unit: str) -> Callable[[Task], str]:
    """``done/total unit`` (``done unit`` while the total is not known)."""

    def render(task: Task) -> str:
        done = f"{int(task.completed):,}"
        return f"{done}/{int(task.total):,} {unit}" if task.total is not None else f"{done} {unit}"

    return render


def _rows(task: Task) -> str:
    return f"{int(task.fields.get('rows', 0)):,} rows"


def _rate(task: Task) -> str:
    """Rows per second from the first to the latest, so a finished bar keeps its rate."""
    rows = int(task.fields.get("rows", 0))
    since, until = task.fields.get("since"), task.fields.get("until")
    seconds = until - since if since is not None and until is not None else 0.0
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "- rows/s"


def _eta(task: Task) -> str:
    if task.finished:
        return "done"
    left = task.time_remaining
    if left is None:
        return "ETA -:--:--"
    minutes, seconds = divmod(int(left), 60)
    return f"ETA {minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def _bars(console: Console, unit: str) -> Bars:
    """Name, bar, ``done/total unit``, rows (when the bar counts another unit), rows/s, ETA."""
    return Bars(
        _Text(lambda task: task.description, style="bold"),
        BarColumn(bar_width=None),
        _Text(_count(unit)),
        *([_Text(_rows)] if unit != "rows" else []),
        _Text(_rate),
        _Text(_eta, style="cyan"),
        _Text(lambda task: str(task.fields.get("notes", "")), style="yellow"),
        console=console,
        refresh_per_second=REFRESHES_PER_SECOND,
        expand=True,
    )


@dataclass
class _Line:
    """One dataset's bar and what it shows besides the windows."""

    task: TaskID
    rows: int = 0
    failed: int = 0
    since: float | None = None


class Progress:
    """A sync's bars, fed by the session: ``planned`` (``on_planned``) and each window's
    outcome (call it: ``on_window``). Draws only on a terminal; ``close`` when the sync ends."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or terminal()
        self._bars = _bars(self._console, "windows") if self._console.is_terminal else None
        self._lines: dict[str, _Line] = {}
        self._lock = threading.Lock()

    def _line(self, dataset: str, bars: Bars) -> _Line:
        """The dataset's bar (called under the lock); the first one starts the display."""
        if not self._lines:
            bars.start()
        if dataset not in self._lines:
            self._lines[dataset] = _Line(bars.add_task(dataset, total=None, rows=0, since=None))
        return self._lines[dataset]

    def planned(self, dataset: str, total: int) -> None:
        """The sync plans ``total`` windows of ``dataset`` in all."""
        if self._bars is None:
            return
        with self._lock:
            self._bars.update(self._line(dataset, self._bars).task, total=total)

    def __call__(self, result: WindowResult) -> None:
        if self._bars is None:
            return
        with self._lock:
            line = self._line(result.dataset, self._bars)
            if line.since is None:
                line.since = time.monotonic() - result.seconds
            line.rows += result.rows
            line.failed += result.error is not None
            self._bars.update(
                line.task,
                advance=1,
                rows=line.rows,
                since=line.since,
                until=time.monotonic(),
                notes=f"{line.failed:,} failed" if line.failed else "",
            )

    def close(self) -> None:
        with self._lock:
            if self._bars is not None and self._lines:
                self._bars.stop()


class PushProgress:
    """A push's bar: source rows settled (sent and answered, or invalid) of all rows, with
    the events sent and their verdicts so far. Use it as a context manager.

    Wraps the outcome recorder (call it instead) and the rows (``rows``). Rows an earlier run
    settled are skipped without an outcome, so the bar completes when the push ends. Off a
    terminal it logs one line every ``every`` outcomes, as often as the results are checkpointed.
    """

    def __init__(
        self,
        kind: str,
        total: int,
        record: Callable[[Outcome], None],
        *,
        every: int,
        console: Console | None = None,
    ) -> None:
        self.kind = kind
        self.total = total
        self.every = every
        self.statuses: Counter[str] = Counter()
        self.read = 0
        self._record = record
        console = console or terminal()
        self._bars = _bars(console, "rows") if console.is_terminal else None
        self._task: TaskID | None = None
        self._since = time.monotonic()

    def __enter__(self) -> PushProgress:
        if self._bars is not None:
            self._bars.start()
            self._task = self._bars.add_task(f"push {self.kind}", total=self.total, rows=0)
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._bars is None or self._task is None:
            return
        # what was not settled by now was skipped (settled by an earlier run or a duplicate)
        self._show(completed=self.total if kind is None else None)
        self._bars.stop()

    @property
    def settled(self) -> int:
        return sum(self.statuses.values())

    @property
    def sent(self) -> int:
        """Events sent that have an answer (or ran out of retries): every outcome but invalid."""
        return self.settled - self.statuses["invalid"]

    def rows(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """``rows``, counted as the push reads them (validates them, then sends or skips them)."""
        for row in rows:
            self.read += 1
            if self.read % ROWS_PER_UPDATE == 0:
                self._show()
            yield row

    def __call__(self, outcome: Outcome) -> None:
        self._record(outcome)
        self.statuses[outcome.status] += 1
        if self.settled % ROWS_PER_UPDATE == 0:
            self._show()
        if self._bars is None and self.settled % self.every == 0:
            self._log()

    def _notes(self) -> str:
        """``sent N`` and the problems so far (the summary breaks them down)."""
        problems = [
            f"{self.statuses[status]:,} {status}"
            for status in ("rejected", "failed", "invalid")
            if self.statuses[status]
        ]
        return " · ".join([f"sent {self.sent:,}", *problems])

    def _show(self, completed: int | None = None) -> None:
        if self._bars is None or self._task is None:
            return
        self._bars.update(
            self._task,
            completed=self.settled if completed is None else completed,
            rows=self.settled,
            since=self._since,
            until=time.monotonic(),
            notes=self._notes(),
        )

    def _log(self) -> None:
        logger.info(
            "push %s: %s of %s rows settled (%s read); %s",
            self.kind,
            f"{self.settled:,}",
            f"{self.total:,}",
            f"{self.read:,}",
            self._notes().replace(" · ", ", "),
            extra={
                "event": "checkpoint",
                "kind": self.kind,
                "settled": self.settled,
                "rows": self.total,
                "read": self.read,
                "sent": self.sent,
                "statuses": dict(self.statuses),
            },
        )
