"""How every line the CLI writes is shaped: text for a person, or one JSON object per line.

``--log-format json`` turns log records, checkpoint lines, summaries and the one-line error of
a failure into objects with named fields::

    {"ts": "2026-03-18T03:30:01.250Z", "level": "info", "logger": "pipelines.runner",
     "event": "checkpoint", "message": "checkpoint 1 landed: ...", "rows": 1234, ...}

``event`` says what the line is (``window``, ``checkpoint``, ``summary``, ``error``, ``log``
for any other record, ``output`` and ``stderr`` for text a library wrote); the structured
fields are what the code logging it passed as ``extra``. In JSON mode stdout and stderr are
wrapped while the command runs, so even a line this module does not know about stays one JSON
object. The texts come from the same code as the text format, which never holds a secret.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

FORMATS = ("text", "json")
DEFAULT_FORMAT = "text"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OUTPUT_LOGGER = "calven-sync"
QUIET_LOGGERS = ("httpx", "httpcore", "dlt", "uvicorn", "uvicorn.error")
PER_ITEM_LOGGERS = ("sources.calven.extract.session", "sources.calven.push.send")
"""One line per window or pushed batch: shown with ``-v`` only (a checkpoint line sums them)."""
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "event",
    "ts",
    "level",
    "logger",
}

Stream = Literal["stdout", "stderr"]


@dataclass
class _Mode:
    format: str = DEFAULT_FORMAT
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    """The real streams while JSON mode wraps ``sys.stdout``/``sys.stderr``."""


_mode = _Mode()


def json_mode() -> bool:
    return _mode.format == "json"


def interactive() -> bool:
    """Whether a person watches stderr: text format on a terminal (progress bars, no INFO)."""
    return not json_mode() and sys.stderr.isatty()


def _timestamp(created: float | None = None) -> str:
    moment = datetime.now(UTC) if created is None else datetime.fromtimestamp(created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_line(
    level: str, logger: str, event: str, message: str, created: float | None = None, **fields: Any
) -> str:
    """One JSON object; values JSON cannot hold (dates, paths) become their text."""
    line = {
        "ts": _timestamp(created),
        "level": level.lower(),
        "logger": logger,
        "event": event,
        "message": message,
        **{key: value for key, value in fields.items() if value is not None},
    }
    return json.dumps(line, default=str, ensure_ascii=False)


def output(
    event: str, message: str, *, level: str = "info", stream: Stream = "stdout", **fields: Any
) -> None:
    """What a command shows a person (a summary, an error): ``message`` as text, or in JSON
    mode one object with ``fields`` beside it."""
    if json_mode():
        real = _mode.stdout if stream == "stdout" else _mode.stderr
        target = real or (sys.stdout if stream == "stdout" else sys.stderr)
        target.write(json_line(level, OUTPUT_LOGGER, event, message, **fields) + "\n")
        target.flush()
        return
    print(message, file=sys.stdout if stream == "stdout" else sys.stderr, flush=True)


def output_error(message: str, exit_code: int, **fields: Any) -> None:
    """The one line a failed command ends in, on stderr."""
    output("error", message, level="error", stream="stderr", exit_code=exit_code, **fields)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object; its ``extra`` fields become fields of the object."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        if record.exc_info:
            fields["exception"] = "".join(traceback.format_exception(*record.exc_info))
        event = str(getattr(record, "event", "log"))
        message = record.getMessage()
        return json_line(record.levelname, record.name, event, message, record.created, **fields)


class _LineHandler(logging.Handler):
    """Writes to the real stream in JSON mode, else to whatever ``sys.stderr`` is at the time
    (a progress bar redirects it so log lines appear above the bars)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = _mode.stderr or sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


class JsonLines(io.TextIOBase):
    """A stream that writes each line it is given as a JSON object to ``target``."""

    def __init__(self, target: TextIO, event: str, level: str) -> None:
        self._target = target
        self._event = event
        self._level = level
        self._buffer = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._buffer += text
            *lines, self._buffer = self._buffer.split("\n")
            for line in lines:
                self._emit(line)
        return len(text)

    def _emit(self, line: str) -> None:
        line = line.rstrip("\r")
        if line.strip():
            self._target.write(json_line(self._level, OUTPUT_LOGGER, self._event, line) + "\n")
            self._target.flush()

    def flush(self) -> None:
        self._target.flush()

    def close_line(self) -> None:
        with self._lock:
            rest, self._buffer = self._buffer, ""
            self._emit(rest)

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._target.fileno()


def configure_logging(verbose: bool) -> logging.Handler:
    """Root logging for the command: levels by ``verbose`` and terminal, a formatter by mode.

    Text on a terminal shows warnings only (the progress bars say the rest); elsewhere INFO:
    one line per checkpoint, with one per window or batch added by ``-v`` (DEBUG: every
    request too). Returns the handler installed, replacing one an earlier call installed.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _LineHandler)]:
        root.removeHandler(handler)
    handler = _LineHandler()
    handler.setFormatter(JsonFormatter() if json_mode() else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    quiet = logging.WARNING if interactive() else logging.INFO
    root.setLevel(logging.DEBUG if verbose else quiet)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in PER_ITEM_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
    return handler


@contextmanager
def log_format(name: str) -> Iterator[None]:
    """Write every line in format ``name`` inside the block (JSON: stdout and stderr wrapped)."""
    previous = _mode.format, _mode.stdout, _mode.stderr
    _mode.format = name
    if name != "json":
        try:
            yield
        finally:
            _mode.format, _mode.stdout, _mode.stderr = previous
        return
    _mode.stdout, _mode.stderr = sys.stdout, sys.stderr
    out = JsonLines(sys.stdout, "output", "info")
    err = JsonLines(sys.stderr, "stderr", "warning")
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        out.close_line()
        err.close_line()
        sys.stdout, sys.stderr = _mode.stdout, _mode.stderr
        _mode.format, _mode.stdout, _mode.stderr = previous


def requested_format(argv: list[str]) -> str:
    """``--log-format`` as given anywhere on the command line (before argparse runs, so a
    usage error can already be written in it); the default when absent or unknown."""
    for position, argument in enumerate(argv):
        if argument == "--":
            break
        if argument.startswith("--log-format="):
            value = argument.partition("=")[2]
        elif argument == "--log-format" and position + 1 < len(argv):
            value = argv[position + 1]
        else:
            continue
        return value if value in FORMATS else DEFAULT_FORMAT
    return DEFAULT_FORMAT
