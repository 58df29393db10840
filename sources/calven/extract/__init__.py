"""The dlt resources of one sync: dimensions, windowed datasets, future bookings.

Owns: the resource generators (``resources``), which fetch the ledger's gaps concurrently and
hand dlt Arrow tables, and the session a checkpointed sync shares across its load packages
(``session``).

May import: every other part of ``sources.calven`` (http, arrow, incremental, catalog, config).
Nothing here imports ``pipelines`` or the simulator.
"""
