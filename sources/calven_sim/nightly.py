"""The nightly refresh: pending submissions change the warehouse (copy-on-write of the view).

- A presence event becomes a presence row (``presenceId`` derived from ``eventId``) and marks its
  user-day as seen: a booked day turns ``confirmed``, any other weekday becomes an Office
  ``walkIn`` (with a ``planChanged`` entry by ``autoBooking``). Events dated on or after the new
  ``today`` wait for a later refresh.
- Time off ``scheduled`` sets every weekday from the submission day (not before) to ``a`` with
  ``planChanged`` + ``bookingCancelled`` entries; ``cancelled`` resets such days to the week plan.

Change entries of submitted events are dated the submission day, 21:00-24:00 UTC, after every
generated entry of that day, so the last ``newPlan`` of a user-day is always its plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import replace

from sources.calven_sim.activity import PLAN_WORDS, PRESENCE_FIELDS, change_row
from sources.calven_sim.hashing import day_string, format_datetime, make_id
from sources.calven_sim.inbox import Inbox, Presence, TimeOff
from sources.calven_sim.org import ACTIVE, AWAY, K_CHANGE_EXTRA, K_SUBMITTED, OFFICE, PLANS
from sources.calven_sim.people import UserChunk
from sources.calven_sim.plans import (
    KIND_OTHER,
    KIND_WALK_IN,
    KIND_WEEK,
    DayEdits,
    Override,
    plan_of,
)
from sources.calven_sim.view import Row, View

MAX_TIME_OFF_DAYS = 366
"""Time off is applied to at most this many days from the submission day."""


class Settler:
    """Applies the pending submissions to a view at a nightly refresh (copy-on-write)."""

    def __init__(self, view: View, inbox: Inbox) -> None:
        self.view = view
        self.inbox = inbox
        self.day = view.today
        self.plans: dict[int, dict[int, Override]] = {}
        self.seen: dict[int, set[int]] = {}
        self.presence: dict[int, list[Row]] = defaultdict(list)
        self.changes: list[Row] = []

    def edits(self, d: int) -> DayEdits:
        current = self.view.edits.get(d)
        plans = self.plans.get(d, current.plans if current else {})
        seen = self.seen.get(d, set(current.seen) if current else set())
        return DayEdits(plans, frozenset(seen))

    def override(self, d: int, g: int, plan: int, kind: int) -> None:
        plans = dict(self.edits(d).plans)
        since = plans[g].since if g in plans else self.day
        plans[g] = Override(plan, kind, since)
        self.plans[d] = plans

    def log(
        self,
        g: int,
        event_id: str,
        d: int,
        change: tuple[int, int],
        steps: list[tuple[str, str, str]],
    ) -> None:
        """Append change entries, each (action, changedBy, reasonCode), of one plan change."""
        before, after = PLANS[change[0]], PLANS[change[1]]
        chunk, pos = self.view.user_slot(g)
        digest = int.from_bytes(hashlib.blake2b(event_id.encode(), digest_size=4).digest())
        ms = 21 * 3_600_000 + digest % (3 * 3_600_000 - 10_000)
        when = dt.datetime.combine(dt.date.fromordinal(self.day), dt.time(), dt.UTC)
        for i, (action, by, reason) in enumerate(steps):
            self.inbox.change_seq += 1
            row = change_row(
                make_id(self.view.seed, K_CHANGE_EXTRA, self.inbox.change_seq),
                chunk.ids[pos].decode(),
                chunk.emails[pos].decode(),
                format_datetime(when + dt.timedelta(milliseconds=ms + 1000 * i)),
                dt.date.fromordinal(d),
                action,
                self._describe(action, before, after, chunk),
                before,
                after,
                by,
                reason,
                chunk.site.id,
            )
            row["_user"] = g
            self.changes.append(row)

    @staticmethod
    def _describe(action: str, before: str, after: str, chunk: UserChunk) -> str:
        if action == "planChanged":
            return f"Plan changed from {PLAN_WORDS[before]} to {PLAN_WORDS[after]}"
        verb = "created" if action == "bookingCreated" else "cancelled"
        return f"Booking {verb} at {chunk.site.name}"

    def time_off(self, item: TimeOff) -> None:
        chunk, pos = self.view.user_slot(item.user)
        if chunk.status[pos] != ACTIVE:
            return
        first = max(item.start.toordinal(), self.day)
        last = min(item.end.toordinal(), self.day + MAX_TIME_OFF_DAYS)
        for d in range(first, last + 1):
            weekday = dt.date.fromordinal(d).weekday()
            if weekday >= 5:
                continue
            edits = self.edits(d)
            plan, booked = plan_of(self.view.seed, chunk, pos, d, self.day, edits)
            if item.scheduled and plan != AWAY:
                self.override(d, item.user, AWAY, KIND_OTHER)
                steps = [("planChanged", "user", "timeOff")]
                if booked:
                    steps.append(("bookingCancelled", "autoBooking", "timeOff"))
                self.log(item.user, item.event_id, d, (plan, AWAY), steps)
            elif not item.scheduled and item.user in edits.plans and plan == AWAY:
                week = int(chunk.week[pos, weekday])
                if week == AWAY:
                    continue
                self.override(d, item.user, week, KIND_WEEK)
                _, rebooked = plan_of(self.view.seed, chunk, pos, d, self.day, self.edits(d))
                steps = [("planChanged", "user", "timeOffCancelled")]
                if rebooked:
                    steps.append(("bookingCreated", "autoBooking", "weekPlan"))
                self.log(item.user, item.event_id, d, (AWAY, week), steps)

    def presence_event(self, item: Presence, new_today: int) -> bool:
        """Apply one presence event; False when its day is not over yet (keep it pending)."""
        d = item.when.date().toordinal()
        if d >= new_today:
            return False
        site = self.view.site(item.site)
        chunk, pos = self.view.user_slot(item.user)
        seed = self.view.seed
        counter = int.from_bytes(
            hashlib.blake2b(item.event_id.encode(), digest_size=8).digest()
        ) % (1 << 46)
        values = (
            make_id(seed, K_SUBMITTED, counter),
            item.event_id,
            chunk.ids[pos].decode(),
            chunk.emails[pos].decode(),
            item.source_id,
            item.source_user_id,
            site.id,
            site.name,
            item.detected_id,
            item.detected_type,
            format_datetime(item.when),
            day_string(item.when.date()),
        )
        row: Row = dict(zip(PRESENCE_FIELDS, values, strict=True))
        row["_user"] = item.user
        self.presence[d].append(row)
        if chunk.status[pos] != ACTIVE or item.when.weekday() >= 5:
            return True
        seen = set(self.edits(d).seen)
        seen.add(item.user)
        self.seen[d] = seen
        plan, _ = plan_of(seed, chunk, pos, d, self.day, self.edits(d))
        if plan != OFFICE:
            self.override(d, item.user, OFFICE, KIND_WALK_IN)
            steps = [("planChanged", "autoBooking", "presenceDetected")]
            self.log(item.user, item.event_id, d, (plan, OFFICE), steps)
        return True

    def settle(self, new_today: int) -> View:
        """Apply everything pending; returns the new view as of ``new_today``."""
        waiting: list[Presence | TimeOff] = []
        for item in self.inbox.pending:
            if isinstance(item, TimeOff):
                self.time_off(item)
            elif not self.presence_event(item, new_today):
                waiting.append(item)
        self.inbox.pending = waiting
        edits = dict(self.view.edits)
        for d in set(self.plans) | set(self.seen):
            edits[d] = self.edits(d)
        presence = dict(self.view.presence)
        for d, rows in self.presence.items():
            presence[d] = presence.get(d, ()) + tuple(rows)
        changes = dict(self.view.changes)
        if self.changes:
            changes[self.day] = changes.get(self.day, ()) + tuple(self.changes)
        return replace(self.view, today=new_today, edits=edits, presence=presence, changes=changes)
