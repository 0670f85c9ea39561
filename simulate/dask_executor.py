"""The Dask executor: chunks of runs on a Dask distributed cluster (``multivector[dist]``).

A chunk is one task. The scheduler re-runs the task of a worker that dies
(``allowed_failures``), and tasks that raise are retried ``retries`` times, so
the final result has every run exactly once. Results stream back as tasks finish.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from simulate.batch import simulate_runs
from simulate.errors import ExecutionError, InputError
from simulate.spec import RunSpec

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


def _work(spec: RunSpec, idx: list[int], seed: int, fixed: Mapping[str, np.ndarray] | None):
    arrays = simulate_runs(spec, idx, seed, fixed)
    return idx, {k: np.ascontiguousarray(v) for k, v in arrays.items()}


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

    from simulate.cleanup import spool_prefix, start_helpers_quietly, sweep

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


def dask_chunks(
    spec: RunSpec,
    chunks: list[list[int]],
    seed: int,
    *,
    fixed: Mapping[str, np.ndarray] | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    retries: int = 3,
    client: Any = None,
) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """Yield ``(run_indices, arrays)`` per chunk as Dask tasks finish."""
    distributed = require_dask()
    with contextlib.ExitStack() as stack:
        stack.enter_context(cluster_errors())
        if client is None:
            client = stack.enter_context(client_for(scheduler, n_workers))
        spec_f = _held(client, spec, retries)
        fixed_f = _held(client, dict(fixed), retries) if fixed else None
        futures = [client.submit(_work, spec_f, idx, seed, fixed_f, retries=retries,
                                 pure=False) for idx in chunks]  # fmt: skip
        try:
            for fut in distributed.as_completed(futures):
                yield fut.result()
                fut.release()
        finally:
            client.cancel(futures)


def _same(x: Any) -> Any:
    return x


def _held(client: Any, value: Any, retries: int) -> Any:
    """A future holding ``value`` on the cluster.

    A task that returns the value, not scattered data: if the worker holding it
    dies, the scheduler computes it again, where scattered data would be lost.
    """
    return client.submit(_same, value, pure=False, retries=retries)


def _pick(arrays: tuple[list[int], dict[str, np.ndarray]], var: str) -> np.ndarray:
    return arrays[1][var]


def _finals(spec: RunSpec, arrays: tuple[list[int], dict[str, np.ndarray]]):  # noqa: ANN202
    from simulate.runner import final_values

    return final_values(spec, arrays[0], arrays[1])


def _stats(*parts: np.ndarray) -> np.ndarray:
    from simulate.summarystore import stats_over_runs

    return stats_over_runs(np.concatenate(parts))


def dask_summary(
    spec: RunSpec,
    chunks: list[list[int]],
    seed: int,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    retries: int = 3,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, np.ndarray], list[Any]]:
    """Summary statistics computed on the cluster: only statistics and final values come back.

    Chunk results stay on the workers; one task per variable gathers that
    variable from every chunk (in run order) and computes
    :func:`~simulate.summarystore.stats_over_runs`. A lost worker's chunks are
    recomputed by the scheduler from the task graph.

    Returns:
        Statistics by variable, shape (len(STATS), periods, entities), and the
        per-chunk final values (DataFrames as from ``runner.final_values``).
    """
    distributed = require_dask()
    with cluster_errors(), client_for(scheduler, n_workers) as client:
        spec_f = _held(client, spec, retries)
        runs = [client.submit(_work, spec_f, idx, seed, None, retries=retries, pure=False)
                for idx in chunks]  # fmt: skip
        finals_f = [client.submit(_finals, spec_f, r, retries=retries) for r in runs]
        done, finals = 0, {}
        for fut in distributed.as_completed(finals_f):
            k = finals_f.index(fut)
            finals[k] = fut.result()
            done += len(chunks[k])
            if progress is not None:
                progress(done)
        stats_f = {}
        for var in spec.outputs:
            parts = [client.submit(_pick, r, var, retries=retries) for r in runs]
            stats_f[var] = client.submit(_stats, *parts, retries=retries)
        stats = dict(zip(stats_f, client.gather(list(stats_f.values())), strict=True))
        del runs, finals_f, stats_f  # release the chunk results held on the workers
    return stats, [finals[k] for k in range(len(chunks))]
