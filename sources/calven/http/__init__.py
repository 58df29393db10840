"""The HTTP side of the source: one ``httpx`` client per run and what it needs.

Owns: the client (pooling, bounded concurrency, retries with backoff and ``Retry-After``, an
optional request budget, aborts), the three auth flows, the retry policy and the mapping of
responses to the error tree. Credentials never leave ``auth`` as text.

May import: ``sources.calven.errors`` and ``sources.calven.arrow`` (bodies stream into Arrow as
they arrive). Nothing here knows datasets, windows or dlt.
"""
