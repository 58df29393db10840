"""``calven-sync push``: the command (``command``), the sources it reads and only reads
(``read_only``, files through ``sources.calven.push``) and the results table (``results``)."""
