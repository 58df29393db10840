"""Warehouse GET endpoints over real HTTP: bodies, auth variants, slashes, query-string rules."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import orjson
import pytest

from sources.calven_sim.datasets import RENDER_CHUNK_BYTES
from sources.calven_sim.server import RunningSimulator
from tests.sim.httpkit import assert_error, basic, bearer

ANALYTICS = "/v1/analytics/"
DIMENSIONS = ("users", "groups", "locations", "desks")
WINDOWED = ("user-booking-attendance", "presence", "change-log/user")


@pytest.fixture(scope="module")
def auth_headers(shared_simulator: RunningSimulator) -> dict[str, dict[str, str]]:
    return {
        "basic": basic(shared_simulator.key(role="warehouse", basic=True)),
        "bearer": bearer(shared_simulator, shared_simulator.key(role="warehouse")),
    }


@pytest.fixture
def client(shared_simulator: RunningSimulator, auth_headers) -> httpx.Client:
    headers = auth_headers["bearer"]
    with httpx.Client(base_url=shared_simulator.base_url, headers=headers, timeout=10) as client:
        yield client


def _range(running: RunningSimulator, days: int = 30) -> tuple[date, date]:
    end = running.sim.tenant.today - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def _path(dataset: str, mode: str, slash: bool) -> str:
    return f"{ANALYTICS}{dataset}{'/basic' if mode == 'basic' else ''}{'/' if slash else ''}"


@pytest.mark.parametrize("slash", [False, True], ids=["no-slash", "slash"])
@pytest.mark.parametrize("mode", ["bearer", "basic"])
@pytest.mark.parametrize("dataset", DIMENSIONS + WINDOWED)
def test_every_endpoint_streams_the_tenant_body(
    shared_simulator, auth_headers, dataset, mode, slash
):
    tenant = shared_simulator.sim.tenant
    params: dict[str, str] = {}
    start = end = None
    if dataset in WINDOWED:
        start, end = _range(shared_simulator)
        params = {"startDate": start.isoformat(), "endDate": end.isoformat()}
    url = shared_simulator.base_url + _path(dataset, mode, slash)
    response = httpx.get(url, params=params, headers=auth_headers[mode])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.content == b"".join(tenant.render(dataset, start, end))
    rows = orjson.loads(response.content)
    assert isinstance(rows, list) and rows, dataset


def test_a_body_of_one_chunk_has_a_length_and_a_longer_one_is_streamed(shared_simulator, client):
    tenant = shared_simulator.sim.tenant
    path = f"{ANALYTICS}user-booking-attendance"
    for days, one_chunk in ((3, True), (30, False)):
        start, end = _range(shared_simulator, days)
        response = client.get(path, params={"startDate": str(start), "endDate": str(end)})
        body = b"".join(tenant.render("user-booking-attendance", start, end))
        assert response.content == body
        assert (len(body) <= RENDER_CHUNK_BYTES) is one_chunk
        if one_chunk:
            assert response.headers["content-length"] == str(len(body))
            assert "transfer-encoding" not in response.headers
        else:
            assert response.headers["transfer-encoding"] == "chunked"
            assert "content-length" not in response.headers


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("20260210", "20260216"),
        ("2026-02-10", "2026-02-16"),
        ("2026-02-10T00:00:00.000Z", "2026-02-16T23:59:59Z"),
        ("2026-02-10T09:30:00+09:00", "2026-02-16T12:00:00"),
    ],
    ids=["compact", "dashed", "iso-utc", "iso-offset"],
)
def test_date_formats_mean_the_same_utc_days(shared_simulator, client, start, end):
    tenant = shared_simulator.sim.tenant
    path = f"{ANALYTICS}user-booking-attendance"
    response = client.get(path, params={"startDate": start, "endDate": end})
    assert response.status_code == 200, response.text
    expected = b"".join(
        tenant.render("user-booking-attendance", date(2026, 2, 10), date(2026, 2, 16))
    )
    assert response.content == expected


def test_filters_reach_the_tenant(shared_simulator, client):
    tenant = shared_simulator.sim.tenant
    start, end = _range(shared_simulator, 10)
    dates = {"startDate": start.isoformat(), "endDate": end.isoformat()}
    location = tenant.location_ids()[0]
    users = tenant.user_ids(location)[:3]
    cases = [
        ("user-booking-attendance", {"locationId": location}, [location], None),
        ("presence", {"locationIds": location, "userIds": ",".join(users)}, [location], users),
        ("change-log/user", {"userIds": ",".join(users)}, None, users),
    ]
    for dataset, params, locations, user_ids in cases:
        response = client.get(f"{ANALYTICS}{dataset}", params={**dates, **params})
        assert response.status_code == 200, response.text
        assert response.content == b"".join(tenant.render(dataset, start, end, locations, user_ids))
    narrowed = client.get(
        f"{ANALYTICS}user-booking-attendance", params={**dates, "locationId": location}
    )
    assert {row["primaryLocationId"] for row in narrowed.json()} == {location}


@pytest.mark.parametrize(
    "params",
    [{"locationId": "no-such-location"}, {"locationId": "00000000-0000-0000-0000-000000000000"}],
    ids=["garbage", "uuid"],
)
def test_unknown_location_is_an_empty_array(client, params):
    dates = {"startDate": "2026-02-01", "endDate": "2026-02-10"}
    response = client.get(f"{ANALYTICS}user-booking-attendance", params={**dates, **params})
    assert response.status_code == 200 and response.json() == []


def test_thirty_days_inclusive_is_the_limit(client):
    path = f"{ANALYTICS}presence"
    assert (
        client.get(path, params={"startDate": "2026-01-01", "endDate": "2026-01-30"}).status_code
        == 200
    )
    response = client.get(path, params={"startDate": "2026-01-01", "endDate": "2026-01-31"})
    assert_error(response, 400, "30 days", "31 days")


@pytest.mark.parametrize(
    ("dataset", "params", "fragment"),
    [
        ("presence", {"startDate": "2026-01-10", "endDate": "2026-01-09"}, "before"),
        ("presence", {"startDate": "2026-01-10"}, "endDate"),
        ("change-log/user", {"endDate": "2026-01-10"}, "startDate"),
        ("presence", {"startDate": "2026/01/10", "endDate": "2026-01-11"}, "startDate"),
        ("presence", {"startDate": "2026-02-30", "endDate": "2026-03-01"}, "startDate"),
        ("presence", {"startDate": "2026-W02-1", "endDate": "2026-01-11"}, "startDate"),
        ("presence", {"startDate": "2026-01-10", "endDate": "tomorrow"}, "endDate"),
        (
            "presence",
            {"startDate": "2026-01-10", "endDate": "2026-01-11", "locationId": "x"},
            "locationId",
        ),
        (
            "user-booking-attendance",
            {"startDate": "2026-01-10", "endDate": "2026-01-11", "locationIds": "x"},
            "locationIds",
        ),
        (
            "change-log/user",
            {"startDate": "2026-01-10", "endDate": "2026-01-11", "limit": "5"},
            "limit",
        ),
        ("users", {"page": "2"}, "page"),
        (
            "presence",
            {"startDate": "2026-01-10", "endDate": "2026-01-11", "userIds": ","},
            "userIds",
        ),
    ],
    ids=[
        "end-before-start",
        "missing-end",
        "missing-start",
        "slashes",
        "impossible-day",
        "week-date",
        "words",
        "singular-location-on-presence",
        "plural-location-on-bookings",
        "unknown-param",
        "param-on-dimension",
        "empty-id-list",
    ],
)
def test_bad_query_strings_are_400(client, dataset, params, fragment):
    assert_error(client.get(f"{ANALYTICS}{dataset}", params=params), 400, fragment)


def test_repeated_parameter_is_400(client):
    query = "startDate=2026-01-10&endDate=2026-01-11&userIds=a&userIds=b"
    assert_error(client.get(f"{ANALYTICS}presence?{query}"), 400, "userIds")


def test_region_header_is_ignored(client):
    response = client.get(f"{ANALYTICS}locations", headers={"x-calven-region": "ause1"})
    assert response.status_code == 200


def test_wrong_method_and_path_use_the_error_shape(client):
    assert_error(client.post(f"{ANALYTICS}users"), 405)
    assert_error(client.get(f"{ANALYTICS}bookings"), 404)
