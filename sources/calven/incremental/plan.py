"""What one sync fetches for a dataset: its partitions and, per partition, the ledger's gaps.

Shared by the resources (which then fetch the windows) and ``backfill --dry-run`` (which
prints them), so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sources.calven.catalog import ALL_PARTITION, Dataset
from sources.calven.config import CalvenConfig
from sources.calven.errors import ConfigError, RecordError
from sources.calven.incremental.ledger import Ledger, PlannedWindow, plan_all

Records = Sequence[Mapping[str, Any]]


def select_locations(locations: Records, wanted: Sequence[str] | None) -> list[str]:
    """The tenant's location ids, restricted to ``wanted`` (ids match in any letter case).

    Raises:
        RecordError: the tenant has no locations.
        ConfigError: a wanted id is not one of the tenant's.
    """
    known = [str(row["locationId"]) for row in locations]
    if not known:
        raise RecordError(
            "the tenant has no locations, so there is nothing to load per location; "
            "check that the API key belongs to the intended tenant"
        )
    if wanted is None:
        return known
    asked = {location.lower() for location in wanted}
    tenant = {location.lower() for location in known}
    unknown = sorted(location for location in wanted if location.lower() not in tenant)
    if unknown:
        shown = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "")
        raise ConfigError(
            f"locations: unknown location id(s) {', '.join(unknown)}; "
            f"the tenant has {len(known)} location(s): {shown}"
        )
    return [location for location in known if location.lower() in asked]


def partitions(dataset: Dataset, locations: Records, config: CalvenConfig) -> list[str]:
    """The partitions ``dataset`` is read in: the selected locations, or one for the tenant."""
    if dataset.partitioning == "none":
        return [ALL_PARTITION]
    selected = select_locations(locations, config.location_ids)
    shard = config.in_shard
    return [location for location in selected if shard.owns(location)] if shard else selected


def plan_windows(
    ledger: Ledger, partitions: Sequence[str], config: CalvenConfig
) -> list[PlannedWindow]:
    """The windows to fetch: the gaps in ``[start_date, end_date)`` plus the lookback."""
    return plan_all(
        ledger,
        partitions,
        config.wanted,
        lookback_days=config.lookback_days,
        max_window_days=config.max_window_days,
    )
