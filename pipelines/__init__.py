"""Pipeline assembly, the checkpointing runner and the calven-sync CLI.

Importing this package before pyarrow makes jemalloc Arrow's allocator, returning freed memory at
once, unless ``ARROW_DEFAULT_MEMORY_POOL`` says otherwise: Arrow's default (mimalloc) keeps what
each parsing thread freed, and a 1.8 M-row backfill's extraction peaked ~90 MB higher with it.
Arrow reads the variable once, when it is first imported.

Whenever Apache Airflow is installed, dlt imports it to look for secrets in an Airflow Variable
(``dlt_secrets_toml``) unless ``PROVIDERS__ENABLE_AIRFLOW_SECRETS`` is false. Importing Airflow
takes seconds, creates ``~/airflow`` and reconfigures logging, so every log line of
``calven-sync`` vanished. Our settings come from ``.dlt/`` and the environment, so that lookup is
off unless the variable says otherwise (set it to true to keep secrets in that Variable).
"""

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
os.environ.setdefault("PROVIDERS__ENABLE_AIRFLOW_SECRETS", "false")

import pyarrow as pa  # after the variable above

if pa.default_memory_pool().backend_name == "jemalloc":
    pa.jemalloc_set_decay_ms(0)
