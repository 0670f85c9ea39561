"""Designed experiments: run a scenario at chosen uncertainty values, read one outcome.

Row *i* of a design is run *i* of the scenario: its uncertainties take the design's
values (``fixed``), everything else (shocks, config ranges, events) comes from the
run's own seeded generator, so a design is reproducible and runs on any executor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulate.errors import InputError
from simulate.model.preparation import prepare
from simulate.model.spec import RunSpec
from simulate.results.files import entities_of
from simulate.scenarios.parameters import domain
from simulate.scenarios.schema import MAX_RUNS
from simulate.scenarios.variables import VARIABLES

_EXPR = re.compile(r"^\s*([a-z_]+)(?::([a-z_]+))?\s*(>=|<=|>|<)\s*(-?[0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class Outcome:
    """One variable and entity, optionally thresholded (``leverage:russia>0.6``)."""

    variable: str
    entity: str = ""
    op: str | None = None
    threshold: float | None = None

    @property
    def label(self) -> str:
        """How the user wrote it."""
        name = f"{self.variable}:{self.entity}" if self.entity else self.variable
        return name if self.op is None else f"{name}{self.op}{self.threshold:g}"

    def apply(self, values: np.ndarray) -> np.ndarray:
        """The outcome from the variable's values (0/1 when thresholded)."""
        if self.op is None:
            return values
        ops = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
        return ops[self.op](values, self.threshold).astype(float)


def parse_outcome(text: str, spec: RunSpec, *, thresholded: bool = False,
                  field: str = "outcome") -> Outcome:  # fmt: skip
    """Parse ``VARIABLE[:ENTITY]`` (or ``VARIABLE[:ENTITY](>|>=|<|<=)NUMBER``)."""
    m = _EXPR.match(text) if thresholded else None
    if m:
        var, ent, op, num = m.groups()
        out = Outcome(var, ent or "", op, float(num))
    else:
        var, _, ent = text.strip().partition(":")
        out = Outcome(var, ent)
        if thresholded and var != "captured":
            raise InputError("expected captured or a threshold VARIABLE[:ENTITY](>|>=|<|<=)"
                             f"NUMBER such as leverage:russia>0.6, got {text!r}",
                             field=field)  # fmt: skip
    if out.variable not in VARIABLES:
        raise InputError(f"unknown variable {out.variable!r}; see docs/results.md", field=field)
    ents = entities_of(spec, out.variable)
    if out.entity not in ents:
        want = "no entity" if ents == [""] else f"an entity out of {ents}"
        raise InputError(f"{out.variable} takes {want}, got {out.entity!r}", field=field)
    return out


def period_index(spec: RunSpec, year: float | None) -> int:
    """Index of the period starting at ``year`` (default: the last period)."""
    if year is None:
        return len(spec.times) - 1
    if not np.isfinite(year):
        raise InputError(f"{year} is not a year", field="at")
    k = int(np.argmin(np.abs(spec.times - year)))
    if abs(spec.times[k] - year) > 1e-6:
        raise InputError(f"{year:g} is not a period start of the horizon "
                         f"{spec.times[0]:g}-{spec.times[-1]:g}", field="at")  # fmt: skip
    return k


def load_for_design(scenario: str | Path | Mapping[str, Any], n: int, seed: int | None,
                    *, point: bool = True) -> RunSpec:  # fmt: skip
    """The scenario's spec, sized for ``n`` design rows: by default a point config (every
    assumption at its value), so that the rows of a design differ only in the inputs it
    sets; ``point=False`` for an ensemble whose own inputs are studied as its runs drew
    them (:func:`ensemble_inputs`)."""
    if not 1 <= n <= MAX_RUNS:
        raise InputError(f"the design needs {n:,} runs; the limit is {MAX_RUNS:,}",
                         field="samples")  # fmt: skip
    return prepare(scenario, runs=n, seed=seed, point=point)


def uncertainty_bounds(spec: RunSpec) -> tuple[list[str], list[list[float]]]:
    """Names and (low, high) bounds of the scenario's uncertainties, for a design.

    Uniform, triangular and truncated normal use their low and high; lognormal
    uses median x exp(+-2 sigma) (about 95% of its mass); all are clipped to the
    parameter's domain. A ``choice`` has no continuous range and is refused.
    """
    names, bounds = [], []
    for u in spec.scenario.uncertainties:
        if u.dist == "choice":
            raise InputError(f"{u.parameter} is a 'choice' uncertainty; designs need "
                             "continuous ranges", field="uncertainties")  # fmt: skip
        if u.dist == "lognormal":
            lo, hi = u.median * np.exp(-2 * u.sigma), u.median * np.exp(2 * u.sigma)
        else:
            lo, hi = u.low, u.high
        dlo, dhi = domain(u.parameter)
        names.append(u.parameter)
        bounds.append([float(max(lo, dlo)), float(min(hi, dhi))])
    if not names:
        raise InputError("the scenario declares no uncertainties", field="uncertainties")
    return names, bounds


def evaluate(spec: RunSpec, names: list[str], x: np.ndarray, outcome: Outcome, t_index: int,
             progress: Any = None, **executor: Any) -> np.ndarray:  # fmt: skip
    """The outcome at period ``t_index`` for every design row (run i = row i).

    ``progress``, when given, is called with the number of rows done after each chunk.
    """
    from simulate.running.ensemble import run_chunks

    x = np.asarray(x, dtype=float)
    fixed = {name: x[:, j] for j, name in enumerate(names)}
    col = entities_of(spec, outcome.variable).index(outcome.entity)
    y = np.empty(len(x))
    done = 0
    for idx, arrays in run_chunks(spec, range(len(x)), spec.scenario.seed, fixed=fixed,
                                  **executor):  # fmt: skip
        y[idx] = arrays[outcome.variable][:, t_index, col]
        done += len(idx)
        if progress is not None:
            progress(done)
    return outcome.apply(y)


def ensemble_inputs(spec: RunSpec, runs: Any) -> tuple[list[str], np.ndarray]:
    """What each run drew: every random input's value per run (runs x inputs), the inputs
    that vary only (the posterior's vectors, the priors, the config's ranges, the
    scenario's uncertainties), in name order."""
    from simulate.model.randomness import draw_runs

    draws, _ = draw_runs(spec, spec.scenario.seed, np.asarray(list(runs), dtype=np.uint64))
    names = sorted(k for k, v in draws.values.items() if np.ptp(v) > 0)
    if not names:
        raise InputError("the runs draw nothing: a point config has no inputs to study "
                         "(run the scenario as an ensemble)", field="config")  # fmt: skip
    return names, np.column_stack([draws.values[k] for k in names])


def evaluate_runs(spec: RunSpec, outcome: Outcome, t_index: int, progress: Any = None,
                  **executor: Any) -> np.ndarray:  # fmt: skip
    """The outcome at period ``t_index`` for runs 0 .. runs - 1 of the spec as they are."""
    from simulate.running.ensemble import run_chunks

    n = spec.scenario.runs
    col = entities_of(spec, outcome.variable).index(outcome.entity)
    y = np.empty(n)
    done = 0
    for idx, arrays in run_chunks(spec, range(n), spec.scenario.seed, **executor):
        y[idx] = arrays[outcome.variable][:, t_index, col]
        done += len(idx)
        if progress is not None:
            progress(done)
    return outcome.apply(y)
