"""``calven-sync push KIND --from SOURCE``: send events to Calven, record every outcome.

SOURCE is a file (``.csv``, ``.jsonl``/``.ndjson``, ``.parquet``), ``table:NAME`` (a table in
the destination's dataset, or ``schema.table``) or ``query:SQL`` run on the destination. Every
row's outcome is appended to ``_calven_push_results`` in the same destination and dataset as
the warehouse tables, every ``--checkpoint-events`` outcomes, so a crash loses little; the next
run reads that table back and skips what is settled (see ``sources.calven.push.outcomes``).
"""

from __future__ import annotations

import argparse
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from pipelines import exit_codes
from pipelines.cli.arguments import positive
from pipelines.cli.logformat import output
from pipelines.cli.progress import PushProgress
from pipelines.cli.recording import recorded
from pipelines.lock import pipeline_lock
from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.push.results import (
    RESULTS_TABLE,
    SOURCE_TEXT_LIMIT,
    ResultsWriter,
    previous_outcomes,
    read_source,
)
from sources.calven.config import PUSH_SECTIONS, resolve_config
from sources.calven.push import (
    KINDS,
    MAX_BATCH,
    EventKind,
    PushPlan,
    PushReport,
    push_rows,
)

logger = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_EVENTS = 5_000
DEFAULT_SOURCE_ID = "calven-sync"
SHOWN_EVENTS = 3


def _rename(value: str) -> dict[str, str]:
    pairs = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        column, sep, field = part.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise argparse.ArgumentTypeError(
                f"expected COLUMN=FIELD[,COLUMN=FIELD...], got {part!r}"
            )
        pairs[column.strip()] = field.strip()
    return pairs


def add_push_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``push`` options (the pipeline options are added by the CLI)."""
    parser.add_argument("kind", choices=sorted(KINDS), help="what the rows are")
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="SOURCE",
        help="a .csv/.jsonl/.parquet file, table:NAME or query:SQL on the destination",
    )
    parser.add_argument(
        "--map",
        dest="rename",
        type=_rename,
        action="append",
        default=[],
        metavar="COLUMN=FIELD[,...]",
        help="rename source columns to API fields (snake_case names match on their own)",
    )
    parser.add_argument(
        "--source-id",
        default=DEFAULT_SOURCE_ID,
        help="sourceId of presence/occupancy rows without a sourceId column",
    )
    parser.add_argument(
        "--retry-rejected",
        action="store_true",
        help="resend events an earlier run saw rejected",
    )
    parser.add_argument("--dry-run", action="store_true", help="validate and print; send nothing")
    parser.add_argument("--batch-size", type=int, default=MAX_BATCH, help=argparse.SUPPRESS)
    parser.add_argument(
        "--checkpoint-events",
        type=positive,
        default=DEFAULT_CHECKPOINT_EVENTS,
        help="outcomes per results load",
    )


def push_summary(report: PushReport, source: str, run_id: str | None) -> str:
    """What the CLI prints: counts, rejections by code, the first problem rows."""
    tally = report.tally
    rejected = ", ".join(f"{label}: {n:,}" for label, n in sorted(tally.rejected_by.items()))
    lines = [
        f"push {report.kind} from {source[:SOURCE_TEXT_LIMIT]}",
        f"  rows               {report.rows:>9,}",
        f"  invalid locally    {report.count('invalid'):>9,}  (not sent)",
        f"  duplicate rows     {report.duplicates:>9,}  (same eventId as an earlier row)",
        f"  already accepted   {report.skipped_accepted:>9,}  (skipped)",
        f"  already rejected   {report.skipped_rejected:>9,}  (skipped; --retry-rejected resends)",
    ]
    if run_id is None:
        would = sum(len(batch.events) for batch in report.would_send)
        lines.append(f"  would send         {would:>9,}  in {report.batches:,} batch(es)")
    else:
        lines += [
            f"  sent               {tally.sent:>9,}  in {report.batches:,} batch(es)",
            f"  accepted           {report.count('accepted'):>9,}",
            f"  rejected           {report.count('rejected'):>9,}  {rejected}".rstrip(),
            f"  failed             {report.count('failed'):>9,}  (sent again by the next run)",
            f"requests {report.requests:,}, retries {report.retries:,}, {report.seconds:.1f} s; "
            f"outcomes in {RESULTS_TABLE} (run_id {run_id})",
        ]
    if report.problems:
        lines.append(f"first {len(report.problems)} invalid or rejected row(s), counted from 1:")
    for problem in report.problems:
        what = "invalid" if problem.status == "invalid" else problem.code_label
        ident = f" {problem.event_id}" if problem.event_id else ""
        lines.append(f"  row {problem.row}{ident}: {what}: {problem.message}")
    return "\n".join(lines)


def show_push_summary(report: PushReport, source: str, run_id: str | None) -> None:
    """Write ``push_summary`` on stdout, as text or as a JSON ``summary`` object."""
    tally = report.tally
    problems = [
        {"row": p.row, "event_id": p.event_id, "status": p.status, "message": p.message}
        | ({"code": p.code_label} if p.status != "invalid" else {})
        for p in report.problems
    ]
    sent: dict[str, Any] = {
        "sent": tally.sent,
        "accepted": report.count("accepted"),
        "rejected": report.count("rejected"),
        "rejected_by": dict(sorted(tally.rejected_by.items())),
        "failed": report.count("failed"),
        "requests": report.requests,
        "retries": report.retries,
        "seconds": round(report.seconds, 3),
    }
    would_send = sum(len(batch.events) for batch in report.would_send)
    output(
        "summary",
        push_summary(report, source, run_id),
        level="info" if report.complete else "warning",
        scope="push",
        kind=report.kind,
        source=source[:SOURCE_TEXT_LIMIT],
        run_id=run_id,
        rows=report.rows,
        invalid=report.count("invalid"),
        duplicates=report.duplicates,
        already_accepted=report.skipped_accepted,
        already_rejected=report.skipped_rejected,
        batches=report.batches,
        **(sent if run_id is not None else {"would_send": would_send}),
        problems=problems,
    )


def _dry_run_lines(report: PushReport, kind: EventKind) -> Iterator[str]:
    for batch in report.would_send[:SHOWN_EVENTS]:
        yield f"POST {kind.path} batch {batch.number}: {len(batch.events)} event(s)"
    for event in (e for b in report.would_send[:1] for e in b.events[:SHOWN_EVENTS]):
        yield f"  row {event.row}: {orjson.dumps(event.body).decode()}"
    yield "nothing was sent (--dry-run)"


def exit_code(report: PushReport) -> int:
    """0 when every row is accepted; 4 when some got no verdict; 5 for invalid or rejected."""
    if report.count("failed"):
        return exit_codes.API
    return exit_codes.OK if report.complete else exit_codes.DATA


def push_command(args: argparse.Namespace) -> int:
    """The ``push`` command: read, validate, send, record, summarise."""
    kind = KINDS[args.kind]
    plan = PushPlan(
        kind=kind,
        rename={k: v for mapping in args.rename for k, v in mapping.items()},
        source_id=args.source_id,
        retry_rejected=args.retry_rejected,
        batch_size=args.batch_size,
    )
    pipeline = make_pipeline(
        PipelineSpec(
            pipeline_name=args.pipeline_name,
            destination=args.destination,
            dataset_name=args.dataset_name,
            pipelines_dir=args.pipelines_dir,
        )
    )
    rows = read_source(pipeline, args.source)
    if args.dry_run:
        report = push_rows(None, plan, rows, previous_outcomes(pipeline, kind), lambda o: None)
        show_push_summary(report, args.source, None)
        output("dry_run", "\n".join(_dry_run_lines(report, kind)), kind=kind.name)
        return exit_codes.OK if not report.count("invalid") else exit_codes.DATA
    run_id = f"push-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    config = resolve_config(PUSH_SECTIONS)
    lock = pipeline_lock(args.pipelines_dir, args.pipeline_name, wait=args.wait)
    with lock, recorded(pipeline, args, command="push") as record:
        writer = ResultsWriter(pipeline, kind, args.source, args.checkpoint_events, run_id)
        with config.client() as client:
            previous = previous_outcomes(pipeline, kind)
            progress = PushProgress(kind.name, len(rows), writer, every=args.checkpoint_events)
            try:
                with progress:
                    report = push_rows(client, plan, progress.rows(rows), previous, progress)
            finally:
                writer.flush()
        record.requests, record.retries = report.requests, report.retries
        record.rows = {kind.name: report.count("accepted")}
        record.exit_code = exit_code(report)
    show_push_summary(report, args.source, run_id)
    return exit_code(report)
