"""Benchmarks of calven-warehouse: run them all with ``python -m bench``."""
