"""Sync health: the ledger's coverage, its gaps, rows per day with anomalies, the last runs.

Each function is one query of the destination and the plain Python that shapes its rows; the
chart and the table of a section are drawn from the same rows.
"""

from __future__ import annotations

import json
import shlex
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from pipelines.report.reader import Reader, Row
from sources.calven.catalog import ALL_PARTITION, SYNC_WINDOWS_TABLE, WINDOWED

ONE_DAY = timedelta(days=1)
LOADED, REREAD, MISSING = "loaded earlier", "read by the last run", "missing"
"""A day of a partition: loaded by an earlier run only, read (loaded or re-read) by the last run,
or in no window at all."""
ANOMALY_WEEKS = 8
"""A day is low below half the median of the same weekday over this many weeks before it."""
ROW_COUNTS = {"bookings_attendance": "primary_location_id", "presence": "location_id"}
"""Windowed datasets counted per location and day: the column their location partition is."""


@dataclass(frozen=True)
class Scope:
    """What the report covers: days ``[start, end)`` and, when given, only these locations."""

    start: date
    end: date
    locations: Sequence[str] = ()

    def days(self) -> list[date]:
        return [self.start + ONE_DAY * n for n in range((self.end - self.start).days)]


@dataclass(frozen=True)
class Gap:
    dataset: str
    partition: str
    location: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def command(self, options: Sequence[str] = ()) -> str:
        """The backfill that fills this gap (``options``: the report's pipeline options)."""
        words = ["calven-sync", "backfill", "--dataset", self.dataset]
        words += ["--start", self.start.isoformat(), "--end", self.end.isoformat()]
        if self.partition != ALL_PARTITION:
            words += ["--locations", self.partition]
        return shlex.join([*words, *options])


def location_names(reader: Reader, scope: Scope) -> dict[str, str]:
    """Location id → name, from the ``locations`` table (ids stand in when it is absent)."""
    if "locations" not in reader.tables:
        return {}
    rows = reader.rows(
        f"SELECT location_id, location_name FROM {reader.table('locations')} ORDER BY 2, 1"
    )
    return {
        row["location_id"]: row["location_name"] or row["location_id"]
        for row in rows
        if not scope.locations or row["location_id"] in scope.locations
    }


def coverage(reader: Reader, scope: Scope, names: dict[str, str]) -> list[Row]:
    """One row per windowed dataset, partition and day, with its state (``LOADED``...).

    Days before a dataset's first loaded day (its ``start_date``) are left out, as is a dataset
    never loaded: they were never asked for, so they are no gap.
    """
    if SYNC_WINDOWS_TABLE not in reader.tables:
        return []
    windows = reader.rows(
        "SELECT dataset, partition, window_start, window_end, run_id, fetched_at "
        f"FROM {reader.table(SYNC_WINDOWS_TABLE)} "
        "WHERE window_end > %s AND window_start < %s",
        scope.start,
        scope.end,
    )
    first_days = {
        row["dataset"]: _day(row["first_day"])
        for row in reader.rows(
            "SELECT dataset, min(window_start) AS first_day "
            f"FROM {reader.table(SYNC_WINDOWS_TABLE)} GROUP BY dataset"
        )
    }
    last_run = max(windows, key=lambda row: row["fetched_at"])["run_id"] if windows else None
    state: dict[tuple[str, str, date], str] = {}
    for window in windows:
        day = max(_day(window["window_start"]), scope.start)
        while day < min(_day(window["window_end"]), scope.end):
            key = (window["dataset"], window["partition"], day)
            if window["run_id"] == last_run:
                state[key] = REREAD
            else:
                state.setdefault(key, LOADED)
            day += ONE_DAY
    rows = []
    for dataset in WINDOWED:
        partitions = [ALL_PARTITION] if dataset.partitioning == "none" else list(names)
        partitions += sorted(
            {p for (d, p, _) in state if d == dataset.name and p not in partitions}
            - ({ALL_PARTITION} if dataset.partitioning != "none" else set())
        )
        if scope.locations and dataset.partitioning != "none":
            partitions = [p for p in partitions if p in scope.locations]
        for partition in partitions:
            for day in scope.days():
                if day < first_days.get(dataset.name, scope.end):
                    continue  # before the dataset's first load: not a gap, never asked for
                rows.append(
                    {
                        "dataset": dataset.name,
                        "partition": partition,
                        "location": names.get(partition, partition),
                        "day": day,
                        "state": state.get((dataset.name, partition, day), MISSING),
                    }
                )
    return rows


def coverage_summary(cells: list[Row]) -> list[Row]:
    """Per dataset and partition, the days of each state: the coverage charts' table."""
    summary: dict[tuple[str, str], Row] = {}
    for cell in cells:
        key = (cell["dataset"], cell["partition"])
        if key not in summary:
            summary[key] = {"dataset": key[0], "partition": key[1], "location": cell["location"]}
            summary[key].update(dict.fromkeys((LOADED, REREAD, MISSING), 0))
        summary[key][cell["state"]] += 1
    return list(summary.values())


def gaps(cells: list[Row]) -> list[Gap]:
    """Runs of missing days per dataset and partition (``cells`` in coverage's order)."""
    found: list[Gap] = []
    for cell in cells:
        if cell["state"] != MISSING:
            continue
        last = found[-1] if found else None
        if last and (last.dataset, last.partition, last.end) == (
            cell["dataset"], cell["partition"], cell["day"]
        ):  # fmt: skip
            found[-1] = replace(last, end=cell["day"] + ONE_DAY)
        else:
            found.append(Gap(cell["dataset"], cell["partition"], cell["location"], cell["day"],
                             cell["day"] + ONE_DAY))  # fmt: skip
    return found


def rows_per_day(reader: Reader, scope: Scope, names: dict[str, str]) -> list[Row]:
    """Rows per dataset, location and day, each with its anomaly (``""`` when none).

    Anomalies: a weekday with no rows between days that have rows, and a day below half the
    median of the same weekday over the 8 weeks before it.
    """
    history_start = scope.start - timedelta(weeks=ANOMALY_WEEKS)
    result: list[Row] = []
    for dataset, column in ROW_COUNTS.items():
        if dataset not in reader.tables:
            continue
        counted = reader.rows(
            f"SELECT {column} AS location_id, day, count(*) AS n FROM {reader.table(dataset)} "
            f"WHERE day >= %s AND day < %s GROUP BY {column}, day",
            history_start,
            scope.end,
        )
        by_location: dict[str, dict[date, int]] = defaultdict(dict)
        for row in counted:
            if row["location_id"] in names:
                by_location[row["location_id"]][_day(row["day"])] = int(row["n"])
        for location_id, counts in sorted(by_location.items(), key=lambda i: names[i[0]]):
            result += _with_anomalies(dataset, location_id, names[location_id], counts, scope)
    return result


def _with_anomalies(
    dataset: str, location_id: str, name: str, counts: dict[date, int], scope: Scope
) -> list[Row]:
    first, last = min(counts), max(counts)
    rows = []
    for day in scope.days():
        if day < first:
            continue  # before the location's first row: nothing was there to load
        n = counts.get(day, 0)
        anomaly = ""
        if n == 0 and day.weekday() < 5 and first < day < last:
            anomaly = "no rows on a weekday"
        elif n:
            before = [day - timedelta(weeks=w) for w in range(1, ANOMALY_WEEKS + 1)]
            seen = [counts.get(earlier, 0) for earlier in before if earlier >= first]
            if seen and n < statistics.median(seen) / 2:
                anomaly = f"below half the {len(seen)}-week median ({statistics.median(seen):g})"
        rows.append({"dataset": dataset, "location_id": location_id, "location": name,
                     "day": day, "rows": n, "anomaly": anomaly})  # fmt: skip
    return rows


def last_runs(reader: Reader, limit: int = 15) -> list[Row]:
    """The last runs, newest first: from the run log, or from dlt's loads and the window audit."""
    if "_calven_sync_runs" in reader.tables:
        runs = reader.rows(
            "SELECT started_at, finished_at, command, status, rows, failed_windows, exit_code "
            f"FROM {reader.table('_calven_sync_runs')} ORDER BY started_at DESC LIMIT {limit}"
        )
        for run in runs:
            run["rows"] = sum(_json_counts(run["rows"]).values())
        return [_timed(run) for run in runs]
    if SYNC_WINDOWS_TABLE not in reader.tables:
        return []
    runs = reader.rows(
        "SELECT min(fetched_at) AS started_at, max(fetched_at) AS finished_at, "
        "'sync' AS command, 'loaded' AS status, sum(rows) AS rows, 0 AS failed_windows "
        f"FROM {reader.table(SYNC_WINDOWS_TABLE)} GROUP BY run_id "
        f"ORDER BY min(fetched_at) DESC LIMIT {limit}"
    )
    return [_timed(run) for run in runs]


def _timed(run: Row) -> Row:
    end: datetime | None = run["finished_at"]
    run["seconds"] = round((end - run["started_at"]).total_seconds(), 1) if end else None
    run["rows"] = int(run["rows"] or 0)
    return run


def _json_counts(text: str | None) -> dict[str, int]:
    return {k: int(v) for k, v in json.loads(text or "{}").items()}


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
