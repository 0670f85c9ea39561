"""Run a scenario end to end: load, simulate (Mesa or batched driver), write, summarise."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from simulate import scenario as scenario_mod
from simulate import spec as spec_mod
from simulate.errors import InputError
from simulate.results import Results, ResultWriter, check_writable, make_metadata, tidy
from simulate.schema import MAX_RUNS

ENGINES = ("batch", "mesa")
KEEPS = ("runs", "summary")
#: Above this many rows (runs x periods x series) the default keep is ``summary``.
KEEP_RUNS_ROWS = 25_000_000


def prepare(
    source: str | Path | Mapping[str, Any] | scenario_mod.LoadedScenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, float] | None = None,
) -> spec_mod.RunSpec:
    """Load a scenario, apply command-line style overrides and build its run spec."""
    if isinstance(source, scenario_mod.LoadedScenario):
        loaded = source
    else:
        from simulate.shipped import resolve_scenario

        loaded = scenario_mod.load(dict(source) if isinstance(source, Mapping)
                                   else resolve_scenario(source))  # fmt: skip
    update: dict[str, Any] = {}
    if runs is not None:
        if not _is_int(runs) or not 1 <= runs <= MAX_RUNS:
            raise InputError(f"runs must be between 1 and {MAX_RUNS:,} (got {runs})",
                             field="runs")  # fmt: skip
        update["runs"] = runs
    if seed is not None:
        if not _is_int(seed) or not 0 <= seed < 2**63:
            raise InputError("seed must be a non-negative 64-bit integer", field="seed")
        update["seed"] = seed
    if overrides:
        values = check_overrides(loaded, overrides)
        update["parameters"] = {**loaded.scenario.parameters, **values}
        # an override fixes the value: it replaces any path or uncertainty on that parameter
        update["paths"] = {k: v for k, v in loaded.scenario.paths.items() if k not in values}
        update["uncertainties"] = [u for u in loaded.scenario.uncertainties
                                   if u.parameter not in values]  # fmt: skip
        # the result is not the scenario as written: it gets its own name (and file)
        update["name"] = overridden_name(loaded.scenario.name, values)
    if update:
        loaded = scenario_mod.LoadedScenario(
            scenario=loaded.scenario.model_copy(update=update), config=loaded.config,
            origins=loaded.origins, file=loaded.file,
        )  # fmt: skip
    return spec_mod.build(loaded)


def _is_int(x: Any) -> bool:
    import numbers

    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def check_overrides(loaded: scenario_mod.LoadedScenario,
                    overrides: Mapping[str, Any]) -> dict[str, float]:  # fmt: skip
    """Overrides ``{path: value}`` checked like a scenario's ``parameters`` (one domain check).

    Raises:
        InputError: an unknown or reference parameter, or a value that is not a finite
            number inside the parameter's domain (field ``--set``).
    """
    from simulate import domains

    if not isinstance(overrides, Mapping):
        raise InputError("overrides must be a mapping of parameter paths to numbers",
                         field="overrides")  # fmt: skip
    out: dict[str, float] = {}
    for path, value in overrides.items():
        try:
            out[path] = domains.parameter_value(loaded.config, path, value)
        except domains.DomainError as exc:
            raise InputError(exc.message, field="overrides") from None
    return out


def overridden_name(name: str, values: Mapping[str, float]) -> str:
    """The name of a scenario run with overrides: ``<name>-set-<8 hex digits of the values>``.

    The digest depends only on the overridden paths and values, so the same ``--set``
    always gives the same name, and a modified run is never mistaken for the original.
    """
    import hashlib
    import json

    blob = json.dumps(sorted((k, float(v)) for k, v in values.items())).encode()
    return f"{name[:50]}-set-{hashlib.sha256(blob).hexdigest()[:8]}"


def mesa_chunks(spec: spec_mod.RunSpec, runs: Iterable[int], seed: int):
    """Yield ``([i], arrays)`` per run from the Mesa driver (the reference implementation).

    Mesa is imported here, before any output is opened, not lazily mid-run.
    """
    from simulate.model import BalancingModel

    def one(i: int) -> tuple[list[int], dict[str, np.ndarray]]:
        arrays = BalancingModel.from_spec(spec, run=i, seed=seed).run()
        return [i], {k: v[None] for k, v in arrays.items()}

    return (one(int(i)) for i in runs)


def check_resources(spec: spec_mod.RunSpec, runs: int, keep: str, output: str | Path | None,
                    workers: int | None = None) -> None:  # fmt: skip
    """Refuse a local run whose disk or memory estimate exceeds what is free (see
    :mod:`simulate.resources`)."""
    from simulate import resources
    from simulate.results import entities_of

    widths = [len(entities_of(spec, v)) for v in spec.outputs]
    periods = len(spec.times)
    need = resources.estimate(runs, periods, sum(widths), max(widths, default=1), keep, output,
                              workers or os.cpu_count() or 1)  # fmt: skip
    resources.check(need, f"{runs:,} runs x {periods:,} periods x {sum(widths)} series",
                    spec.loaded.file)


def default_keep(spec: spec_mod.RunSpec, runs: int) -> str:
    """``runs`` while the file stays modest (:data:`KEEP_RUNS_ROWS` rows at most), else summary."""
    from simulate.results import entities_of

    series = sum(len(entities_of(spec, v)) for v in spec.outputs)
    return "runs" if runs * len(spec.times) * series <= KEEP_RUNS_ROWS else "summary"


def run_scenario(
    source: str | Path | Mapping[str, Any],
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, float] | None = None,
    engine: str = "batch",
    output: str | Path | None = None,
    keep: str | None = None,
    progress: Callable[[int], None] | None = None,
    **executor: Any,
) -> Results:
    """Run a scenario and return its results (and write them when ``output`` is given).

    Reads and validates the scenario on every call; to run one scenario many times, load
    it once with :class:`simulate.Experiment` (this function is
    ``Experiment(source).run(...)``).

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
        **executor: ``workers``, ``scheduler``, ``dask_local``, ``chunk`` (batch engine;
            see :func:`simulate.ensemble.run_chunks`). Without them every run is
            computed in this process.

    Returns:
        :class:`~simulate.results.Results` with ``.frame`` and ``.metadata``.
    """
    from simulate.prepared import Experiment

    return Experiment(source).run(runs=runs, seed=seed, overrides=overrides, engine=engine,
                                  output=output, keep=keep, progress=progress, **executor)


def execute(
    spec: spec_mod.RunSpec,
    *,
    engine: str = "batch",
    output: str | Path | None = None,
    keep: str | None = None,
    progress: Callable[[int], None] | None = None,
    **executor: Any,
) -> Results:
    """Simulate a prepared run spec (see :func:`prepare`); arguments as :func:`run_scenario`."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {ENGINES}", field="engine")
    n, s = spec.scenario.runs, spec.scenario.seed
    keep = keep or default_keep(spec, n)
    if keep not in KEEPS:
        raise InputError(f"unknown keep {keep!r}; expected one of {KEEPS}", field="keep")
    if engine == "mesa" and any(executor.get(k) for k in ("scheduler", "dask_local")):
        raise InputError("the mesa engine runs in-process; use --engine batch with Dask",
                         field="engine")  # fmt: skip
    if executor.get("scheduler") or executor.get("dask_local"):
        from simulate.dask_executor import require_dask

        require_dask()  # import (or fail) before any output is opened
    if output is not None:
        check_writable(output)
    if not (executor.get("scheduler") or executor.get("dask_local")):
        check_resources(spec, n, keep, output, executor.get("workers"))
    meta = make_metadata(spec, runs=n, seed=s, engine=engine, keep=keep)
    if engine == "mesa":
        chunks = mesa_chunks(spec, range(n), s)
    else:
        from simulate.ensemble import run_chunks

        chunks = run_chunks(spec, range(n), s, **executor)
    if keep == "summary":
        dask = engine == "batch" and bool(executor.get("scheduler") or executor.get("dask_local"))
        local = "batch" if engine == "batch" else chunks
        return _run_summary(spec, None if dask else local, meta, output, progress, executor)
    return _run_keep_runs(spec, chunks, meta, output, progress)


def _run_keep_runs(spec, chunks, meta, output, progress) -> Results:  # noqa: ANN001
    tables: list[pa.Table] = []
    finals: list[pd.DataFrame] = []

    def consume(write: Callable[[pa.Table], None] | None) -> None:
        done = 0
        for idx, arrays in chunks:
            table = tidy(spec, idx, arrays)
            if write is not None:
                write(table)
            else:
                tables.append(table)
            finals.append(final_values(spec, idx, arrays))
            done += len(idx)
            if progress is not None:
                progress(done)

    if output is not None:
        with ResultWriter(output, meta) as writer:
            consume(writer.write)
        frame = None
    else:
        consume(None)
        frame = pa.concat_tables(tables).to_pandas() if tables else None
    return _results(frame, meta, output, finals)


def _run_summary(spec, chunks, meta, output, progress, executor) -> Results:  # noqa: ANN001
    from simulate.results import entities_of
    from simulate.summarystore import SUMMARY_SCHEMA, final_rows, summary_rows

    entities = {v: entities_of(spec, v) for v in spec.outputs}
    if chunks is None:  # Dask: statistics are computed on the cluster
        from simulate.batch import DEFAULT_CHUNK
        from simulate.dask_executor import dask_summary
        from simulate.ensemble import split

        parts = split(range(spec.scenario.runs), executor.get("chunk") or DEFAULT_CHUNK)
        stats, finals = dask_summary(
            spec, parts, spec.scenario.seed, scheduler=executor.get("scheduler"),
            n_workers=executor.get("dask_local"), progress=progress,
        )  # fmt: skip
    else:
        stats, finals = _spool_summary(spec, chunks, output, progress, executor)
    final = pd.concat(finals, ignore_index=True).sort_values("run", ignore_index=True)
    table = pa.concat_tables([summary_rows(spec, stats, entities),
                              final_rows(final, float(spec.times[-1]), entities)])  # fmt: skip
    frame = None
    if output is not None:
        with ResultWriter(output, meta, SUMMARY_SCHEMA) as writer:
            writer.write(table)
    else:
        frame = table.to_pandas()
    return _results(frame, meta, output, [final])


def _spool_summary(spec, chunks, output, progress, executor):  # noqa: ANN001, ANN202
    from simulate.summarystore import Spool, spool_stats

    finals: list[pd.DataFrame] = []
    folder = Path(output).parent if output is not None else None
    with Spool(folder) as spool, _spool_errors(spool.root):
        done = 0
        if chunks == "batch":  # workers write their chunks into the spool themselves
            from simulate.ensemble import run_chunks

            chunks = run_chunks(spec, range(spec.scenario.runs), spec.scenario.seed,
                                sink=str(spool.root), **executor)  # fmt: skip
            store = lambda idx, final: (spool.register(idx), finals.append(final))  # noqa: E731
        else:
            store = lambda idx, arrays: (spool.add(idx, arrays),  # noqa: E731
                                         finals.append(final_values(spec, idx, arrays)))
        for idx, data in chunks:
            store(idx, data)
            done += len(idx)
            if progress is not None:
                progress(done)
        return spool_stats(spec, spool), finals


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


def _results(frame, meta, output, finals) -> Results:  # noqa: ANN001
    final = pd.concat(finals, ignore_index=True) if finals else pd.DataFrame()
    if not final.empty:
        final = final.sort_values("run", ignore_index=True)
    # written results are read back from the file when first used
    res = Results(frame=frame, metadata=meta, path=Path(output) if output else None)
    res.extra["final"] = final
    return res


def final_values(spec: spec_mod.RunSpec, runs: list[int], arrays: dict[str, np.ndarray]):
    """Per-run values at the last period, wide: one column per ``variable[entity]``."""
    from simulate.results import entities_of

    cols: dict[str, Any] = {"run": np.asarray(runs, dtype=np.int64)}
    for var, arr in arrays.items():
        for j, ent in enumerate(entities_of(spec, var)):
            cols[f"{var}[{ent}]" if ent else var] = arr[:, -1, j]
    return pd.DataFrame(cols)
