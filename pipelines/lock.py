"""One writer per pipeline: an advisory lock file in the pipelines directory.

The lock is a kernel ``flock``, so it disappears with the process that held it: a run killed
with SIGKILL never leaves a lock that blocks the next one. The file's text (pid, start time)
only serves the message a refused run prints.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipelines.pipeline import working_dir

logger = logging.getLogger(__name__)

WAIT_NOTICE_SECONDS = 5.0


class PipelineBusy(Exception):
    """Another process holds the pipeline's lock."""


@contextmanager
def pipeline_lock(
    pipelines_dir: str | Path, pipeline_name: str, *, wait: bool = False, poll_seconds: float = 0.5
) -> Iterator[None]:
    """Hold the pipeline's lock for the duration; PipelineBusy, or wait, if another run has it.

    A waiting run says what it waits for when it starts waiting and every ``WAIT_NOTICE_SECONDS``.
    """
    path = working_dir(pipelines_dir) / f"{pipeline_name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        waiting_since = time.monotonic()
        next_notice = waiting_since
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = path.read_text().strip() or "unknown process"
                if not wait:
                    raise PipelineBusy(
                        f"pipeline '{pipeline_name}' is in use by another calven-sync "
                        f"({holder}); try again later or pass --wait"
                    ) from None
                now = time.monotonic()
                if now >= next_notice:
                    logger.warning(
                        "waiting for pipeline '%s': another calven-sync holds it (%s); "
                        "waited %.0f s",
                        pipeline_name,
                        holder,
                        now - waiting_since,
                    )
                    next_notice = now + WAIT_NOTICE_SECONDS
                time.sleep(poll_seconds)
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()}, started {started}".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
