"""Load a scenario once, run it many times: the API for tools that call the model in a loop.

Reading and validating a scenario and its parameter config costs far more than a small
ensemble (about 80 ms against 20 ms for 20 runs), so tools that run the model many
times — the EMA Workbench, hypothesis properties, optimisers, notebooks — should load
once and run often::

    exp = simulate.Experiment("middle_corridor")
    for growth in (-0.03, -0.01, 0.01):
        res = exp.run(runs=20, seed=1, overrides={"russia.capacity_growth": growth})

Each :meth:`Experiment.run` gives exactly what :func:`simulate.run_scenario` gives for
the same arguments (which is itself ``Experiment(source).run(...)``): overrides pass the
same checks, and the numbers are bit-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from simulate.model import spec as spec_mod
from simulate.model.preparation import specify
from simulate.results.files import Results
from simulate.running.runner import execute
from simulate.scenarios import scenario as scenario_mod
from simulate.scenarios.parameters import Config

Source = str | Path | Mapping[str, Any] | scenario_mod.LoadedScenario


class Experiment:
    """A scenario loaded and validated once, ready to run with any runs, seed and overrides.

    Args:
        scenario: A scenario file, the name of a shipped scenario (``"middle_corridor"``,
            see ``simulate list --shipped``), a scenario mapping, or a loaded scenario.
        config: A parameter config (file path or :class:`~simulate.scenarios.parameters.Config`)
            to use instead of the one the scenario names; it runs as a point config.
        point: True: every assumption at its value; False: an ensemble (each run takes
            the config's posterior vector and draws the other assumptions from their
            priors); None (default): a point when ``config`` is given, else an ensemble.

    Raises:
        InputError: The scenario or config is invalid (file, line and field named).
    """

    def __init__(self, scenario: Source, config: str | Path | Config | None = None,
                 point: bool | None = None) -> None:  # fmt: skip
        self.point = (config is not None) if point is None else bool(point)
        self.loaded = scenario_mod.load(scenario, config=config)
        self._specs: dict[tuple, spec_mod.RunSpec] = {}

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.loaded.scenario.name

    @property
    def config(self) -> Config:
        """The parameter config the runs use."""
        return self.loaded.config

    def __repr__(self) -> str:
        sc = self.loaded.scenario
        return (f"Experiment({sc.name!r}, {sc.horizon.start}-{sc.horizon.end} by "
                f"{sc.horizon.step}, runs={sc.runs}, seed={sc.seed})")  # fmt: skip

    def spec(
        self, *, runs: int | None = None, seed: int | None = None,
        overrides: Mapping[str, float] | None = None,
    ) -> spec_mod.RunSpec:  # fmt: skip
        """The run spec for these arguments, built in memory from the loaded scenario, once:
        the same arguments give the same spec (no file is read, no check made again).

        Raises:
            InputError: ``runs`` or ``seed`` out of range, an unknown parameter or a
                value that is not a number (the checks of ``simulate run --set``).
        """
        key = (runs, seed, _frozen(overrides))
        if key not in self._specs:
            self._specs[key] = specify(self.loaded, runs=runs, seed=seed, overrides=overrides,
                                       point=self.point)  # fmt: skip
        return self._specs[key]

    def run(
        self,
        *,
        runs: int | None = None,
        seed: int | None = None,
        overrides: Mapping[str, float] | None = None,
        keep: str | None = None,
        engine: str = "batch",
        output: str | Path | None = None,
        progress: Callable[[int], None] | None = None,
        **executor: Any,
    ) -> Results:
        """Run the scenario; arguments and results as :func:`simulate.run_scenario`.

        Args:
            runs: Number of runs (default: the scenario's).
            seed: Seed (default: the scenario's).
            overrides: Parameter values by dotted path, e.g. ``{"russia.capacity": 0.7}``;
                an override replaces any path or uncertainty on that parameter.
            keep: ``"runs"`` or ``"summary"`` (default by size).
            engine: ``"batch"`` (default) or ``"mesa"``.
            output: Parquet path to write atomically; the results returned are then
                read back from it when first used.
            progress: Called with the number of runs finished after each chunk.
            **executor: ``workers``, ``scheduler``, ``dask_local``, ``chunk``; without
                them everything runs in this process.

        Returns:
            :class:`~simulate.results.files.Results`.
        """
        spec = self.spec(runs=runs, seed=seed, overrides=overrides)
        return execute(spec, engine=engine, output=output, keep=keep, progress=progress,
                       **executor)  # fmt: skip


def _frozen(overrides: Mapping[str, float] | None) -> tuple | None:
    """Overrides as a key of the specs built (None and {} alike); unhashable ones are keyed
    by their text, so a bad value still reaches the checks."""
    if not overrides:
        return None
    if not isinstance(overrides, Mapping):
        return (repr(overrides),)
    return tuple(sorted((str(k), repr(v)) for k, v in overrides.items()))
