"""What a model does over time and against outcomes: backtest, thresholds, compare, fit, replay, queue, timeline."""
