"""The one way from a loaded scenario to a run spec: runs, seed and overrides checked once.

Every way of running a scenario (the runner and ``simulate run``, :class:`Experiment`,
experiment designs, calibration, ``simulate check``, the Mesa model and the dashboard)
loads it with :func:`simulate.scenarios.scenario.load` (a file, a shipped name, a
mapping or a loaded scenario, with an optional config and the scenario's actors added)
and builds its spec with :func:`specify` (runs, seed and overrides checked once, the
spec built once). :func:`prepare` is the two together.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulate.errors import InputError
from simulate.model import spec as spec_mod
from simulate.scenarios import scenario as scenario_mod
from simulate.scenarios.parameters import Config
from simulate.scenarios.schema import MAX_RUNS, overridden_name

#: What a scenario can be given as.
Source = str | Path | Mapping[str, Any] | scenario_mod.LoadedScenario


def prepare(
    source: Source,
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, float] | None = None,
    config: Any = None,
    point: bool | None = None,
) -> spec_mod.RunSpec:
    """Load a scenario, apply runs, seed and overrides, and build its run spec.

    Args:
        source: A scenario file, a shipped scenario's name, a mapping or a loaded scenario.
        runs: Number of runs (default: the scenario's).
        seed: Seed (default: the scenario's).
        overrides: Parameter values by dotted path; an override replaces any path or
            uncertainty on that parameter, and the result gets its own name.
        config: A config to run with instead of the scenario's; it runs as a point config
            (every assumption at its value) unless ``point`` says otherwise.
        point: True: every assumption at its value; False: an ensemble (the posterior and
            the priors); None (default): a point for ``config``, else an ensemble.

    Returns:
        The run spec.

    Raises:
        InputError: ``runs`` or ``seed`` out of range, or a bad override.
    """
    loaded = scenario_mod.load(source, config=config)
    return specify(loaded, runs=runs, seed=seed, overrides=overrides,
                   point=(config is not None) if point is None else point)  # fmt: skip


def specify(
    loaded: scenario_mod.LoadedScenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, float] | None = None,
    point: bool = False,
) -> spec_mod.RunSpec:
    """The run spec of a loaded scenario with runs, seed and overrides applied and checked.

    Raises:
        InputError: ``runs`` or ``seed`` out of range, or a bad override.
    """
    update: dict[str, Any] = {}
    if runs is not None:
        if not _is_int(runs) or not 1 <= runs <= MAX_RUNS:
            raise InputError(f"runs must be between 1 and {MAX_RUNS:,} (got {runs})",
                             field="runs")  # fmt: skip
        update["runs"] = runs
    if seed is not None:
        if not _is_int(seed) or not 0 <= seed < 2**63:
            raise InputError("seed must be a non-negative 64-bit integer", field="seed")
        update["seed"] = seed
    if overrides:
        values = check_overrides(loaded.config, overrides)
        update["parameters"] = {**loaded.scenario.parameters, **values}
        # an override fixes the value: it replaces any path or uncertainty on that parameter
        update["paths"] = {k: v for k, v in loaded.scenario.paths.items() if k not in values}
        update["uncertainties"] = [u for u in loaded.scenario.uncertainties
                                   if u.parameter not in values]  # fmt: skip
        # the result is not the scenario as written: it gets its own name (and file)
        update["name"] = overridden_name(loaded.scenario.name, values)
    if update:
        loaded = scenario_mod.LoadedScenario(
            scenario=loaded.scenario.model_copy(update=update), config=loaded.config,
            origins=loaded.origins, file=loaded.file, notes=loaded.notes,
        )  # fmt: skip
    return spec_mod.build(loaded, point=point)


def _is_int(x: Any) -> bool:
    import numbers

    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def check_overrides(config: Config, overrides: Mapping[str, Any]) -> dict[str, float]:
    """Overrides ``{path: value}`` checked like a scenario's ``parameters`` (one domain check)
    against the parameters of ``config``.

    Raises:
        InputError: an unknown or reference parameter, or a value that is not a finite
            number inside the parameter's domain (field ``--set``).
    """
    from simulate.scenarios import domains

    if not isinstance(overrides, Mapping):
        raise InputError("overrides must be a mapping of parameter paths to numbers",
                         field="overrides")  # fmt: skip
    out: dict[str, float] = {}
    for path, value in overrides.items():
        try:
            out[path] = domains.parameter_value(config, path, value)
        except domains.DomainError as exc:
            raise InputError(exc.message, field="overrides") from None
    return out
