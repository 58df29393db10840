"""Retry and auth behaviour seen from a whole sync (the client-level cases live in tests/client).

A 400 fails its window at once (one request, no retry) while the others load; a token that
stops working mid-run costs exactly one refresh; a token refused again after the refresh ends
the run with an AuthError that names the auth type and no secret; ``Retry-After`` is waited out
(measured on the simulator's request log).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest

import sources.calven.extract.resources
import sources.calven.incremental.ledger
from pipelines.runner import sync
from sources.calven.catalog import PRESENCE, SYNC_DATASETS, WINDOWED
from sources.calven.errors import AuthError
from sources.calven.incremental.windows import Window
from sources.calven_sim.api.errors import ApiError
from sources.calven_sim.faults import FaultConfig, FaultRule
from tests.e2e.conftest import source_options
from tests.e2e.test_incremental import assert_matches_truth
from tests.reliability.ledger_check import duckdb_pipeline

TOKEN_PATHS = {"hmac": "/v1/auth", "client_secret": "/v1/auth/token"}
WINDOWED_PATHS = {d.path for d in WINDOWED}


def _windowed(simulator) -> list:
    return [e for e in simulator.sim.requests("/v1/analytics/") if e.path in WINDOWED_PATHS]


def _unknown_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    original = sources.calven.extract.resources._params

    def with_extra(dataset, partition, window):
        params = original(dataset, partition, window)
        return {**params, "colour": "blue"} if dataset is PRESENCE else params

    monkeypatch.setattr(sources.calven.extract.resources, "_params", with_extra)


def _range_over_30_days(monkeypatch: pytest.MonkeyPatch) -> None:
    def windows_of_31_days(spans, _max_days):
        for start, end in spans:
            while start < end:
                yield Window(start, min(start + timedelta(days=31), end))
                start += timedelta(days=31)

    monkeypatch.setattr(sources.calven.incremental.ledger, "split", windows_of_31_days)


@pytest.mark.parametrize(
    "break_requests",
    [_unknown_parameter, _range_over_30_days],
    ids=["unknown-parameter", "range-over-30-days"],
)
def test_400_fails_its_window_once_and_the_rest_loads(
    simulator, tmp_path, monkeypatch, break_requests
) -> None:
    break_requests(monkeypatch)
    pipeline = duckdb_pipeline(tmp_path)

    report = sync(pipeline, SYNC_DATASETS, source_options(simulator, lookback_days=0))

    refused = [e for e in _windowed(simulator) if e.status == 400]
    assert refused and len(report.session.failures) == len(refused)
    sent = Counter((e.path, tuple(sorted(e.params.items()))) for e in _windowed(simulator))
    assert all(sent[(e.path, tuple(sorted(e.params.items())))] == 1 for e in refused)
    assert report.session.retries == 0
    assert all("400 Bad Request" in f.error for f in report.session.failures)
    assert sum(report.session.windows.values()) == len(_windowed(simulator)) - len(refused) > 0


@pytest.mark.parametrize("auth_type", ["hmac", "client_secret"])
def test_token_expired_mid_run_is_refreshed_exactly_once(simulator, tmp_path, auth_type) -> None:
    pipeline = duckdb_pipeline(tmp_path)
    seen = []

    def expire_after_third(result) -> None:
        seen.append(result)
        if len(seen) == 3:
            simulator.sim.expire_tokens()

    options = source_options(simulator, auth_type, max_window_days=10)
    report = sync(pipeline, SYNC_DATASETS, options, on_window=expire_after_third)

    assert report.ok, report.session.failures
    statuses = Counter(e.status for e in simulator.sim.requests())
    assert [e.path for e in simulator.sim.requests()].count(TOKEN_PATHS[auth_type]) == 2
    assert 1 <= statuses[401] <= options["max_concurrency"]
    assert_matches_truth(pipeline, simulator.sim.tenant)


@pytest.mark.parametrize("auth_type", ["hmac", "client_secret"])
def test_token_refused_after_refresh_is_an_auth_error_naming_the_auth_type(
    simulator, tmp_path, monkeypatch, auth_type
) -> None:
    authenticator = simulator.sim.auth
    issued: list[str] = []
    original_issue = authenticator._issue

    def remember(key):
        token = original_issue(key)
        issued.append(token.token)
        return token

    def refuse(token: str):
        raise ApiError(401, "bearer token has been revoked")

    monkeypatch.setattr(authenticator, "_issue", remember)
    monkeypatch.setattr(authenticator, "bearer", refuse)
    options = source_options(simulator, auth_type)

    with pytest.raises(AuthError) as info:
        sync(duckdb_pipeline(tmp_path), SYNC_DATASETS, options)

    paths = [e.path for e in simulator.sim.requests()]
    assert paths.count(TOKEN_PATHS[auth_type]) == 2 == len(issued)
    assert len(paths) == 4, paths
    message = str(info.value)
    assert f"{auth_type} auth for key {options['credentials']['api_key_id']}" in message
    assert "401" in message
    for secret in (options["credentials"]["api_secret"], *issued):
        assert secret not in message


def test_retry_after_is_waited_out(simulator, tmp_path) -> None:
    location = simulator.sim.tenant.location_ids()[0]
    simulator.sim.set_faults(
        FaultConfig(
            rules=(FaultRule("429", path=PRESENCE.path, location_id=location, times=2),),
            retry_after_seconds=1,
        )
    )
    options = source_options(simulator, locations=[location], max_window_days=30)

    report = sync(duckdb_pipeline(tmp_path), [PRESENCE.name], options)

    assert report.ok, report.session.failures
    attempts = {}
    for entry in _windowed(simulator):
        attempts.setdefault(entry.params["startDate"], []).append(entry)
    limited = [tries for tries in attempts.values() if tries[0].status == 429]
    assert sum(len(tries) - 1 for tries in limited) == 2 == report.session.retries
    for tries in limited:
        for before, after in pairwise(tries):
            if before.status == 429:
                assert 1.0 <= after.time - before.time < 2.5, (before, after)
