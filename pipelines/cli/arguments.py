"""What the command line accepts: the parser class, argument types and shared option groups.

Every bad argument ends in one line, ``calven-sync: usage error: argument --start: expected a
date YYYY-MM-DD ..., got '01/11/2026'``, and exit code 2, before anything runs.
"""

from __future__ import annotations

import argparse
import re
from typing import Any, NoReturn

from pipelines import exit_codes
from pipelines.checkpoints import DEFAULT_CHECKPOINT_ROWS, DEFAULT_CHECKPOINT_WINDOWS
from pipelines.pipeline import DEFAULT_DATASET_NAME, DEFAULT_PIPELINE_NAME, DEFAULT_PIPELINES_DIR
from sources.calven.config import DATE_FORMAT, parse_day
from sources.calven.errors import ConfigError

EPILOG = """\
exit codes: 0 everything requested was loaded, 2 configuration or usage, 3 authentication,
4 API (some windows failed; the next run fills the gap), 5 unexpected data from the API,
6 destination or load failure, 7 another run holds the pipeline (--wait queues), 8 a model or
dbt test failed (the loaded data is kept), 130 interrupted.

Settings live in .dlt/config.toml under [sources.calven] (secrets in .dlt/secrets.toml), or in
environment variables named after them: SOURCES__CALVEN__START_DATE,
SOURCES__CALVEN__CREDENTIALS__API_SECRET, DESTINATION__POSTGRES__CREDENTIALS, ...
"""
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and every default shown in the help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(exit_codes.CONFIG, f"calven-sync: usage error: {message} (see --help)\n")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Each option's default in its help (flags and unset options have none); the epilog keeps
    its lines."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, [], argparse.SUPPRESS) or "(default" in text:
            return text
        return f"{text} (default: %(default)s)"


def csv_list(value: str) -> list[str]:
    """``a,b`` as a list; blanks dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]


def positive(value: str) -> int:
    """A whole number of at least 1."""
    number = int(value) if value.strip().isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def day(value: str) -> str:
    """A date in the one accepted form, ``YYYY-MM-DD``."""
    try:
        return parse_day("date", value).isoformat()
    except ConfigError:
        raise argparse.ArgumentTypeError(
            f"expected a date {DATE_FORMAT} (e.g. 2026-01-31), got {value!r}"
        ) from None


def name(value: str) -> str:
    """A pipeline or dataset name: it becomes a folder, a file and a schema name."""
    if not NAME.fullmatch(value) or "__" in value:
        raise argparse.ArgumentTypeError(
            "expected letters, digits, _ and - starting with a letter or digit "
            f"(no '__', which dlt reserves), got {value!r}"
        )
    return value


def add_checkpoint_options(parser: argparse.ArgumentParser) -> None:
    """A load package (a checkpoint) ends at whichever limit comes first."""
    parser.add_argument(
        "--checkpoint-windows",
        type=positive,
        default=DEFAULT_CHECKPOINT_WINDOWS,
        help="most windows per load package",
    )
    parser.add_argument(
        "--checkpoint-rows",
        type=positive,
        default=DEFAULT_CHECKPOINT_ROWS,
        help="rows after which a load package takes no more windows",
    )


def add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    """Where a command loads to or reads from, and how it shares the pipeline."""
    group = parser.add_argument_group("pipeline")
    group.add_argument(
        "--pipeline-name",
        type=name,
        default=DEFAULT_PIPELINE_NAME,
        help="dlt pipeline: its state, its lock and the default DuckDB file name",
    )
    group.add_argument("--destination", default="duckdb", help="a dlt destination name")
    group.add_argument(
        "--dataset-name", type=name, default=DEFAULT_DATASET_NAME, help="dataset (schema)"
    )
    group.add_argument(
        "--pipelines-dir", default=DEFAULT_PIPELINES_DIR, help="dlt's working directory"
    )
    group.add_argument(
        "--wait", action="store_true", help="queue behind another run of this pipeline"
    )
    group.add_argument("--today", type=day, help=argparse.SUPPRESS)
    group.add_argument("-v", "--verbose", action="store_true", help="log every request")
