"""Bad input: each case gets a clear one-line error, a distinct exit code, and changes nothing.

The cases are in ``bad_input_cases`` (API, credentials, settings) and ``bad_command_cases``
(command lines, directories, push sources).
"""

from __future__ import annotations

import duckdb
import pytest

from pipelines import exit_codes
from tests.reliability.bad_command_cases import COMMAND_CASES
from tests.reliability.bad_input_cases import API_CASES, SETTING_CASES, Case
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.fake_api import fake_api

CASES = [*API_CASES, *SETTING_CASES, *COMMAND_CASES]


def _tables(workdir) -> list[str]:
    database = workdir / "warehouse.duckdb"
    if not database.exists():
        return []
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.sql(
            "select table_name from information_schema.tables where table_schema = 'calven'"
        ).fetchall()
    return [t for (t,) in tables if not t.startswith("_dlt")]


def _nothing_loaded(workdir, code: int) -> bool:
    """No data; a run that reached the destination and failed is in the run log, but a
    configuration or usage error changes nothing at all."""
    recorded = [] if code == exit_codes.CONFIG else ["_calven_sync_runs"]
    return [t for t in _tables(workdir) if t not in recorded] == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, shared_simulator):
    env = simulator_env(shared_simulator, case.auth_type, case.role)
    for name, content in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    settings = {
        key: value.format(base_url=shared_simulator.base_url)
        for key, value in {**env, **case.env}.items()
        if value is not None
    }
    if case.fake is None:
        result = run_cli(tmp_path, settings, *case.args)
    else:
        with fake_api() as api:
            case.fake(api)
            settings["SOURCES__CALVEN__BASE_URL"] = api.base_url
            result = run_cli(tmp_path, settings, *case.args)

    if case.args[0] == "check":
        assert result.returncode == case.code, result.stdout + result.stderr
        assert "FAILED" in result.stdout and "Traceback" not in result.stderr
        return
    errors = [line for line in result.stderr.splitlines() if line.startswith("calven-sync:")]
    assert result.returncode == case.code, result.stdout + result.stderr
    assert len(errors) == 1, result.stderr
    assert case.message in errors[0], errors[0]
    assert "Traceback" not in result.stderr
    assert _nothing_loaded(tmp_path, case.code), _tables(tmp_path)


def test_table_has_at_least_forty_five_cases():
    assert len(CASES) >= 45
    assert len({case.id for case in CASES}) == len(CASES)
