"""Pushing events into Calven: presence, occupancy, time off and access credentials.

Rows (from a file or a warehouse table) are validated locally (``prepare``), given a stable
``eventId`` when they have none, sent in batches of at most 100 on the shared client (``send``)
and turned into one ``Outcome`` per row (``outcomes``). ``push_rows`` (``run``) ties it together;
``pipelines/push/`` adds the destination readers, the results table and the CLI.
"""

from __future__ import annotations

from sources.calven.push.kinds import KINDS, MAX_BATCH, EventKind
from sources.calven.push.outcomes import STATUSES, Outcome, Status, Tally
from sources.calven.push.prepare import (
    InvalidRow,
    PreparedEvent,
    generated_event_id,
    prepare_rows,
)
from sources.calven.push.readers import read_file
from sources.calven.push.run import PushPlan, PushReport, push_rows
from sources.calven.push.send import Batch, Sender, make_batches

__all__ = [
    "KINDS",
    "MAX_BATCH",
    "STATUSES",
    "Batch",
    "EventKind",
    "InvalidRow",
    "Outcome",
    "PreparedEvent",
    "PushPlan",
    "PushReport",
    "Sender",
    "Status",
    "Tally",
    "generated_event_id",
    "make_batches",
    "prepare_rows",
    "push_rows",
    "read_file",
]
