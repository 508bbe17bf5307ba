"""What leaves the app: SQL for the warehouse, out-of-core scoring, the HTML report."""
