"""Run a sync as a series of checkpoints: one load package per chunk of windows.

A crash loses at most the chunk in flight; every earlier chunk's rows and ledger are already in
the destination. Packages a crashed run left behind are loaded before anything new is fetched.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.extract import DltSource

from pipelines.checkpoints import (
    DEFAULT_CHECKPOINT_ROWS,
    DEFAULT_CHECKPOINT_WINDOWS,
    CheckpointSession,
)
from pipelines.destinations import merges
from pipelines.destinations.defaults import loader_file_format
from pipelines.destinations.duckdb import one_connection
from pipelines.destinations.write_lock import writer_lock
from pipelines.dlt_internals import extracted_packages
from pipelines.interrupts import StopRequest, stop_on_interrupt
from pipelines.pipeline import row_counts
from sources.calven import SourceContext, calven_source, resolve_config
from sources.calven.catalog import DATASETS
from sources.calven.errors import CalvenError, ConfigError
from sources.calven.extract.session import WindowResult
from sources.calven.incremental.ledger import loaded_ranges
from sources.calven.incremental.shards import Shard

logger = logging.getLogger(__name__)


def check_datasets(names: Sequence[str]) -> list[str]:
    """Validate dataset names; ConfigError listing the valid ones."""
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        raise ConfigError(f"unknown dataset(s) {', '.join(unknown)}; valid: {', '.join(DATASETS)}")
    return list(dict.fromkeys(names))


@dataclass
class SyncReport:
    """What a sync did; ``landed`` counts only what reached the destination."""

    session: CheckpointSession
    load_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    started: bool = False
    """The configuration was valid and work began: a summary is worth printing."""
    landed_rows: Counter[str] = field(default_factory=Counter)
    landed_windows: Counter[str] = field(default_factory=Counter)
    replaced: dict[str, int | None] = field(default_factory=dict)
    """Rows each replaced table held before the sync (None: not there, or not countable)."""
    new_columns: list[str] = field(default_factory=list)
    """``table.column`` of every column this sync added to a table that existed before it."""

    @property
    def ok(self) -> bool:
        return not self.session.failures

    def landed(self) -> None:
        """A checkpoint's package is in the destination: what the session counted so far is."""
        self.landed_rows = Counter(self.session.rows)
        self.landed_windows = Counter(self.session.windows)
        self.session.landed(self.load_ids[-1] if self.load_ids else None)


def new_report(
    *,
    checkpoint_windows: int | None = DEFAULT_CHECKPOINT_WINDOWS,
    checkpoint_rows: int | None = DEFAULT_CHECKPOINT_ROWS,
    on_window: Callable[[WindowResult], None] | None = None,
    on_planned: Callable[[str, int], None] | None = None,
) -> SyncReport:
    """An empty report for ``sync`` to fill: the caller keeps it if the sync raises.

    ``on_window`` hears of every window's outcome, ``on_planned`` of each dataset's planned
    total of windows (``Session.planned``): what a progress display needs.
    """
    session = CheckpointSession(
        max_windows=checkpoint_windows,
        max_rows=checkpoint_rows,
        on_window=on_window,
        on_planned=on_planned,
    )
    return SyncReport(session)


def replaced_rows(pipeline: dlt.Pipeline, datasets: Sequence[str]) -> dict[str, int | None]:
    """Rows held now by the tables among ``datasets`` that a load replaces."""
    names = [name for name in datasets if DATASETS[name].write_disposition == "replace"]
    return row_counts(pipeline, names) if names else {}


def root_cause(exc: BaseException) -> BaseException:
    """The interrupt or CalvenError behind dlt's step exceptions, if any."""
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, KeyboardInterrupt | CalvenError):
            return current
        current = current.__cause__ or current.__context__
    return exc


def drop_normalized_leftovers(pipeline: dlt.Pipeline) -> None:
    """Finish a normalize commit that a crash cut in two.

    dlt commits a normalized package by renaming it into the load folder, then deletes the
    extracted copy. A crash between the two leaves both, and normalizing the copy again fails on
    the rename in every later run. The renamed package is complete (a rename is atomic), so the
    copy is exactly what dlt would have deleted next.
    """
    normalized = {
        *pipeline.list_normalized_load_packages(),
        *pipeline.list_completed_load_packages(),
    }
    leftovers = [i for i in pipeline.list_extracted_load_packages() if i in normalized]
    if leftovers:
        extracted = extracted_packages(pipeline)
        for load_id in leftovers:
            logger.warning("package %s was normalized before a crash; dropping its copy", load_id)
            extracted.delete_package(load_id)


def finish_pending(pipeline: dlt.Pipeline) -> None:
    """Restore state from the destination if dlt would, and load what a crashed run left."""
    drop_normalized_leftovers(pipeline)
    merges.deduplicate_resumed(pipeline)
    if pipeline.has_pending_data:
        logger.info("loading packages left by an interrupted run")
    # With no data, run() only syncs state from the destination and loads pending packages.
    pipeline.run()


def sync(
    pipeline: dlt.Pipeline,
    datasets: Sequence[str],
    source_options: Mapping[str, Any],
    *,
    checkpoint_windows: int | None = DEFAULT_CHECKPOINT_WINDOWS,
    checkpoint_rows: int | None = DEFAULT_CHECKPOINT_ROWS,
    on_window: Callable[[WindowResult], None] | None = None,
    report: SyncReport | None = None,
    flags: Mapping[str, str] | None = None,
) -> SyncReport:
    """Load ``datasets`` chunk by chunk until no window is left (or only failed ones).

    From the main thread, Ctrl-C is handled as ``pipelines.interrupts`` describes and ends in
    KeyboardInterrupt with every completed checkpoint kept. Given a ``report`` (``new_report``),
    the sync fills it, so a caller still has it when the sync raises; the checkpoint arguments
    are then the report's. ``flags`` names the command-line flag behind each source option.
    """
    started = time.monotonic()
    if report is None:
        report = new_report(
            checkpoint_windows=checkpoint_windows,
            checkpoint_rows=checkpoint_rows,
            on_window=on_window,
        )
    session = report.session
    selected = check_datasets(datasets)
    config = resolve_config(overrides=source_options, flags=flags)
    report.started = True
    # One client for the whole sync: one connection pool, one token, one read of /locations.
    client = config.client()
    session.on_abort(client.abort)
    context = SourceContext(config, session, client)
    before: dict[str, set[str]] | None = None
    try:
        with stop_on_interrupt(pipeline, session.abort) as stop:
            # one connection, closed before the lock is released: the file is then free
            with writer_lock(pipeline), one_connection(pipeline):
                with stop.deferred():
                    finish_pending(pipeline)
                report.replaced = replaced_rows(pipeline, selected)
            _warn_new_shard(pipeline, config.in_shard)
            before = data_columns(pipeline)
            while selected:
                stop.check()
                session.new_package()
                source = calven_source(context=context).with_resources(*selected)
                report.load_ids.extend(_checkpoint(pipeline, source, stop))
                report.landed()
                if session.taken == 0:
                    break
                selected = [name for name, left in session.remaining.items() if left > 0]
    except KeyboardInterrupt:
        session.abort()
        raise
    except Exception as exc:
        cause = root_cause(exc)
        if isinstance(cause, KeyboardInterrupt):
            session.abort()
        if cause is exc:
            raise
        raise cause from exc
    finally:
        if before is not None:
            report.new_columns = new_columns(before, data_columns(pipeline))
        session.requests += client.requests_made
        session.retries += client.retries_made
        client.close()
        report.seconds = time.monotonic() - started
    return report


def _warn_new_shard(pipeline: dlt.Pipeline, shard: Shard | None) -> None:
    """Say so when a shard's pipeline starts without a ledger: it reads its history again."""
    if shard is not None and not loaded_ranges(pipeline.state):
        logger.warning(
            "shard %s (pipeline %s) has no ledger yet: it reads its locations from start_date; "
            "days an earlier number of shards or another pipeline loaded are read again and "
            "merged, never duplicated",
            shard,
            pipeline.pipeline_name,
        )


def data_columns(pipeline: dlt.Pipeline) -> dict[str, set[str]]:
    """The columns of each table in the pipeline's default schema (dlt's own columns aside)."""
    if not pipeline.schema_names:
        return {}
    return {
        str(table["name"]): {c for c in table.get("columns", {}) if not c.startswith("_dlt_")}
        for table in pipeline.default_schema.data_tables()
    }


def new_columns(before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> list[str]:
    """``table.column`` added to tables that were there before (a new table is not a change)."""
    return sorted(
        f"{table}.{column}"
        for table, columns in after.items()
        if table in before
        for column in columns - before[table]
    )


def _checkpoint(pipeline: dlt.Pipeline, source: DltSource, stop: StopRequest) -> list[str]:
    """Extract, normalize and load one chunk; returns its load ids.

    A stop request ends it at the next step boundary; an extraction that failed because the
    stop aborted its requests raises KeyboardInterrupt, not the failure.
    """
    merges.trust(pipeline, source)
    try:
        pipeline.extract(source, loader_file_format=loader_file_format(pipeline))
    except Exception:
        stop.check()
        raise
    stop.check()
    with stop.deferred():
        normalized = pipeline.normalize()
        merges.verify(pipeline)
        rows = sum(normalized.row_counts.values())
        with writer_lock(pipeline), one_connection(pipeline, rows=rows):
            info = pipeline.load()
    stop.check()
    return list(info.loads_ids)
