"""A client built from the same configuration as the source, for checks and planning."""

from __future__ import annotations

from collections.abc import Sequence

import dlt
from dlt.common.configuration.inject import with_config

from sources.calven.client import CalvenClient
from sources.calven.credentials import CalvenCredentials
from sources.calven.options import SourceOptions, build_options
from sources.calven.settings import DEFAULT_FUTURE_DAYS, DEFAULT_LOOKBACK_DAYS
from sources.calven.windows import MAX_WINDOW_DAYS


@with_config(sections=("sources", "calven"))
def configured_client(
    credentials: CalvenCredentials = dlt.secrets.value,
    base_url: str = "https://api.calven.com",
    auth_type: str = "hmac",
    start_date: str | None = None,
    end_date: str | None = None,
    today: str | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    max_window_days: int = MAX_WINDOW_DAYS,
    locations: Sequence[str] | None = None,
    future_days: int = DEFAULT_FUTURE_DAYS,
    max_concurrency: int = 8,
    max_requests_per_second: float | None = None,
    allow_insecure_http: bool = False,
    request_timeout: float = 60.0,
) -> tuple[CalvenClient, SourceOptions]:
    """The client and validated options that ``calven_source`` would use with these settings."""
    key_id, secret = credentials.pair()
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
    client = CalvenClient(
        options.base_url,
        options.auth_type,
        key_id,
        secret,
        max_concurrency=options.max_concurrency,
        max_requests_per_second=options.max_requests_per_second,
        timeout=options.request_timeout,
        allow_insecure_http=options.allow_insecure_http,
    )
    return client, options
