"""``run|backfill --shard K/N``: the job's locations, pipeline and datasets.

Each shard is its own dlt pipeline (``<pipeline-name>_shard_K_of_N``: own state, lock and
ledger) loading the locations ``sources.calven.incremental.shards`` assigns it into the shared
dataset. Tables that are not per location (the dimensions, replaced on every run, and the
tenant-wide ``user_change_log``) are loaded by shard 1 alone, so no two jobs write them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sources.calven.catalog import DATASETS
from sources.calven.errors import ConfigError
from sources.calven.incremental.shards import Shard


def shard_argument(value: str) -> Shard:
    try:
        return Shard.parse(value, "--shard")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_shard_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shard",
        type=shard_argument,
        metavar="K/N",
        help="load only shard K of N of the locations, as pipeline <pipeline-name>_shard_K_of_N "
        "(shard 1 also loads the tables that are not per location)",
    )


def shard_of(args: argparse.Namespace) -> Shard | None:
    shard: Shard | None = getattr(args, "shard", None)
    return shard


def shard_datasets(args: argparse.Namespace, datasets: Sequence[str], *, given: bool) -> list[str]:
    """The datasets a shard's job loads: ``datasets`` without the tenant-wide ones, except on
    shard 1. ConfigError when ``--datasets`` (``given``) names one a later shard may not load."""
    shard = shard_of(args)
    if shard is None or shard.loads_tenant_wide:
        return list(datasets)
    tenant_wide = [name for name in datasets if DATASETS[name].partitioning == "none"]
    if given and tenant_wide:
        raise ConfigError(
            f"--shard {shard}: {', '.join(tenant_wide)} is not per location, so only shard "
            f"1/{shard.count} loads it; leave it out of --datasets"
        )
    return [name for name in datasets if name not in tenant_wide]


def shard_options(args: argparse.Namespace) -> dict[str, str]:
    """The source option that restricts the sync to the shard's locations."""
    shard = shard_of(args)
    return {"shard": str(shard)} if shard else {}
