"""Analysis of runs and result files: compare, report, plots, export, sensitivity,
discovery, calibration, history and backtest, declared expectations, mechanisms."""
