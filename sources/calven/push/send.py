"""Batches of at most 100 events, sent concurrently on the client's pool, answers -> outcomes.

Requests go through ``CalvenClient.submit_post``, so pushes share the run's concurrency budget,
auth, retries and secret rules with the pull side. Re-sending is safe: the API stores an
``eventId`` once, so a retry after a cut connection cannot store an event twice.

A batch ends in one of three ways: a 200 with per-event results (each event accepted or
rejected by its code); a 4xx for the whole batch (every event rejected with that status,
nothing accepted); or no verdict (retries exhausted, an unexpected body: every event failed,
sent again on the next run). An ``AuthError`` or ``Cancelled`` stops the push.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

from sources.calven.errors import (
    AuthError,
    Cancelled,
    ClientRequestError,
    ConfigError,
    RequestError,
)
from sources.calven.http.client import CalvenClient
from sources.calven.push.kinds import MAX_BATCH, EventKind
from sources.calven.push.outcomes import Outcome
from sources.calven.push.prepare import SOURCE_ID_FIELD, PreparedEvent

logger = logging.getLogger(__name__)

Redact = Callable[[str], str]


@dataclass(frozen=True)
class Batch:
    """Up to ``MAX_BATCH`` events sharing one ``sourceId``."""

    number: int
    source_id: str | None
    events: tuple[PreparedEvent, ...]

    def body(self, kind: EventKind) -> dict[str, Any]:
        events = [event.body for event in self.events]
        if kind.has_source_id:
            return {SOURCE_ID_FIELD: self.source_id, kind.list_key: events}
        return {kind.list_key: events}


def make_batches(events: Iterable[PreparedEvent], size: int = MAX_BATCH) -> Iterator[Batch]:
    """Group events by ``sourceId`` in arrival order; a batch is sent as soon as it is full."""
    if not 1 <= size <= MAX_BATCH:
        raise ConfigError(f"batch size must be between 1 and {MAX_BATCH}, got {size}")
    pending: dict[str | None, list[PreparedEvent]] = {}
    number = 0
    for event in events:
        group = pending.setdefault(event.source_id, [])
        group.append(event)
        if len(group) == size:
            number += 1
            yield Batch(number, event.source_id, tuple(pending.pop(event.source_id)))
    for source_id, group in pending.items():
        number += 1
        yield Batch(number, source_id, tuple(group))


def _outcome(event: PreparedEvent, **values: Any) -> Outcome:
    return Outcome(row=event.row, event_id=event.event_id, source_id=event.source_id, **values)


def batch_failed(batch: Batch, exc: RequestError, redact: Redact) -> list[Outcome]:
    """Outcomes of a batch that got no per-event verdict."""
    # A 4xx refuses the whole batch: the server stored nothing, and repeating it cannot help.
    status = "rejected" if isinstance(exc, ClientRequestError) else "failed"
    message = redact(str(exc))
    return [
        _outcome(event, status=status, message=message, http_status=exc.status)
        for event in batch.events
    ]


def interpret(kind: EventKind, batch: Batch, payload: Any, redact: Redact) -> list[Outcome]:
    """Per-event outcomes from a 200 body; an event the body does not mention has failed."""
    if kind.per_update:
        answers = payload if isinstance(payload, list) else []
    else:
        found = payload.get("results") if isinstance(payload, dict) else None
        answers = found if isinstance(found, list) else []
    by_id = {
        str(answer.get(kind.id_field)).lower(): answer
        for answer in answers
        if isinstance(answer, dict)
    }
    outcomes = []
    for event in batch.events:
        answer = by_id.get(event.event_id.lower())
        if answer is None:
            outcomes.append(
                _outcome(
                    event,
                    status="failed",
                    message=f"the response has no result for {kind.id_field} {event.event_id}",
                    http_status=200,
                )
            )
        elif kind.per_update:
            outcomes.append(_update_outcome(event, answer, redact))
        else:
            outcomes.append(_event_outcome(event, answer, redact))
    return outcomes


def _event_outcome(event: PreparedEvent, answer: dict[str, Any], redact: Redact) -> Outcome:
    code = answer.get("resultCode")
    message = redact(str(answer.get("message") or ""))
    if not isinstance(code, int) or isinstance(code, bool):
        return _outcome(
            event, status="failed", message=f"unexpected resultCode {code!r}", http_status=200
        )
    status = "accepted" if code == 0 else "rejected"
    return _outcome(event, status=status, message=message, result_code=code, http_status=200)


def _update_outcome(event: PreparedEvent, answer: dict[str, Any], redact: Redact) -> Outcome:
    result = str(answer.get("result") or "")
    message = str(answer.get("message") or "")
    cards = answer.get("results")
    failed_cards = [
        f"card {card.get('cardNumber')}: {card.get('result')} {card.get('message') or ''}".strip()
        for card in (cards if isinstance(cards, list) else [])
        if isinstance(card, dict) and card.get("result") != "OK"
    ]
    if result != "OK" and failed_cards:
        message = "; ".join([message, *failed_cards])
    status = "accepted" if result == "OK" else "rejected"
    return _outcome(
        event,
        status=status,
        message=redact(message),
        update_result=result or None,
        http_status=200,
    )


class Sender:
    """Sends batches of one kind with at most ``max_in_flight`` requests queued or running.

    Args:
        client: the shared client (its pool is the concurrency budget).
        kind: what is sent.
        max_in_flight: requests queued at once; default twice the client's concurrency.
    """

    def __init__(
        self, client: CalvenClient, kind: EventKind, max_in_flight: int | None = None
    ) -> None:
        if client.auth_type == "basic" and not kind.has_basic:
            raise ConfigError(
                f"{kind.name} has no Basic-auth endpoint; push it with auth_type hmac or "
                "client_secret and a key with the Submitting Events role"
            )
        self.client = client
        self.kind = kind
        self.max_in_flight = max_in_flight or 2 * client.max_concurrency
        self.batches_sent = 0

    def send(self, batches: Iterable[Batch]) -> Iterator[list[Outcome]]:
        """Outcomes of each batch, in completion order."""
        in_flight: dict[Future[Any], Batch] = {}
        try:
            for batch in batches:
                while len(in_flight) >= self.max_in_flight:
                    yield from self._collect(in_flight)
                context = f"{self.kind.name} batch {batch.number} ({len(batch.events)} events)"
                future = self.client.submit_post(
                    self.kind.path, batch.body(self.kind), context=context
                )
                in_flight[future] = batch
            while in_flight:
                yield from self._collect(in_flight)
        finally:
            for future in in_flight:
                future.cancel()

    def _collect(self, in_flight: dict[Future[Any], Batch]) -> Iterator[list[Outcome]]:
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            batch = in_flight.pop(future)
            self.batches_sent += 1
            yield self._result(batch, future)

    def _result(self, batch: Batch, future: Future[Any]) -> list[Outcome]:
        redact = self.client.auth.redact
        try:
            payload = future.result()
        except (AuthError, Cancelled):
            raise
        except RequestError as exc:
            logger.warning("%s batch %d: %s", self.kind.name, batch.number, exc)
            return batch_failed(batch, exc, redact)
        outcomes = interpret(self.kind, batch, payload, redact)
        logger.info(
            "%s batch %d: %d accepted of %d",
            self.kind.name,
            batch.number,
            sum(o.status == "accepted" for o in outcomes),
            len(outcomes),
        )
        return outcomes
