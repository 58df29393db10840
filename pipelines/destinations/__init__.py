"""What differs between destinations, one concern per module.

``defaults``: the settings a load uses unless configured (loader file format, DuckDB memory
limits, uncompressed load files, emptied staging tables). ``duckdb``: one connection held
through a load, and its threads. ``write_lock``: one writer at a time per dataset (shards
queue their loads). ``merges``: when a merge may skip deduplicating its staging
table. Private dlt API is used only through ``pipelines.dlt_internals``.
"""

from __future__ import annotations

import dlt


def destination_name(pipeline: dlt.Pipeline) -> str | None:
    """``duckdb``, ``postgres``...; None before a destination is set."""
    if pipeline.destination is None:
        return None
    return str(pipeline.destination.destination_type.rsplit(".", 1)[-1])
