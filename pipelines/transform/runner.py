"""Run the dbt project of ``pipelines/transform/dbt_project`` against a pipeline's destination.

dbt runs in this process through its Python API (``dbtRunner``), so it uses the interpreter
(and the virtual environment) ``calven-sync`` runs in. What dbt writes (its compiled SQL, the
manifest kept for partial parsing, its debug log) goes to ``<pipeline working dir>/dbt``; the
project folder, inside the installed package, is only read.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt

from pipelines.destinations.write_lock import writer_lock
from pipelines.transform.profiles import profile_for
from sources.calven.errors import ConfigError

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).parent / "dbt_project"
INSTALL_HINT = "pip install 'calven-warehouse[transform]'"
FAILED = frozenset({"error", "fail", "runtime error"})


class TransformError(Exception):
    """A model or a dbt test failed; the loaded tables are untouched."""


@dataclass(frozen=True)
class ModelResult:
    """One dbt node (a model, or a test with ``--test``) as it finished."""

    name: str
    kind: str
    status: str
    seconds: float
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status in FAILED


@dataclass
class TransformResult:
    """What a transform built, in the order dbt finished the nodes."""

    nodes: list[ModelResult] = field(default_factory=list)
    seconds: float = 0.0
    docs: Path | None = None
    """dbt's documentation site in one file (``docs generate --static``), when asked for."""

    @property
    def failures(self) -> list[ModelResult]:
        return [node for node in self.nodes if node.failed]

    @property
    def ok(self) -> bool:
        return not self.failures


def dbt_runner() -> Any:
    """dbt's runner class; ConfigError naming the extra to install when dbt is missing."""
    try:
        from dbt.cli.main import dbtRunner
    except ImportError as exc:
        raise ConfigError(
            f"calven-sync transform needs dbt, which the 'transform' extra installs: {INSTALL_HINT}"
        ) from exc
    return dbtRunner


def transform(
    pipeline: dlt.Pipeline,
    *,
    full_refresh: bool = False,
    select: Sequence[str] = (),
    test: bool = False,
    docs: bool = False,
    variables: Mapping[str, Any] | None = None,
    on_node: Callable[[ModelResult], None] | None = None,
) -> TransformResult:
    """Build the models (and with ``test`` run their dbt tests) in the pipeline's destination;
    with ``docs``, then write dbt's documentation site of the project and the built tables.

    Raises:
        ConfigError: dbt is not installed, or the destination is not one the models build in.
        TransformError: dbt could not run the project, or a model or test failed; its message
            names the model and dbt's error.
    """
    runner_class = dbt_runner()
    profile = profile_for(pipeline)
    result = TransformResult()
    # absolute: dbt resolves relative paths against the project folder, inside the package
    work = Path(pipeline.working_dir).resolve() / "dbt"

    def finished(event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        node = _node_result(event.data)
        result.nodes.append(node)
        if on_node is not None:
            on_node(node)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="calven-dbt-") as profiles_dir:
        Path(profiles_dir, "profiles.yml").write_text(profile.text, encoding="utf-8")
        arguments = [
            "build" if test else "run",
            *_common_arguments(profiles_dir, work),
            *(["--full-refresh"] if full_refresh else []),
            *(["--select", *select] if select else []),
            *(["--vars", json.dumps(dict(variables))] if variables else []),
        ]
        logger.info(
            "dbt %s of %s into dataset %s", arguments[0], PROJECT_DIR, pipeline.dataset_name
        )
        with _environment(profile.secrets), writer_lock(pipeline):
            try:
                outcome = runner_class(callbacks=[finished]).invoke(arguments)
                if docs and outcome.success:
                    site = runner_class().invoke(["docs", "generate", "--static", *arguments[1:]])
                    if not site.success:
                        raise TransformError(
                            f"dbt docs generate failed: {_one_line(site.exception or '')} "
                            f"(see {work / 'logs' / 'dbt.log'})"
                        )
                    result.docs = work / "target" / "static_index.html"
            finally:
                _release_duckdb()
    result.seconds = time.perf_counter() - started
    if outcome.exception is not None:
        raise TransformError(f"dbt could not run the project: {_one_line(outcome.exception)}")
    if select and not result.nodes:
        raise ConfigError(
            f"--select {' '.join(select)} matches no model of the project "
            "(see README, 'Transform', for the model names)"
        )
    if result.failures:
        first = result.failures[0]
        more = len(result.failures) - 1
        also = f" (and {more} more; see {work / 'logs' / 'dbt.log'})" if more else ""
        raise TransformError(f"{first.kind} {first.name} failed: {first.message}{also}")
    return result


def _common_arguments(profiles_dir: str, work: Path) -> list[str]:
    return [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        profiles_dir,
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--log-level",
        "none",  # the terminal gets our lines; the file gets everything (SQL included)
        "--log-level-file",
        "debug",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
    ]


def _node_result(data: Any) -> ModelResult:
    info = data.node_info
    run = data.run_result
    kind = str(info.resource_type or "model")
    return ModelResult(
        name=str(info.node_name),
        kind=kind,
        status=str(run.status or info.node_status),
        seconds=float(run.execution_time or 0.0),
        message=_one_line(run.message or ""),
    )


def _one_line(text: object) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    # dbt's first line repeats the model and its path; the database's error follows
    if len(lines) > 1 and lines[0].startswith(("Runtime Error in", "Database Error in")):
        lines = lines[1:]
    return " ".join(lines)[:600]


def _release_duckdb() -> None:
    """Close the database dbt-duckdb keeps open for the life of the process.

    While it is open, this process cannot open the same file with other settings (a read-only
    query after the transform) and other processes cannot open it at all.
    """
    manager = sys.modules.get("dbt.adapters.duckdb.connections")
    if manager is not None:
        manager.DuckDBConnectionManager.close_all_connections()


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in the process environment for the block (dbt reads its env_var() there)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
