"""Measured runs against a benchmark simulator: arguments, warming, medians, side by side."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from bench.harness import TODAY, Measured, Simulator, run_child

Runner = Callable[[Sequence[str]], Measured]


def common(sim: Simulator, days: int, *extra: str) -> list[str]:
    return [f"--base-url={sim.base_url}", f"--today={TODAY.isoformat()}", f"--days={days}", *extra]


def warm(sim: Simulator, days: int, *extra: str) -> None:
    """One untimed floor run, so every measured run reads from a simulator with its cache full."""
    run_child(["floor", *common(sim, days, *extra)])


def median_run(args: list[str], repeat: int) -> tuple[float, list[Measured]]:
    runs = [run_child(args) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), runs


def side_by_side(
    ours: list[str], floor: list[str], repeat: int, run: Runner = run_child
) -> tuple[list[Measured], list[Measured]]:
    """``repeat`` pairs of runs, ours then the floor, so both see the machine at the same moments
    (its speed drifts by a quarter over minutes); returns ours' runs and the floor's."""
    pairs = [(run(ours), run(floor)) for _ in range(repeat)]
    return [o for o, _ in pairs], [f for _, f in pairs]


def median_seconds(runs: Sequence[Measured], key: str = "seconds") -> float:
    return statistics.median(float(r.report[key]) for r in runs)
