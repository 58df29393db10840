"""``calven-sync push`` as a user runs it: round trip, dry run, exit codes, sources, secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tests.push.conftest import presence_rows, results, write_csv

UNKNOWN_USER = "00000000-0000-4000-8000-000000000000"


def test_round_trip_push_advance_then_run_loads_presence_and_attendance(tmp_path, simulator, cli):
    rows = presence_rows(simulator, 12, days=2)  # Monday 2026-03-16: a day with booking rows
    columns = {"userId": "user_id", "locationId": "location_id", "locationType": "location_type"}
    snake = [{columns.get(k, k): v for k, v in r.items() if k != "sourceUserId"} for r in rows]
    pq.write_table(pa.Table.from_pylist(snake), tmp_path / "badges.parquet")

    pushed = cli(
        "push", "presence", "--from", str(tmp_path / "badges.parquet"), "--source-id", "turnstiles"
    )
    assert pushed.returncode == 0, pushed.stderr
    assert "accepted                  12" in pushed.stdout

    today = simulator.sim.advance()
    pulled = cli("run", "--today", today.isoformat())
    assert pulled.returncode == 0, pulled.stderr

    event_ids = {event_id for event_id, *_ in results(tmp_path / "warehouse.duckdb")}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        presence = con.sql(
            "select event_id, user_id, day, source_id from calven.presence "
            "where source_id = 'turnstiles'"
        ).fetchall()
        attendance = con.sql(
            "select b.attendance_type from calven.bookings_attendance b join calven.presence p "
            "on b.user_id = p.user_id and b.day = p.day where p.source_id = 'turnstiles'"
        ).fetchall()
    assert {row[0] for row in presence} == event_ids and len(presence) == 12
    assert len(attendance) == 12
    assert {kind for (kind,) in attendance} <= {"confirmed", "walkIn"}


def test_dry_run_validates_prints_and_sends_nothing(tmp_path, simulator, cli):
    rows = presence_rows(simulator, 4)
    rows[2]["locationType"] = "room"
    write_csv(tmp_path / "events.csv", rows)
    result = cli("push", "presence", "--from", str(tmp_path / "events.csv"), "--dry-run")
    assert result.returncode == 5, result.stderr
    assert "would send                 3  in 1 batch(es)" in result.stdout
    assert "row 3: invalid: locationType: expected one of" in result.stdout
    assert '"presenceEvents"' not in result.stdout and '"locationType":"location"' in result.stdout
    assert simulator.sim.requests("/v1/") == []


def test_rejections_exit_5_and_rerun_sends_nothing(tmp_path, simulator, cli):
    rows = presence_rows(simulator, 5)
    rows[0]["userId"] = UNKNOWN_USER
    write_csv(tmp_path / "events.csv", rows)
    first = cli("push", "presence", "--from", str(tmp_path / "events.csv"))
    assert first.returncode == 5, first.stderr
    assert "code 1: 1" in first.stdout and "User not found" in first.stdout

    simulator.sim.clear_requests()
    second = cli("push", "presence", "--from", str(tmp_path / "events.csv"))
    assert second.returncode == 5, second.stderr
    assert "already accepted           4" in second.stdout
    assert "already rejected           1" in second.stdout
    assert [e for e in simulator.sim.requests("/v1/presence")] == []
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        logged = con.execute(
            "select command, status, exit_code, rows from calven._calven_sync_runs"
            " order by started_at"
        ).fetchall()
    assert logged == [
        ("push", "partial", 5, '{"presence": 4}'),  # 4 accepted, 1 rejected
        ("push", "partial", 5, '{"presence": 0}'),  # nothing new to send
    ]


def test_push_from_a_query_on_the_destination(tmp_path, simulator, cli):
    database = tmp_path / "warehouse.duckdb"
    users = simulator.sim.tenant.user_ids()[:3]
    with duckdb.connect(str(database)) as con:
        con.execute("create schema hr")
        con.execute("create table hr.leave (person varchar, starts date, ends date, kind varchar)")
        for user in users:
            con.execute(
                "insert into hr.leave values (?, date '2026-03-23', date '2026-03-24', 'leave')",
                [user],
            )
    query = (
        "query:select person as uid, 'scheduled' as eventType, starts as startDate, "
        "ends as endDate, kind as timeOffType from hr.leave"
    )
    result = cli("push", "timeoff", "--from", query)
    assert result.returncode == 0, result.stderr
    assert "accepted                   3" in result.stdout

    table = cli(
        "push",
        "timeoff",
        "--from",
        "table:hr.leave",
        "--map",
        "person=uid,starts=startDate,ends=endDate,kind=timeOffType",
    )
    assert table.returncode == 5, table.stderr
    assert "eventType is required" in table.stdout


def _secrets(simulator, started: int, ended: int) -> dict[str, str]:
    key = simulator.key(role="events")
    values = {
        "secret": key.secret,
        "basic": base64.b64encode(f"{key.key_id}:{key.secret}".encode()).decode(),
    }
    for ts in range(started - 2, ended + 2):
        digest = hmac.new(key.secret.encode(), f"{key.key_id}{ts}".encode(), hashlib.sha256)
        values[f"hash {ts}"] = digest.hexdigest()
    values.update({f"token {i}": t for i, t in enumerate(simulator.sim.auth._tokens)})
    return values


def test_secrets_never_appear_in_output_or_results(tmp_path, simulator, cli):
    from sources.calven_sim.faults import FaultConfig

    rows = presence_rows(simulator, 30)
    rows[3]["userId"] = UNKNOWN_USER
    write_csv(tmp_path / "events.csv", rows)
    simulator.sim.set_faults(FaultConfig(rate=0.3, retry_after_seconds=0))
    started = int(time.time())
    result = cli(
        "push", "presence", "--from", str(tmp_path / "events.csv"), "--verbose", "--batch-size", "5"
    )
    ended = int(time.time())
    assert result.returncode in (4, 5), result.stderr
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        stored = str(con.sql("select * from calven._calven_push_results").fetchall())
    places = {"stdout": result.stdout, "stderr": result.stderr, "results": stored}
    for path in Path(tmp_path / "state").rglob("*"):
        if path.is_file():
            places[str(path)] = path.read_bytes().decode(errors="replace")
    secrets = _secrets(simulator, started, ended)
    assert any(name.startswith("token") for name in secrets)
    leaks = [f"{what} in {where}" for what, value in secrets.items()
             for where, text in places.items() if value in text]  # fmt: skip
    assert leaks == []


def test_a_key_without_the_events_role_exits_3(tmp_path, simulator, cli):
    write_csv(tmp_path / "events.csv", presence_rows(simulator, 2))
    warehouse = simulator.key(role="warehouse")
    result = cli(
        "push",
        "presence",
        "--from",
        str(tmp_path / "events.csv"),
        SOURCES__CALVEN__PUSH__CREDENTIALS__API_KEY_ID=warehouse.key_id,
        SOURCES__CALVEN__PUSH__CREDENTIALS__API_SECRET=warehouse.secret,
    )
    assert result.returncode == 3, result.stderr
    assert "403" in result.stderr and warehouse.secret not in result.stderr + result.stdout
