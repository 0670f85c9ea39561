"""Run policies over the same futures: every scenario's runs under every policy, paired.

A *future* is one run of one scenario: run *i* of scenario *s* takes the posterior
vector and the prior draws of (seed, *i*), whatever the policy, because a policy changes
only what its levers set (:func:`simulate.scenarios.levers.apply`). A *job* is one policy
on one scenario; every job's chunks go through one executor at once
(:class:`PolicyChunks`), and only the outputs asked for, at the periods asked for,
travel back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulate.model.batch import DEFAULT_CHUNK, simulate_runs
from simulate.model.preparation import prepare
from simulate.model.spec import RunSpec
from simulate.running.chunks import split
from simulate.running.executors import check_chunk, choose
from simulate.running.experiment import period_index
from simulate.scenarios import levers as lv
from simulate.scenarios.policies import Policy
from simulate.scenarios.scenario import LoadedScenario
from simulate.scenarios.schema import MAX_RUNS

#: Global chunk indices are ``job * STRIDE + run``: a run index is below MAX_RUNS.
STRIDE = MAX_RUNS


@dataclass(frozen=True)
class PolicyChunks:
    """Simulate a chunk of one job's runs; keep some outputs at some periods (picklable).

    Attributes:
        specs: The run spec of each job, by job number.
        seeds: Each job's seed.
        periods: Each job's period indices to keep.
        keep: The output variables to keep.
    """

    specs: Mapping[int, RunSpec]
    seeds: Mapping[int, int]
    periods: Mapping[int, tuple[int, ...]]
    keep: tuple[str, ...]

    def __call__(self, runs: list[int]) -> dict[str, np.ndarray]:
        """variable -> (runs, periods kept, entities) for the chunk's runs."""
        job = runs[0] // STRIDE
        local = [r - job * STRIDE for r in runs]
        out = simulate_runs(self.specs[job], local, self.seeds[job])
        idx = list(self.periods[job])
        return {v: np.ascontiguousarray(out[v][:, idx, :]) for v in self.keep}

    def only(self, runs: list[int]) -> PolicyChunks:
        """This task with the one job the chunk ``runs`` belongs to."""
        job = runs[0] // STRIDE
        return PolicyChunks({job: self.specs[job]}, {job: self.seeds[job]},
                            {job: self.periods[job]}, self.keep)  # fmt: skip


@dataclass(frozen=True)
class Futures:
    """The futures every policy runs: each scenario's runs 0..n-1 with its seed.

    Attributes:
        scenarios: The loaded scenarios.
        runs: Runs of each scenario.
        seeds: Seed of each scenario.
        point: Run the config as a point (no posterior, no priors).
    """

    scenarios: tuple[LoadedScenario, ...]
    runs: tuple[int, ...]
    seeds: tuple[int, ...]
    point: bool = False

    @property
    def names(self) -> list[str]:
        """The scenarios' names."""
        return [s.scenario.name for s in self.scenarios]

    @property
    def count(self) -> int:
        """How many futures."""
        return int(sum(self.runs))

    def scenario_of(self) -> np.ndarray:
        """The scenario index of each future (F,)."""
        return np.repeat(np.arange(len(self.runs)), self.runs)

    def first(self, n: int) -> Futures:
        """The first ``n`` runs of each scenario (fewer futures, the same ones)."""
        return dataclasses.replace(self, runs=tuple(min(r, n) for r in self.runs))

    def spec(self, s: int, policy: Policy) -> RunSpec:
        """The run spec of scenario ``s`` under ``policy``, with these runs and seed."""
        loaded = lv.apply(self.scenarios[s], policy.settings)
        return prepare(loaded, runs=self.runs[s], seed=self.seeds[s], point=self.point)


def run(futures: Futures, policies: Sequence[Policy], years: Sequence[float],
        keep: Sequence[str], *, progress: Any = None, chunk: int | None = None,
        **executor: Any) -> dict[str, np.ndarray]:  # fmt: skip
    """Every policy over every future: ``keep``'s values at ``years``.

    Args:
        futures: The futures.
        policies: The policies.
        years: Period starts, in every scenario's horizon.
        keep: Output variables.
        progress: Called with the number of runs done after each chunk.
        chunk: Runs per chunk (default the batched driver's).
        **executor: ``workers``, ``scheduler``, ``dask_local``.

    Returns:
        variable -> (policies, futures, years, entities).

    Raises:
        InputError: a year that is not a period start of a scenario; bad executor options.
    """
    size = min(check_chunk(chunk), DEFAULT_CHUNK)
    specs, seeds, periods, chunks = {}, {}, {}, []
    offsets = np.concatenate([[0], np.cumsum(futures.runs)]).astype(int)
    for p, policy in enumerate(policies):
        for s in range(len(futures.scenarios)):
            job = p * len(futures.scenarios) + s
            spec = futures.spec(s, policy)
            specs[job] = dataclasses.replace(spec, outputs=list(keep))
            seeds[job] = spec.scenario.seed
            periods[job] = tuple(period_index(spec, y) for y in years)
            chunks += split(range(job * STRIDE, job * STRIDE + futures.runs[s]), size)
    task = PolicyChunks(specs, seeds, periods, tuple(keep))
    out: dict[str, np.ndarray] = {}
    done = 0
    for runs, arrays in choose(**executor).map(task, chunks):
        job = runs[0] // STRIDE
        p, s = divmod(job, len(futures.scenarios))
        at = offsets[s] + np.asarray(runs) - job * STRIDE
        for v, arr in arrays.items():
            if v not in out:
                out[v] = np.empty((len(policies), futures.count, len(years), arr.shape[-1]))
            out[v][p, at] = arr
        done += len(runs)
        if progress is not None:
            progress(done)
    return out
