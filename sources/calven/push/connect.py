"""The client a push uses: settings under ``[sources.calven.push]``, else ``[sources.calven]``.

Pushing needs a key with the Submitting Events role, which is usually not the Data Warehouse
key the pull side uses; dlt looks up ``sources.calven.push.credentials`` first and falls back
to ``sources.calven.credentials``, so one all-permissions key also works for both.
"""

from __future__ import annotations

from typing import get_args

import dlt
from dlt.common.configuration.inject import with_config

from sources.calven.auth import AuthType
from sources.calven.client import CalvenClient
from sources.calven.credentials import CalvenCredentials
from sources.calven.errors import ConfigError
from sources.calven.settings import DEFAULT_MAX_CONCURRENCY


@with_config(sections=("sources", "calven", "push"))
def configured_push_client(
    credentials: CalvenCredentials = dlt.secrets.value,
    base_url: str = "https://api.calven.com",
    auth_type: str = "hmac",
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_requests_per_second: float | None = None,
    allow_insecure_http: bool = False,
    request_timeout: float = 60.0,
) -> CalvenClient:
    """A client for the submit endpoints; ConfigError names the setting that is wrong."""
    valid = get_args(AuthType)
    if auth_type not in valid:
        raise ConfigError(f"auth_type '{auth_type}' is not one of {', '.join(valid)}")
    if max_requests_per_second is not None and max_requests_per_second <= 0:
        raise ConfigError(
            f"max_requests_per_second must be positive, got {max_requests_per_second}"
        )
    key_id, secret = credentials.pair()
    return CalvenClient(
        base_url,
        auth_type,  # type: ignore[arg-type]
        key_id,
        secret,
        max_concurrency=max_concurrency,
        max_requests_per_second=max_requests_per_second,
        timeout=request_timeout,
        allow_insecure_http=allow_insecure_http,
    )
