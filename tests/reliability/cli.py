"""Run ``calven-sync`` as a user would: a subprocess configured by environment variables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def simulator_env(simulator, auth_type: str = "hmac", role: str = "warehouse") -> dict[str, str]:
    key = simulator.key(role=role, basic=auth_type == "basic")
    tenant = simulator.sim.tenant
    return {
        "SOURCES__CALVEN__BASE_URL": simulator.base_url,
        "SOURCES__CALVEN__AUTH_TYPE": auth_type,
        "SOURCES__CALVEN__START_DATE": tenant.first_day.isoformat(),
        "SOURCES__CALVEN__TODAY": tenant.today.isoformat(),
        "SOURCES__CALVEN__CREDENTIALS__API_KEY_ID": key.key_id,
        "SOURCES__CALVEN__CREDENTIALS__API_SECRET": key.secret,
    }


def _cli(workdir: Path, env: dict[str, str], args: tuple[str, ...]) -> tuple[list[str], dict]:
    full_env = {
        key: value for key, value in os.environ.items() if not key.startswith("SOURCES__CALVEN")
    }
    full_env.update(
        {
            "DESTINATION__DUCKDB__CREDENTIALS": str(workdir / "warehouse.duckdb"),
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            **env,
        }
    )
    command = [str(BIN / "calven-sync"), *args]
    if args and args[0] not in ("simulate", "demo") and "--pipelines-dir" not in args:
        command += ["--pipelines-dir", str(workdir / "state")]
    return command, full_env


def run_cli(
    workdir: Path, env: dict[str, str], *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``calven-sync ARGS`` in ``workdir`` with a DuckDB file and pipelines dir inside it."""
    command, full_env = _cli(workdir, env, args)
    return subprocess.run(
        command, cwd=workdir, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def start_cli(workdir: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``run_cli`` started in the background: ``.communicate()`` it."""
    command, full_env = _cli(workdir, env, args)
    return subprocess.Popen(
        command,
        cwd=workdir,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
