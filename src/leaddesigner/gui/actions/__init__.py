"""Menu actions: Analysis (suggest points, compare models), the report for sales, the scores export (run in workers)."""
