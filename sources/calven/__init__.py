"""The Calven warehouse dlt source.

Loads users, groups, locations and desks (replaced on every run) and bookings & attendance,
presence details and the user change log (merged, fetched in windows of at most 30 days per
location through the window ledger), plus bookings_future on request. Configuration lives under
``[sources.calven]``, secrets under ``[sources.calven.credentials]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import dlt
from dlt.extract import DltResource

from sources.calven.credentials import CalvenCredentials
from sources.calven.options import build_options
from sources.calven.resources import Extraction, dimension_rows, future_rows, windowed_rows
from sources.calven.session import SyncSession
from sources.calven.settings import (
    BOOKINGS_FUTURE,
    DEFAULT_FUTURE_DAYS,
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_MAX_CONCURRENCY,
    DIMENSIONS,
    WINDOWED,
)
from sources.calven.windows import MAX_WINDOW_DAYS

DEFAULT_BASE_URL = "https://api.calven.com"


@dlt.source(name="calven", max_table_nesting=0)
def calven_source(
    credentials: CalvenCredentials = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    auth_type: str = "hmac",
    start_date: str | None = None,
    end_date: str | None = None,
    today: str | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    max_window_days: int = MAX_WINDOW_DAYS,
    locations: Sequence[str] | None = None,
    future_days: int = DEFAULT_FUTURE_DAYS,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_requests_per_second: float | None = None,
    allow_insecure_http: bool = False,
    request_timeout: float = 60.0,
    session: SyncSession | None = None,
) -> Iterator[DltResource]:
    """Every Calven warehouse dataset as a dlt resource.

    Args:
        credentials: API key id and secret.
        base_url: API root; the simulator's address in the demo and tests.
        auth_type: ``basic``, ``hmac`` or ``client_secret``.
        start_date: First day to load (default: 365 days before today).
        end_date: First day *not* to load (default: today, UTC).
        today: Overrides the current UTC date (for reproducible runs against a simulator).
        lookback_days: Most recent days re-read on every sync, since Calven corrects them.
        max_window_days: Longest request range, at most 30 (the API's limit).
        locations: Restrict the per-location datasets to these location ids.
        future_days: How far ahead ``bookings_future`` reaches.
        max_concurrency: Requests in flight at once, across all resources.
        max_requests_per_second: Optional politeness budget.
        allow_insecure_http: Allow credentials over plain http to a non-loopback host.
        request_timeout: Seconds to wait for a response.
        session: Shared by the chunks of one checkpointed sync (see ``SyncSession``).
    """
    key_pair = credentials.pair()
    options = build_options(
        base_url=base_url,
        auth_type=auth_type,
        start_date=start_date,
        end_date=end_date,
        today=today,
        lookback_days=lookback_days,
        max_window_days=max_window_days,
        future_days=future_days,
        locations=locations,
        max_concurrency=max_concurrency,
        max_requests_per_second=max_requests_per_second,
        allow_insecure_http=allow_insecure_http,
        request_timeout=request_timeout,
    )
    extraction = Extraction(options, key_pair, session or SyncSession())
    for dataset in DIMENSIONS:
        yield dlt.resource(
            dimension_rows,
            name=dataset.name,
            write_disposition="replace",
            primary_key=dataset.primary_key,
        )(dataset, extraction)
    for dataset in WINDOWED:
        yield dlt.resource(
            windowed_rows,
            name=dataset.name,
            write_disposition="merge",
            primary_key=dataset.primary_key,
        )(dataset, extraction)
    yield dlt.resource(
        future_rows,
        name=BOOKINGS_FUTURE.name,
        write_disposition="replace",
        primary_key=BOOKINGS_FUTURE.primary_key,
    )(BOOKINGS_FUTURE, extraction)


__all__ = ["CalvenCredentials", "SyncSession", "calven_source"]
