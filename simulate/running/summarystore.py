"""Summary result files: statistics over runs per time, plus every run's final values.

Every run's full trajectories are stored chunk by chunk and read back one
variable (or block of entity columns) at a time: in memory when they fit
(:class:`Memory`), else spooled to disk, one file per variable and chunk
(:class:`Spool`), so memory stays bounded however many runs there are.
Statistics are computed on the runs in run order, so they do not depend on
chunking, workers, executor or where the chunks were kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from simulate.io import resources
from simulate.model.spec import RunSpec
from simulate.scenarios.variables import column_name

#: Quantiles kept per time, variable and entity.
QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)
#: The ``stat`` labels of summary rows, in order.
STATS = ("mean", "sd", "p05", "p25", "p50", "p75", "p95")
#: ``stat`` of the per-run rows at the horizon's end.
FINAL = "final"
SUMMARY_SCHEMA = pa.schema(
    [("run", pa.int64()), ("time", pa.float64()), ("variable", pa.string()),
     ("entity", pa.string()), ("value", pa.float64()), ("stat", pa.string())]
)  # fmt: skip


def stats_over_runs(values: np.ndarray) -> np.ndarray:
    """Statistics over the run axis of (runs, ...) values: array (len(STATS), ...).

    The values are first laid out one column per series and period, runs contiguous
    (one copy), so the numbers do not depend on the layout the values came in: a
    memory store, a spool and a Dask worker give the same bits. The standard
    deviation uses ddof=1 (0 when there is a single run).
    """
    n = values.shape[0]
    columns = _columns(values)
    mean = columns.mean(axis=-1)
    sd = columns.std(axis=-1, ddof=1) if n > 1 else np.zeros_like(mean)
    columns.sort(axis=-1)  # in place: NaN sorts last
    q = _sorted_quantiles(columns, QUANTILES)
    return np.concatenate([mean[None], sd[None], q]).reshape(len(STATS), *values.shape[1:])


def quantiles(values: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Exact quantiles over the run axis of (runs, ...) values: array (len(qs), ...).

    The same numbers as ``np.quantile(values, qs, axis=0)`` (its default, linear
    method, bit for bit, NaN propagated), by one sort of each column laid out
    contiguously, which numpy does with SIMD, instead of a partition per quantile.
    """
    columns = _columns(values)
    columns.sort(axis=-1)
    return _sorted_quantiles(columns, qs).reshape(len(qs), *values.shape[1:])


def _columns(values: np.ndarray) -> np.ndarray:
    """(runs, ...) values as a C-contiguous (columns, runs) copy, never a view (it is
    sorted in place, and the values may be a read-only spool file's)."""
    return np.array(values.reshape(values.shape[0], -1).T, dtype=np.float64, order="C",
                    copy=True)  # fmt: skip


def _sorted_quantiles(columns: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """numpy's linear quantiles of each row of sorted (columns, runs): (len(qs), columns)."""
    n = columns.shape[1]
    out = np.empty((len(qs), columns.shape[0]))
    for k, q in enumerate(qs):
        virtual = (n - 1) * q
        lo = int(np.floor(virtual))
        hi = min(lo + 1, n - 1)
        t = virtual - lo
        a, b = columns[:, lo], columns[:, hi]
        diff = b - a
        out[k] = b - diff * (1 - t) if t >= 0.5 else a + diff * t
    out[:, np.isnan(columns[:, -1])] = np.nan
    return out


def write_chunk(root: str | Path, runs: list[int], arrays: dict[str, np.ndarray]) -> None:
    """Write one chunk's arrays into a spool folder (also called by worker processes)."""
    root = Path(root)
    key = _key(runs)
    for var, arr in arrays.items():  # entity-major, so that a block of columns is contiguous
        np.save(root / f"{var}-{key}.npy", _entity_major(arr))
    np.save(root / f"runs-{key}.npy", np.asarray(runs, dtype=np.int64))  # written last


def _key(runs: list[int]) -> str:
    return f"{runs[0]:012d}" if runs else "empty"


def _entity_major(arr: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(arr, -1, 0))


class Store:
    """Chunks of every run's arrays, read back one variable (or block of entities) at a time.

    Chunks are kept entity-major, (entities, runs, periods), and read back in run
    order whatever order they arrived in. :class:`Spool` keeps them in files,
    :class:`Memory` in memory; both give the same arrays, in the same memory layout,
    so the statistics of :func:`spool_stats` are the same numbers from either.
    """

    def __init__(self) -> None:
        self._chunks: list[int] = []

    def _load(self, name: str, key: str) -> np.ndarray:
        """A stored array (``runs`` or a variable) of the chunk ``key``."""
        raise NotImplementedError

    def register(self, runs: list[int]) -> None:
        """Record a stored chunk."""
        if runs:
            self._chunks.append(int(runs[0]))

    def runs(self) -> np.ndarray:
        """Every stored run index, in run order."""
        parts = [self._load("runs", f"{k:012d}") for k in sorted(self._chunks)]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def variable(self, var: str, columns: slice | None = None) -> np.ndarray:
        """One variable over every stored run, in run order: (runs, periods, entities).

        ``columns`` keeps a slice of the entities; only that slice is copied (a
        spool's chunk files are memory-mapped).
        """
        order = sorted(self._chunks)
        cols = slice(None) if columns is None else columns
        parts = [self._load(var, f"{k:012d}")[cols] for k in order]
        arr = np.moveaxis(np.concatenate(parts, axis=1), 0, -1)
        idx = self.runs()
        if np.any(np.diff(idx) < 0):
            arr = arr[np.argsort(idx, kind="stable")]
        return arr

    def width(self, var: str) -> int:
        """The number of entity columns a variable has."""
        return int(self._load(var, f"{min(self._chunks):012d}").shape[0])


class Memory(Store):
    """The chunks in memory: for ensembles whose arrays fit (see
    :func:`simulate.io.resources.stats_in_memory`)."""

    def __init__(self) -> None:
        super().__init__()
        self._arrays: dict[tuple[str, str], np.ndarray] = {}

    def add(self, runs: list[int], arrays: dict[str, np.ndarray]) -> None:
        """Store one chunk (arrays variable -> (runs, periods, entities))."""
        key = _key(runs)
        for var, arr in arrays.items():
            self._arrays[var, key] = _entity_major(arr)
        self._arrays["runs", key] = np.asarray(runs, dtype=np.int64)
        self.register(runs)

    def _load(self, name: str, key: str) -> np.ndarray:
        return self._arrays[name, key]


class Spool(Store):
    """Per-variable chunk files in a temporary folder, removed on :meth:`close`.

    The folder is named after this process (``.multivector-spool-PID-XXXX``), so one
    left behind by a killed run is removed by the next (:func:`simulate.io.cleanup.sweep`).
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        from simulate.io.cleanup import spool_prefix, sweep

        super().__init__()
        sweep(directory or tempfile.gettempdir())  # spools of runs that were killed
        self._tmp = tempfile.TemporaryDirectory(prefix=spool_prefix(), dir=directory)
        self.root = Path(self._tmp.name)

    def add(self, runs: list[int], arrays: dict[str, np.ndarray]) -> None:
        """Store one chunk (arrays variable -> (runs, periods, entities))."""
        write_chunk(self.root, runs, arrays)
        self.register(runs)

    def _load(self, name: str, key: str) -> np.ndarray:
        return np.load(self.root / f"{name}-{key}.npy", mmap_mode=None if name == "runs" else "r")

    def close(self) -> None:
        """Delete the spooled files."""
        self._tmp.cleanup()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Bytes of one variable's values a statistics task holds at once (its entity columns
#: are taken in blocks below this size), so memory stays bounded with many entities.
BLOCK_BYTES = resources.BLOCK_BYTES


def spool_stats(spec: RunSpec, store: Store,
                progress: Callable[[int, int], None] | None = None,
                ) -> dict[str, np.ndarray]:  # fmt: skip
    """Statistics per variable from a store, (len(STATS), periods, entities) each.

    Each variable is read in blocks of entity columns (:data:`BLOCK_BYTES`); the
    statistics of a column do not depend on the others, so the numbers are the same.

    Args:
        spec: The run specification.
        store: The chunks (a :class:`Spool` or :class:`Memory`).
        progress: Called with (blocks done, blocks in all) as blocks finish.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    n_runs = len(store.runs())
    per_column = max(n_runs * len(spec.times) * 8, 1)
    tasks = []
    for var in spec.outputs:
        width = store.width(var)
        step = max(1, min(width, BLOCK_BYTES // per_column))
        tasks += [(var, slice(a, min(a + step, width))) for a in range(0, max(width, 1), step)]
    out: dict[str, list[np.ndarray]] = {v: [] for v in spec.outputs}
    # numpy releases the GIL while partitioning: one thread per CPU, one block each
    with ThreadPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
        blocks = pool.map(lambda t: stats_over_runs(store.variable(*t)), tasks)
        for done, ((var, _), stats) in enumerate(zip(tasks, blocks, strict=True), 1):
            out[var].append(stats)
            if progress is not None:
                progress(done, len(tasks))
    return {v: np.concatenate(parts, axis=-1) for v, parts in out.items()}


def summary_rows(
    spec: RunSpec, stats_by_var: dict[str, np.ndarray], entities: dict[str, list[str]]
) -> pa.Table:
    """The ``run == -1`` rows: every statistic per time, variable and entity."""
    tables = []
    n_t, n_s = len(spec.times), len(STATS)
    for var in spec.outputs:
        stats = stats_by_var[var]
        ents = entities[var]
        n_e = len(ents)
        tables.append(pa.table({
            "run": np.full(n_s * n_t * n_e, -1, dtype=np.int64),
            "time": np.tile(np.repeat(spec.times, n_e), n_s),
            "variable": pa.array([var] * (n_s * n_t * n_e), pa.string()),
            "entity": pa.array(list(ents) * (n_s * n_t), pa.string()),
            "value": np.asarray(stats, dtype=np.float64).reshape(-1),
            "stat": pa.array(np.repeat(np.array(STATS, dtype=object), n_t * n_e), pa.string()),
        }, schema=SUMMARY_SCHEMA))  # fmt: skip
    return pa.concat_tables(tables) if tables else SUMMARY_SCHEMA.empty_table()


def final_rows(final: pd.DataFrame, time: float, entities: dict[str, list[str]]) -> pa.Table:
    """Per-run rows at the last time (``stat == "final"``) from the wide final values."""
    final = final.sort_values("run")
    runs = final["run"].to_numpy(np.int64)
    parts = []
    for var, ents in entities.items():
        for ent in ents:
            col = column_name(var, ent)
            n = len(runs)
            parts.append(pa.table({
                "run": runs, "time": np.full(n, time),
                "variable": pa.array([var] * n, pa.string()),
                "entity": pa.array([ent] * n, pa.string()),
                "value": final[col].to_numpy(np.float64),
                "stat": pa.array([FINAL] * n, pa.string()),
            }, schema=SUMMARY_SCHEMA))  # fmt: skip
    return pa.concat_tables(parts) if parts else SUMMARY_SCHEMA.empty_table()
