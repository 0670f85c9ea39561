"""Running ensembles: chunk tasks and statistics, the executors, the runner, and designs
of runs (experiments)."""
