"""The report in a real browser: Debian's chromium, headless, from ``file://``.

Every chart is there with data marks and nothing goes to the console; a full-page screenshot is
kept in ``tests/report/artifacts/`` for a developer to look at. ``.ci/run`` installs chromium; a
machine without it skips with the reason. Playwright only drives it: no browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipelines import exit_codes
from tests.report.page import read_page

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"


def _chromium() -> str:
    found = os.environ.get("CALVEN_TEST_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium; .ci/run does)")
    return found


def test_the_report_opens_in_chromium_with_every_chart_drawn(warehouse, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    output = tmp_path / "report.html"
    done = warehouse.report(output)
    assert done.returncode == exit_codes.OK, done.stdout + done.stderr
    expected = read_page(output).charts
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(output.as_uri(), wait_until="load")
        marks = page.eval_on_selector_all(
            "figure[data-chart]",
            """figures => figures.map(f => [f.dataset.chart,
                f.querySelectorAll('.role-mark > *').length,
                f.querySelector('svg').getBoundingClientRect().width])""",
        )
        ARTIFACTS.mkdir(exist_ok=True)
        screenshot = ARTIFACTS / "report.png"
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    print(f"screenshot of the report: {screenshot}")
    assert problems == []
    assert requests == [output.as_uri()]  # the page itself, nothing else
    assert [chart for chart, _, _ in marks] == expected
    assert len(expected) >= 10
    empty = [chart for chart, count, width in marks if count == 0 or width < 100]
    assert empty == [], f"charts without data marks: {empty}"
    assert screenshot.stat().st_size > 50_000
