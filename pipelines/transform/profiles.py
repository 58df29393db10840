"""The dbt profile of a pipeline: its own destination, credentials and dataset.

The profile is written for each run into a private temporary folder and holds no secret: a
password is referenced as ``env_var('DBT_ENV_SECRET_...')``, which dbt reads from the
environment of the run and scrubs from its logs. dlt's own dbt profiles are not used: its DuckDB
profile loads the ``httpfs`` extension, a download that fails without internet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.common.configuration.specs import ConnectionStringCredentials

from pipelines.destinations import destination_name
from pipelines.destinations.duckdb import file_credentials
from sources.calven.errors import ConfigError

PROFILE = "calven_warehouse"
TARGET = "calven"
SECRET_PREFIX = "DBT_ENV_SECRET_"
PASSWORD_VARIABLE = f"{SECRET_PREFIX}CALVEN_PASSWORD"
SUPPORTED = ("duckdb", "postgres")
POSTGRES_THREADS = 4
# Every DuckDB extension a model needs ships inside the duckdb wheel; one that would have to be
# downloaded must fail at once rather than reach for the network.
DUCKDB_SETTINGS = {"autoinstall_known_extensions": False}


@dataclass(frozen=True)
class Profile:
    """A ``profiles.yml`` text and the secret environment variables it reads."""

    text: str
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


def profile_for(pipeline: dlt.Pipeline) -> Profile:
    """The profile that builds the models into ``pipeline``'s destination and dataset.

    Raises:
        ConfigError: For a destination the models are not built into by ``calven-sync``.
    """
    name = destination_name(pipeline)
    if name == "duckdb":
        return Profile(_yaml(_duckdb(pipeline)))
    if name == "postgres":
        output, secrets = _postgres(pipeline)
        return Profile(_yaml(output), secrets)
    raise ConfigError(
        f"calven-sync transform builds the models into {' or '.join(SUPPORTED)}, not "
        f"{name}; run the dbt project with a profile of your own (README, 'Transform')"
    )


def _yaml(output: dict[str, Any]) -> str:
    """``profiles.yml`` text (JSON is YAML, and needs no YAML library)."""
    return json.dumps({PROFILE: {"target": TARGET, "outputs": {TARGET: output}}}, indent=2)


def _duckdb(pipeline: dlt.Pipeline) -> dict[str, Any]:
    resolved = file_credentials(pipeline)
    if resolved is None:
        raise ConfigError(
            "calven-sync transform needs a DuckDB destination backed by a file, not an "
            "in-memory or passed-in connection"
        )
    return {
        "type": "duckdb",
        "path": str(resolved.database),
        "schema": pipeline.dataset_name,
        "threads": 1,
        "settings": DUCKDB_SETTINGS,
    }


def _postgres(pipeline: dlt.Pipeline) -> tuple[dict[str, Any], dict[str, str]]:
    credentials = pipeline.destination_client().config.credentials
    assert isinstance(credentials, ConnectionStringCredentials)
    output: dict[str, Any] = {
        "type": "postgres",
        "host": credentials.host or "localhost",
        "port": int(credentials.port or 5432),
        "user": credentials.username,
        "password": f"{{{{ env_var('{PASSWORD_VARIABLE}') }}}}",
        "dbname": credentials.database,
        "schema": pipeline.dataset_name,
        "threads": POSTGRES_THREADS,
    }
    query = credentials.query or {}
    for option in ("sslmode", "connect_timeout", "sslrootcert", "sslcert", "sslkey"):
        if option in query:
            output[option] = query[option]
    return output, {PASSWORD_VARIABLE: str(credentials.password or "")}
