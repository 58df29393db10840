"""The Calven warehouse dlt source.

Loads users, groups, locations and desks (replaced on every run) and bookings & attendance,
presence details and the user change log (merged, fetched in windows of at most 30 days per
location through the window ledger), plus bookings_future on request. Configuration lives under
``[sources.calven]``, secrets under ``[sources.calven.credentials]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dlt
from dlt.extract import DltResource

from sources.calven.catalog import CATALOG, Dataset, Fetch
from sources.calven.config import CalvenConfig, resolve_config
from sources.calven.credentials import CalvenCredentials
from sources.calven.extract.resources import (
    SourceContext,
    dimension_rows,
    future_rows,
    windowed_rows,
)
from sources.calven.extract.session import Session
from sources.calven.schema_docs import REFERENCES, column_hints, table_hints

READERS: dict[Fetch, Callable[[Dataset, SourceContext], Iterator[Any]]] = {
    "whole": dimension_rows,
    "windows": windowed_rows,
    "ahead": future_rows,
}


@dlt.source(name="calven", max_table_nesting=0)
def calven_source(config: Any = None, context: Any = None) -> Iterator[DltResource]:
    """Every Calven warehouse dataset as a dlt resource.

    Args:
        config: A checked ``CalvenConfig``; when None it is resolved from ``[sources.calven]``
            and ``SOURCES__CALVEN__...`` (see ``sources.calven.config``).
        context: A ``SourceContext`` shared by the load packages of one sync (its config,
            session, client and locations); when None the source makes its own.
    """
    if not isinstance(context, SourceContext):
        if not isinstance(config, CalvenConfig):
            config = resolve_config()
        context = SourceContext(config, Session())
    for dataset in CATALOG:
        resource = dlt.resource(
            READERS[dataset.fetch],
            name=dataset.name,
            write_disposition=dataset.write_disposition,
            primary_key=dataset.primary_key,
            columns=column_hints(dataset),
            references=REFERENCES.get(dataset.name, []),
        )(dataset, context)
        yield resource.apply_hints(additional_table_hints=table_hints(dataset.name))


__all__ = [
    "CalvenConfig",
    "CalvenCredentials",
    "Session",
    "SourceContext",
    "calven_source",
    "resolve_config",
]
