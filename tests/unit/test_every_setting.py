"""Every setting of ``CalvenConfig`` refuses a bad value with a sentence that names it.

The table must hold one bad value per setting: a new setting without one fails here, so no
setting can reach a request unchecked. The same walk runs for push's section.
"""

from __future__ import annotations

import pytest

from sources.calven.config import PUSH_SECTIONS, SOURCE_SECTIONS, CalvenConfig, resolve_config
from sources.calven.errors import ConfigError

BAD = {
    "base_url": ("calven.example.com", "base_url 'calven.example.com' must start with https://"),
    "auth_type": ("oauth", "auth_type 'oauth' is not one of basic, hmac, client_secret"),
    "start_date": ("01/10/2026", "start_date '01/10/2026' is not a date (expected YYYY-MM-DD"),
    "end_date": ("2026-02-30", "end_date '2026-02-30' is not a date (expected YYYY-MM-DD"),
    "today": ("2026/03/18", "today '2026/03/18' is not a date (expected YYYY-MM-DD"),
    "lookback_days": ("a week", "'a week' is not a whole number"),
    "max_window_days": ("45", "max_window_days must be between 1 and 30, got 45"),
    "locations": ('["a", 1]', "locations ['a', 1] must be a list of location ids"),
    "shard": ("3/2", "shard '3/2': K must be between 1 and N (2)"),
    "future_days": ("400", "future_days must be between 1 and 366, got 400"),
    "max_concurrency": ("0", "max_concurrency must be 1 or more, got 0"),
    "max_requests_per_second": ("-1", "max_requests_per_second must be positive, got -1.0"),
    "allow_insecure_http": ("perhaps", "'perhaps' is not true or false"),
    "request_timeout": ("never", "'never' is not a number"),
}
CREDENTIALS = {"API_KEY_ID": "key-id", "API_SECRET": "not-a-real-secret"}


def test_the_table_covers_every_setting():
    settings = set(CalvenConfig.get_resolvable_fields()) - {"credentials"}
    assert set(BAD) == settings


@pytest.mark.parametrize("sections", [SOURCE_SECTIONS, PUSH_SECTIONS], ids=["source", "push"])
@pytest.mark.parametrize("setting", sorted(BAD))
def test_a_bad_value_is_a_sentence_naming_the_setting(setting, sections, monkeypatch):
    prefix = "__".join(section.upper() for section in sections)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(f"SOURCES__CALVEN__CREDENTIALS__{name}", value)
    monkeypatch.setenv("SOURCES__CALVEN__TODAY", "2026-03-18")
    value, message = BAD[setting]
    monkeypatch.setenv(f"{prefix}__{setting.upper()}", value)

    with pytest.raises(ConfigError) as raised:
        resolve_config(sections)

    text = str(raised.value)
    assert message in text
    assert setting in text
    assert "\n" not in text


def test_good_values_pin_the_dates_once():
    config = resolve_config(
        overrides={
            "credentials": {"api_key_id": "k", "api_secret": "s"},
            "today": "2026-03-18",
            "locations": "Loc-A, loc-b,Loc-A",
        }
    )
    assert (config.today, config.start_date, config.end_date) == (
        "2026-03-18",
        "2025-03-18",
        "2026-03-18",
    )
    assert config.location_ids == ("Loc-A", "loc-b")
