"""Executors: where the chunks of an ensemble are computed, behind one interface.

An :class:`Executor` maps a chunk task (:mod:`simulate.running.chunks`) over chunks of run
indices and yields ``(runs, result)`` per chunk as chunks finish (not in run
order). Every executor gives the same results, because run *i* depends only on
(seed, i). Three executors:

* :class:`InProcess` (the default: no process starts unless asked for);
* :class:`simulate.running.pool.ProcessPool` (``workers=N``): local processes, a chunk whose
  worker died is run again;
* :class:`simulate.running.dask_executor.DaskCluster` (``scheduler=`` or ``dask_local=``).

:func:`choose` picks one from the options, once, and checks them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from simulate.errors import InputError
from simulate.running.chunks import ChunkTask


class Executor(Protocol):
    """Computes chunk tasks somewhere.

    Attributes:
        local: True when the chunks are computed on this machine (its disk and memory
            are what the run uses, and a spool folder here is reachable by the workers).
        workers: Processes computing chunks at once.
        spool_first: True when bringing a chunk's arrays back costs more than having
            its worker write them into a local spool (a summary then spools them even
            when they would fit in memory).
    """

    local: bool
    workers: int
    spool_first: bool

    def map(self, task: ChunkTask, chunks: list[list[int]]) -> Iterator[tuple[list[int], Any]]:
        """Yield ``(runs, task(runs))`` for every chunk, each exactly once, as they finish."""
        ...


class InProcess:
    """Every chunk in this process, in order."""

    local = True
    workers = 1
    spool_first = False

    def map(self, task: ChunkTask, chunks: list[list[int]]) -> Iterator[tuple[list[int], Any]]:
        """Yield ``(runs, task(runs))`` chunk by chunk."""
        for runs in chunks:
            yield runs, task(runs)


def choose(*, workers: int | None = None, scheduler: str | None = None,
           dask_local: int | None = None, retries: int = 3) -> Executor:  # fmt: skip
    """The executor the options ask for: Dask, a process pool, or this process.

    Args:
        workers: Local worker processes; None or 1 computes in this process.
        scheduler: Address of a running Dask scheduler.
        dask_local: Start a local Dask cluster with this many workers.
        retries: How often a chunk whose worker died is run again.

    Raises:
        InputError: a worker count below 1, both Dask options, or Dask not installed.
    """
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1 (got {workers})", field="workers")
    if scheduler and dask_local:
        raise InputError("give a scheduler address or a local cluster size, not both",
                         field="dask")
    if scheduler or dask_local:
        from simulate.running.dask_executor import DaskCluster

        return DaskCluster(scheduler=scheduler, n_workers=dask_local, retries=retries)
    if workers is not None and workers > 1:
        from simulate.running.pool import ProcessPool

        return ProcessPool(workers, retries=retries)
    return InProcess()


def check_chunk(chunk: int | None) -> int:
    """The chunk size to use: ``chunk``, or the batched driver's default.

    Raises:
        InputError: a chunk size below 1.
    """
    from simulate.model.batch import DEFAULT_CHUNK

    if chunk is not None and chunk < 1:
        raise InputError(f"chunk must be at least 1 (got {chunk})", field="chunk")
    return chunk or DEFAULT_CHUNK
