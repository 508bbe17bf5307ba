"""Scoring leads: the engine, conditions, explanations, summaries and the output columns."""
