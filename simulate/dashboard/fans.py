"""The dashboard's ensembles: many runs on the batched driver, reduced to fan-chart quantiles.

An ensemble is ``runs`` runs of a scenario (parameters applied) with the scenario's
seed, so the modified and the unmodified scenario share every random draw that the
change leaves alone and their difference is the change's effect. Only the variables
the charts show are computed and kept.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulate.model.batch import simulate_runs
from simulate.model.modelspec import model_spec
from simulate.scenarios.scenario import LoadedScenario

#: The quantiles a fan shows: the 5-95% and 25-75% bands and the median.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: The variables drawn as fans, by entity (powers or issues).
FAN_VARIABLES = ("alignment", "leverage", "position")


@dataclass(frozen=True)
class Fan:
    """Quantiles of a variable over the runs, per time and entity.

    Attributes:
        labels: The entities (powers, issues or outcome classes).
        values: Shape (len(QUANTILES), periods, entities); for ``outcome``, shape
            (1, periods, classes): each class's probability.
    """

    labels: list[str]
    values: np.ndarray

    def median(self) -> np.ndarray:
        """The median per time and entity, shape (periods, entities)."""
        return self.values[QUANTILES.index(0.5)]


@dataclass(frozen=True)
class Ensemble:
    """An ensemble reduced for the charts.

    Attributes:
        scenario: The scenario's name.
        runs: How many runs.
        seed: The seed they share.
        overrides: The parameter values applied, by dotted path.
        times: The periods' decimal years.
        fans: ``alignment``, ``leverage``, ``position`` and ``outcome`` (probabilities).
        seconds: Wall time of the simulation and reduction.
    """

    scenario: str
    runs: int
    seed: int
    overrides: dict[str, float]
    times: np.ndarray
    fans: dict[str, Fan]
    seconds: float


def ensemble(loaded: LoadedScenario, overrides: Mapping[str, float], runs: int) -> Ensemble:
    """Simulate ``runs`` runs of the scenario with ``overrides`` and reduce them to fans.

    Raises:
        InputError: A parameter is unknown or out of its admissible range.
    """
    t0 = time.perf_counter()
    spec = model_spec(loaded, dict(overrides))
    spec = dataclasses.replace(spec, outputs=[*FAN_VARIABLES, "outcome"])
    seed = spec.scenario.seed
    out = simulate_runs(spec, range(runs), seed)
    fans = {v: Fan(spec.entities_of(v), np.quantile(out[v], QUANTILES, axis=0))
            for v in FAN_VARIABLES}  # fmt: skip
    fans["outcome"] = Fan(spec.entities_of("outcome"), out["outcome"].mean(axis=0)[None])
    return Ensemble(spec.scenario.name, runs, seed, dict(overrides), spec.times.copy(), fans,
                    time.perf_counter() - t0)  # fmt: skip


def headline(modified: Ensemble, base: Ensemble) -> list[tuple[str, float, float]]:
    """Median alignment with each power and P(balanced) at the horizon's end: (what,
    modified, unmodified), the numbers the page prints beside its charts."""
    rows = []
    a, b = modified.fans["alignment"], base.fans["alignment"]
    for j, power in enumerate(a.labels):
        rows.append((f"alignment with {power}", float(a.median()[-1, j]),
                     float(b.median()[-1, j])))  # fmt: skip
    po, pb = modified.fans["outcome"], base.fans["outcome"]
    k = po.labels.index("balanced")
    rows.append(("P(balanced)", float(po.values[0, -1, k]), float(pb.values[0, -1, k])))
    return rows
