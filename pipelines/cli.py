"""``calven-sync``: the command line. Parsing and exit codes here; the work in commands.py."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from dlt.common.destination.exceptions import DestinationTerminalException
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines import commands, exit_codes
from pipelines.lock import PipelineBusy
from pipelines.pipeline import DEFAULT_DATASET_NAME, DEFAULT_PIPELINE_NAME, DEFAULT_PIPELINES_DIR
from pipelines.push import add_push_arguments
from sources.calven.errors import AuthError, CalvenError, ConfigError
from sources.calven.settings import DATASETS, DEFAULT_CHECKPOINT_ROWS, DEFAULT_CHECKPOINT_WINDOWS
from sources.calven.tables import RecordError


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _positive(value: str) -> int:
    number = int(value) if value.strip().isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def _add_checkpoint_options(parser: argparse.ArgumentParser) -> None:
    """A load package (a checkpoint) ends at whichever limit comes first."""
    parser.add_argument(
        "--checkpoint-windows",
        type=_positive,
        default=DEFAULT_CHECKPOINT_WINDOWS,
        help="most windows per load package (default %(default)s)",
    )
    parser.add_argument(
        "--checkpoint-rows",
        type=_positive,
        default=DEFAULT_CHECKPOINT_ROWS,
        help="rows after which a load package takes no more windows (default %(default)s)",
    )


def _add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pipeline")
    group.add_argument("--pipeline-name", default=DEFAULT_PIPELINE_NAME)
    group.add_argument("--destination", default="duckdb", help="a dlt destination (default duckdb)")
    group.add_argument("--dataset-name", default=DEFAULT_DATASET_NAME)
    group.add_argument(
        "--pipelines-dir",
        default=DEFAULT_PIPELINES_DIR,
        help="dlt working directory (default ./state)",
    )
    group.add_argument(
        "--wait",
        action="store_true",
        help="wait for another run of this pipeline instead of refusing",
    )
    group.add_argument("--today", help=argparse.SUPPRESS)
    group.add_argument("-v", "--verbose", action="store_true", help="log every request")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calven-sync",
        description="Copy a Calven tenant's warehouse data into DuckDB or any dlt destination.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="simulated API + full load into calven_demo.duckdb")
    demo.add_argument("--output", default="calven_demo.duckdb")
    demo.add_argument("--users", type=int, default=2000)
    demo.add_argument("--locations", type=int, default=6)
    demo.add_argument("--days", type=int, default=120, help="days of history")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("-v", "--verbose", action="store_true")

    check = sub.add_parser("check", help="verify credentials and reach every dataset")
    _add_pipeline_options(check)

    run = sub.add_parser("run", help="the scheduled sync: dimensions + incremental datasets")
    _add_pipeline_options(run)
    run.add_argument("--datasets", type=_csv, help=f"comma list of: {', '.join(DATASETS)}")
    _add_checkpoint_options(run)

    backfill = sub.add_parser("backfill", help="fill a past range through the same ledger")
    _add_pipeline_options(backfill)
    backfill.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", help="first day NOT loaded, YYYY-MM-DD (default today)")
    backfill.add_argument(
        "--dataset",
        dest="datasets",
        action="append",
        help="windowed dataset to fill (repeatable; default all)",
    )
    backfill.add_argument("--locations", type=_csv, help="comma list of location ids")
    backfill.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    _add_checkpoint_options(backfill)

    future = sub.add_parser("future", help="refresh bookings_future")
    _add_pipeline_options(future)
    future.add_argument("--days", type=int, help="days ahead (default future_days, 14)")

    state = sub.add_parser("state", help="show or reset the window ledger")
    state_sub = state.add_subparsers(dest="state_command", required=True, metavar="ACTION")
    show = state_sub.add_parser("show", help="loaded ranges per dataset and partition")
    _add_pipeline_options(show)
    reset = state_sub.add_parser("reset", help="forget loaded ranges (tables are kept)")
    _add_pipeline_options(reset)
    reset.add_argument("--dataset", dest="datasets", action="append")
    reset.add_argument("--yes", action="store_true", help="confirm the reset")

    simulate = sub.add_parser("simulate", help="run the simulated Calven API in the foreground")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8765)
    simulate.add_argument("--seed", type=int, default=42)
    simulate.add_argument("--users", type=int, default=1000)
    simulate.add_argument("--locations", type=int, default=4)
    simulate.add_argument("--days", type=int, default=120, help="days of history")
    simulate.add_argument("--future-days", type=int, default=14)

    push = sub.add_parser("push", help="send presence, occupancy, time off or access credentials")
    _add_pipeline_options(push)
    add_push_arguments(push)
    return parser


def _configure_logging(verbose: bool) -> None:
    # On a terminal the progress line replaces the per-window INFO lines.
    quiet = logging.WARNING if sys.stderr.isatty() else logging.INFO
    logging.basicConfig(
        level=logging.DEBUG if verbose else quiet,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "dlt", "uvicorn", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _fail(code: int, kind: str, exc: BaseException) -> int:
    print(f"calven-sync: {kind}: {exc}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(getattr(args, "verbose", False))
    try:
        return commands.dispatch(args)
    except KeyboardInterrupt:
        print("calven-sync: interrupted; completed checkpoints are kept", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except PipelineBusy as exc:
        return _fail(exit_codes.BUSY, "busy", exc)
    except ConfigError as exc:
        return _fail(exit_codes.CONFIG, "configuration error", exc)
    except AuthError as exc:
        return _fail(exit_codes.AUTH, "authentication error", exc)
    except CalvenError as exc:
        return _fail(exit_codes.API, "API error", exc)
    except RecordError as exc:
        return _fail(exit_codes.DATA, "unexpected data from the API", exc)
    except (PipelineStepFailed, DestinationTerminalException) as exc:
        return _fail(exit_codes.DESTINATION, "load failed", exc)
