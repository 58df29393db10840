"""The shards' tenant (7 locations) for the orchestrators' tests."""

from tests.shards.conftest import simulator

__all__ = ["simulator"]
