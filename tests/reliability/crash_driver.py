"""Run ``calven-sync`` and SIGKILL itself at a chosen point inside dlt's pipeline steps.

Usage: ``python -m tests.reliability.crash_driver HOOK:WHEN:N [calven-sync args...]``

The process kills itself with SIGKILL (no cleanup, no ``finally``, no atexit) right before or
right after the N-th call of the hooked function, so the crash tests can aim at the exact places
where a crash is dangerous: a package committed but the local state not yet saved, some load
jobs of a package completed but not the package, a package loaded but not yet archived.
``none`` runs without a kill point. Timed kills from outside complement these.
``CRASH_DRIVER_SIGNAL=SIGINT`` sends a Ctrl-C at the point instead (the process goes on).
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

HOOKS: dict[str, tuple[str, str]] = {
    "window": ("sources.calven.extract.session", "Session.report"),
    "extract_commit": ("dlt.extract.extract", "Extract.commit_packages"),
    "save_state": ("dlt.pipeline.pipeline", "Pipeline._save_state"),
    "normalize": ("dlt.pipeline.pipeline", "Pipeline.normalize"),
    "normalize_commit": ("dlt.common.storages.load_storage", "LoadStorage.commit_new_load_package"),
    "load": ("dlt.pipeline.pipeline", "Pipeline.load"),
    "complete_job": ("dlt.common.storages.load_package", "PackageStorage.complete_job"),
    "complete_package": ("dlt.load.load", "Load.complete_package"),
    "archive_package": ("dlt.common.storages.load_storage", "LoadStorage.complete_load_package"),
}
"""Kill point name -> (module, Class.method) hooked."""


def _die() -> None:
    os.kill(os.getpid(), getattr(signal, os.environ.get("CRASH_DRIVER_SIGNAL", "SIGKILL")))


def install(spec: str) -> None:
    """Arm the kill point ``HOOK:WHEN:N`` (WHEN is ``before`` or ``after``)."""
    hook, when, nth = spec.split(":")
    module_name, qualified = HOOKS[hook]
    class_name, method_name = qualified.split(".")
    owner = getattr(importlib.import_module(module_name), class_name)
    original: Callable[..., Any] = getattr(owner, method_name)
    calls = 0

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if when == "before" and calls == int(nth):
            _die()
        result = original(*args, **kwargs)
        if when == "after" and calls == int(nth):
            _die()
        return result

    setattr(owner, method_name, wrapper)


def main(argv: list[str]) -> int:
    spec, *args = argv
    if spec != "none":
        install(spec)
    from pipelines.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
