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
import pickle
import sys
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
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
        raise InputError(f"workers must be at least 1 (got {workers})", field="workers")
    if chunk is not None and chunk < 1:
        raise InputError(f"chunk must be at least 1 (got {chunk})", field="chunk")
    if scheduler and dask_local:
        raise InputError("give --scheduler or --dask-local, not both", field="scheduler")
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


def _init_worker(spec: RunSpec, owner: int) -> None:
    global _WORKER_SPEC
    _WORKER_SPEC = spec
    from simulate.cleanup import watch_parent

    watch_parent(owner)  # a worker never outlives the run, even after kill -9 of the run


def _compute(spec: RunSpec, idx: list[int], seed: int, fixed: Mapping[str, np.ndarray] | None,
             sink: str | None) -> tuple[list[int], Any]:  # fmt: skip
    arrays = simulate_runs(spec, idx, seed, fixed)
    if sink is None:
        return idx, arrays
    from simulate.runner import final_values
    from simulate.summarystore import write_chunk

    write_chunk(sink, idx, arrays)
    return idx, final_values(spec, idx, arrays)


def _work(k: int, idx: list[int], seed: int, fixed: Mapping[str, np.ndarray] | None,
          sink: str | None, transfer: str) -> int:  # fmt: skip
    """Compute chunk ``k`` in a pool worker and leave its result in ``transfer``.

    Only the chunk number travels back through the pool's pipe: a message that
    small is written atomically, so a worker killed mid-way can never leave half a
    message that blocks the pool (large results would).
    """
    if _WORKER_SPEC is None:
        raise RuntimeError("pool worker without a spec")
    _, out = _compute(_WORKER_SPEC, idx, seed, fixed, sink)
    _put(Path(transfer), k, out)
    return k


def _put(folder: Path, k: int, out: Any) -> None:
    path = folder / f"chunk-{k:09d}.pkl"
    tmp = folder / f".chunk-{k:09d}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # complete or absent, never half


def _take(folder: Path, k: int) -> Any:
    path = folder / f"chunk-{k:09d}.pkl"
    with open(path, "rb") as fh:
        out = pickle.load(fh)  # noqa: S301 - written by this run's own workers
    path.unlink()
    return out


def _pool_chunks(
    spec: RunSpec, chunks: list[list[int]], seed: int, fixed: Mapping[str, np.ndarray] | None,
    workers: int, retries: int, sink: str | None = None,
) -> Iterator[Chunk]:  # fmt: skip
    """Run chunks on a process pool, at most 2 per worker in flight, retrying on worker death.

    A worker that dies breaks the pool: every chunk in flight is run again on a
    fresh pool (at most ``retries`` times each), so each chunk is yielded exactly
    once. On any error or interrupt the workers are killed at once
    (:func:`simulate.cleanup.stop_pool`); results travel through a private spool
    folder that is removed on every exit path.
    """
    import multiprocessing as mp
    import tempfile

    from simulate.cleanup import spool_prefix, start_helpers_quietly, stop_pool, sweep

    if sink is None:
        sweep(tempfile.gettempdir())  # transfer folders of runs that were killed
    pending = list(range(len(chunks)))
    attempts = [0] * len(chunks)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["simulate.batch", "simulate.runner"])
    start_helpers_quietly()
    with tempfile.TemporaryDirectory(prefix=spool_prefix(), dir=sink and Path(sink).parent) as tr:
        while pending:
            pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                       initargs=(spec, os.getpid()))  # fmt: skip
            try:
                yield from _one_pool(pool, chunks, pending, attempts, retries,
                                     (seed, fixed, sink, tr), workers)  # fmt: skip
            except BaseException:
                stop_pool(pool)
                raise
            stop_pool(pool)


def _one_pool(pool: ProcessPoolExecutor, chunks: list[list[int]], pending: list[int],
              attempts: list[int], retries: int, args: tuple, workers: int,
              ) -> Iterator[Chunk]:  # fmt: skip
    """Feed ``pending`` chunks to one pool until all are done or the pool breaks."""
    inflight: dict[Future, int] = {}

    def died(k: int) -> None:
        attempts[k] += 1
        if attempts[k] > retries:
            raise ExecutionError(f"chunk of runs {chunks[k][0]}-{chunks[k][-1]} failed "
                                 f"{attempts[k]} times: a worker process died each time")
        pending.insert(0, k)

    transfer = Path(args[-1])
    broken = False
    while (pending or inflight) and not broken:
        while pending and len(inflight) < 2 * workers and not broken:
            k = pending.pop(0)
            try:
                with _main_importable():  # worker processes start on submit
                    inflight[pool.submit(_work, k, chunks[k], *args)] = k
            except (BrokenProcessPool, RuntimeError):  # the pool broke since the last wait
                pending.insert(0, k)
                broken = True
        if not inflight:
            break
        done, _ = wait(inflight, return_when=FIRST_COMPLETED)
        for fut in done:
            k = inflight.pop(fut)
            try:
                fut.result()
            except BrokenProcessPool:
                broken = True
                died(k)
                continue
            yield chunks[k], _take(transfer, k)
    for k in sorted(inflight.values(), reverse=True):  # died with the pool: run them again
        died(k)


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
