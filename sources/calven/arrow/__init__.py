"""Reading response bodies into Arrow: framing the JSON array, typed tables, spooling.

Owns: splitting a streamed JSON array into blocks of whole records (``framing``), turning a
block into an Arrow table of the dataset's declared schema (``tables``) and holding a response's
tables in memory or a temporary file until dlt takes them (``spool``).

May import: ``sources.calven.errors`` and ``sources.calven.catalog`` (the declared schemas).
No I/O but the spool file; no HTTP, no dlt.
"""
