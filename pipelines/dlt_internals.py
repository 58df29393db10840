"""The only module that touches dlt's private API, checked against the dlt versions it was
written for.

Crash recovery and the fast DuckDB load need four things dlt does not offer publicly: the
storages of extracted and normalized load packages (to finish a normalize that a crash cut in
two, and to turn deduplication back on in a normalized package's schema), and a destination
factory's ``config_params`` (to bind today's working directory and to lend the load one open
DuckDB connection). Each is one function here. A dlt outside ``TESTED_DLT`` is refused with a
clear error instead of silently breaking crash recovery.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dlt
from dlt.common.destination import AnyDestination
from dlt.common.storages.configuration import WithLocalFiles
from dlt.common.storages.load_package import PackageStorage
from packaging.version import Version

from sources.calven.errors import ConfigError

TESTED_DLT = (Version("1.31"), Version("1.32"))
"""dlt versions this module was checked against: from the first (inclusive) to the second."""


def check_dlt_version(installed: str = dlt.__version__) -> None:
    """ConfigError unless ``installed`` is a dlt version these internals were tested with."""
    version = Version(installed)
    low, high = TESTED_DLT
    if not low <= version < high:
        raise ConfigError(
            f"dlt {installed} is installed, but calven-warehouse's crash recovery relies on dlt "
            f"internals checked with dlt >={low},<{high} only; install that range "
            f"(pip install 'dlt>={low},<{high}')"
        )


def extracted_packages(pipeline: dlt.Pipeline) -> PackageStorage:
    """Load packages extracted and not yet normalized."""
    check_dlt_version()
    return pipeline._get_normalize_storage().extracted_packages


def normalized_packages(pipeline: dlt.Pipeline) -> PackageStorage:
    """Load packages normalized and not yet loaded (their schema can still be changed)."""
    check_dlt_version()
    return pipeline._get_load_storage().normalized_packages


def bind_local_dir(destination: AnyDestination, local_dir: str) -> None:
    """Resolve ``destination``'s relative local files against ``local_dir`` rather than the
    directory dlt remembered from the pipeline's first run (unless one is configured)."""
    check_dlt_version()
    if issubclass(destination.spec, WithLocalFiles):
        destination.config_params.setdefault("local_dir", local_dir)


@contextmanager
def lent_credentials(destination: AnyDestination, credentials: Any) -> Iterator[None]:
    """``destination`` uses ``credentials`` inside the block, then what it had before."""
    check_dlt_version()
    params = destination.config_params
    missing = object()
    configured = params.get("credentials", missing)
    params["credentials"] = credentials
    try:
        yield
    finally:
        if configured is missing:
            del params["credentials"]
        else:
            params["credentials"] = configured


def with_settings(destination: AnyDestination, **settings: Any) -> AnyDestination:
    """A copy of ``destination`` made with its given settings (``config_params``, which dlt
    keeps private) and ``settings`` over them."""
    check_dlt_version()
    return destination.__class__(**{**destination.config_params, **settings})


def given_setting(destination: AnyDestination, name: str) -> Any:
    """A setting ``destination`` was made with (None when it was not given)."""
    check_dlt_version()
    return destination.config_params.get(name)
