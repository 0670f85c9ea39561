"""The process-pool executor: chunks on local worker processes, retried when a worker dies.

Workers start from a forkserver, so the pool starts from any ``__main__``, even a
script piped on standard input (``python - <<EOF``). Each chunk's task travels
with the chunk (:meth:`simulate.running.chunks.ChunkTask.only`): a worker holds no state
between chunks. Results travel back through a private spool folder, not the
pool's pipe (see :func:`_work`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from simulate.errors import ExecutionError
from simulate.running.chunks import ChunkTask

Done = tuple[list[int], Any]


class ProcessPool:
    """Chunks on ``workers`` local processes, at most 2 per worker in flight.

    A worker that dies breaks the pool: every chunk in flight is run again on a
    fresh pool (at most ``retries`` times each), so each chunk is yielded exactly
    once. On any error or interrupt the workers are killed at once
    (:func:`simulate.io.cleanup.stop_pool`); the transfer folder is removed on every
    exit path.

    Args:
        workers: Worker processes (at least 2; fewer when there are fewer chunks).
        retries: How often a chunk whose worker died is run again.
    """

    local = True
    spool_first = False

    def __init__(self, workers: int, *, retries: int = 3) -> None:
        self.workers = workers
        self.retries = retries

    def map(self, task: ChunkTask, chunks: list[list[int]]) -> Iterator[Done]:
        """Yield ``(runs, task(runs))`` per chunk as workers finish them."""
        if len(chunks) <= 1:  # not worth starting processes
            for runs in chunks:
                yield runs, task(runs)
            return
        yield from _pool_chunks(task, chunks, min(self.workers, len(chunks)), self.retries)


def _init_worker(owner: int) -> None:
    from simulate.io.cleanup import watch_parent

    watch_parent(owner)  # a worker never outlives the run, even after kill -9 of the run


def _work(k: int, task: ChunkTask, runs: list[int], transfer: str) -> int:
    """Compute chunk ``k`` in a pool worker and leave its result in ``transfer``.

    Only the chunk number travels back through the pool's pipe: a message that
    small is written atomically, so a worker killed mid-way can never leave half a
    message that blocks the pool (large results would).
    """
    _put(Path(transfer), k, task(runs))
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


def _pool_chunks(task: ChunkTask, chunks: list[list[int]], workers: int,
                 retries: int) -> Iterator[Done]:  # fmt: skip
    import multiprocessing as mp
    import tempfile

    from simulate.io.cleanup import spool_prefix, start_helpers_quietly, stop_pool, sweep

    sweep(tempfile.gettempdir())  # transfer folders of runs that were killed
    pending = list(range(len(chunks)))
    attempts = [0] * len(chunks)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["simulate.model.batch", "simulate.running.chunks"])
    start_helpers_quietly()
    with tempfile.TemporaryDirectory(prefix=spool_prefix()) as transfer:
        while pending:
            pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                       initargs=(os.getpid(),))  # fmt: skip
            try:
                yield from _one_pool(pool, task, chunks, pending, attempts, retries,
                                     transfer, workers)  # fmt: skip
            except BaseException:
                stop_pool(pool)
                raise
            stop_pool(pool)


def _one_pool(pool: ProcessPoolExecutor, task: ChunkTask, chunks: list[list[int]],
              pending: list[int], attempts: list[int], retries: int, transfer: str,
              workers: int) -> Iterator[Done]:  # fmt: skip
    """Feed ``pending`` chunks to one pool until all are done or the pool breaks."""
    inflight: dict[Future, int] = {}

    def died(k: int) -> None:
        attempts[k] += 1
        if attempts[k] > retries:
            raise ExecutionError(f"chunk of runs {chunks[k][0]}-{chunks[k][-1]} failed "
                                 f"{attempts[k]} times: a worker process died each time")
        pending.insert(0, k)

    broken = False
    while (pending or inflight) and not broken:
        while pending and len(inflight) < 2 * workers and not broken:
            k = pending.pop(0)
            try:
                with _main_importable():  # worker processes start on submit
                    fut = pool.submit(_work, k, task.only(chunks[k]), chunks[k], transfer)
                inflight[fut] = k
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
            yield chunks[k], _take(Path(transfer), k)
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
