"""Results in the destination make pushes idempotent and resumable; 10,000 events under faults."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import duckdb

from pipelines.push.results import ResultsWriter, previous_outcomes
from sources.calven.push import KINDS, PushPlan, push_rows
from sources.calven_sim.faults import FaultConfig, FaultRule
from sources.calven_sim.server import SimulatorConfig, run_simulator
from tests.conftest import SMALL_TENANT
from tests.push.conftest import events_client, presence_rows, results

PRESENCE = KINDS["presence"]
UNKNOWN_USER = "00000000-0000-4000-8000-000000000000"


def run_push(pipeline, client, rows, *, every=5_000, **plan):
    writer = ResultsWriter(pipeline, PRESENCE, "test rows", every, run_id="test")
    try:
        return push_rows(
            client, PushPlan(PRESENCE, **plan), rows, previous_outcomes(pipeline, PRESENCE), writer
        )
    finally:
        writer.flush()


def database(pipeline) -> Path:
    return Path(pipeline.destination_client().config.credentials.database)


def posted(simulator) -> int:
    return len([e for e in simulator.sim.requests("/v1/presence") if e.method == "POST"])


def test_rerun_skips_accepted_retries_failed_and_resends_rejected_only_on_request(
    simulator, push_pipeline
):
    rows = presence_rows(simulator, 8)
    rows[2]["userId"] = rows[5]["userId"] = UNKNOWN_USER
    rows.append({**rows[0], "locationType": "room"})
    sim = simulator.sim
    with events_client(simulator) as client:
        sim.set_faults(FaultConfig(rules=(FaultRule("503", path="/v1/presence"),)))
        first = run_push(push_pipeline, client, rows)
        assert (first.count("failed"), first.count("invalid"), first.complete) == (8, 1, False)

        sim.set_faults(None)
        sim.clear_requests()
        second = run_push(push_pipeline, client, rows)
        assert (second.count("accepted"), second.count("rejected"), posted(simulator)) == (6, 2, 1)

        sim.clear_requests()
        third = run_push(push_pipeline, client, rows)
        assert (third.skipped_accepted, third.skipped_rejected, third.tally.sent) == (6, 2, 0)
        assert posted(simulator) == 0

        fourth = run_push(push_pipeline, client, rows, retry_rejected=True)
        assert (fourth.skipped_accepted, fourth.count("rejected"), posted(simulator)) == (6, 2, 1)

    recorded = Counter(status for _, status, _, _ in results(database(push_pipeline)))
    assert recorded == {"failed": 8, "accepted": 6, "rejected": 4, "invalid": 4}


def test_outcomes_are_checkpointed_while_sending(simulator, push_pipeline):
    with events_client(simulator) as client:
        report = run_push(push_pipeline, client, presence_rows(simulator, 25), every=10)
    assert report.count("accepted") == 25
    with duckdb.connect(str(database(push_pipeline)), read_only=True) as con:
        loads = con.sql(
            "select count(distinct pushed_at) from calven._calven_push_results"
        ).fetchall()
    assert loads == [(3,)]


def test_ten_thousand_events_with_15_percent_faults_are_stored_exactly_once(
    tmp_path, push_pipeline
):
    faults = FaultConfig(
        rate=0.15,
        mix={"500": 1, "502": 1, "503": 1, "429": 1, "reset": 2, "truncate": 2},
        retry_after_seconds=0,
    )
    tenant = replace(SMALL_TENANT, users=200)
    with run_simulator(SimulatorConfig(tenant=tenant, faults=faults)) as simulator:
        rows = presence_rows(simulator, 10_000, days=20)
        with events_client(simulator, max_concurrency=8) as client:
            report = run_push(push_pipeline, client, rows)
        sim = simulator.sim
        requests = sim.requests("/v1/presence")
        faulted = Counter(e.fault for e in requests if e.fault)
        faulted_anywhere = len([e for e in sim.requests("/v1/") if e.fault])
        sim.set_faults(None)
        sim.advance()
        stored = Counter(
            row["eventId"]
            for row in sim.tenant.rows("presence", sim.tenant.first_day, sim.tenant.today)
            if row["sourceId"] == "calven-sync"
        )

    assert report.count("accepted") == 10_000 and report.complete
    assert report.batches == 100 and report.retries == faulted_anywhere
    assert len(requests) == 100 + sum(faulted.values())
    assert {"reset", "truncate"} <= set(faulted) and sum(faulted.values()) >= 8
    recorded = results(database(push_pipeline))
    assert len(recorded) == 10_000
    assert {status for _, status, _, _ in recorded} == {"accepted"}
    assert set(stored) == {event_id for event_id, *_ in recorded}
    assert set(stored.values()) == {1}
