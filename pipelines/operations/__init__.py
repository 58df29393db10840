"""Operating a pipeline: the run log in the destination (``runlog``) and alerts (``alerts``).

Both are best effort: a destination or webhook that cannot be reached is a warning, never the
reason a run fails.
"""
