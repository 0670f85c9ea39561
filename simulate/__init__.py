"""multivector: a scenario simulation engine for Kazakhstan's multivector foreign policy.

The public API::

    import simulate
    res = simulate.run_scenario("scenarios/middle_corridor.yaml", runs=200, seed=1)
    res.frame          # tidy DataFrame: run, time, variable, entity, value
    res.metadata       # resolved scenario, seed, runs, units, parameter hash ...
    res.to_xarray()    # one labelled array per variable
    simulate.load_results("results/middle_corridor.parquet")

    exp = simulate.Experiment("middle_corridor")   # a shipped scenario, loaded once
    exp.run(runs=20, seed=1, overrides={"russia.capacity_growth": -0.02})
"""

from __future__ import annotations

from simulate.errors import InputError
from simulate.results.files import Results, load_results
from simulate.running.prepared import Experiment
from simulate.running.runner import run_scenario
from simulate.version import __version__

__all__ = ["Experiment", "InputError", "Results", "__version__", "load_results", "run_scenario"]
