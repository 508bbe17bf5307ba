"""Menu actions that run an analysis or an export in a worker: the report, the scores."""
