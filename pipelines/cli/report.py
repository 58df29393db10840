"""``calven-sync report``: its arguments and the command (the report itself: pipelines.report)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

import dlt

from pipelines import exit_codes
from pipelines.cli.arguments import csv_list, positive
from pipelines.cli.extras import needs_extra
from pipelines.pipeline import DEFAULT_DATASET_NAME, DEFAULT_PIPELINE_NAME, DEFAULT_PIPELINES_DIR
from sources.calven.config import parse_day

DEFAULT_OUTPUT = "calven_report.html"


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="HTML file to write")
    parser.add_argument("--weeks", type=positive, default=12, help="weeks of days to show")
    parser.add_argument(
        "--locations", type=csv_list, help="comma list of location ids (default: all)"
    )


def pipeline_options(args: argparse.Namespace) -> list[str]:
    """The pipeline options given that differ from the defaults, to repeat in printed commands."""
    defaults = {
        "--pipeline-name": (args.pipeline_name, DEFAULT_PIPELINE_NAME),
        "--destination": (args.destination, "duckdb"),
        "--dataset-name": (args.dataset_name, DEFAULT_DATASET_NAME),
        "--pipelines-dir": (args.pipelines_dir, DEFAULT_PIPELINES_DIR),
    }
    options: list[str] = []
    for flag, (value, default) in defaults.items():
        if value != default:
            options += [flag, str(value)]
    return options


def _today(args: argparse.Namespace) -> date | None:
    """The last day is the one before the sync's today (``--today``, or ``today`` in config)."""
    today = args.today or dlt.config.get("sources.calven.today", str)
    return parse_day("sources.calven.today", str(today)) if today else None


def report(args: argparse.Namespace, make_pipeline: Callable[[], dlt.Pipeline]) -> int:
    """Write the report; the pipeline is made once the report's libraries are known present."""
    with needs_extra("report", "the report"):
        from pipelines.report import ReportOptions, write_report
    pipeline = make_pipeline()
    written = write_report(
        pipeline,
        ReportOptions(
            output=Path(args.output),
            weeks=args.weeks,
            locations=tuple(args.locations or ()),
            today=_today(args),
            command_options=pipeline_options(args),
        ),
    )
    attendance = "attendance included" if written.attendance else "no attendance models yet"
    print(
        f"report written to {written.path} ({written.bytes / 1e6:.1f} MB, {written.charts} charts, "
        f"{written.gaps} gaps, {written.anomalies} anomalies, {attendance})"
    )
    return exit_codes.OK
