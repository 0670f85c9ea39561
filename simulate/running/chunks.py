"""Chunks of runs and the work done on one chunk, wherever it is done.

An ensemble is cut into chunks of consecutive run indices (:func:`split`). A
*chunk task* is a picklable callable ``task(runs) -> result`` that an executor
(:mod:`simulate.running.executors`) calls once per chunk, in this process, in a pool
worker or on a Dask worker:

* :class:`Simulate`: the batched driver's arrays, variable -> (runs, periods, entities);
* :class:`MesaRuns`: the same arrays from the Mesa driver, one model per run;
* :class:`SpoolWrite`: the arrays written into a spool folder by the process that
  computed them (:func:`simulate.running.summarystore.write_chunk`); only the per-run final
  values (:func:`final_values`) travel back.

Run *i* depends only on (seed, i), so the results do not depend on the chunking or
on where a chunk is computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from simulate.model.batch import simulate_runs
from simulate.model.spec import RunSpec
from simulate.results.files import entities_of
from simulate.scenarios.variables import column_name

#: One chunk's arrays: variable -> (runs, periods, entities).
Arrays = dict[str, np.ndarray]


class ChunkTask(Protocol):
    """The work on one chunk of run indices (picklable, so it can travel to a worker)."""

    def __call__(self, runs: list[int]) -> Any:
        """The chunk's result."""

    def only(self, runs: list[int]) -> ChunkTask:
        """This task with only what the chunk ``runs`` needs (what ships with one chunk)."""


def split(runs: Iterable[int], size: int) -> list[list[int]]:
    """Consecutive chunks of at most ``size`` run indices."""
    runs = [int(i) for i in runs]
    return [runs[lo : lo + size] for lo in range(0, len(runs), size)]


@dataclass(frozen=True)
class Simulate:
    """Simulate a chunk with the batched driver (:func:`simulate.model.batch.simulate_runs`).

    Attributes:
        spec: The run specification.
        seed: The scenario seed.
        fixed: Values of random inputs by path, each indexed by run index (or, after
            :meth:`only`, holding just the values of one chunk's runs).
        runs: The run indices ``fixed`` holds values for after :meth:`only`, else None.
    """

    spec: RunSpec
    seed: int
    fixed: Mapping[str, np.ndarray] | None = None
    runs: tuple[int, ...] | None = None

    def __call__(self, runs: list[int]) -> Arrays:
        """The chunk's arrays (views: each consumer copies into the layout it needs)."""
        return simulate_runs(self.spec, runs, self.seed, self._fixed(runs))

    def only(self, runs: list[int]) -> Simulate:
        """This task carrying only the chunk's values of ``fixed``."""
        if not self.fixed or not runs:
            return self
        idx = np.asarray(runs, dtype=np.int64)
        part = {k: np.asarray(v, dtype=float)[idx] for k, v in self.fixed.items()}
        return replace(self, fixed=part, runs=tuple(int(i) for i in runs))

    def _fixed(self, runs: Sequence[int]) -> Mapping[str, np.ndarray] | None:
        if not self.fixed or self.runs is None:
            return self.fixed
        # values of one chunk back at their run indices (untouched pages cost nothing)
        idx = np.asarray(self.runs, dtype=np.int64)
        size = int(max(self.runs)) + 1
        out = {}
        for k, v in self.fixed.items():
            full = np.empty(size)
            full[idx] = v
            out[k] = full
        return out


@dataclass(frozen=True)
class MesaRuns:
    """Simulate a chunk with the Mesa driver (the reference implementation), run by run."""

    spec: RunSpec
    seed: int

    def __call__(self, runs: list[int]) -> Arrays:
        """The chunk's arrays, as :class:`Simulate` gives them."""
        from simulate.model.mesa_model import BalancingModel

        per_run = [BalancingModel.from_spec(self.spec, run=i, seed=self.seed).run()
                   for i in runs]  # fmt: skip
        return {k: np.stack([r[k] for r in per_run]) for k in per_run[0]} if per_run else {}

    def only(self, runs: list[int]) -> MesaRuns:
        """This task (it holds nothing per run)."""
        return self


@dataclass(frozen=True)
class SpoolWrite:
    """Run ``inner`` on a chunk, write its arrays into the spool folder ``root``, and return
    only the chunk's final values (:func:`final_values`)."""

    inner: Simulate | MesaRuns
    root: str

    def __call__(self, runs: list[int]) -> pd.DataFrame:
        """The chunk's final values; its arrays are in the spool."""
        from simulate.running.summarystore import write_chunk

        arrays = self.inner(runs)
        write_chunk(self.root, runs, arrays)
        return final_values(self.inner.spec, runs, arrays)

    def only(self, runs: list[int]) -> SpoolWrite:
        """This task with the inner task's :meth:`~Simulate.only`."""
        return replace(self, inner=self.inner.only(runs))


def final_values(spec: RunSpec, runs: Sequence[int], arrays: Arrays) -> pd.DataFrame:
    """Per-run values at the last period, wide: ``run`` and one column per ``variable[entity]``.

    The values are gathered into one (runs, series) array, so the frame is one block of
    floats beside the run numbers, however many series there are.
    """
    names = [column_name(var, ent) for var in arrays for ent in entities_of(spec, var)]
    n = len(runs)
    values = np.empty((len(names), n))  # series-major: each column's values together
    k = 0
    for arr in arrays.values():
        width = arr.shape[2]
        values[k : k + width] = arr[:, -1, :].T
        k += width
    frame = pd.DataFrame(values.T, columns=names, copy=False)
    frame.insert(0, "run", np.asarray(runs, dtype=np.int64))
    return frame
