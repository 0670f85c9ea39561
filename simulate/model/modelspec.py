"""What a Mesa model (or the dashboard) runs: a scenario by name, file, mapping or spec,
with parameter values by dotted path.

Mesa builds a model from keyword arguments alone (``mesa.batch_run``, SolaraViz), and
builds many of them, so a scenario named by file or shipped name is read and validated
once per process and kept (until its file changes); each model then only applies its
parameter values, which costs well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulate.errors import InputError
from simulate.model import spec as spec_mod
from simulate.scenarios import scenario as scenario_mod

#: What a model can be built from.
Source = str | Path | Mapping[str, Any] | scenario_mod.LoadedScenario | spec_mod.RunSpec


@lru_cache(maxsize=32)
def _load_file(path: str, mtime_ns: int) -> scenario_mod.LoadedScenario:
    del mtime_ns  # part of the cache key only: an edited file is read again
    return scenario_mod.load(path)


def loaded_scenario(source: str | Path | Mapping[str, Any] | scenario_mod.LoadedScenario
                    ) -> scenario_mod.LoadedScenario:  # fmt: skip
    """The validated scenario of ``source`` (a file and a shipped name are read once per
    version; everything else as :func:`simulate.scenarios.scenario.load` loads it).

    Raises:
        InputError: The scenario is missing or invalid (file, line and field named).
    """
    if isinstance(source, scenario_mod.LoadedScenario | Mapping):
        return scenario_mod.load(source)
    from simulate.io.shipped import resolve_scenario

    path = resolve_scenario(source)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise InputError("file not found", file=path) from None
    return _load_file(str(path.resolve()), mtime)


def model_spec(source: Source, parameters: Mapping[str, Any] | None = None) -> spec_mod.RunSpec:
    """The run spec of ``source`` with ``parameters`` (dotted path -> value) applied.

    Parameter values are checked as ``simulate run --set`` checks them (a model
    parameter of the config, a number, inside its admissible range) and become the
    scenario's ``parameters:`` overrides: departures from the start, which stays the
    rest point of the config and the scenario's ``initial:`` values. A value given
    here replaces any path or uncertainty the scenario puts on that parameter.

    Raises:
        InputError: The scenario is invalid, or a parameter is unknown or out of range.
    """
    from simulate.model.preparation import specify

    if isinstance(source, spec_mod.RunSpec):
        if not parameters:
            return source
        loaded = source.loaded
    else:
        loaded = loaded_scenario(source)
    try:
        return specify(loaded, overrides=dict(parameters or {}))
    except InputError as exc:
        raise InputError(exc.message, field="parameters") from None
