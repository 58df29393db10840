"""One push, start to finish, without knowing where rows come from or where results go.

``push_rows`` validates every row, skips what earlier runs settled (``previous``), sends the
rest in batches and hands each outcome to ``record`` as soon as it is known, so the caller
can checkpoint results while later batches are still in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sources.calven.http.client import CalvenClient
from sources.calven.push.kinds import MAX_BATCH, EventKind
from sources.calven.push.outcomes import Outcome, Status, Tally
from sources.calven.push.prepare import InvalidRow, PreparedEvent, prepare_rows
from sources.calven.push.send import Batch, Sender, make_batches

SHOWN_PROBLEMS = 20
"""Invalid and rejected rows kept for the summary; all of them are in the results table."""


@dataclass(frozen=True)
class PushPlan:
    """What to push and how.

    Attributes:
        kind: the event kind.
        rename: source column -> API field (``--map``).
        source_id: ``sourceId`` for rows without a ``sourceId`` column (presence, occupancy).
        retry_rejected: send events an earlier run saw rejected.
        batch_size: events per request (at most 100).
    """

    kind: EventKind
    rename: Mapping[str, str] = field(default_factory=dict)
    source_id: str = "calven-sync"
    retry_rejected: bool = False
    batch_size: int = MAX_BATCH


@dataclass
class PushReport:
    """Counts of one push (``tally`` holds what this run recorded)."""

    kind: str
    rows: int = 0
    tally: Tally = field(default_factory=Tally)
    duplicates: int = 0
    skipped_accepted: int = 0
    skipped_rejected: int = 0
    batches: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    problems: list[Outcome] = field(default_factory=list)
    would_send: list[Batch] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return self.tally.statuses[status]

    @property
    def complete(self) -> bool:
        """Every row of the source is accepted (now or by an earlier run)."""
        return not (
            self.count("invalid")
            or self.count("rejected")
            or self.count("failed")
            or self.skipped_rejected
        )


Record = Callable[[Outcome], None]


class _Selector:
    """Turns prepared rows into the events to send, recording invalid rows on the way."""

    def __init__(
        self, report: PushReport, previous: Mapping[str, Status], plan: PushPlan, record: Record
    ) -> None:
        self.report = report
        self.previous = previous
        self.plan = plan
        self.record = record
        self.seen: set[str] = set()

    def note(self, outcome: Outcome) -> None:
        self.report.tally.add(outcome)
        if outcome.status in ("invalid", "rejected") and len(self.report.problems) < SHOWN_PROBLEMS:
            self.report.problems.append(outcome)
        self.record(outcome)

    def events(self, items: Iterable[PreparedEvent | InvalidRow]) -> Iterator[PreparedEvent]:
        for item in items:
            self.report.rows += 1
            if isinstance(item, InvalidRow):
                self.note(Outcome(item.row, item.event_id, "invalid", item.reason))
                continue
            if item.event_id in self.seen:
                # The same content (or the same given id) twice: the API would store it once.
                self.report.duplicates += 1
                continue
            self.seen.add(item.event_id)
            earlier = self.previous.get(item.event_id)
            if earlier == "accepted":
                self.report.skipped_accepted += 1
            elif earlier == "rejected" and not self.plan.retry_rejected:
                self.report.skipped_rejected += 1
            else:
                yield item


def push_rows(
    client: CalvenClient | None,
    plan: PushPlan,
    rows: Iterable[Mapping[str, Any]],
    previous: Mapping[str, Status],
    record: Record,
) -> PushReport:
    """Validate, select and send ``rows``; ``client`` None is a dry run (nothing is sent).

    Args:
        client: the client to send with, or None to only validate and plan.
        plan: what to push.
        rows: source rows (mappings of column name to value), in source order.
        previous: the status earlier runs recorded per event id.
        record: receives every outcome (invalid rows included) in the calling thread.

    Raises:
        AuthError: the key was refused; outcomes recorded so far stand.
        ConfigError: e.g. Basic auth for a kind without a Basic endpoint.
    """
    started = time.monotonic()
    report = PushReport(kind=plan.kind.name)
    selector = _Selector(report, previous, plan, record)
    prepared = prepare_rows(plan.kind, rows, rename=plan.rename, source_id=plan.source_id)
    batches = make_batches(selector.events(prepared), plan.batch_size)
    if client is None:
        report.would_send = list(batches)
        report.batches = len(report.would_send)
    else:
        sender = Sender(client, plan.kind)
        requests, retries = client.requests_made, client.retries_made
        try:
            for outcomes in sender.send(batches):
                for outcome in outcomes:
                    selector.note(outcome)
        finally:
            report.batches = sender.batches_sent
            report.requests = client.requests_made - requests
            report.retries = client.retries_made - retries
    report.seconds = time.monotonic() - started
    return report
