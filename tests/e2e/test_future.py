"""``calven-sync future`` as a user runs it: bookings_future is exactly the simulator's bookings
of [today, today + days) for every location, read in windows of at most 30 days, replaced all or
nothing."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from pipelines import exit_codes
from sources.calven.catalog import BOOKINGS_FUTURE
from sources.calven.incremental.windows import split
from sources.calven_sim.faults import FaultConfig, FaultRule
from sources.calven_sim.server import RunningSimulator, SimulatorConfig, run_simulator
from sources.calven_sim.tenant import TenantConfig
from tests.e2e.conftest import TODAY
from tests.e2e.test_incremental import windowed_requests
from tests.e2e.truth import expected_rows, loaded_rows
from tests.reliability.cli import run_cli, simulator_env
from tests.reliability.ledger_check import inspector

DAY = timedelta(days=1)
PATH = BOOKINGS_FUTURE.path
DAY_AT = list(BOOKINGS_FUTURE.fields).index("day")
FUTURE_TENANT = TenantConfig(
    seed=23, users=90, locations=3, history_days=10, future_days=70, today=TODAY
)
"""Bookings 70 days ahead, so a range past 30 days has rows in every window."""


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    with run_simulator(SimulatorConfig(tenant=FUTURE_TENANT)) as running:
        yield running


def future(tmp_path, simulator, *args: str, **env: str):
    return run_cli(tmp_path, {**simulator_env(simulator), **env}, "future", *args)


def loaded(tmp_path):
    return loaded_rows(
        inspector(tmp_path / "warehouse.duckdb", tmp_path / "inspect"), BOOKINGS_FUTURE
    )


def truth(tenant, days: int):
    rows = tenant.rows("user-booking-attendance", tenant.today, tenant.today + (days - 1) * DAY)
    return expected_rows(BOOKINGS_FUTURE, rows)


def windows_by_location(simulator) -> dict[str, list[tuple[date, date]]]:
    """The (first day, last day) of every bookings request, per location."""
    found = defaultdict(list)
    for _, location, start, end in windowed_requests(simulator):
        found[location].append((start, end))
    return {location: sorted(spans) for location, spans in found.items()}


@pytest.mark.parametrize(
    ("args", "days", "windows"),
    [
        ((), 14, 1),
        (("--days", "30"), 30, 1),
        (("--days", "31"), 31, 2),
        (("--days", "45"), 45, 2),
        (("--days", "63"), 63, 3),
    ],
    ids=["default-14", "days-30", "days-31", "days-45", "days-63"],
)
def test_future_loads_exactly_the_bookings_ahead_in_windows_of_30_days(
    tmp_path, simulator, args, days, windows
):
    tenant = simulator.sim.tenant

    result = future(tmp_path, simulator, *args)

    assert result.returncode == exit_codes.OK, result.stdout + result.stderr
    expected = truth(tenant, days)
    assert loaded(tmp_path) == expected
    wanted = [(w.start, w.last_day) for w in split([(tenant.today, tenant.today + days * DAY)])]
    assert len(wanted) == windows
    assert all((last - first).days + 1 <= 30 for first, last in wanted)
    days_loaded = {row[DAY_AT] for row in expected}
    assert all(any(first <= d <= last for d in days_loaded) for first, last in wanted)
    assert windows_by_location(simulator) == {loc: wanted for loc in tenant.location_ids()}
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("bookings_future")]
    assert line.split()[1] == f"{sum(expected.values()):,}"


def _refused_once(location: str) -> FaultConfig:
    return FaultConfig(rules=(FaultRule("400", path=PATH, location_id=location, times=1),))


def _throttled_for_good(location: str) -> FaultConfig:
    rule = FaultRule("429", path=PATH, location_id=location)
    return FaultConfig(rules=(rule,), retry_after_seconds=0)


@pytest.mark.parametrize(
    ("faults", "status", "attempts"),
    [(_refused_once, 400, 1), (_throttled_for_good, 429, 6)],
    ids=["one-request-refused", "throttled-past-every-retry"],
)
def test_a_failed_request_fails_the_refresh_and_keeps_the_previous_rows(
    tmp_path, simulator, faults, status, attempts
):
    tenant = simulator.sim.tenant
    assert future(tmp_path, simulator, "--days", "10").returncode == exit_codes.OK
    before = loaded(tmp_path)
    assert before == truth(tenant, 10)
    failing = tenant.location_ids()[2]
    simulator.sim.set_faults(faults(failing))
    simulator.sim.clear_requests()

    failed = future(tmp_path, simulator, "--days", "45")

    assert failed.returncode == exit_codes.API, failed.stdout + failed.stderr
    assert f"calven-sync: API error: GET {PATH} [bookings_future partition={failing}" in (
        failed.stderr
    )
    assert loaded(tmp_path) == before
    faulted = [entry for entry in simulator.sim.requests(PATH) if entry.fault]
    assert {(entry.params["locationId"], entry.status) for entry in faulted} == {(failing, status)}
    per_window = Counter(entry.params["startDate"] for entry in faulted)
    assert max(per_window.values()) == attempts, "the window that ended the run"

    simulator.sim.set_faults(None)
    again = future(tmp_path, simulator, "--days", "45")
    assert again.returncode == exit_codes.OK, again.stdout + again.stderr
    assert loaded(tmp_path) == truth(tenant, 45)


def test_a_failed_refresh_does_not_say_it_replaced_the_table(tmp_path, simulator):
    assert future(tmp_path, simulator, "--days", "10").returncode == exit_codes.OK
    held = len(loaded(tmp_path))
    simulator.sim.set_faults(_refused_once(simulator.sim.tenant.location_ids()[0]))

    failed = future(tmp_path, simulator, "--days", "10")

    assert failed.returncode == exit_codes.API
    (line,) = [line for line in failed.stdout.splitlines() if line.startswith("bookings_future")]
    assert line.endswith(f"not replaced ({held:,} rows kept)"), line
    assert "(it reloads the whole table)" in failed.stdout
    assert "only what is missing" not in failed.stdout


@pytest.mark.parametrize(
    ("first_days", "days_later", "second_days"),
    [(10, 3, 10), (20, 0, 5)],
    ids=["clock-advanced-3-days", "fewer-days"],
)
def test_a_second_refresh_drops_the_rows_outside_its_range(
    tmp_path, simulator, first_days, days_later, second_days
):
    tenant = simulator.sim.tenant
    assert future(tmp_path, simulator, "--days", str(first_days)).returncode == exit_codes.OK
    stale = loaded(tmp_path)
    if days_later:
        simulator.sim.advance(days_later)

    again = future(tmp_path, simulator, "--days", str(second_days))

    assert again.returncode == exit_codes.OK, again.stdout + again.stderr
    now = loaded(tmp_path)
    assert now == truth(tenant, second_days)
    outside = [
        row for row in stale if not tenant.today <= row[DAY_AT] < tenant.today + second_days * DAY
    ]
    assert outside and not set(outside) & set(now), "rows outside the new range must be gone"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--days", "0"), {}, "argument --days: expected a whole number of at least 1, got '0'"),
        ((), {"SOURCES__CALVEN__FUTURE_DAYS": "0"}, "future_days must be between 1 and 366"),
    ],
    ids=["flag", "setting"],
)
def test_zero_days_is_refused_and_keeps_the_table(tmp_path, simulator, args, env, message):
    assert future(tmp_path, simulator, "--days", "10").returncode == exit_codes.OK
    before = loaded(tmp_path)
    simulator.sim.clear_requests()

    refused = future(tmp_path, simulator, *args, **env)

    assert refused.returncode == exit_codes.CONFIG, refused.stdout + refused.stderr
    assert message in refused.stderr
    assert loaded(tmp_path) == before == truth(simulator.sim.tenant, 10)
    assert simulator.sim.requests("/v1/") == []
