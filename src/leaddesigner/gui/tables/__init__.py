"""Qt table models over the scoring model and the leads (thin adapters of core change events), and their editors."""
