"""Step 6, running many documents: the `run` command (run), the per-document worker (worker), local processes or a
Dask cluster (executors), rows spooled to disk and written sorted (spool)."""
