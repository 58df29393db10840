"""Processes of a benchmark: the simulator in one child, each measured run in another.

The simulator renders responses in its own process so it does not compete with the pipeline for
the GIL. Every measured run (ours, the floor, the peer) is a fresh ``python -m bench.child``
process that reports its wall time and its peak RSS (``VmHWM``) as a JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEED = 1
TODAY = dt.date(2024, 6, 12)
CHILD_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Tenant:
    users: int
    locations: int
    days: int
    latency_ms: float = 0.0
    cache_user_days: int = 2_000_000
    """The simulator keeps generated days for repeated reads (``warm`` fills it)."""

    def args(self) -> list[str]:
        return [
            f"--seed={SEED}",
            f"--users={self.users}",
            f"--locations={self.locations}",
            f"--days={self.days}",
            f"--today={TODAY.isoformat()}",
            f"--latency-ms={self.latency_ms}",
            f"--cache-user-days={self.cache_user_days}",
        ]


@dataclass(frozen=True)
class Simulator:
    base_url: str
    tenant: Tenant

    def control(self, method: str, path: str, **body: Any) -> Any:
        """Call a ``/_sim`` control; returns its JSON answer."""
        response = httpx.request(method, f"{self.base_url}/_sim/{path}", json=body or None)
        response.raise_for_status()
        return response.json() if response.content else None


@contextmanager
def simulator(tenant: Tenant) -> Iterator[Simulator]:
    """A simulator child process for ``tenant``, stopped when the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.simserve", *tenant.args()],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield Simulator(f"http://127.0.0.1:{port}", tenant)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Measured:
    """What a child reported (``seconds``, ``rows``...) plus its peak RSS in MB."""

    report: dict[str, Any]
    peak_rss_mb: float

    @property
    def seconds(self) -> float:
        return float(self.report["seconds"])


def run_child(args: Sequence[str]) -> Measured:
    """Run ``python -m bench.child ARGS``; its last stdout line is a JSON report."""
    return finish_child(start_child(args), args)


def start_child(args: Sequence[str]) -> subprocess.Popen[str]:
    """``python -m bench.child ARGS`` started; ``finish_child`` waits for its report."""
    env = {**os.environ, "RUNTIME__LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "bench.child", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish_child(process: subprocess.Popen[str], args: Sequence[str]) -> Measured:
    try:
        stdout, stderr = process.communicate(timeout=CHILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"bench.child {' '.join(args)} failed:\n{stderr[-3000:]}")
    report = json.loads(stdout.strip().splitlines()[-1])
    return Measured(report, float(report["peak_rss_mb"]))
