"""Sources shipped with calven-warehouse: the Calven dlt source and the simulated Calven API."""
