"""Run a scenario end to end: prepare its spec, choose an executor, stream chunks, write.

:func:`execute` reads top to bottom as a run goes: check the options, choose the
executor (:func:`simulate.running.executors.choose`) and the chunk task, then stream the
chunks into the result file (``keep="runs"``) or into the statistics of a summary
(``keep="summary"``, :mod:`simulate.running.statistics`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from simulate.errors import InputError
from simulate.io import resources
from simulate.model import spec as spec_mod
from simulate.model.preparation import prepare
from simulate.results.files import (
    Results,
    ResultWriter,
    Rows,
    check_writable,
    entities_of,
    make_metadata,
    tidy,
)
from simulate.results.memory import RunArrays, TableRows
from simulate.running.chunks import MesaRuns, Simulate, final_values, split
from simulate.running.executors import Executor, InProcess, check_chunk, choose
from simulate.running.statistics import summarise_runs
from simulate.running.summarystore import SUMMARY_SCHEMA

__all__ = ["ENGINES", "KEEPS", "default_keep", "execute", "prepare", "run_scenario"]

ENGINES = ("batch", "mesa")
KEEPS = ("runs", "summary")
#: Above this many rows (runs x periods x series) the default keep is ``summary``.
KEEP_RUNS_ROWS = 25_000_000

#: Called with the number of runs finished after each chunk. It may also have a method
#: ``phase(label, total)`` returning such a callable for a later phase of the run (the
#: statistics of a summary, counted in blocks), as the command line's progress bar has.
Progress = Callable[[int], None]


def run_scenario(
    source: str | Path | Mapping[str, Any],
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, float] | None = None,
    engine: str = "batch",
    output: str | Path | None = None,
    keep: str | None = None,
    progress: Progress | None = None,
    config: str | Path | None = None,
    point: bool | None = None,
    **executor: Any,
) -> Results:
    """Run a scenario and return its results (and write them when ``output`` is given).

    Reads and validates the scenario on every call; to run one scenario many times, load
    it once with :class:`simulate.Experiment` (this function gives what
    ``Experiment(source).run(...)`` gives).

    Args:
        source: A scenario YAML path, the name of a shipped scenario, or the scenario as a
            mapping.
        runs: Number of runs (default: the scenario's).
        seed: Seed (default: the scenario's).
        overrides: Parameter values by dotted path, e.g. ``{"russia.capacity": 0.7}``.
        engine: ``"batch"`` (fast, default) or ``"mesa"`` (the reference driver).
        output: Parquet path to write atomically; the results returned are then read
            back from it when ``.frame`` is first used. None keeps them in memory only.
        keep: ``"runs"`` (every run) or ``"summary"`` (statistics per time plus each
            run's final values); default by size, see :func:`default_keep`.
        progress: Called with the number of runs finished after each chunk.
        config: A config file to run with instead of the scenario's, as a point config.
        point: True: every assumption at its value; False: an ensemble (the config's
            posterior and priors); None (default): a point for ``config``, else an ensemble.
        **executor: ``workers``, ``scheduler``, ``dask_local`` (see
            :func:`simulate.running.executors.choose`) and ``chunk`` (runs per chunk, batch
            engine). Without them every run is computed in this process.

    Returns:
        :class:`~simulate.results.files.Results` with ``.frame`` and ``.metadata``.
    """
    spec = prepare(source, runs=runs, seed=seed, overrides=overrides, config=config,
                   point=point)
    return execute(spec, engine=engine, output=output, keep=keep, progress=progress,
                   **executor)  # fmt: skip


def execute(
    spec: spec_mod.RunSpec,
    *,
    engine: str = "batch",
    output: str | Path | None = None,
    keep: str | None = None,
    progress: Progress | None = None,
    **executor: Any,
) -> Results:
    """Simulate a prepared run spec (see :func:`prepare`); arguments as :func:`run_scenario`."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {ENGINES}", field="engine")
    n, s = spec.scenario.runs, spec.scenario.seed
    widths = _widths(spec)
    keep = keep or default_keep(spec, n, widths)
    if keep not in KEEPS:
        raise InputError(f"unknown keep {keep!r}; expected one of {KEEPS}", field="keep")
    size = check_chunk(executor.pop("chunk", None))
    if engine == "mesa":
        if executor.get("scheduler") or executor.get("dask_local"):
            raise InputError("the mesa engine runs in-process; use the batch engine with Dask",
                             field="engine")  # fmt: skip
        where: Executor = InProcess()  # the reference driver, one run per chunk
        task: Simulate | MesaRuns = MesaRuns(spec, s)
        size = 1
    else:
        where, task = choose(**executor), Simulate(spec, s)
    if output is not None:
        check_writable(output)
    in_memory = (keep == "summary" and where.local and not where.spool_first
                 and resources.stats_in_memory(n * len(spec.times) * sum(widths)))
    if where.local:
        check_resources(spec, n, keep, output, where.workers, in_memory, widths)
    meta = make_metadata(spec, runs=n, seed=s, engine=engine, keep=keep)
    chunks = split(range(n), size)
    if keep == "runs":
        return _keep_runs(spec, where.map(task, chunks), meta, output, progress)
    table, final = summarise_runs(
        spec, where, task, chunks, in_memory=in_memory, progress=progress,
        folder=Path(output).parent if output is not None else None,
        blocks=_blocks(progress, spec.scenario.name),
    )  # fmt: skip
    rows = None
    if output is not None:
        with ResultWriter(output, meta, SUMMARY_SCHEMA) as writer:
            writer.write(table)
    else:
        rows = TableRows(table)
    return _results(rows, meta, output, final)


def default_keep(spec: spec_mod.RunSpec, runs: int, widths: list[int] | None = None) -> str:
    """``runs`` while the file stays modest (:data:`KEEP_RUNS_ROWS` rows at most), else summary.

    ``widths`` (the entities of each output, :func:`_widths`) saves working them out again.
    """
    series = sum(widths if widths is not None else _widths(spec))
    return "runs" if runs * len(spec.times) * series <= KEEP_RUNS_ROWS else "summary"


def check_resources(spec: spec_mod.RunSpec, runs: int, keep: str, output: str | Path | None,
                    workers: int | None = None, in_memory: bool = False,
                    widths: list[int] | None = None) -> None:  # fmt: skip
    """Refuse a local run whose disk or memory estimate exceeds what is free (see
    :mod:`simulate.io.resources`)."""
    widths = widths if widths is not None else _widths(spec)
    periods = len(spec.times)
    need = resources.estimate(runs, periods, sum(widths), max(widths, default=1), keep, output,
                              workers or os.cpu_count() or 1, in_memory)  # fmt: skip
    resources.check(need, f"{runs:,} runs x {periods:,} periods x {sum(widths)} series",
                    spec.loaded.file)


def _widths(spec: spec_mod.RunSpec) -> list[int]:
    """The number of entities of each output (its series)."""
    return [len(entities_of(spec, v)) for v in spec.outputs]


def _blocks(progress: Progress | None, label: str) -> Callable[[int, int], None] | None:
    """Statistics progress (blocks done, blocks in all) through ``progress.phase``, if any."""
    phase = getattr(progress, "phase", None)
    if phase is None:
        return None
    update: list[Callable[[int], None]] = []

    def blocks(done: int, total: int) -> None:
        if not update:
            update.append(phase(f"{label}: statistics", total))
        update[0](done)

    return blocks


def _keep_runs(spec: spec_mod.RunSpec, chunks: Iterator[tuple[list[int], Any]], meta: dict,
               output: str | Path | None, progress: Progress | None) -> Results:  # fmt: skip
    kept: list[tuple[list[int], Any]] = []
    finals: list[pd.DataFrame] = []

    def consume(write: Callable[[pa.Table], None] | None) -> None:
        done = 0
        for idx, arrays in chunks:
            if write is not None:
                write(tidy(spec, idx, arrays))
            else:
                kept.append((idx, arrays))  # the tidy rows are built when first asked for
            finals.append(final_values(spec, idx, arrays))
            done += len(idx)
            if progress is not None:
                progress(done)

    if output is not None:
        with ResultWriter(output, meta) as writer:
            consume(writer.write)
        rows = None
    else:
        consume(None)
        rows = RunArrays(spec, kept) if kept else None
    final = _in_run_order(finals)
    return _results(rows, meta, output, final)


def _in_run_order(finals: list[pd.DataFrame]) -> pd.DataFrame:
    """The chunks' final values as one frame ordered by run (chunks may arrive in any order)."""
    if not finals:
        return pd.DataFrame()
    final = finals[0] if len(finals) == 1 else pd.concat(finals, ignore_index=True)
    if not final["run"].is_monotonic_increasing:
        final = final.sort_values("run", ignore_index=True)
    return final


def _results(rows: Rows | None, meta: dict, output: str | Path | None,
             final: pd.DataFrame) -> Results:  # fmt: skip
    # written results are read back from the file when first used; results kept in
    # memory build their tidy frame when first used
    res = Results(metadata=meta, path=Path(output) if output else None, rows=rows)
    res.extra["final"] = final
    return res
