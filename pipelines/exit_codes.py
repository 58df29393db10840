"""Exit codes of ``calven-sync``: 0 only when everything requested was loaded."""

OK = 0
CONFIG = 2
AUTH = 3
API = 4
DATA = 5
DESTINATION = 6
BUSY = 7
TRANSFORM = 8
INTERRUPTED = 130
