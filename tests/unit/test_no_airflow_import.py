"""With Apache Airflow installed beside us (the [airflow] extra), dlt would import it on its first
configuration lookup: seconds of start-up, ``~/airflow`` created and logging reconfigured, so
``calven-sync`` lost every log line. ``pipelines`` turns that lookup off unless configured."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import pipelines, dlt, sys; dlt.config.get('sources.calven.today'); "
    "print('airflow' in sys.modules)"
)


def _airflow_imported(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "PROVIDERS__ENABLE_AIRFLOW_SECRETS"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_dlt_does_not_import_airflow_unless_asked():
    assert _airflow_imported() == "False"


def test_asking_for_airflow_secrets_still_works():
    import importlib.util

    expected = str(importlib.util.find_spec("airflow") is not None)
    assert _airflow_imported(PROVIDERS__ENABLE_AIRFLOW_SECRETS="true") == expected
