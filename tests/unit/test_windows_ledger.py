from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.calven.incremental.ledger import Ledger, loaded_ranges, plan_all
from sources.calven.incremental.windows import Window, normalize, split, subtract

D = date.fromisoformat
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31))
intervals = st.tuples(days, days).map(lambda t: (min(t), max(t)))


def covered_days(windows: list[Window]) -> list[date]:
    return [w.start + timedelta(days=i) for w in windows for i in range(w.days)]


@given(st.lists(intervals, max_size=8), st.integers(min_value=1, max_value=30))
def test_split_covers_each_day_once_within_limit(spans, max_days):
    windows = list(split(spans, max_days))
    expected = sorted({d for s, e in spans for d in covered_days([Window(s, e)] if e > s else [])})
    assert covered_days(windows) == expected  # no gap, no overlap, in order
    assert all(1 <= w.days <= max_days for w in windows)


@given(intervals, st.lists(intervals, max_size=6))
def test_subtract_is_set_difference(wanted, covered):
    gaps = subtract(wanted, covered)
    wanted_days = set(covered_days([Window(*wanted)])) if wanted[1] > wanted[0] else set()
    covered_set = {d for s, e in covered if e > s for d in covered_days([Window(s, e)])}
    assert set(covered_days([Window(*g) for g in gaps])) == wanted_days - covered_set
    assert normalize(gaps) == gaps


def test_window_query_is_inclusive_end():
    assert Window(D("2025-01-01"), D("2025-01-31")).query() == {
        "startDate": "2025-01-01",
        "endDate": "2025-01-30",
    }


@pytest.mark.parametrize("max_days", [0, 31])
def test_split_rejects_window_size_outside_api_limit(max_days):
    with pytest.raises(ValueError, match="between 1 and 30"):
        list(split([(D("2025-01-01"), D("2025-02-01"))], max_days))


def test_first_run_plans_whole_range_then_only_lookback():
    state: dict = {}
    wanted = (D("2025-01-01"), D("2025-03-01"))
    ledger = Ledger(state, run_id="r1")
    first = ledger.plan("loc", wanted, lookback_days=7, max_window_days=30)
    assert [str(w) for w in first] == ["2025-01-01..2025-01-30", "2025-01-31..2025-02-28"]
    for window in first:
        ledger.record("loc", window)
    assert ledger.plan("loc", wanted, lookback_days=7, max_window_days=30) == []
    assert state["ledger"] == {"loc": [["2025-01-01", "2025-03-01"]]}

    second_run = Ledger(state, run_id="r2")
    assert second_run.plan("loc", wanted, lookback_days=7, max_window_days=30) == [
        Window(D("2025-02-22"), D("2025-03-01"))
    ]


def test_next_day_fetches_gap_and_lookback_as_one_window():
    state: dict = {}
    Ledger(state, "r1").record("loc", Window(D("2025-01-01"), D("2025-03-01")))
    plan = Ledger(state, "r2").plan(
        "loc", (D("2025-01-01"), D("2025-03-02")), lookback_days=7, max_window_days=30
    )
    assert plan == [Window(D("2025-02-23"), D("2025-03-02"))]


def test_new_partition_is_backfilled_alone():
    state: dict = {}
    ledger = Ledger(state, "r1")
    wanted = (D("2025-01-01"), D("2025-01-21"))
    ledger.record("old", Window(*wanted))
    planned = plan_all(
        Ledger(state, "r1"), ["old", "new"], wanted, lookback_days=7, max_window_days=30
    )
    assert [(p.partition, str(p.window)) for p in planned] == [("new", "2025-01-01..2025-01-20")]


def test_loaded_ranges_reads_every_ledger_from_the_pipeline_state():
    presence: dict = {}
    ledger = Ledger(presence, "r1")
    ledger.record("a", Window(D("2025-01-01"), D("2025-01-02")))
    ledger.record("a", Window(D("2025-01-02"), D("2025-01-05")))
    ledger.record("b", Window(D("2025-02-01"), D("2025-02-02")))
    resources = {"presence": presence, "users": {}}
    state = {"sources": {"calven": {"resources": resources}}}
    assert loaded_ranges(state) == {
        "presence": {
            "a": [(D("2025-01-01"), D("2025-01-05"))],
            "b": [(D("2025-02-01"), D("2025-02-02"))],
        }
    }
    assert loaded_ranges({}) == {}
