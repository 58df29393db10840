"""A working folder that is moved or copied keeps working, and only ever writes inside itself.

dlt remembers the first working directory in the pipeline's local state and resolved a relative
DuckDB path against it: a moved folder failed on every run, a copied one wrote into the
original's database. The user runs with dlt's defaults here (no DuckDB path configured, a
relative ``--pipelines-dir``), as the README shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.reliability.cli import BIN, simulator_env

DATABASE = "calven_warehouse.duckdb"


def _run(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__CALVEN", "DESTINATION__"))
    }
    full_env.update({"RUNTIME__DLTHUB_TELEMETRY": "false", **env})
    return subprocess.run(
        [str(BIN / "calven-sync"), *args, "--pipelines-dir", "state"],
        cwd=workdir,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _users(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return int(con.execute("select count(*) from calven.users").fetchone()[0])


def _loads(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return int(con.execute("select count(*) from calven._dlt_loads").fetchone()[0])


@pytest.mark.parametrize("how", ["move", "copy"])
def test_a_moved_or_copied_folder_writes_only_into_itself(how, tmp_path, shared_simulator):
    env = simulator_env(shared_simulator)
    original = tmp_path / "proj"
    original.mkdir()
    first = _run(original, env, "run", "--datasets", "users")
    assert first.returncode == 0, first.stderr
    loads_before = _loads(original / DATABASE)
    users = _users(original / DATABASE)
    assert users > 0

    moved = tmp_path / "proj2"
    if how == "move":
        shutil.move(original, moved)
    else:
        shutil.copytree(original, moved, symlinks=True)

    second = _run(moved, env, "run", "--datasets", "users")

    assert second.returncode == 0, second.stderr
    assert _users(moved / DATABASE) == users
    assert _loads(moved / DATABASE) == loads_before + 1
    if how == "copy":
        assert _loads(original / DATABASE) == loads_before, "the copy wrote into the original"
    else:
        assert not original.exists()
