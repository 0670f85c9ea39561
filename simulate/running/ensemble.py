"""An ensemble of the batched driver in chunks, on whichever executor the options choose.

The entry point of tools that need every run's arrays and reduce them themselves
(experiment designs, checks, the back-test, the EMA Workbench adapter): run *i*
depends only on (seed, i), so the numbers do not depend on the executor, the
chunk size or the number of workers. Chunks come back as they finish (not in run
order).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from simulate.model.spec import RunSpec
from simulate.running.chunks import Arrays, Simulate, split
from simulate.running.executors import check_chunk, choose


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
) -> Iterator[tuple[list[int], Arrays]]:
    """Yield ``(run_indices, arrays)`` per chunk, arrays variable -> (runs, periods, entities).

    Args:
        spec: The run specification.
        runs: Run indices to simulate.
        seed: The scenario seed.
        chunk: Runs per chunk (default :data:`~simulate.model.batch.DEFAULT_CHUNK`).
        fixed: Values of random inputs by path, indexed by run (see ``simulate_runs``).
        workers: Local worker processes; None or 1 runs in this process.
        scheduler: Address of a running Dask scheduler.
        dask_local: Start a local Dask cluster with this many workers.
        retries: How often a chunk whose worker died is retried.

    Raises:
        InputError: bad executor options (see :func:`simulate.running.executors.choose`).
    """
    size = check_chunk(chunk)
    executor = choose(workers=workers, scheduler=scheduler, dask_local=dask_local,
                      retries=retries)  # fmt: skip
    yield from executor.map(Simulate(spec, seed, fixed), split(runs, size))
