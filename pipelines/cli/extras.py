"""Optional parts of the install: a missing library becomes a ConfigError naming the extra."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sources.calven.errors import ConfigError


@contextmanager
def needs_extra(extra: str, what: str) -> Iterator[None]:
    """Imports inside the block that fail say which ``calven-warehouse[extra]`` brings them."""
    try:
        yield
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"{what} needs {exc.name}, which a plain install leaves out: "
            f"pip install 'calven-warehouse[{extra}]'"
        ) from exc
