"""``calven-sync``: parsing (``arguments``), dispatch and exit codes (``main``), the commands
(``commands``, ``demo``), what a person sees (``output``) and how failures read (``failures``)."""

from pipelines.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
