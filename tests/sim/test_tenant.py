"""The simulated tenant's data: determinism, shapes, rendering and validation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import orjson
import pytest

from sources.calven_sim.tenant import Tenant, TenantConfig
from tests.sim.tenantkit import CONFIG, TODAY, body, window

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MIDNIGHT = re.compile(r"^\d{4}-\d\d-\d\dT00:00:00\.000Z$")
FIELDS = {
    "users": (
        "email",
        "firstName",
        "lastName",
        "onboarded",
        "primaryGroupId",
        "primaryLocationId",
        "status",
        "userId",
        "userName",
    ),
    "groups": ("groupId", "groupName", "groupType", "parentGroupId", "status"),
    "locations": ("locationId", "locationName", "address", "status"),
    "desks": (
        "deskId",
        "deskName",
        "locationId",
        "locationName",
        "levelId",
        "levelName",
        "zoneId",
        "zoneName",
        "status",
    ),
    "user-booking-attendance": (
        "userId",
        "primaryLocationId",
        "primaryLocationName",
        "day",
        "plan",
        "bookingDepth",
        "attendanceType",
        "bookingLocationId",
        "bookingLocationName",
        "bookingLevelId",
        "bookingLevelName",
        "bookingZoneId",
        "bookingZoneName",
        "bookingPlaceId",
        "bookingPlaceName",
        "primaryGroupId",
        "primaryGroupName",
        "bookingGroupId",
        "bookingGroupName",
        "bookingSource",
        "bookingReasonCode",
        "onWaitlist",
    ),
    "presence": (
        "presenceId",
        "eventId",
        "userId",
        "userEmail",
        "sourceId",
        "sourceUserId",
        "locationId",
        "locationName",
        "detectedLocationId",
        "detectedLocationType",
        "timestamp",
        "day",
    ),
    "change-log/user": (
        "changeLogId",
        "userId",
        "userName",
        "eventTime",
        "bookingDay",
        "action",
        "description",
        "previousPlan",
        "newPlan",
        "changedBy",
        "reasonCode",
        "locationId",
    ),
}


@pytest.mark.parametrize("dataset", Tenant.DATASETS)
def test_same_seed_gives_identical_bytes_and_other_seed_differs(dataset: str) -> None:
    first = body(Tenant(CONFIG), dataset, **window(dataset))
    again = body(Tenant(CONFIG), dataset, **window(dataset))
    other = body(Tenant(TenantConfig(**{**CONFIG.__dict__, "seed": 8})), dataset, **window(dataset))
    assert first == again
    assert first != other
    assert len(orjson.loads(first)) > 0


@pytest.mark.parametrize("dataset", Tenant.DATASETS)
def test_render_is_the_json_of_rows_with_every_field_in_order(tenant: Tenant, dataset: str) -> None:
    rows = list(tenant.rows(dataset, **window(dataset)))
    assert orjson.loads(body(tenant, dataset, **window(dataset))) == rows
    assert {tuple(row) for row in rows} == {FIELDS[dataset]}
    for row in rows:
        for name, value in row.items():
            if name in ("day", "bookingDay"):
                assert MIDNIGHT.match(value)
            elif name in ("timestamp", "eventTime"):
                assert TIMESTAMP.match(value)


def test_render_of_nothing_is_an_empty_array(tenant: Tenant) -> None:
    saturday = dt.date(2024, 6, 8)
    assert body(tenant, "user-booking-attendance", start=saturday, end=saturday) == b"[]"
    assert body(tenant, "users", location_ids=["no-such-location"]) == b"[]"


def test_ids_are_unique_and_sorted_within_a_day(
    tenant: Tenant, bookings: list[dict[str, Any]]
) -> None:
    users = list(tenant.rows("users"))
    assert len({u["userId"] for u in users}) == len(users) == CONFIG.users
    assert [u["userId"] for u in users] == sorted(u["userId"] for u in users)
    assert len({(r["userId"], r["day"]) for r in bookings}) == len(bookings)
    assert bookings == sorted(bookings, key=lambda r: (r["day"], r["userId"]))
    assert all(u["userName"] == u["email"] for u in users)
    statuses = [u["status"] for u in users]
    assert 0.8 < statuses.count("active") / len(statuses) < 0.97


def test_large_tenant_is_cheap_to_build_and_read_in_slices() -> None:
    big = Tenant(TenantConfig(seed=3, users=200_000, locations=20, today=TODAY))
    assert len(list(big.rows("locations"))) == 20
    one = big.location_ids()[5]
    day = {"start": TODAY - dt.timedelta(days=1), "end": TODAY - dt.timedelta(days=1)}
    rows = list(big.rows("user-booking-attendance", **day, location_ids=[one]))
    assert 5_000 < len(rows) < 12_000


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="locations"):
        Tenant(TenantConfig(locations=0))
    with pytest.raises(ValueError, match="unknown dataset"):
        Tenant(CONFIG).rows("bookings")
    with pytest.raises(ValueError, match="start and end"):
        Tenant(CONFIG).render("presence")
