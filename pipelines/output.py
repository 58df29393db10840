"""What the CLI shows a person: progress while windows load, a summary at the end."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from pipelines.runner import SyncReport
from sources.calven.session import WindowResult


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


def summary(report: SyncReport) -> str:
    """A small table: rows and windows per dataset, then requests, retries and time."""
    session = report.session
    names = sorted(set(session.rows) | set(session.windows))
    lines = [f"{'dataset':<22}{'rows':>12}{'windows':>10}"]
    lines += [f"{n:<22}{session.rows[n]:>12,}{session.windows[n]:>10,}" for n in names]
    lines.append(
        f"requests {session.requests:,}, retries {session.retries:,}, "
        f"load packages {len(report.load_ids)}, {report.seconds:.1f} s"
    )
    if session.failures:
        lines.append(f"FAILED windows: {len(session.failures)}")
        lines += [f"  {failure}" for failure in session.failures[:20]]
        if len(session.failures) > 20:
            lines.append(f"  ... and {len(session.failures) - 20} more")
    return "\n".join(lines)
