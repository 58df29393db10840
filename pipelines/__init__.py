"""Pipeline assembly, the checkpointing runner and the calven-sync CLI."""
