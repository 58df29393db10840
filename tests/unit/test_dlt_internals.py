"""Private dlt API is used only where a version check guards it."""

from __future__ import annotations

import pathlib
import re

import pytest

from pipelines.dlt_internals import TESTED_DLT, check_dlt_version
from sources.calven.errors import ConfigError

ROOT = pathlib.Path(__file__).resolve().parents[2]
PRIVATE = re.compile(r"\._get_\w+\(|\.config_params\b")


@pytest.mark.parametrize("version", ["1.31.0", "1.31.7"])
def test_tested_versions_pass(version):
    check_dlt_version(version)


@pytest.mark.parametrize("version", ["1.30.2", "1.32.0", "2.0.0"])
def test_other_versions_are_refused_with_the_range_to_install(version):
    low, high = TESTED_DLT
    with pytest.raises(
        ConfigError, match=rf"dlt {re.escape(version)} is installed.*>={low},<{high}"
    ):
        check_dlt_version(version)


def test_no_module_but_dlt_internals_touches_private_dlt_api():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("sources", "pipelines", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "dlt_internals.py" and PRIVATE.search(path.read_text())
    ]
    assert offenders == []
