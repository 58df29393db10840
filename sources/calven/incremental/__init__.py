"""Incremental planning: which day windows a run fetches. Pure functions, no I/O.

Owns: half-open UTC day windows of at most 30 days (``windows``), and the ledger of what is
loaded per dataset and partition, kept in dlt resource state, with the gaps and the lookback a
run fetches (``ledger``). The ledger is the only code that reads or writes its state format.

May import: nothing of the source but ``sources.calven.catalog``.
"""
