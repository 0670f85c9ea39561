"""The Dask executor: chunks of runs on a Dask distributed cluster (``multivector[dist]``).

A chunk is one task. The scheduler re-runs the task of a worker that dies
(``allowed_failures``), and tasks that raise are retried ``retries`` times, so
the final result has every run exactly once. Results stream back as tasks finish.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from simulate.errors import ExecutionError, InputError
from simulate.running.chunks import ChunkTask, Simulate, final_values
from simulate.running.summarystore import stats_over_runs

#: Seconds to wait for a scheduler before giving up.
CONNECT_TIMEOUT = 5


def require_dask() -> Any:
    """Import ``distributed``, or fail with how to install it."""
    try:
        import distributed
    except ImportError:
        raise InputError(
            "Dask is not installed; install the extra: pip install 'multivector[dist]'",
            field="dask",
        ) from None
    return distributed


@contextlib.contextmanager
def client_for(scheduler: str | None, n_workers: int | None) -> Iterator[Any]:
    """A Dask client on ``scheduler``, or on a new loopback ``LocalCluster`` of ``n_workers``.

    A local cluster keeps its scratch files in a spool folder named after this
    process, removed on exit and swept by the next run if this one is killed.
    """
    distributed = require_dask()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} within "
                             f"{CONNECT_TIMEOUT} s ({type(exc).__name__})",
                             field="scheduler") from None  # fmt: skip
        with client:
            yield client
        return
    import tempfile

    import dask

    from simulate.io.cleanup import spool_prefix, start_helpers_quietly, sweep

    sweep(tempfile.gettempdir())  # scratch folders of clusters whose run was killed
    start_helpers_quietly(forkserver=False)
    with tempfile.TemporaryDirectory(prefix=spool_prefix()) as scratch, \
            dask.config.set({"temporary-directory": scratch}), \
            _local_cluster(distributed, n_workers, scratch) as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        yield client


#: Attempts to start a local cluster (a worker that dies while it starts fails the start).
CLUSTER_STARTS = 3


def _local_cluster(distributed: Any, n_workers: int | None, scratch: str) -> Any:
    """A loopback ``LocalCluster``, started again when a worker dies during its start."""
    attempt = 1
    while True:
        try:
            return distributed.LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, silence_logs=40, local_directory=scratch,
            )  # fmt: skip
        except (RuntimeError, OSError, TimeoutError) as exc:
            if attempt == CLUSTER_STARTS:
                raise ExecutionError(f"the local Dask cluster did not start in {attempt} "
                                     f"attempts ({type(exc).__name__}: {exc})") from None
            attempt += 1


@contextlib.contextmanager
def cluster_errors() -> Iterator[None]:
    """A failure of the cluster itself (tasks that kept losing their worker, a lost
    connection) as one :class:`~simulate.errors.ExecutionError` line."""
    try:
        yield
    except (InputError, ExecutionError):
        raise
    except Exception as exc:  # distributed raises many kinds: KilledWorker, CommClosedError...
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise ExecutionError(f"the Dask cluster failed: {type(exc).__name__}"
                             + (f": {first}" if first else "")) from None


class DaskCluster:
    """Chunks as Dask tasks, on a running scheduler or on a new local cluster.

    The chunk task is held on the cluster once (:func:`_held`) and every chunk is one
    task calling it. A cluster is used for one :meth:`map` or :meth:`summary` and
    closed after it (a local one is stopped).

    Args:
        scheduler: Address of a running scheduler, or None for a local cluster.
        n_workers: Workers of the local cluster.
        retries: How often a task that raised is run again.
        client: An existing client to use instead (it is left open).
    """

    #: Arrays would come back over the network, so a local cluster's workers spool them.
    spool_first = True

    def __init__(self, *, scheduler: str | None = None, n_workers: int | None = None,
                 retries: int = 3, client: Any = None) -> None:  # fmt: skip
        require_dask()  # import (or fail) before any output is opened
        #: A cluster this executor starts is on this machine: its workers can write a
        #: summary's chunks into a spool folder here, as a process pool's do. A cluster
        #: named by address (or client) may be anywhere: it reduces where the chunks are.
        self.local = scheduler is None and client is None
        self.scheduler = scheduler
        self.workers = n_workers or 1
        self._n_workers = n_workers
        self.retries = retries
        self._client = client

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Any]:
        with cluster_errors():
            if self._client is not None:
                yield self._client
                return
            with client_for(self.scheduler, self._n_workers) as client:
                yield client

    def map(self, task: ChunkTask, chunks: list[list[int]]) -> Iterator[tuple[list[int], Any]]:
        """Yield ``(runs, task(runs))`` per chunk as Dask tasks finish."""
        distributed = require_dask()
        with self._connect() as client:
            task_f = _held(client, task, self.retries)
            futures = {client.submit(_call, task_f, runs, retries=self.retries, pure=False): runs
                       for runs in chunks}  # fmt: skip
            try:
                for fut in distributed.as_completed(list(futures)):
                    yield futures[fut], fut.result()
                    fut.release()
            finally:
                client.cancel(list(futures))

    def summary(self, task: Simulate, chunks: list[list[int]],
                progress: Callable[[int], None] | None = None,
                ) -> tuple[dict[str, np.ndarray], list[pd.DataFrame]]:  # fmt: skip
        """Summary statistics computed on the cluster: only statistics and final values
        come back.

        Chunk results stay on the workers; one task per variable gathers that
        variable from every chunk (in run order) and computes
        :func:`~simulate.running.summarystore.stats_over_runs`. A lost worker's chunks are
        recomputed by the scheduler from the task graph.

        Returns:
            Statistics by variable, shape (len(STATS), periods, entities), and the
            per-chunk final values (:func:`simulate.running.chunks.final_values`) in run order.
        """
        distributed = require_dask()
        r = self.retries
        with self._connect() as client:
            task_f = _held(client, task, r)
            outs = [client.submit(_call, task_f, runs, retries=r, pure=False) for runs in chunks]
            finals_f = [client.submit(_finals, task_f, runs, out, retries=r)
                        for runs, out in zip(chunks, outs, strict=True)]  # fmt: skip
            done, finals = 0, {}
            where = {f.key: k for k, f in enumerate(finals_f)}
            for fut in distributed.as_completed(finals_f):
                k = where[fut.key]
                finals[k] = fut.result()
                done += len(chunks[k])
                if progress is not None:
                    progress(done)
            stats_f = {}
            for var in task.spec.outputs:
                parts = [client.submit(_pick, out, var, retries=r) for out in outs]
                stats_f[var] = client.submit(_stats, *parts, retries=r)
            stats = dict(zip(stats_f, client.gather(list(stats_f.values())), strict=True))
            del outs, finals_f, stats_f  # release the chunk results held on the workers
        return stats, [finals[k] for k in range(len(chunks))]


def _call(task: ChunkTask, runs: list[int]) -> Any:
    return task(runs)


def _same(x: Any) -> Any:
    return x


def _held(client: Any, value: Any, retries: int) -> Any:
    """A future holding ``value`` on the cluster.

    A task that returns the value, not scattered data: if the worker holding it
    dies, the scheduler computes it again, where scattered data would be lost.
    """
    return client.submit(_same, value, pure=False, retries=retries)


def _pick(arrays: dict[str, np.ndarray], var: str) -> np.ndarray:
    return arrays[var]


def _finals(task: Simulate, runs: list[int], arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    return final_values(task.spec, runs, arrays)


def _stats(*parts: np.ndarray) -> np.ndarray:
    return stats_over_runs(np.concatenate(parts))
