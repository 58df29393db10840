"""What happened to each row: the record written to ``_calven_push_results``, and the tally.

Statuses say what a re-run does with the event:

- ``accepted``: the API stored it (result code 0 / ``OK``); never sent again.
- ``rejected``: the API refused it (code 1 user not found, 2 location not found, 3 other, an
  access-credential result other than ``OK``, or a 4xx for its whole batch); sent again only
  with ``--retry-rejected``.
- ``failed``: no verdict arrived (retries exhausted, a malformed answer); sent again.
- ``invalid``: local validation refused the row; never sent (fix the row: its id changes).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["accepted", "rejected", "failed", "invalid"]
STATUSES: tuple[Status, ...] = ("accepted", "rejected", "failed", "invalid")


@dataclass(frozen=True)
class Outcome:
    """One row's result.

    Attributes:
        row: 1-based position of the row in the source.
        event_id: the ``eventId``/``updateId`` sent (None for an invalid row without one).
        status: see the module docstring.
        message: the API's message, the error, or the validation reasons.
        result_code: the per-event ``resultCode`` (presence, occupancy, time off).
        update_result: the access-credential ``result`` (``OK``, ``USER_NOT_FOUND``, ...).
        http_status: the status of the response that decided the outcome, if one arrived.
        source_id: the ``sourceId`` the event was sent under.
    """

    row: int
    event_id: str | None
    status: Status
    message: str
    result_code: int | None = None
    update_result: str | None = None
    http_status: int | None = None
    source_id: str | None = None

    @property
    def code_label(self) -> str:
        """How the summary groups a rejection: ``code 1``, ``USER_NOT_FOUND``, ``HTTP 400``."""
        if self.result_code is not None:
            return f"code {self.result_code}"
        if self.update_result is not None:
            return self.update_result
        return f"HTTP {self.http_status}" if self.http_status is not None else "no response"


@dataclass
class Tally:
    """Counts for the summary; ``add`` is called once per outcome."""

    statuses: Counter[str] = field(default_factory=Counter)
    rejected_by: Counter[str] = field(default_factory=Counter)
    sent: int = 0

    def add(self, outcome: Outcome) -> None:
        self.statuses[outcome.status] += 1
        if outcome.status != "invalid":
            self.sent += 1
        if outcome.status == "rejected":
            self.rejected_by[outcome.code_label] += 1
