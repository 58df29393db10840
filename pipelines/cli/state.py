"""``calven-sync state show|reset``: the window ledger of a pipeline, one shard or all shards."""

from __future__ import annotations

import argparse
from dataclasses import replace as dataclass_replace

import dlt
from dlt.pipeline.helpers import pipeline_drop

from pipelines import exit_codes
from pipelines.cli.commands import _locked, _only_windowed, _pipeline, _restore_state, _spec
from pipelines.destinations.duckdb import missing_database
from pipelines.destinations.write_lock import writer_lock
from pipelines.pipeline import make_pipeline
from pipelines.runner import check_datasets
from sources.calven.catalog import WINDOWED_NAMES
from sources.calven.errors import ConfigError
from sources.calven.incremental.ledger import loaded_ranges
from sources.calven.incremental.shards import Shard

SHARD_NAME = "{base}_shard_%_of_%"


def state(args: argparse.Namespace) -> int:
    if args.state_command == "reset":
        return _reset(args)
    if getattr(args, "all_shards", False):
        return _show_all_shards(args)
    pipeline = _pipeline(args)
    _restore_state(pipeline)
    _show(pipeline)
    return exit_codes.OK


def _reset(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    datasets = check_datasets(args.datasets or WINDOWED_NAMES)
    _only_windowed("state reset", datasets)
    if not args.yes:
        raise ConfigError(
            f"state reset would forget what is loaded for {', '.join(datasets)} "
            "(tables are kept, the next run re-reads everything); add --yes to confirm"
        )
    with _locked(args):
        _restore_state(pipeline)
        loaded = [name for name in datasets if name in loaded_ranges(pipeline.state)]
        if loaded:
            pipeline_drop(pipeline, resources=loaded, state_only=True)()
    if not loaded:
        print(f"nothing to reset: no ledger for {', '.join(datasets)} (nothing loaded yet)")
    else:
        print(f"ledger reset for {', '.join(loaded)}")
    return exit_codes.OK


def _show(pipeline: dlt.Pipeline, prefix: str = "") -> None:
    ranges = loaded_ranges(pipeline.state)
    if not ranges:
        print(f"{prefix}nothing loaded yet")
    for name, by_partition in sorted(ranges.items()):
        for partition, intervals in sorted(by_partition.items()):
            spans = ", ".join(f"[{start}, {end})" for start, end in intervals)
            print(f"{prefix}{name:<22}{partition:<40}{spans}")


def shard_pipelines(pipeline: dlt.Pipeline, base: str) -> list[tuple[Shard, str]]:
    """Every shard pipeline of ``base`` whose state is in the destination, in shard order."""
    if missing_database(pipeline):
        return []
    found: list[tuple[Shard, str]] = []
    with writer_lock(pipeline), pipeline.sql_client() as client:
        if not client.has_dataset():
            return []
        table = client.make_qualified_table_name("_dlt_pipeline_state")
        rows = client.execute_sql(
            f"SELECT DISTINCT pipeline_name FROM {table} WHERE pipeline_name LIKE %s",
            SHARD_NAME.format(base=base),
        )
    for (name,) in rows or ():
        index, _, count = name.removeprefix(f"{base}_shard_").partition("_of_")
        if index.isdigit() and count.isdigit():
            found.append((Shard(int(index), int(count)), name))
    return sorted(found, key=lambda item: (item[0].count, item[0].index))


def _show_all_shards(args: argparse.Namespace) -> int:
    base = _spec(args)
    shards = shard_pipelines(make_pipeline(base), base.pipeline_name)
    if not shards:
        print(f"no shard of pipeline {base.pipeline_name!r} has loaded into this dataset yet")
    for shard, name in shards:
        print(f"shard {shard} (pipeline {name}):")
        pipeline = make_pipeline(dataclass_replace(base, shard=shard))
        _restore_state(pipeline)
        _show(pipeline, prefix="  ")
    return exit_codes.OK
