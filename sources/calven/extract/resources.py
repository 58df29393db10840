"""The resource generators: dimensions, windowed datasets and future bookings.

Windows are fetched concurrently through the client's shared pool (``CalvenClient.submit_tables``),
keeping at most ``max_concurrency`` requests in flight. Each response is parsed into Arrow tables
(a long one while it streams in) and spooled (``sources.calven.arrow.spool``); the tables are
yielded as windows complete, small ones joined (dlt's cost is per item). A window is recorded in
the ledger, which is resource state, once its rows are on their way to dlt: state and rows are
committed in the same load package or not at all. A failed window is reported to the session
and left out of the ledger; the other windows still load.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.hints import TResourceHints

from sources.calven.arrow.spool import SpooledTables, grouped
from sources.calven.arrow.tables import parse_block, to_arrow
from sources.calven.catalog import ALL_PARTITION, LOCATIONS, SYNC_WINDOWS_TABLE, Dataset
from sources.calven.config import CalvenConfig
from sources.calven.errors import AuthError, CalvenError, Cancelled, ConfigError, RecordError
from sources.calven.extract.session import Session, WindowResult
from sources.calven.http.client import CalvenClient
from sources.calven.incremental.ledger import Ledger, PlannedWindow
from sources.calven.incremental.plan import partitions, plan_windows
from sources.calven.incremental.windows import Window, split
from sources.calven.schema_docs import sync_windows_table_hints

logger = logging.getLogger(__name__)

Records = list[dict[str, Any]]


class SourceContext:
    """What the resources of one sync share: configuration, session, client, locations.

    Given a ``client``, its owner (the runner) keeps it open across load packages, so a sync
    makes one client, fetches one token and reads the locations once; otherwise the context
    opens a client on first use and closes it when the last resource ends.
    """

    def __init__(
        self, config: CalvenConfig, session: Session, client: CalvenClient | None = None
    ) -> None:
        self.config = config
        self.session = session
        self._owned = client is None
        self._client = client
        self._users = 0
        self._lock = threading.Lock()
        self._locations: Records | None = None

    def acquire(self) -> CalvenClient:
        """The sync's client (opened here on first use unless the owner gave one)."""
        with self._lock:
            if self._client is None:
                self._client = self.config.client()
                self.session.on_abort(self._client.abort)
            self._users += 1
            return self._client

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._owned and self._client is not None:
                self.session.requests += self._client.requests_made
                self.session.retries += self._client.retries_made
                self._client.close()
                self._client = None

    def locations(self, client: CalvenClient) -> Records:
        """The locations list, fetched once per sync (dimension and partitions share it)."""
        with self._lock:
            if self._locations is None:
                self._locations = client.get_records(LOCATIONS.path, context=LOCATIONS.name)
            return self._locations

    def partitions(self, dataset: Dataset, client: CalvenClient) -> list[str]:
        locations = self.locations(client) if dataset.partitioning == "location" else []
        found = partitions(dataset, locations, self.config)
        shard = self.config.in_shard
        if shard is not None and not found and dataset.partitioning == "location":
            logger.warning(
                "%s: shard %s holds none of the tenant's %d location(s), so it loads nothing "
                "(fewer shards than locations keep every job busy)",
                dataset.name,
                shard,
                len(locations),
            )
        return found


def _params(dataset: Dataset, partition: str, window: Window) -> dict[str, str]:
    params = window.query()
    if dataset.location_param is not None and partition != ALL_PARTITION:
        params[dataset.location_param] = partition
    return params


def _fetch(
    client: CalvenClient, dataset: Dataset, planned: Iterable[PlannedWindow]
) -> Iterator[tuple[PlannedWindow, SpooledTables | CalvenError, float]]:
    """Fetch windows concurrently, yielding (window, tables or error, seconds) as they finish.

    Twice as many windows as may be in flight are submitted at a time, one per client worker:
    while some requests are in flight, the other workers parse what has arrived or wait for a
    slot, so a request is ready the moment a slot frees up even when the thread that hands
    results to dlt and submits new ones is busy writing. The caller closes the tables it
    receives; tables nobody will read are closed here.
    """
    todo = iter(planned)
    pending: dict[Future[SpooledTables], tuple[PlannedWindow, float]] = {}
    parse = partial(parse_block, dataset=dataset)

    def submit_next() -> None:
        item = next(todo, None)
        if item is not None:
            context = f"{dataset.name} partition={item.partition} window={item.window}"
            params = _params(dataset, item.partition, item.window)
            future = client.submit_tables(
                dataset.path, params, context=context, parse=parse, keys=dataset.key_fields
            )
            pending[future] = (item, time.monotonic())

    try:
        for _ in range(2 * client.max_concurrency):
            submit_next()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                item, started = pending.pop(future)
                submit_next()
                try:
                    with _named(dataset):
                        result: SpooledTables | CalvenError = future.result()
                except (AuthError, ConfigError, RecordError, Cancelled):
                    raise
                except CalvenError as exc:
                    result = exc
                yield item, result, time.monotonic() - started
    finally:
        for future in pending:
            future.cancel()
            future.add_done_callback(_close_tables)


def _close_tables(future: Future[SpooledTables]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()


def _audit_row(dataset: Dataset, result: WindowResult, run_id: str) -> dict[str, Any]:
    return {
        "dataset": dataset.name,
        "partition": result.partition,
        "window_start": result.window.start,
        "window_end": result.window.end,
        "rows": result.rows,
        "run_id": run_id,
        "fetched_at": datetime.now(UTC),
    }


def audit_hints() -> TResourceHints:
    """The hints of the audit table, a variant of each windowed dataset's table."""
    return dlt.mark.make_hints(
        table_name=SYNC_WINDOWS_TABLE,
        write_disposition="append",
        primary_key=[],
        additional_table_hints=sync_windows_table_hints(),
    )


def _audit_rows(rows: list[dict[str, Any]]) -> Any:
    """The audit rows of a resource as one item: dlt computes a hinted item's schema each time."""
    return dlt.mark.with_hints(rows, audit_hints(), create_table_variant=True)


@contextmanager
def _named(dataset: Dataset) -> Iterator[None]:
    """A RecordError raised inside names ``dataset``."""
    try:
        yield
    except RecordError as exc:
        raise RecordError(f"{dataset.name}: {exc}") from exc


def _table(dataset: Dataset, records: Records) -> pa.Table:
    with _named(dataset):
        return to_arrow(records, dataset)


def dimension_rows(dataset: Dataset, context: SourceContext) -> Iterator[pa.Table]:
    """One request, the whole table (write disposition replace)."""
    client = context.acquire()
    try:
        if dataset is LOCATIONS:
            records = context.locations(client)
            logger.info("%s: %d rows", dataset.name, len(records))
            context.session.count_rows(dataset.name, len(records))
            yield _table(dataset, records)
            return
        with _named(dataset):
            spooled = client.get_tables(
                dataset.path,
                context=dataset.name,
                parse=partial(parse_block, dataset=dataset),
                keys=dataset.key_fields,
            )
        with spooled:
            logger.info("%s: %d rows", dataset.name, spooled.rows)
            context.session.count_rows(dataset.name, spooled.rows)
            # An empty table still replaces what the destination holds.
            yield from spooled.tables() if spooled.rows else [_table(dataset, [])]
    finally:
        context.release()


def windowed_rows(dataset: Dataset, context: SourceContext) -> Iterator[Any]:
    """Fill the ledger's gaps (plus the lookback) for every partition of ``dataset``."""
    session, config = context.session, context.config
    client = context.acquire()
    try:
        ledger = Ledger(dlt.current.resource_state(), session.run_id)
        planned = plan_windows(ledger, context.partitions(dataset, client), config)
        chosen = session.choose(dataset.name, planned)
        audit: list[dict[str, Any]] = []
        taken = _until_full(chosen, dataset, session)
        fetched = _fetch(client, dataset, taken)
        yield from grouped(_window_tables(dataset, fetched, ledger, session, audit))
        if audit:
            yield _audit_rows(audit)
    finally:
        context.release()


def _until_full(
    planned: list[PlannedWindow], dataset: Dataset, session: Session
) -> Iterator[PlannedWindow]:
    """``planned`` until the load package has its rows; the rest goes back to the session."""
    for position, item in enumerate(planned):
        if session.full:
            session.put_back(dataset.name, len(planned) - position)
            return
        yield item


def _window_tables(
    dataset: Dataset,
    fetched: Iterator[tuple[PlannedWindow, SpooledTables | CalvenError, float]],
    ledger: Ledger,
    session: Session,
    audit: list[dict[str, Any]],
) -> Iterator[pa.Table]:
    """The tables of each fetched window; records each window in the ledger and ``audit``."""
    for item, outcome, seconds in fetched:
        if isinstance(outcome, CalvenError):
            failure = WindowResult(
                dataset.name, item.partition, item.window, seconds=seconds, error=str(outcome)
            )
            session.report(failure)
            continue
        with outcome as spooled:
            yield from spooled.tables()
        ledger.record(item.partition, item.window)
        result = WindowResult(dataset.name, item.partition, item.window, spooled.rows, seconds)
        session.report(result)
        audit.append(_audit_row(dataset, result, session.run_id))


def future_rows(dataset: Dataset, context: SourceContext) -> Iterator[pa.Table]:
    """Bookings from today on, per location; all or nothing, since the table is replaced."""
    config = context.config
    client = context.acquire()
    try:
        plan = [
            PlannedWindow(partition, window)
            for partition in context.partitions(dataset, client)
            for window in split([config.future], config.max_window_days)
        ]
        for _, outcome, _ in _fetch(client, dataset, plan):
            if isinstance(outcome, CalvenError):
                raise outcome
            with outcome as spooled:
                context.session.count_rows(dataset.name, spooled.rows)
                yield from spooled.tables()
    finally:
        context.release()
