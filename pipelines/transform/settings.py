"""The settings of ``[transform]``: whether ``run`` builds the models, and the models' vars.

In ``.dlt/config.toml`` under ``[transform]``, or in environment variables named after them
(``TRANSFORM__AFTER_RUN=true``).
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.exceptions import ConfigValueCannotBeCoercedException
from dlt.common.configuration.specs import BaseConfiguration

from sources.calven.config import coercion_message
from sources.calven.errors import ConfigError

SECTIONS = ("transform",)
DEFAULT_OFFICE_DAYS_TARGET = 2
WEEKDAYS = 5


@configspec
class TransformConfig(BaseConfiguration):
    """``[transform]``: see the README's "Transform" section."""

    after_run: bool = False
    """``calven-sync run`` builds the models after a successful load (``--no-transform``: not)."""
    office_days_target: int = DEFAULT_OFFICE_DAYS_TARGET
    """``agg_group_week.members_meeting_target`` counts members in at least this many days."""

    def variables(self) -> dict[str, Any]:
        """The dbt vars of these settings."""
        return {"office_days_target": self.office_days_target}


def transform_settings() -> TransformConfig:
    """The resolved ``[transform]`` settings; ConfigError for a value out of range."""
    try:
        settings = resolve_configuration(TransformConfig(), sections=SECTIONS)
    except ConfigValueCannotBeCoercedException as exc:
        raise ConfigError(coercion_message(exc, SECTIONS)) from None
    if not 1 <= settings.office_days_target <= WEEKDAYS:
        raise ConfigError(
            f"transform.office_days_target (TRANSFORM__OFFICE_DAYS_TARGET) must be between 1 "
            f"and {WEEKDAYS} office days a week, got {settings.office_days_target}"
        )
    return settings
