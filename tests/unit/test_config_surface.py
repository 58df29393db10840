"""The check/dry-run client resolves exactly the settings the source does (no drift)."""

from __future__ import annotations

import inspect

from sources.calven import calven_source
from sources.calven.connect import configured_client


def _settings(function) -> dict[str, object]:
    signature = inspect.signature(getattr(function, "__wrapped__", function))
    return {
        name: parameter.default
        for name, parameter in signature.parameters.items()
        if name not in ("session", "credentials")
    }


def test_configured_client_takes_the_source_settings_with_the_same_defaults():
    settings = _settings(calven_source)
    assert len(settings) >= 13
    assert _settings(configured_client) == settings
