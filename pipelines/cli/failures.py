"""Every failure a command can end in, as an exit code and one line for a person.

This is the one place that maps exceptions to ``exit_codes``: ours (``ConfigError``,
``AuthError``, ...), dlt's configuration errors (a missing credential field, a value that is not
a number) and the destination errors dlt wraps in ``PipelineStepFailed``. The line says what
happened and what to do; it never holds a traceback, and the messages it is built from never
contain a secret (``sources.calven.errors``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
from dlt.common.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationException,
    ConfigValueCannotBeCoercedException,
)
from dlt.common.destination.exceptions import (
    DestinationTerminalException,
    DestinationTransientException,
)
from dlt.destinations.exceptions import DatabaseException, DestinationConnectionError
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines import exit_codes
from pipelines.lock import PipelineBusy
from pipelines.transform.runner import TransformError
from sources.calven.config import missing_message
from sources.calven.errors import AuthError, CalvenError, ConfigError, RecordError

DUCKDB_LOCK = re.compile(
    r'Could not set lock on file "(?P<file>[^"]+)": Conflicting lock is held in '
    r"(?P<program>.+?) \(PID (?P<pid>\d+)\)"
)
LONGEST_LINE = 600
Describe = Callable[[Any], str]
INTERRUPTED = "completed checkpoints are kept"
DESTINATION_ERRORS = (
    duckdb.Error,  # our own connection to the file (pipelines.destinations.duckdb)
    DestinationConnectionError,
    DestinationTerminalException,
    DestinationTransientException,
    DatabaseException,
)


@dataclass(frozen=True)
class Failure:
    code: int
    kind: str
    message: str

    @property
    def line(self) -> str:
        return f"calven-sync: {self.kind}: {self.message}"


def explain(exc: BaseException) -> Failure | None:
    """The exit code and line for ``exc``; None for an unexpected error (a bug: traceback)."""
    chain = list(_chain(exc))
    for current in chain:
        failure = _known(current)
        if failure is not None:
            return failure
    if isinstance(exc, PipelineStepFailed):
        root = chain[-1]
        return Failure(
            exit_codes.DESTINATION,
            "load failed",
            f"step {exc.step}: {type(root).__name__}: {_one_line(root)}",
        )
    return None


def _one_line(exc: BaseException | str) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= LONGEST_LINE else text[: LONGEST_LINE - 3] + "..."


def _destination_message(exc: BaseException) -> str:
    """The real cause last in dlt's text comes first; a DuckDB lock names who holds it."""
    text = str(exc)
    lock = DUCKDB_LOCK.search(text)
    if lock is not None:
        return (
            f"the DuckDB file {lock['file']} is locked by another process, {lock['program']} "
            f"(PID {lock['pid']}); DuckDB allows one writer: close that program or wait for "
            "it, then run again"
        )
    reason = text.split("The actual reason given is:", 1)[-1]
    return f"{type(exc).__name__}: {_one_line(reason)}"


def _coerced(exc: ConfigValueCannotBeCoercedException) -> str:
    kind = getattr(exc.hint, "__name__", exc.hint)
    return f"setting {exc.field_name}: {exc.field_value!r} is not a valid {kind}"


KNOWN: list[tuple[type[BaseException] | tuple[type[BaseException], ...], int, str, Describe]] = [
    (
        KeyboardInterrupt,
        exit_codes.INTERRUPTED,
        "interrupted",
        lambda _: "completed checkpoints are kept",
    ),
    (PipelineBusy, exit_codes.BUSY, "busy", str),
    (TransformError, exit_codes.TRANSFORM, "transform failed", str),
    (ConfigError, exit_codes.CONFIG, "configuration error", str),
    (ConfigFieldMissingException, exit_codes.CONFIG, "configuration error", missing_message),
    (ConfigValueCannotBeCoercedException, exit_codes.CONFIG, "configuration error", _coerced),
    (ConfigurationException, exit_codes.CONFIG, "configuration error", _one_line),
    (AuthError, exit_codes.AUTH, "authentication error", str),
    (RecordError, exit_codes.DATA, "unexpected data from the API", str),
    (CalvenError, exit_codes.API, "API error", str),
    (DESTINATION_ERRORS, exit_codes.DESTINATION, "destination error", _destination_message),
]
"""(exception class, exit code, kind, message): the first class that matches wins."""


def _known(exc: BaseException) -> Failure | None:
    for kinds, code, kind, message in KNOWN:
        if isinstance(exc, kinds):
            return Failure(code, kind, message(exc))
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions behind it, outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
