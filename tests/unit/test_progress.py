"""Progress as a person sees it (bars on a fake terminal) and as a log sees it (checkpoint lines,
JSON objects), fed the way a sync and a push feed them."""

from __future__ import annotations

import json
import logging
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from rich.console import Console

from pipelines.checkpoints import CheckpointSession
from pipelines.cli.logformat import JsonFormatter, log_format, output, requested_format
from pipelines.cli.progress import Progress, PushProgress
from sources.calven.extract.session import WindowResult
from sources.calven.incremental.ledger import PlannedWindow
from sources.calven.incremental.windows import Window
from sources.calven.push.outcomes import Outcome

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal() -> tuple[Console, StringIO]:
    screen = StringIO()
    return Console(file=screen, force_terminal=True, width=140, color_system=None), screen


def last_frame(screen: StringIO) -> str:
    """The bars as the terminal shows them when the display stops."""
    text = ANSI.sub("", screen.getvalue())
    return text.rsplit("\r", 1)[-1]


def window(day: int) -> Window:
    start = date(2026, 1, 1) + timedelta(days=day)
    return Window(start, start + timedelta(days=1))


def planned(count: int, partition: str = "L1") -> list[PlannedWindow]:
    return [PlannedWindow(partition, window(day)) for day in range(count)]


def loaded(dataset: str, day: int, rows: int) -> WindowResult:
    return WindowResult(dataset, "L1", window(day), rows=rows, seconds=0.01)


def test_a_bar_per_dataset_counts_windows_of_the_planned_total_and_rows():
    console, screen = terminal()
    progress = Progress(console)
    session = CheckpointSession(
        max_windows=None, max_rows=None, on_window=progress, on_planned=progress.planned
    )
    session.choose("bookings_attendance", planned(10))
    session.choose("presence", planned(4))
    for day in range(3):
        session.report(loaded("bookings_attendance", day, 1_000 + day))
    session.report(WindowResult("presence", "L1", window(0), error="500 Internal Server Error"))
    progress.close()

    bars = last_frame(screen)
    bookings = next(line for line in bars.splitlines() if line.startswith("bookings_attendance"))
    assert "3/10 windows" in bookings and "3,003 rows" in bookings and "rows/s" in bookings
    assert "ETA" in bookings
    presence = next(line for line in bars.splitlines() if line.startswith("presence"))
    assert "1/4 windows" in presence and "1 failed" in presence


def test_the_planned_total_holds_across_load_packages():
    totals: list[tuple[str, int]] = []
    session = CheckpointSession(
        max_windows=4, max_rows=None, on_planned=lambda name, total: totals.append((name, total))
    )
    plan = planned(10)
    for item in session.choose("presence", plan):
        session.report(WindowResult("presence", item.partition, item.window, rows=5))
    session.new_package()
    session.choose("presence", plan[4:])  # the ledger now holds the first four

    assert totals == [("presence", 10), ("presence", 10)]
    assert session.planned_windows["presence"] == 10


def test_nothing_is_drawn_off_a_terminal():
    screen = StringIO()
    progress = Progress(Console(file=screen, force_terminal=False))
    progress.planned("presence", 3)
    progress(loaded("presence", 0, 10))
    progress.close()
    assert screen.getvalue() == ""


def outcome(row: int, status: str) -> Outcome:
    return Outcome(row, f"event-{row}", status, "")  # type: ignore[arg-type]


def test_the_push_bar_counts_sent_events_of_the_rows():
    console, screen = terminal()
    recorded: list[Outcome] = []
    rows = [{"row": n} for n in range(10)]
    with PushProgress("presence", len(rows), recorded.append, every=100, console=console) as bar:
        for number, _ in enumerate(bar.rows(rows), start=1):
            if number <= 6:
                bar(outcome(number, "invalid" if number == 2 else "accepted"))
        assert (bar.read, bar.sent, bar.settled) == (10, 5, 6)
        bar(outcome(7, "rejected"))

    assert len(recorded) == 7, "every outcome still reaches the results writer"
    shown = last_frame(screen)
    assert "push presence" in shown and "10/10 rows" in shown
    assert "sent 6" in shown and "1 rejected" in shown and "1 invalid" in shown


def test_off_a_terminal_the_push_logs_one_line_per_checkpoint(caplog):
    caplog.set_level(logging.INFO, logger="pipelines.cli.progress")
    screen = StringIO()
    console = Console(file=screen, force_terminal=False)
    with PushProgress("presence", 25, lambda _: None, every=10, console=console) as bar:
        for number, _ in enumerate(bar.rows([{}] * 25), start=1):
            bar(outcome(number, "accepted"))

    lines = [r for r in caplog.records if r.name == "pipelines.cli.progress"]
    assert [r.getMessage().split(";")[0] for r in lines] == [
        "push presence: 10 of 25 rows settled (10 read)",
        "push presence: 20 of 25 rows settled (20 read)",
    ]
    assert lines[0].sent == 10 and screen.getvalue() == ""  # type: ignore[attr-defined]


def test_a_landed_checkpoint_is_one_line_naming_what_moved_and_the_totals(caplog):
    caplog.set_level(logging.INFO, logger="pipelines.checkpoints")
    session = CheckpointSession(max_windows=2, max_rows=None)
    for package in range(2):
        session.new_package()
        plan = planned(4)[2 * package :]
        for item in session.choose("presence", plan):
            session.report(WindowResult("presence", item.partition, item.window, rows=7))
        session.count_rows("users", 60 if package == 0 else 0)
        session.landed(f"load-{package}")

    first, second = (r for r in caplog.records if r.name == "pipelines.checkpoints")
    assert first.getMessage() == (
        "checkpoint 1 landed: presence 14 rows 2/4 windows, users 60 rows; "
        "so far 74 rows, 2/4 windows"
    )
    assert second.getMessage() == (
        "checkpoint 2 landed: presence 28 rows 4/4 windows; so far 88 rows, 4/4 windows"
    )
    assert second.datasets == {  # type: ignore[attr-defined]
        "presence": {"rows": 28, "windows": 4, "planned": 4},
        "users": {"rows": 60},
    }


def test_a_log_record_becomes_one_json_object_with_its_extra_fields():
    record = logging.LogRecord("pipelines.runner", logging.INFO, "", 0, "%s rows", (12,), None)
    record.event = "checkpoint"
    record.dataset = "presence"
    record.rows = 12
    line = json.loads(JsonFormatter().format(record))
    assert line == {
        "ts": line["ts"],
        "level": "info",
        "logger": "pipelines.runner",
        "event": "checkpoint",
        "message": "12 rows",
        "dataset": "presence",
        "rows": 12,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])


def test_in_json_mode_every_line_written_is_an_object(capsys):
    with log_format("json"):
        output("summary", "two\nlines", rows=3)
        print("a stray line")
        print("partial", end="")
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(o["event"], o["message"]) for o in out] == [
        ("summary", "two\nlines"),
        ("output", "a stray line"),
        ("output", "partial"),
    ]
    assert out[0]["rows"] == 3


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run"], "text"),
        (["run", "--log-format", "json"], "json"),
        (["--log-format=json", "run"], "json"),
        (["run", "--log-format", "yaml"], "text"),
        (["push", "presence", "--from", "x", "--", "--log-format", "json"], "text"),
    ],
    ids=["default", "after-command", "equals-before", "unknown", "after-double-dash"],
)
def test_the_format_is_known_before_the_arguments_are_parsed(argv, expected):
    assert requested_format(argv) == expected
