"""What each ``calven-sync`` command does (parsing and exit-code mapping live in cli.py)."""

from __future__ import annotations

import argparse
import copy
import shlex
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

import dlt

from pipelines import exit_codes
from pipelines.cli.extras import needs_extra
from pipelines.cli.failures import explain
from pipelines.cli.output import Progress, show_summary
from pipelines.cli.recording import recorded
from pipelines.cli.report import report
from pipelines.cli.sharding import shard_datasets, shard_of, shard_options
from pipelines.cli.transform import SKIPPED, build, wants_transform
from pipelines.destinations.duckdb import missing_database
from pipelines.destinations.write_lock import writer_lock
from pipelines.lock import pipeline_lock
from pipelines.pipeline import PipelineSpec, make_pipeline
from pipelines.runner import check_datasets, new_report, sync
from sources.calven.catalog import (
    BOOKINGS_FUTURE,
    DATASETS,
    DIMENSIONS,
    LOCATIONS,
    SYNC_DATASETS,
    WINDOWED,
    WINDOWED_NAMES,
)
from sources.calven.config import resolve_config
from sources.calven.errors import AuthError, CalvenError, ConfigError
from sources.calven.incremental.ledger import Ledger, resource_states
from sources.calven.incremental.plan import partitions, plan_windows
from sources.calven.incremental.windows import ONE_DAY, Window

FLAGS = {
    "start_date": "--start",
    "end_date": "--end",
    "locations": "--locations",
    "future_days": "--days",
    "today": "--today",
    "shard": "--shard",
}
"""Source settings a command-line flag can set: messages name the flag the user typed."""


def _spec(args: argparse.Namespace) -> PipelineSpec:
    return PipelineSpec(
        pipeline_name=args.pipeline_name,
        destination=args.destination,
        dataset_name=args.dataset_name,
        pipelines_dir=args.pipelines_dir,
        shard=shard_of(args),
    )


def _pipeline(args: argparse.Namespace) -> dlt.Pipeline:
    return make_pipeline(_spec(args))


def _locked(args: argparse.Namespace) -> AbstractContextManager[None]:
    """The pipeline's single-writer lock for commands that change it."""
    return pipeline_lock(args.pipelines_dir, _spec(args).name, wait=args.wait)


def _overrides(args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    values = {"today": getattr(args, "today", None), **shard_options(args), **extra}
    return {key: value for key, value in values.items() if value is not None}


def _flags(options: dict[str, Any]) -> dict[str, str]:
    return {key: flag for key, flag in FLAGS.items() if key in options}


def _sync_command(
    args: argparse.Namespace,
    datasets: Sequence[str],
    options: dict[str, Any],
    *,
    pipeline: dlt.Pipeline | None = None,
    checkpoints: bool = True,
) -> int:
    """Sync under the pipeline's lock; a summary at the end whether it succeeded or not."""
    progress = Progress()
    report = new_report(
        checkpoint_windows=args.checkpoint_windows if checkpoints else None,
        checkpoint_rows=args.checkpoint_rows if checkpoints else None,
        on_window=progress,
        on_planned=progress.planned,
    )
    again = "only what is missing is fetched" if checkpoints else "it reloads the whole table"
    resume = f"{shlex.join(['calven-sync', *args.argv])}  ({again})"
    pipeline = pipeline or _pipeline(args)
    try:
        # settings first: a run refused for its configuration writes nothing, not even its log
        resolve_config(overrides=options, flags=_flags(options))
        with _locked(args), recorded(pipeline, args, report, resume=resume):
            sync(pipeline, datasets, options, report=report, flags=_flags(options))
    except (Exception, KeyboardInterrupt) as exc:
        progress.close()
        failure = explain(exc)
        if report.started and failure is not None and failure.code != exit_codes.CONFIG:
            show_summary(report, error=f"{failure.kind}: {failure.message}", resume=resume)
        raise
    progress.close()
    show_summary(report, resume=resume)
    return exit_codes.OK if report.ok else exit_codes.API


def _restore_state(pipeline: dlt.Pipeline) -> None:
    """The pipeline's state as the destination has it, without creating a database file."""
    if not missing_database(pipeline):
        with writer_lock(pipeline):
            pipeline.sync_destination()


def _only_windowed(command: str, datasets: Sequence[str]) -> None:
    """ConfigError unless every dataset has a ledger (dimensions are replaced, not windowed)."""
    not_windowed = [name for name in datasets if name not in WINDOWED_NAMES]
    if not_windowed:
        raise ConfigError(
            f"{command} takes windowed datasets only ({', '.join(WINDOWED_NAMES)}); "
            f"got {', '.join(not_windowed)}"
        )


def run(args: argparse.Namespace) -> int:
    """The scheduled sync; with ``--transform`` (or ``transform.after_run``) the models after it."""
    build_models = wants_transform(args)
    if build_models and shard_of(args):
        raise ConfigError(
            "--shard: the models are built once every shard has loaded, by calven-sync "
            "transform (not after one shard's run: leave out --transform or transform.after_run)"
        )
    datasets = check_datasets(args.datasets or SYNC_DATASETS)
    datasets = shard_datasets(args, datasets, given=bool(args.datasets))
    pipeline = _pipeline(args)
    try:
        code = _sync_command(args, datasets, _overrides(args), pipeline=pipeline)
    except (Exception, KeyboardInterrupt):
        if build_models:
            print(SKIPPED)
        raise
    if not build_models:
        return code
    if code != exit_codes.OK:
        print(SKIPPED)
        return code
    return build(args, pipeline)


def transform_command(args: argparse.Namespace) -> int:
    return build(
        args,
        _pipeline(args),
        full_refresh=args.full_refresh,
        select=args.select,
        test=args.test,
        docs=args.docs,
    )


def backfill(args: argparse.Namespace) -> int:
    datasets = check_datasets(args.datasets or WINDOWED_NAMES)
    _only_windowed("backfill", datasets)
    datasets = shard_datasets(args, datasets, given=bool(args.datasets))
    options = _overrides(
        args, start_date=args.start, end_date=args.end, locations=args.locations, lookback_days=0
    )
    pipeline = _pipeline(args)
    if args.dry_run:
        return print_plan(pipeline, datasets, options)
    return _sync_command(args, datasets, options, pipeline=pipeline)


def print_plan(pipeline: dlt.Pipeline, datasets: list[str], options: dict[str, Any]) -> int:
    """The windows a backfill would fetch, given what the ledger already holds."""
    config = resolve_config(overrides=options, flags=_flags(options))
    with config.client() as client:
        _restore_state(pipeline)
        states = resource_states(pipeline.state)
        locations = client.get_records(LOCATIONS.path, context=LOCATIONS.name)
        total = 0
        for name in datasets:
            selected = partitions(DATASETS[name], locations, config)
            ledger = Ledger(copy.deepcopy(states.get(name, {})), run_id="dry-run")
            planned = plan_windows(ledger, selected, config)
            total += len(planned)
            print(f"{name}: {len(planned)} request(s) over {len(selected)} partition(s)")
            for item in planned:
                print(f"  {item.partition}  {item.window}")
    print(f"total: {total} request(s); nothing was loaded (--dry-run)")
    return exit_codes.OK


def future_command(args: argparse.Namespace) -> int:
    """Replace ``bookings_future`` in one package: all or nothing."""
    options = _overrides(args, future_days=args.days)
    return _sync_command(args, [BOOKINGS_FUTURE.name], options, checkpoints=False)


def check(args: argparse.Namespace) -> int:
    """One request per dataset (a one-day window for windowed ones); a table of results."""
    config = resolve_config(overrides=_overrides(args))
    failures: list[CalvenError] = []
    yesterday = Window(config.end - ONE_DAY, config.end)
    with config.client() as client:
        for dataset in (*DIMENSIONS, *WINDOWED):
            params = yesterday.query() if dataset.windowed else {}
            try:
                rows = len(client.get_records(dataset.path, params, context=dataset.name))
                outcome = f"ok ({rows} rows)"
            except CalvenError as exc:
                failures.append(exc)
                outcome = f"FAILED: {exc}"
            print(f"{dataset.name:<22}{outcome}")
    if any(isinstance(failure, AuthError) for failure in failures):
        return exit_codes.AUTH
    return exit_codes.OK if not failures else exit_codes.API


def simulate(args: argparse.Namespace) -> int:
    with needs_extra("simulator", "the simulated API"):
        from sources.calven_sim.server import SimulatorConfig, serve
        from sources.calven_sim.tenant import TenantConfig

    tenant = TenantConfig(
        seed=args.seed,
        users=args.users,
        locations=args.locations,
        history_days=args.days,
        future_days=args.future_days,
    )
    serve(host=args.host, port=args.port, config=SimulatorConfig(tenant=tenant))
    return exit_codes.OK


def demo(args: argparse.Namespace) -> int:
    with needs_extra("simulator", "the simulated API"):
        from pipelines.cli.demo import demo as run_demo
    return run_demo(args)


def report_command(args: argparse.Namespace) -> int:
    return report(args, lambda: _pipeline(args))


def dispatch(args: argparse.Namespace) -> int:
    from pipelines.cli.state import state
    from pipelines.push.command import push_command

    handlers = {
        "demo": demo,
        "check": check,
        "run": run,
        "backfill": backfill,
        "future": future_command,
        "state": state,
        "simulate": simulate,
        "push": push_command,
        "transform": transform_command,
        "report": report_command,
    }
    return handlers[args.command](args)
