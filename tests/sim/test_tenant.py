"""The simulated tenant's data: determinism, shapes, filters and internal consistency."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from typing import Any

import orjson
import pytest

from sources.calven_sim.tenant import Tenant, TenantConfig
from sources.calven_sim.truth import row_digest

TODAY = dt.date(2024, 6, 12)  # a Wednesday
CONFIG = TenantConfig(seed=7, users=300, locations=3, history_days=40, future_days=10, today=TODAY)
WINDOW = {"start": TODAY - dt.timedelta(days=29), "end": TODAY + dt.timedelta(days=9)}
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


def window(dataset: str) -> dict[str, Any]:
    return WINDOW if dataset in Tenant.WINDOWED else {}


def body(tenant: Tenant, dataset: str, **kwargs: Any) -> bytes:
    return b"".join(tenant.render(dataset, **kwargs))


def day_of(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return Tenant(CONFIG)


@pytest.fixture(scope="module")
def bookings(tenant: Tenant) -> list[dict[str, Any]]:
    return list(tenant.rows("user-booking-attendance", **WINDOW))


@pytest.fixture(scope="module")
def presence(tenant: Tenant) -> list[dict[str, Any]]:
    return list(tenant.rows("presence", **WINDOW))


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


def test_windows_cover_weekdays_history_and_future_only(
    tenant: Tenant, bookings: list[dict[str, Any]], presence: list[dict[str, Any]]
) -> None:
    days = {day_of(r["day"]) for r in bookings}
    assert all(d.weekday() < 5 for d in days)
    assert max(days) == TODAY + dt.timedelta(days=9)
    assert max(day_of(r["day"]) for r in presence) < TODAY
    changes = list(tenant.rows("change-log/user", **WINDOW))
    assert max(day_of(r["eventTime"]) for r in changes) < TODAY
    before = TODAY - dt.timedelta(days=CONFIG.history_days + 10)
    assert not list(tenant.rows("presence", start=before, end=tenant.first_day - dt.timedelta(1)))
    later = TODAY + dt.timedelta(days=CONFIG.future_days)
    assert not list(
        tenant.rows("user-booking-attendance", start=later, end=later + dt.timedelta(5))
    )
    one = list(tenant.rows("presence", start=TODAY - dt.timedelta(1), end=TODAY - dt.timedelta(1)))
    assert {day_of(r["day"]) for r in one} == {TODAY - dt.timedelta(1)}


@pytest.mark.parametrize(
    ("dataset", "field"),
    [
        ("user-booking-attendance", "primaryLocationId"),
        ("presence", "locationId"),
        ("users", "primaryLocationId"),
        ("desks", "locationId"),
        ("change-log/user", "locationId"),
    ],
    ids=["bookings", "presence", "users", "desks", "change-log"],
)
def test_location_filter_partitions_rows_exactly(tenant: Tenant, dataset: str, field: str) -> None:
    everything = list(tenant.rows(dataset, **window(dataset)))
    parts = []
    for location_id in tenant.location_ids():
        part = list(tenant.rows(dataset, **window(dataset), location_ids=[location_id]))
        assert part and all(row[field] == location_id for row in part)
        parts.extend(part)
    assert sorted(map(orjson.dumps, parts)) == sorted(map(orjson.dumps, everything))
    assert not list(tenant.rows(dataset, **window(dataset), location_ids=["unknown"]))


@pytest.mark.parametrize(
    "dataset", ["presence", "change-log/user", "user-booking-attendance", "users"]
)
def test_user_filter_is_exact(tenant: Tenant, dataset: str) -> None:
    everything = list(tenant.rows(dataset, **window(dataset)))
    chosen = sorted({row["userId"] for row in everything})[::7]
    wanted = [row for row in everything if row["userId"] in set(chosen)]
    got = list(tenant.rows(dataset, **window(dataset), user_ids=[*chosen, "unknown-user"]))
    assert got == wanted and got
    assert orjson.loads(body(tenant, dataset, **window(dataset), user_ids=chosen)) == wanted


def test_range_is_inclusive_and_exact(tenant: Tenant) -> None:
    start, end = dt.date(2024, 5, 20), dt.date(2024, 5, 24)
    rows = list(tenant.rows("presence", start=start, end=end))
    assert {day_of(r["timestamp"]) for r in rows} == {start + dt.timedelta(i) for i in range(5)}
    changes = list(tenant.rows("change-log/user", start=start, end=end))
    assert {day_of(r["eventTime"]) for r in changes} <= {start + dt.timedelta(i) for i in range(5)}


def test_bookings_are_internally_consistent(bookings: list[dict[str, Any]]) -> None:
    desks_taken: set[tuple[str, str]] = set()
    for row in bookings:
        depth, plan = row["bookingDepth"], row["plan"]
        filled = [
            row[f] is not None for f in ("bookingLocationId", "bookingZoneId", "bookingPlaceId")
        ]
        assert filled == [depth is not None and depth >= n for n in (1, 2, 3)]
        assert (row["bookingLevelId"] is not None) == filled[1]
        if depth is None:
            assert row["bookingSource"] is None and row["onWaitlist"] is None
            assert row["attendanceType"] in (None, "walkIn")
            if row["attendanceType"] == "walkIn":
                assert plan == "o"
        else:
            assert plan == "o" and row["bookingLocationId"] == row["primaryLocationId"]
            assert row["attendanceType"] in ("confirmed", "noShow", "unconfirmed")
            assert row["bookingSource"] in ("autoBooking", "user")
        if row["bookingPlaceId"]:
            key = (row["day"], row["bookingPlaceId"])
            assert key not in desks_taken, "a desk is booked twice on one day"
            desks_taken.add(key)
        day = day_of(row["day"])
        if day >= TODAY:
            assert row["attendanceType"] in (None, "unconfirmed")
        elif day < TODAY - dt.timedelta(days=7):
            assert row["attendanceType"] != "unconfirmed"
    kinds = {(r["plan"], r["bookingDepth"], r["attendanceType"]) for r in bookings}
    for expected in [("o", 1, "confirmed"), ("o", 2, "noShow"), ("o", 3, "unconfirmed"),
                     ("o", None, "walkIn"), ("r", None, None), ("a", None, None)]:  # fmt: skip
        assert expected in kinds


def test_attendance_matches_presence(
    bookings: list[dict[str, Any]], presence: list[dict[str, Any]]
) -> None:
    seen = {(r["userId"], r["day"]) for r in presence}
    for row in bookings:
        present = (row["userId"], row["day"]) in seen
        attendance = row["attendanceType"]
        assert present == (attendance in ("confirmed", "walkIn")), row
        if attendance == "noShow":
            assert day_of(row["day"]) < TODAY
    per_day = defaultdict(list)
    for r in presence:
        per_day[(r["userId"], r["day"])].append(r)
    assert {len(v) for v in per_day.values()} == {1, 2, 3}
    assert len({r["presenceId"] for r in presence}) == len(presence)
    assert {r["sourceId"] for r in presence} == {"badge-reader", "wifi", "desk-sensor"}
    assert {r["detectedLocationType"] for r in presence} == {"location", "level", "zone", "place"}


def test_change_log_explains_the_final_plan(tenant: Tenant) -> None:
    history = {"start": tenant.first_day, "end": TODAY + dt.timedelta(days=9)}
    rows = {(r["userId"], r["day"]): r for r in tenant.rows("user-booking-attendance", **history)}
    entries = defaultdict(list)
    for start in range(0, CONFIG.history_days, 30):
        first = tenant.first_day + dt.timedelta(days=start)
        for e in tenant.rows("change-log/user", start=first, end=first + dt.timedelta(days=29)):
            assert day_of(e["eventTime"]) <= day_of(e["bookingDay"])
            assert day_of(e["eventTime"]) < TODAY
            entries[(e["userId"], e["bookingDay"])].append(e)
    assert entries
    for key_, log in entries.items():
        log.sort(key=lambda e: e["eventTime"])
        assert log[0]["action"] == "planChanged" and log[0]["changedBy"] == "user"
        if key_ in rows:
            assert log[-1]["newPlan"] == rows[key_]["plan"]
            booked = rows[key_]["bookingDepth"] is not None
            assert any(e["action"] == "bookingCreated" for e in log) == (
                booked and rows[key_]["bookingSource"] == "user"
            )
    settled = tenant.first_day + dt.timedelta(days=7)
    for (user, day), row in rows.items():
        if row["bookingSource"] == "user" and day_of(day) >= settled:
            assert (user, day) in entries


def test_add_location_leaves_existing_rows_identical() -> None:
    tenant = Tenant(CONFIG)
    before = {ds: body(tenant, ds, **window(ds)) for ds in Tenant.DATASETS}
    old_users = tenant.user_ids()
    new_id = tenant.add_location(users=40)
    assert tenant.location_ids()[-1] == new_id and len(tenant.location_ids()) == 4
    assert tenant.user_ids()[: len(old_users)] == old_users
    assert len(tenant.user_ids(new_id)) == 40
    old = tenant.location_ids()[:3]
    for ds in Tenant.DATASETS:
        if ds == "groups":
            assert body(tenant, ds) == before[ds]
            continue
        assert body(tenant, ds, **window(ds), location_ids=old) == before[ds]
        assert list(tenant.rows(ds, **window(ds), location_ids=[new_id]))


def test_advance_matches_a_tenant_built_later_and_settles_late_corrections() -> None:
    tenant = Tenant(CONFIG)
    recent = {"start": TODAY - dt.timedelta(days=7), "end": TODAY - dt.timedelta(days=1)}
    unconfirmed = [
        r
        for r in tenant.rows("user-booking-attendance", **recent)
        if r["attendanceType"] == "unconfirmed"
    ]
    assert unconfirmed
    older = {"start": tenant.first_day, "end": TODAY - dt.timedelta(days=8)}
    old_body = body(tenant, "user-booking-attendance", **older)
    tenant.advance(7)
    assert tenant.today == TODAY + dt.timedelta(days=7)
    assert body(tenant, "user-booking-attendance", **older) == old_body
    after = {(r["userId"], r["day"]): r for r in tenant.rows("user-booking-attendance", **recent)}
    assert {after[(r["userId"], r["day"])]["attendanceType"] for r in unconfirmed} == {
        "confirmed",
        "noShow",
    }
    later = Tenant(TenantConfig(**{**CONFIG.__dict__, "today": tenant.today, "history_days": 47}))
    span = {"start": TODAY - dt.timedelta(days=20), "end": tenant.today + dt.timedelta(days=9)}
    for ds in ("user-booking-attendance", "presence", "change-log/user"):
        assert body(tenant, ds, **span) == body(later, ds, **span)


def test_truth_counts_rows_and_is_order_independent(
    tenant: Tenant, presence: list[dict[str, Any]]
) -> None:
    truth = tenant.truth("presence", **WINDOW)
    assert truth.count == len(presence)
    shuffled = presence[:]
    random.Random(1).shuffle(shuffled)
    assert f"{sum(map(row_digest, shuffled)) % 2**64:016x}" == truth.checksum
    assert re.fullmatch(r"[0-9a-f]{16}", truth.checksum)
    one = tenant.location_ids()[0]
    assert tenant.truth("presence", **WINDOW, location_ids=[one]).count < truth.count


def test_resolvers(tenant: Tenant) -> None:
    desk = next(iter(tenant.rows("desks")))
    office = desk["locationId"]
    assert tenant.resolve_location(office) == (office, "location")
    assert tenant.resolve_location(desk["levelId"]) == (office, "level")
    assert tenant.resolve_location(desk["zoneId"]) == (office, "zone")
    assert tenant.resolve_location(desk["deskId"].upper()) == (office, "place")
    assert tenant.resolve_location("3a2b0fd7-5f5a-4472-ab61-a2cc1784d38b") is None
    user = next(u for u in tenant.rows("users") if u["email"] != u["email"].lower())
    assert tenant.resolve_user(user_id=user["userId"].upper()) == user["userId"]
    assert tenant.resolve_user(email=user["email"]) == user["userId"]
    assert tenant.resolve_user(email=user["email"].lower()) is None
    assert tenant.resolve_user(email="nobody@example.com") is None
    assert tenant.resolve_user(user_id="not-a-uuid") is None


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
