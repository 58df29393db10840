"""Every command that changes the destination is recorded in ``_calven_sync_runs`` and, when
it fails, loads in part or meets a schema change, alerted (``pipelines.operations``)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import dlt

from pipelines import exit_codes
from pipelines.cli.failures import explain
from pipelines.operations.alerts import send_alert
from pipelines.operations.runlog import RunRecord, finish_run, start_run
from pipelines.runner import SyncReport

logger = logging.getLogger(__name__)


@contextmanager
def recorded(
    pipeline: dlt.Pipeline,
    args: argparse.Namespace,
    report: SyncReport | None = None,
    *,
    resume: str | None = None,
    command: str | None = None,
) -> Iterator[RunRecord]:
    """Record the run around the block: started now, finished with the block's outcome.

    A sync's ``report`` fills the figures; ``command`` names what ran when it is not the
    command line's (the models ``run --transform`` builds are a ``transform``). A block that
    ends without an exception may set ``record.exit_code``: anything but 0 is ``partial``.
    """
    record = start_run(pipeline, command or args.command, args.argv)
    try:
        yield record
    except BaseException as exc:
        failure = explain(exc)
        code = failure.code if failure is not None else 1
        if code == exit_codes.CONFIG and not record.logged:
            raise  # a configuration error changes nothing, the run log included
        interrupted = code == exit_codes.INTERRUPTED
        _fill(record, report)
        record.first_error = record.first_error or (
            failure.line if failure is not None else f"{type(exc).__name__}: {exc}"
        )
        _finish(pipeline, record, "interrupted" if interrupted else "failed", code, resume)
        raise
    _fill(record, report)
    if record.exit_code is None:
        partial = report is not None and not report.ok
        record.exit_code = exit_codes.API if partial else exit_codes.OK
    code = record.exit_code
    _finish(pipeline, record, "success" if code == exit_codes.OK else "partial", code, resume)


def _fill(record: RunRecord, report: SyncReport | None) -> None:
    if report is None:
        return
    session = report.session
    record.rows = dict(report.landed_rows)
    record.windows = dict(report.landed_windows)
    record.requests = session.requests
    record.retries = session.retries
    record.failed_windows = len(session.failures)
    record.first_error = str(session.failures[0]) if session.failures else None
    record.load_ids = list(report.load_ids)
    record.schema_changes = list(report.new_columns)
    for column in report.new_columns:
        logger.warning("schema change: the API added %s; it is loaded as a new column", column)


def _finish(
    pipeline: dlt.Pipeline, record: RunRecord, status: str, code: int, resume: str | None
) -> None:
    finish_run(pipeline, record, status, code)
    send_alert(pipeline, record, resume if status in ("failed", "partial") else None)
