"""Check a scenario's declared directions: paired runs, bootstrap intervals, pass or fail.

A scenario's ``expect:`` names a reference (another scenario, or its own start) and
a year, and says which way each headline outcome should move. Both are run with the
same seed and run indices, so run *i* of each shares every random draw; the paired
difference B_i - A_i of each outcome then isolates what the scenario changes. An
expectation passes when the bootstrap 95% interval of the mean paired difference
lies wholly on the declared side of zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from simulate.errors import InputError
from simulate.model.preparation import prepare
from simulate.model.spec import RunSpec
from simulate.running.experiment import period_index
from simulate.scenarios import scenario as scenario_mod


@dataclass(frozen=True)
class Finding:
    """One declared direction, tested."""

    scenario: str
    outcome: str
    expected: str
    against: str
    at: float
    reference_mean: float
    scenario_mean: float
    difference: float
    low: float
    high: float
    runs: int
    passed: bool

    @property
    def verdict(self) -> str:
        """``pass``, ``wrong direction`` or ``not shown`` (the interval straddles zero)."""
        if self.passed:
            return "pass"
        wrong = self.high < 0 if self.expected == "up" else self.low > 0
        return "wrong direction" if wrong else "not shown"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {**asdict(self), "verdict": self.verdict}


def paired_interval(diff: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """Bootstrap 95% percentile interval of the mean of paired differences."""
    diff = np.asarray(diff, dtype=float)
    if len(diff) < 2 or np.ptp(diff) == 0:
        m = float(diff.mean()) if len(diff) else 0.0
        return m, m
    res = stats.bootstrap((diff,), np.mean, confidence_level=0.95, n_resamples=2000,
                          method="percentile", rng=np.random.default_rng(seed))  # fmt: skip
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def check(
    path: str | Path, *, runs: int | None = None, seed: int | None = None,
    progress: Callable[[int], None] | None = None, **executor: Any,
) -> list[Finding]:  # fmt: skip
    """Run a scenario and its reference on paired seeds and test each declared direction.

    Raises:
        InputError: The scenario declares no ``expect:`` or its reference cannot be loaded.
    """
    loaded = scenario_mod.load(path)
    blocks = loaded.scenario.expectations
    if not blocks:
        raise InputError("declares no expected directions (expect:)", file=str(path),
                         field="expect")  # fmt: skip
    spec = prepare(loaded, runs=runs, seed=seed)
    n, s = spec.scenario.runs, spec.scenario.seed
    spec.outputs = sorted({_split(k)[0] for b in blocks for k in b.outcomes})
    mine = _simulate(spec, n, s, progress, executor, 0)
    references: dict[str, dict] = {"start": mine}
    out = []
    for k, exp in enumerate(blocks):
        where = ("expect", k) if isinstance(loaded.scenario.expect, list) else ("expect",)
        if exp.against not in references:
            ref = _reference(loaded, exp.against, spec, where)
            references[exp.against] = _simulate(ref, n, s, progress, executor, n)
        theirs = references[exp.against]
        t = period_index(spec, exp.at)
        t_ref = 0 if exp.against == "start" else t
        for key, want in exp.outcomes.items():
            var, ent = _split(key)
            col = spec.entities_of(var).index(ent)
            a, b = theirs[var][:, t_ref, col], mine[var][:, t, col]
            lo, hi = paired_interval(b - a, seed=s)
            out.append(Finding(
                scenario=spec.scenario.name, outcome=key, expected=want, against=exp.against,
                at=float(spec.times[t]), reference_mean=float(a.mean()),
                scenario_mean=float(b.mean()), difference=float((b - a).mean()), low=lo,
                high=hi, runs=n, passed=lo > 0 if want == "up" else hi < 0,
            ))  # fmt: skip
    return out


def _reference(loaded: scenario_mod.LoadedScenario, against: str, spec: RunSpec,
               where: tuple) -> RunSpec:  # fmt: skip
    """The reference scenario's spec, with the same runs, seed and outputs."""
    origin = loaded.where((*where, "against"))
    field = ".".join(map(str, where))
    from simulate.io.shipped import named_from

    path = Path(named_from(against, Path(loaded.file).resolve().parent)[0])
    if not path.is_file():
        raise InputError(f"reference scenario not found: {path}", file=origin.file,
                         line=origin.line, field=f"{field}.against")  # fmt: skip
    ref = prepare(path, runs=spec.scenario.runs, seed=spec.scenario.seed)
    if not np.array_equal(ref.times, spec.times):
        raise InputError("the reference has a different horizon; paired runs need the same "
                         "periods", file=origin.file, line=origin.line,
                         field=f"{field}.against")  # fmt: skip
    ref.outputs = spec.outputs
    return ref


def _split(key: str) -> tuple[str, str]:
    var, _, ent = key.partition(":")
    return var, ent


def _simulate(spec: RunSpec, n: int, seed: int, progress: Any, executor: dict,
              offset: int) -> dict:  # fmt: skip
    """Every run's arrays, (runs, periods, entities) per variable, in run order.

    ``progress`` is called with the runs done so far plus ``offset``.
    """
    from simulate.running.ensemble import run_chunks

    out: dict[str, np.ndarray] = {}
    done = 0
    for idx, arrays in run_chunks(spec, range(n), seed, **executor):
        for k, v in arrays.items():
            if k not in out:
                out[k] = np.empty((n, *v.shape[1:]))
            out[k][np.asarray(idx)] = v
        done += len(idx)
        if progress is not None:
            progress(offset + done)
    return out
