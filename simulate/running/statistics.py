"""The statistics of a summary run: where the chunks are kept and where statistics are computed.

Decided once per run, from its executor and its size:

* on a Dask cluster, the statistics are computed on the cluster, where the
  chunks are (only statistics and final values come back);
* on this machine, when the arrays fit in memory
  (:func:`simulate.io.resources.stats_in_memory`), chunks are kept in memory as they
  arrive and the statistics computed from there, with no disk spool and no
  second pass over one;
* on this machine, when they do not, every chunk is spooled to disk by the
  process that computed it, and read back in blocks of entity columns.

The numbers are the same whichever way is taken (the same arrays in the same
layout reach :func:`simulate.running.summarystore.stats_over_runs`), on any executor and
with any chunking.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from simulate.errors import InputError
from simulate.model.spec import RunSpec
from simulate.results.files import entities_of
from simulate.running.chunks import MesaRuns, Simulate, SpoolWrite, final_values
from simulate.running.executors import Executor
from simulate.running.summarystore import Memory, Spool, final_rows, spool_stats, summary_rows

#: Called with the runs done after each chunk.
RunsDone = Callable[[int], None]
#: Called with (blocks done, blocks in all) while the statistics are computed.
BlocksDone = Callable[[int, int], None]


class Reducing(Executor, Protocol):
    """An executor that computes the statistics where the chunks are (a Dask cluster)."""

    def summary(self, task: Simulate, chunks: list[list[int]], progress: RunsDone | None,
                ) -> tuple[dict[str, np.ndarray], list[pd.DataFrame]]:  # fmt: skip
        """Statistics by variable and the final values of every chunk."""
        ...


def summarise_runs(
    spec: RunSpec,
    executor: Executor,
    task: Simulate | MesaRuns,
    chunks: list[list[int]],
    *,
    in_memory: bool,
    folder: Path | None = None,
    progress: RunsDone | None = None,
    blocks: BlocksDone | None = None,
) -> tuple[pa.Table, pd.DataFrame]:
    """Run the chunks and reduce them to the rows of a summary file.

    Args:
        spec: The run specification.
        executor: Where the chunks are computed.
        task: The chunk task giving each chunk's arrays.
        chunks: Run indices, by chunk.
        in_memory: Keep the arrays of a local executor in memory (else in a spool).
        folder: Where a spool goes (default: the temporary folder).
        progress: Called with the runs done after each chunk.
        blocks: Called with (blocks done, blocks in all) while statistics are computed.

    Returns:
        The summary rows (:data:`~simulate.running.summarystore.SUMMARY_SCHEMA`) and the
        per-run final values in run order.
    """
    finals: list[pd.DataFrame] = []
    if not executor.local:
        stats, finals = cast(Reducing, executor).summary(task, chunks, progress)
    elif in_memory:
        store = Memory()
        for runs, arrays in _counted(executor.map(task, chunks), progress):
            store.add(runs, arrays)
            finals.append(final_values(spec, runs, arrays))
        stats = spool_stats(spec, store, blocks)
    else:
        with Spool(folder) as spool, _spool_errors(spool.root):
            for runs, final in _counted(executor.map(SpoolWrite(task, str(spool.root)), chunks),
                                        progress):  # fmt: skip
                spool.register(runs)
                finals.append(final)
            stats = spool_stats(spec, spool, blocks)
    final = pd.concat(finals, ignore_index=True).sort_values("run", ignore_index=True)
    entities = {v: entities_of(spec, v) for v in spec.outputs}
    table = pa.concat_tables([summary_rows(spec, stats, entities),
                              final_rows(final, float(spec.times[-1]), entities)])  # fmt: skip
    return table, final


def _counted(done: Iterator[tuple[list[int], Any]],
             progress: RunsDone | None) -> Iterator[tuple[list[int], Any]]:  # fmt: skip
    n = 0
    for runs, out in done:
        yield runs, out
        n += len(runs)
        if progress is not None:
            progress(n)


@contextlib.contextmanager
def _spool_errors(root: Path) -> Iterator[None]:
    """A spool write that fails (disk full) becomes one message naming the spool's folder."""
    from simulate.errors import DISK_ERRNOS

    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_ERRNOS:
            raise
        raise InputError(f"cannot write the temporary spool ({exc.strerror}); no result was "
                         "written", file=root.parent, field="output") from None  # fmt: skip
