"""``calven-sync transform`` and ``run --transform``: build the models, print what was built."""

from __future__ import annotations

import argparse
import logging
import sys

import dlt

from pipelines import exit_codes
from pipelines.cli.logformat import interactive, output
from pipelines.cli.recording import recorded
from pipelines.destinations.duckdb import missing_database
from pipelines.lock import pipeline_lock
from pipelines.transform import ModelResult, TransformResult, transform
from pipelines.transform.runner import dbt_runner
from pipelines.transform.settings import transform_settings
from sources.calven.errors import ConfigError

logger = logging.getLogger(__name__)

SKIPPED = "models not built: the load did not complete (the next successful run builds them)"


def add_transform_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every mart from all loaded rows instead of the days loads touched",
    )
    parser.add_argument(
        "--select",
        nargs="+",
        metavar="SELECTOR",
        help="dbt node selection (e.g. fct_attendance_day+)",
    )
    parser.add_argument("--test", action="store_true", help="also run the models' dbt tests")
    parser.add_argument(
        "--docs", action="store_true", help="then write dbt's documentation site of the models"
    )


def wants_transform(args: argparse.Namespace) -> bool:
    """``run --transform``/``--no-transform``, else the ``transform.after_run`` setting.

    Settings are checked (and dbt looked for) before anything loads, not after.
    """
    if args.transform is False:
        return False
    after_run = transform_settings().after_run  # checks every setting, wanted or not
    if not (args.transform or after_run):
        return False
    dbt_runner()
    return True


def build(
    args: argparse.Namespace,
    pipeline: dlt.Pipeline,
    *,
    full_refresh: bool = False,
    select: list[str] | None = None,
    test: bool = False,
    docs: bool = False,
) -> int:
    """Build the models into ``pipeline``'s destination under its lock; print a summary."""
    dbt_runner()
    settings = transform_settings()
    with pipeline_lock(args.pipelines_dir, args.pipeline_name, wait=args.wait):
        if missing_database(pipeline):
            raise ConfigError(
                f"nothing to transform: pipeline {args.pipeline_name} has loaded nothing yet "
                "(its DuckDB file does not exist); run calven-sync run first"
            )
        with recorded(pipeline, args, command="transform"):
            result = transform(
                pipeline,
                full_refresh=full_refresh,
                select=select or (),
                test=test,
                docs=docs,
                variables=settings.variables(),
                on_node=show_node,
            )
    show_transform_summary(result)
    return exit_codes.OK


def show_node(node: ModelResult) -> None:
    fields = {
        "event": "node",
        "kind": node.kind,
        "node": node.name,
        "status": node.status,
        "seconds": round(node.seconds, 3),
    }
    logger.info(
        "%s %s: %s in %.2f s", node.kind, node.name, node.status, node.seconds, extra=fields
    )
    if interactive():
        sys.stderr.write(f"\r\033[K{node.kind} {node.name}: {node.status}")
        sys.stderr.flush()


def transform_summary(result: TransformResult) -> str:
    """One line: how many models (and tests) were built, and how long it took."""
    if interactive():
        sys.stderr.write("\r\033[K")
    models = [node for node in result.nodes if node.kind == "model"]
    tests = [node for node in result.nodes if node.kind == "test"]
    line = f"transform: {len(models)} model(s) built"
    if tests:
        passed = sum(1 for node in tests if node.status == "pass")
        line += f", {passed}/{len(tests)} test(s) passed"
    line = f"{line} in {result.seconds:.1f} s"
    if result.docs is not None:
        line += f"\ndocumentation of the models (one file, open it in a browser): {result.docs}"
    return line


def show_transform_summary(result: TransformResult) -> None:
    """Write ``transform_summary`` on stdout, as text or as a JSON ``summary`` object."""
    tests = [node for node in result.nodes if node.kind == "test"]
    output(
        "summary",
        transform_summary(result),
        scope="transform",
        models=sum(1 for node in result.nodes if node.kind == "model"),
        tests=len(tests) if tests else None,
        tests_passed=sum(1 for node in tests if node.status == "pass") if tests else None,
        seconds=round(result.seconds, 3),
        docs=result.docs,
    )
