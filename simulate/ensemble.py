"""Executors for the batched driver: chunks of run indices, computed anywhere.

Work ships as chunks of run indices. Each chunk is computed by
:func:`simulate.batch.simulate_runs`, whose run *i* depends only on (seed, i),
so the numbers do not depend on the executor, the chunk size or the number of
workers. Three executors:

* in-process (the default: no process starts unless asked for);
* a local process pool (``workers=N``), which starts from any ``__main__``, even a
  script piped on standard input (``python - <<EOF``);
* a Dask cluster (``scheduler="tcp://host:port"`` or ``dask_local=N``), see
  :mod:`simulate.dask_executor`.

Chunks come back as they finish (not in run order). A worker process that dies
has its chunks retried on a fresh pool, up to ``retries`` times.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from simulate.batch import DEFAULT_CHUNK, simulate_runs
from simulate.errors import ExecutionError, InputError
from simulate.spec import RunSpec

Chunk = tuple[list[int], dict[str, np.ndarray]]

_WORKER_SPEC: RunSpec | None = None


def split(runs: Iterable[int], size: int) -> list[list[int]]:
    """Consecutive chunks of at most ``size`` run indices."""
    runs = [int(i) for i in runs]
    return [runs[lo : lo + size] for lo in range(0, len(runs), size)]


def run_chunks(
    spec: RunSpec,
    runs: Iterable[int],
    seed: int,
    *,
    chunk: int | None = None,
    fixed: Mapping[str, np.ndarray] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    retries: int = 3,
    sink: str | None = None,
) -> Iterator[Chunk]:
    """Yield ``(run_indices, arrays)`` per chunk, arrays variable -> (runs, periods, entities).

    With ``sink`` (a folder on this machine), each chunk's arrays are written there
    by whichever process computed them (:func:`simulate.summarystore.write_chunk`)
    and the chunk yields ``(run_indices, final_values)`` instead: only the per-run
    final values travel back. Local executors only.

    Args:
        spec: The run specification.
        runs: Run indices to simulate.
        seed: The scenario seed.
        chunk: Runs per chunk (default :data:`~simulate.batch.DEFAULT_CHUNK`).
        fixed: Values of random inputs by path, indexed by run (see ``simulate_runs``).
        workers: Local worker processes; None or 1 runs in this process.
        scheduler: Address of a running Dask scheduler.
        dask_local: Start a local Dask cluster with this many workers.
        retries: How often a chunk whose worker died is retried.
        sink: Spool folder for the arrays (local executors).
    """
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1 (got {workers})", field="--workers")
    if chunk is not None and chunk < 1:
        raise InputError(f"chunk must be at least 1 (got {chunk})", field="--chunk")
    if scheduler and dask_local:
        raise InputError("give --scheduler or --dask-local, not both", field="--scheduler")
    chunks = split(runs, chunk or DEFAULT_CHUNK)
    if scheduler or dask_local:
        from simulate.dask_executor import dask_chunks

        if sink is not None:
            raise ValueError("a spool sink needs a local executor")
        yield from dask_chunks(spec, chunks, seed, fixed=fixed, scheduler=scheduler,
                               n_workers=dask_local, retries=retries)  # fmt: skip
        return
    n = workers or 1
    if n <= 1 or len(chunks) <= 1:
        for idx in chunks:
            yield _compute(spec, idx, seed, fixed, sink)
        return
    yield from _pool_chunks(spec, chunks, seed, fixed, min(n, len(chunks)), retries, sink)


def _init_worker(spec: RunSpec) -> None:
    global _WORKER_SPEC
    _WORKER_SPEC = spec


def _compute(spec: RunSpec, idx: list[int], seed: int, fixed: Mapping[str, np.ndarray] | None,
             sink: str | None) -> tuple[list[int], Any]:  # fmt: skip
    arrays = simulate_runs(spec, idx, seed, fixed)
    if sink is None:
        return idx, arrays
    from simulate.runner import final_values
    from simulate.summarystore import write_chunk

    write_chunk(sink, idx, arrays)
    return idx, final_values(spec, idx, arrays)


def _work(idx: list[int], seed: int, fixed: Mapping[str, np.ndarray] | None,
          sink: str | None) -> tuple[list[int], Any]:  # fmt: skip
    assert _WORKER_SPEC is not None
    idx, out = _compute(_WORKER_SPEC, idx, seed, fixed, sink)
    if sink is None:
        out = {k: np.ascontiguousarray(v) for k, v in out.items()}
    return idx, out


def _pool_chunks(
    spec: RunSpec, chunks: list[list[int]], seed: int, fixed: Mapping[str, np.ndarray] | None,
    workers: int, retries: int, sink: str | None = None,
) -> Iterator[Chunk]:  # fmt: skip
    """Run chunks on a process pool, at most 2 per worker in flight, retrying on worker death."""
    import multiprocessing as mp

    pending = list(range(len(chunks)))
    attempts = [0] * len(chunks)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["simulate.batch", "simulate.runner"])
    while pending:
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(spec,))  # fmt: skip
        inflight: dict[Future, int] = {}
        broken = False
        try:
            while (pending or inflight) and not broken:
                while pending and len(inflight) < 2 * workers:
                    k = pending.pop(0)
                    with _main_importable():  # worker processes start on submit
                        inflight[pool.submit(_work, chunks[k], seed, fixed, sink)] = k
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    k = inflight.pop(fut)
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        broken = True
                        attempts[k] += 1
                        if attempts[k] > retries:
                            raise ExecutionError(
                                f"chunk of runs {chunks[k][0]}-{chunks[k][-1]} failed "
                                f"{attempts[k]} times: a worker process died each time"
                            ) from None
                        pending.insert(0, k)
            if broken:  # every chunk still in flight died with the pool: run them again
                pending[:0] = sorted(inflight.values())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=not broken, cancel_futures=True)


@contextlib.contextmanager
def _main_importable() -> Iterator[None]:
    """While worker processes start, hide a ``__main__.__file__`` that names no file.

    A new process re-runs the parent's main script from ``__main__.__file__``; for a
    script piped on standard input that is ``<stdin>``, and every worker would die
    with FileNotFoundError. The workers need nothing from ``__main__`` (their code
    lives in this package), so such a name is hidden while they start.
    """
    from multiprocessing import process

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main.__spec__, "name", None):
        yield
        return
    if os.path.isfile(os.path.join(process.ORIGINAL_DIR or "", path)):
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path
