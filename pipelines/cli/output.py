"""What the CLI shows a person: progress while windows load, a summary at the end."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from pipelines.runner import SyncReport
from sources.calven.extract.session import WindowResult


class Progress:
    """One updating line on a terminal (elsewhere the per-window log lines suffice)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._windows = 0
        self._rows = 0
        self._failed = 0
        self._lock = threading.Lock()

    def __call__(self, result: WindowResult) -> None:
        with self._lock:
            if result.error is None:
                self._windows += 1
                self._rows += result.rows
            else:
                self._failed += 1
            if not self._tty:
                return
            line = f"\rwindows {self._windows:,}  rows {self._rows:,}  failed {self._failed}"
            self._stream.write(line)
            self._stream.flush()

    def close(self) -> None:
        if self._tty and (self._windows or self._failed):
            self._stream.write("\n")
            self._stream.flush()


def summary(report: SyncReport, *, error: str | None = None, resume: str | None = None) -> str:
    """A small table of what landed: rows and windows per dataset (a replaced table says what
    it held before), then requests, retries and time; for a run that failed, what did not land
    and the command that resumes it."""
    session = report.session
    names = sorted(set(session.rows) | set(session.windows) | set(report.replaced))
    lines = [f"{'dataset':<22}{'rows':>12}{'windows':>10}"]
    for name in names:
        line = f"{name:<22}{report.landed_rows[name]:>12,}{report.landed_windows[name]:>10,}"
        if name in report.replaced:
            before = report.replaced[name]
            if name not in report.landed_rows:
                line += f"  not replaced ({before or 0:,} rows kept)"
            else:
                was = "no table before" if before is None else f"{before:,} rows before"
                line += f"  replaced ({was})"
        lines.append(line)
    lines.append(
        f"requests {session.requests:,}, retries {session.retries:,}, "
        f"load packages {len(report.load_ids)}, {report.seconds:.1f} s"
    )
    if report.new_columns:
        lines.append(
            f"schema changes: {', '.join(report.new_columns)} (new column(s): the API added "
            "fields; they are loaded)"
        )
    if session.failures:
        lines.append(f"FAILED windows: {len(session.failures)}")
        lines += [f"  {failure}" for failure in session.failures[:20]]
        if len(session.failures) > 20:
            lines.append(f"  ... and {len(session.failures) - 20} more")
    if error is not None:
        fetched = sum(session.rows.values()) - sum(report.landed_rows.values())
        lines.append(f"FAILED: {error}")
        lines.append(
            f"kept: {sum(report.landed_windows.values()):,} window(s), "
            f"{sum(report.landed_rows.values()):,} row(s) in {len(report.load_ids)} load "
            f"package(s); not loaded: {max(fetched, 0):,} row(s) fetched since the last checkpoint"
        )
    if resume is not None and (error is not None or session.failures):
        lines.append(f"resume with: {resume}")
    return "\n".join(lines)
