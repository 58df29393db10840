"""``calven-sync demo``, the Quickstart's first command: simulator, load, models, a sample of a
mart, the HTML report, and a closing "Try:" command that works on a fresh install (no duckdb
command-line tool)."""

from __future__ import annotations

import subprocess

import pytest

from tests.reliability.cli import BIN

pytestmark = pytest.mark.slow


def test_demo_loads_builds_the_models_and_its_try_line_works(tmp_path):
    demo = subprocess.run(
        [str(BIN / "calven-sync"), "demo", "--users", "200", "--locations", "2", "--days", "20"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "transform: 16 model(s) built" in demo.stdout
    assert "Attendance rate per location per week" in demo.stdout
    report = tmp_path / "calven_report.html"
    assert f"Open the report: {report.as_uri()}" in demo.stdout
    assert "Weekly attendance rate per location" in report.read_text()
    (try_line,) = [line for line in demo.stdout.splitlines() if line.startswith("Try: ")]
    tried = subprocess.run(
        try_line.removeprefix("Try: "), shell=True, cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin"}, timeout=60,
    )  # fmt: skip
    assert tried.returncode == 0, tried.stderr
    assert "user_id" in tried.stdout and "presence_events" in tried.stdout
