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

import importlib
from typing import TYPE_CHECKING, Any

from simulate.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from simulate.errors import InputError
    from simulate.results.files import Results, load_results
    from simulate.running.prepared import Experiment
    from simulate.running.runner import run_scenario

#: Where each public name lives; imported on first use, so that ``import simulate`` (and
#: ``simulate --help``) does not pay for numpy, scipy, pandas and pyarrow up front.
_PUBLIC = {
    "Experiment": "simulate.running.prepared",
    "InputError": "simulate.errors",
    "Results": "simulate.results.files",
    "load_results": "simulate.results.files",
    "run_scenario": "simulate.running.runner",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'simulate' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, for ``dir(simulate)`` and completion."""
    return sorted([*globals(), *_PUBLIC])


__all__ = ["Experiment", "InputError", "Results", "__version__", "load_results", "run_scenario"]
