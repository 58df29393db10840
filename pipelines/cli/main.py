"""``calven-sync``: the command line. Parsing and exit codes here; the work in commands.py."""

from __future__ import annotations

import argparse
import io
import sys
import traceback
from collections.abc import Sequence
from contextlib import redirect_stderr

from pipelines import exit_codes
from pipelines.cli import commands
from pipelines.cli.arguments import (
    EPILOG,
    Parser,
    add_checkpoint_options,
    add_pipeline_options,
    csv_list,
    day,
    positive,
)
from pipelines.cli.failures import explain
from pipelines.cli.logformat import (
    DEFAULT_FORMAT,
    FORMATS,
    configure_logging,
    json_mode,
    log_format,
    output_error,
    requested_format,
)
from pipelines.cli.report import add_report_arguments
from pipelines.cli.sharding import add_shard_argument
from pipelines.cli.transform import add_transform_arguments
from pipelines.push.command import add_push_arguments
from sources.calven.catalog import DATASETS

UNEXPECTED = 1
"""The exit code of an error no one expected (Python's own for an uncaught exception)."""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="calven-sync",
        description="Copy a Calven tenant's warehouse data into DuckDB or any dlt destination.",
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="simulated API + full load into calven_demo.duckdb")
    demo.add_argument("--output", default="calven_demo.duckdb", help="DuckDB file to write")
    demo.add_argument("--report", default="calven_report.html", help="HTML report to write")
    demo.add_argument("--users", type=positive, default=2000, help="simulated users")
    demo.add_argument("--locations", type=positive, default=6, help="simulated offices")
    demo.add_argument("--days", type=positive, default=120, help="days of history")
    demo.add_argument("--seed", type=int, default=42, help="seed of the simulated tenant")
    demo.add_argument("-v", "--verbose", action="store_true", help="log every request")

    check = sub.add_parser("check", help="verify credentials and reach every dataset")
    add_pipeline_options(check)

    run = sub.add_parser("run", help="the scheduled sync: dimensions + incremental datasets")
    add_pipeline_options(run)
    run.add_argument("--datasets", type=csv_list, help=f"comma list of: {', '.join(DATASETS)}")
    add_shard_argument(run)
    run.add_argument(
        "--transform",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="build the models after a successful load (default: the transform.after_run setting)",
    )
    add_checkpoint_options(run)

    transform = sub.add_parser("transform", help="build the attendance models (dbt) in place")
    add_pipeline_options(transform)
    add_transform_arguments(transform)

    backfill = sub.add_parser("backfill", help="fill a past range through the same ledger")
    add_pipeline_options(backfill)
    backfill.add_argument("--start", type=day, required=True, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", type=day, help="first day NOT loaded (default: today)")
    backfill.add_argument(
        "--dataset",
        dest="datasets",
        action="append",
        help="windowed dataset to fill (repeatable; default all)",
    )
    backfill.add_argument("--locations", type=csv_list, help="comma list of ids (default: all)")
    backfill.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    add_shard_argument(backfill)
    add_checkpoint_options(backfill)

    future = sub.add_parser("future", help="refresh bookings_future")
    add_pipeline_options(future)
    future.add_argument("--days", type=positive, help="days ahead (default: future_days, 14)")

    state = sub.add_parser("state", help="show or reset the window ledger")
    state_sub = state.add_subparsers(dest="state_command", required=True, metavar="ACTION")
    show = state_sub.add_parser("show", help="loaded ranges per dataset and partition")
    add_pipeline_options(show)
    add_shard_argument(show)
    show.add_argument(
        "--all-shards",
        action="store_true",
        help="the ledger of every shard of --pipeline-name that has loaded into the dataset",
    )
    reset = state_sub.add_parser("reset", help="forget loaded ranges (tables are kept)")
    add_pipeline_options(reset)
    add_shard_argument(reset)
    reset.add_argument(
        "--dataset",
        dest="datasets",
        action="append",
        help="windowed dataset to forget (repeatable; default: all)",
    )
    reset.add_argument("--yes", action="store_true", help="confirm the reset")

    simulate = sub.add_parser("simulate", help="run the simulated Calven API in the foreground")
    simulate.add_argument("--host", default="127.0.0.1", help="address to listen on")
    simulate.add_argument("--port", type=int, default=8765, help="port to listen on")
    simulate.add_argument("--seed", type=int, default=42, help="seed of the simulated tenant")
    simulate.add_argument("--users", type=positive, default=1000, help="simulated users")
    simulate.add_argument("--locations", type=positive, default=4, help="simulated offices")
    simulate.add_argument("--days", type=positive, default=120, help="days of history")
    simulate.add_argument("--future-days", type=positive, default=14, help="days ahead")

    report = sub.add_parser("report", help="write an HTML report of sync health and attendance")
    add_pipeline_options(report)
    add_report_arguments(report)

    push = sub.add_parser("push", help="send presence, occupancy, time off or access credentials")
    add_pipeline_options(push)
    add_push_arguments(push)
    _add_log_format(parser)
    return parser


def _add_log_format(parser: argparse.ArgumentParser, default: str = DEFAULT_FORMAT) -> None:
    """``--log-format`` before the command or after it (``calven-sync run --log-format json``)."""
    parser.add_argument(
        "--log-format",
        choices=FORMATS,
        default=default,
        help=f"text, or one JSON object per line (default: {DEFAULT_FORMAT})",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _add_log_format(command, argparse.SUPPRESS)


def _configure_logging(verbose: bool) -> None:
    # On a terminal the progress bars replace the INFO lines; elsewhere one line per checkpoint.
    configure_logging(verbose)


def _parse(arguments: list[str]) -> argparse.Namespace:
    """The parsed command line; in JSON mode a usage error is an ``error`` object too."""
    if not json_mode():
        return build_parser().parse_args(arguments)
    text = io.StringIO()
    try:
        with redirect_stderr(text):
            return build_parser().parse_args(arguments)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else exit_codes.CONFIG
        if code:
            output_error(text.getvalue().strip(), code)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``calven-sync`` with ``argv`` (default: the process's); the exit code.

    Every failure ``pipelines.cli.failures`` knows ends in one line on stderr and its code; any
    other exception is a bug and keeps its traceback (in JSON mode, as a field of the error).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    with log_format(requested_format(arguments)):
        args = _parse(arguments)
        args.argv = arguments
        _configure_logging(getattr(args, "verbose", False))
        try:
            return commands.dispatch(args)
        except (Exception, KeyboardInterrupt) as exc:
            failure = explain(exc)
            if failure is not None:
                output_error(failure.line, failure.code, kind=failure.kind)
                return failure.code
            if not json_mode():
                raise
            line = f"calven-sync: unexpected error: {type(exc).__name__}: {exc}"
            output_error(line, UNEXPECTED, traceback=traceback.format_exc())
            return UNEXPECTED
