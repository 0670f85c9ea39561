"""The dashboard's ensembles: many runs on the batched driver, reduced to fan-chart quantiles.

An ensemble is ``runs`` runs of a scenario (parameters applied) with the scenario's
seed, so the modified and the unmodified scenario share every random draw that the
change leaves alone and their difference is the change's effect: :func:`changes` gives
the largest paired changes at the horizon's end, each with its 95% interval. Only the
variables the charts and the headline show are computed and kept: their quantiles per
period, and each run's values in the last period.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulate.model.batch import simulate_runs
from simulate.model.modelspec import model_spec
from simulate.results.summary import Difference, paired_difference
from simulate.scenarios.scenario import LoadedScenario

#: The quantiles a fan shows: the 5-95% and 25-75% bands and the median.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: The variables drawn as fans, by entity (powers or issues).
FAN_VARIABLES = ("alignment", "leverage", "position")
#: The variables whose changes the headline ranks (besides the outcome classes).
HEADLINE_VARIABLES = ("leverage", "alignment", "balance_index", "position")


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
        final: Each run's values in the last period, variable -> (runs, entities).
        labels: The entities of each variable in ``final``.
        paths: The step paths applied (levers moved from a later year).
    """

    scenario: str
    runs: int
    seed: int
    overrides: dict[str, float]
    times: np.ndarray
    fans: dict[str, Fan]
    seconds: float
    final: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    labels: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    paths: dict[str, dict[float, float]] = dataclasses.field(default_factory=dict)


def ensemble(loaded: LoadedScenario, overrides: Mapping[str, float], runs: int,
             paths: Mapping[str, Mapping[float, float]] | None = None) -> Ensemble:  # fmt: skip
    """Simulate ``runs`` runs of the scenario with ``overrides`` and reduce them to fans.

    Args:
        loaded: The scenario.
        overrides: Parameter values from the start, by dotted path.
        runs: How many runs.
        paths: Step paths of levers moved from a later year (they replace what the
            scenario sets on those parameters; see :func:`simulate.dashboard.levers.apply`).

    Raises:
        InputError: A parameter is unknown or out of its admissible range.
    """
    from simulate.dashboard.levers import Changes, apply

    t0 = time.perf_counter()
    steps = {p: dict(s) for p, s in (paths or {}).items()}
    scenario = apply(loaded, Changes(paths=steps)) if steps else loaded
    spec = model_spec(scenario, dict(overrides))
    kept = [*FAN_VARIABLES, "outcome", *(v for v in HEADLINE_VARIABLES if v not in FAN_VARIABLES)]
    spec = dataclasses.replace(spec, outputs=kept)
    seed = spec.scenario.seed
    out = simulate_runs(spec, range(runs), seed)
    fans = {v: Fan(spec.entities_of(v), np.quantile(out[v], QUANTILES, axis=0))
            for v in FAN_VARIABLES}  # fmt: skip
    fans["outcome"] = Fan(spec.entities_of("outcome"), out["outcome"].mean(axis=0)[None])
    final = {v: np.ascontiguousarray(out[v][:, -1, :]) for v in kept}
    labels = {v: spec.entities_of(v) for v in kept}
    return Ensemble(spec.scenario.name, runs, seed, dict(overrides), spec.times.copy(), fans,
                    time.perf_counter() - t0, final, labels, steps)  # fmt: skip


@dataclass(frozen=True)
class Change:
    """A paired change of one series at the horizon's end.

    Attributes:
        what: The series for a reader (``leverage of russia``).
        modified: The mean of the modified ensemble.
        base: The mean of the unmodified one.
        difference: The paired difference with its 95% interval.
    """

    what: str
    modified: float
    base: float
    difference: Difference


def _series_name(variable: str, entity: str) -> str:
    if variable == "outcome":
        return f"P({entity})"
    joins = {"alignment": "with", "leverage": "of", "position": "on"}
    return f"{variable} {joins.get(variable, '')} {entity}".replace("  ", " ").strip()


def changes(modified: Ensemble, base: Ensemble, top: int = 4) -> list[Change]:
    """The largest paired changes at the horizon's end, largest first.

    Run *i* of both ensembles shares every random draw the change leaves alone, so each
    series' change is the mean of the per-run differences, with its 95% t interval
    (:func:`simulate.results.summary.paired_difference`). Only changes whose interval
    excludes zero count; they are ranked by size (every ranked variable is a share, an
    index or a probability in [0, 1]).
    """
    if modified.runs != base.runs or modified.seed != base.seed:
        return []
    found = []
    for var in ("outcome", *HEADLINE_VARIABLES):
        if var not in modified.final or var not in base.final:
            continue
        for j, ent in enumerate(modified.labels[var]):
            a, b = base.final[var][:, j], modified.final[var][:, j]
            d = paired_difference(a, b)
            if d.excludes_zero:
                found.append(Change(_series_name(var, ent), float(b.mean()), float(a.mean()), d))
    return sorted(found, key=lambda c: -abs(c.difference.mean))[:top]


def headline(modified: Ensemble, base: Ensemble) -> list[tuple[str, float, float]]:
    """Median alignment with and leverage of each power, and P(balanced), at the horizon's
    end: (what, modified, unmodified), the numbers the page prints beside its charts."""
    rows = []
    for var in ("alignment", "leverage"):
        a, b = modified.fans[var], base.fans[var]
        for j, power in enumerate(a.labels):
            rows.append((_series_name(var, power), float(a.median()[-1, j]),
                         float(b.median()[-1, j])))  # fmt: skip
    po, pb = modified.fans["outcome"], base.fans["outcome"]
    k = po.labels.index("balanced")
    rows.append(("P(balanced)", float(po.values[0, -1, k]), float(pb.values[0, -1, k])))
    return rows
