"""The simulated tenant's internal consistency, and what adding a location or a day keeps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sources.calven_sim.tenant import Tenant, TenantConfig
from tests.sim.tenantkit import CONFIG, TODAY, body, day_of, window


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
