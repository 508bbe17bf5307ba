"""The window's panels and tabs: forms, definitions, summary strip, grade grid, inspector, Profile, Backtest, Timeline."""
