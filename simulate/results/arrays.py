"""An ensemble as labelled arrays: :class:`~simulate.results.files.Results` -> ``xarray.Dataset``.

One DataArray per variable, with the dimensions its entities call for: ``(run, time)``
for a whole-country variable, ``(run, time, power)`` for one per power, ``(run, time,
route)`` per route — whatever entity kind :data:`simulate.scenarios.variables.VARIABLES`
declares, so new kinds (``issue``, ...) get their own dimension without changes here.
Nothing is padded: powers and routes never share an axis.

Each DataArray carries ``units`` (a pint / iam-units expression, :mod:`simulate.scenarios.units`),
``unit_label`` (the unit as the model documents it) and ``long_name``; the Dataset's
attributes hold the result file's metadata (flat values plus the whole of it as JSON
under ``multivector_metadata``, see :func:`metadata_of`), so a netCDF file written by
:func:`write_netcdf` is as self-describing as the Parquet file.

Summary files (``keep="summary"``) become ``VAR`` with dims ``(stat, time[, entity])``
for the statistics over runs and ``VAR_final`` with dims ``(run[, entity])`` for each
run's value at the horizon's end.

Memory is proportional to the arrays, not to the tidy table: rows are read (from the
result file when the results were written to one and not loaded) in batches of
:data:`BATCH_ROWS` and scattered into preallocated arrays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulate.results.files import Results, atomic_path
from simulate.scenarios.units import pint_unit
from simulate.scenarios.variables import VARIABLES

#: Rows read from a result file at a time.
BATCH_ROWS = 1 << 18
#: The stat of per-run rows in summary files.
FINAL = "final"
#: Metadata copied into the Dataset's attributes as plain values.
FLAT_KEYS = ("schema_version", "seed", "runs", "engine", "keep", "package_version",
             "created_utc", "parameter_hash", "config", "scenario_file", "hedger")  # fmt: skip
META_ATTR = "multivector_metadata"


@dataclass
class _Rows:
    """Tidy rows as arrays: labels coded as integers into the batch's own label lists."""

    run: np.ndarray
    time: np.ndarray
    var: np.ndarray
    var_labels: list[str]
    ent: np.ndarray
    ent_labels: list[str]
    value: np.ndarray
    stat: np.ndarray | None = None
    stat_labels: list[str] | None = None


def _codes(values: Any) -> tuple[np.ndarray, list[str]]:
    """Integer codes and labels of a string column (Arrow array or pandas Series)."""
    import pyarrow as pa

    if isinstance(values, pd.Series):
        values = pa.array(values, from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.DictionaryArray):
        values = values.dictionary_encode()
    return values.indices.to_numpy(zero_copy_only=False), values.dictionary.to_pylist()


class _FrameRows:
    """Iterate a tidy frame's rows in batches of :data:`BATCH_ROWS`, afresh each time."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __iter__(self) -> Iterator[_Rows]:
        f = self.frame
        has_stat = "stat" in f.columns
        for lo in range(0, len(f), BATCH_ROWS):
            part = f.iloc[lo : lo + BATCH_ROWS]
            var, var_labels = _codes(part["variable"])
            ent, ent_labels = _codes(part["entity"])
            stat, stat_labels = _codes(part["stat"]) if has_stat else (None, None)
            yield _Rows(part["run"].to_numpy(np.int64), part["time"].to_numpy(np.float64), var,
                        var_labels, ent, ent_labels, part["value"].to_numpy(np.float64), stat,
                        stat_labels)  # fmt: skip


class _TableRows:
    """Iterate an in-memory tidy Arrow table's rows in batches of :data:`BATCH_ROWS`."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def __iter__(self) -> Iterator[_Rows]:
        has_stat = "stat" in self.table.column_names
        for batch in self.table.to_batches(max_chunksize=BATCH_ROWS):
            yield _batch_rows(batch, has_stat, values=True)


def _batch_rows(batch: Any, has_stat: bool, values: bool) -> _Rows:
    """One Arrow record batch of tidy rows as :class:`_Rows`."""
    var, var_labels = _codes(batch.column("variable"))
    ent, ent_labels = _codes(batch.column("entity"))
    stat, stat_labels = _codes(batch.column("stat")) if has_stat else (None, None)
    value = batch.column("value").to_numpy() if values else np.zeros(0)
    return _Rows(batch.column("run").to_numpy(), batch.column("time").to_numpy(), var,
                 var_labels, ent, ent_labels, value, stat, stat_labels)  # fmt: skip


def _from_file(path: Path, values: bool = True) -> Iterator[_Rows]:
    import pyarrow.parquet as pq

    has_stat = "stat" in pq.read_schema(path).names
    # stream each column chunk in 1 MB reads instead of buffering whole row groups
    pf = pq.ParquetFile(path, read_dictionary=["variable", "entity", *(["stat"] * has_stat)],
                        pre_buffer=False, buffer_size=1 << 20)  # fmt: skip
    columns = [c for c in pf.schema_arrow.names if values or c != "value"]
    for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield _batch_rows(batch, has_stat, values)


def _ordered(first_seen: dict[str, int], preferred: list[str]) -> list[str]:
    """Labels in ``preferred`` order first, the others in order of first appearance."""
    rank = {x: i for i, x in enumerate(preferred)}
    return sorted(first_seen, key=lambda x: (rank.get(x, len(rank)), first_seen[x]))


@dataclass
class _Layout:
    """What the arrays will hold: variables, their entities, runs, times, stats."""

    variables: list[str]
    entities: dict[str, list[str]]
    runs: np.ndarray
    times: np.ndarray
    stats: list[str]
    final_runs: np.ndarray


def _layout(batches: Any, summary: bool) -> _Layout:
    """First pass: the labels (in order of first appearance), runs and times in the rows."""
    pairs: dict[tuple[str, str], None] = {}
    stats: dict[str, int] = {}
    runs, times, final_runs = [], [], []
    for b in batches:
        n_e = max(len(b.ent_labels), 1)
        for k in pd.unique(b.var.astype(np.int64) * n_e + b.ent).tolist():
            pairs.setdefault((b.var_labels[k // n_e], b.ent_labels[k % n_e]))
        if summary:
            assert b.stat is not None and b.stat_labels is not None
            stat_rows = b.run == -1
            for c in pd.unique(b.stat[stat_rows]).tolist():
                stats.setdefault(b.stat_labels[c], len(stats))
            final_runs.append(np.unique(b.run[~stat_rows]))
            times.append(np.unique(b.time[stat_rows]))
        else:
            runs.append(np.unique(b.run))
            times.append(np.unique(b.time))
    entities: dict[str, list[str]] = {}
    for var, ent in pairs:
        entities.setdefault(var, []).append(ent)
    variables = _ordered({v: i for i, v in enumerate(entities)}, list(VARIABLES))

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype)

    return _Layout(variables, entities, cat(runs, np.int64), cat(times, np.float64),
                   list(stats), cat(final_runs, np.int64))  # fmt: skip


def _positions(levels: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Positions of the values ``x`` in the sorted ``levels`` that hold every one of them.

    Evenly spaced levels (run indices, period starts) are indexed arithmetically and
    checked exactly; anything else is searched.
    """
    n = len(levels)
    if n > 1 and len(x):
        step = (levels[-1] - levels[0]) / (n - 1)
        if step > 0:
            idx = np.clip(np.rint((x - levels[0]) / step), 0, n - 1).astype(np.intp)
            if np.array_equal(levels[idx], x):
                return idx
    return np.searchsorted(levels, x)


def _dims(layout: _Layout, metadata: dict) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """Each variable's entity dimension (None for none) and each dimension's labels."""
    dim_of: dict[str, str | None] = {}
    seen: dict[str, dict[str, int]] = {}
    for var in layout.variables:
        ents = layout.entities[var]
        if ents == [""]:
            dim_of[var] = None
            continue
        kind = VARIABLES[var].entity if var in VARIABLES else "none"
        dim = kind if kind != "none" else f"{var}_entity"
        dim_of[var] = dim
        labels = seen.setdefault(dim, {})
        for e in ents:
            labels.setdefault(e, len(labels))
    coords = {}
    for dim, labels in seen.items():
        preferred = (metadata.get("entities") or {}).get(dim) or metadata.get(f"{dim}s")
        coords[dim] = _ordered(labels, preferred if isinstance(preferred, list) else [])
    return dim_of, coords


def _segments(var: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(variable code, row indices) for each run of equal codes; sorted when fragmented."""
    order = None
    bounds = np.flatnonzero(np.diff(var)) + 1
    if len(bounds) * 1000 > len(var):  # segments of under 1,000 rows on average
        order = np.argsort(var, kind="stable")
        bounds = np.flatnonzero(np.diff(var[order])) + 1
    rows = np.arange(len(var)) if order is None else order
    for part in np.split(rows, bounds):
        if len(part):
            yield int(var[part[0]]), part


def to_xarray(res: Results):  # noqa: ANN201 - xarray is imported lazily
    """The results as an ``xarray.Dataset`` (see the module docstring for its layout).

    Results kept in memory are read from their Arrow rows, and results written to a
    file and not yet loaded from the file, in batches; otherwise the tidy frame is used.
    """
    import xarray as xr

    summary = res.keep == "summary"
    if res.rows is not None and not res.loaded:
        batches: Any = _TableRows(res.rows.table())
        layout = _layout(batches, summary)
    elif res.path is not None and not res.loaded:
        layout = _layout(_from_file(res.path, values=False), summary)
        batches = _from_file(res.path)
    else:
        batches = _FrameRows(res.frame)
        layout = _layout(batches, summary)
    meta = res.metadata
    dim_of, coords = _dims(layout, meta)
    arrays = {}
    for var in layout.variables:
        tail = (len(coords[dim_of[var]]),) if dim_of[var] else ()
        if summary:
            arrays[var] = np.full((len(layout.stats), len(layout.times), *tail), np.nan)
            arrays[f"{var}_final"] = np.full((len(layout.final_runs), *tail), np.nan)
        else:
            arrays[var] = np.full((len(layout.runs), len(layout.times), *tail), np.nan)
    position = {d: {e: i for i, e in enumerate(labels)} for d, labels in coords.items()}
    var_index = {v: i for i, v in enumerate(layout.variables)}
    for b in batches:
        ent_pos = {}
        for code, rows in _segments(b.var):
            var = b.var_labels[code]
            if var not in var_index:
                continue
            dim = dim_of[var]
            if dim is not None and dim not in ent_pos:
                ent_pos[dim] = np.array([position[dim].get(e, -1) for e in b.ent_labels])
            _scatter(arrays, var, b, rows, layout, summary, ent_pos.get(dim) if dim else None)
    ds = xr.Dataset(coords=_coords(layout, coords, summary), attrs=_attrs(meta))
    for var in layout.variables:
        tail = [dim_of[var]] if dim_of[var] else []
        lead = ["stat", "time"] if summary else ["run", "time"]
        ds[var] = xr.DataArray(arrays[var], dims=[*lead, *tail], attrs=_var_attrs(var, meta))
        if summary:
            attrs = {**_var_attrs(var, meta), "time": float(layout.times[-1])}
            ds[f"{var}_final"] = xr.DataArray(arrays[f"{var}_final"], dims=["run", *tail],
                                              attrs=attrs)  # fmt: skip
    return ds


def _scatter(arrays: dict[str, np.ndarray], var: str, b: _Rows, rows: np.ndarray,
             layout: _Layout, summary: bool, ent_pos: np.ndarray | None) -> None:  # fmt: skip
    """Put the rows of one variable into its array."""
    ent = (ent_pos[b.ent[rows]],) if ent_pos is not None else ()
    if not summary:
        r = _positions(layout.runs, b.run[rows])
        t = _positions(layout.times, b.time[rows])
        arrays[var][(r, t, *ent)] = b.value[rows]
        return
    assert b.stat is not None and b.stat_labels is not None
    is_stat = b.run[rows] == -1
    st_rows, fin_rows = rows[is_stat], rows[~is_stat]
    stat_index = np.array([layout.stats.index(s) if s in layout.stats else -1
                           for s in b.stat_labels])  # fmt: skip
    if len(st_rows):
        s = stat_index[b.stat[st_rows]]
        t = _positions(layout.times, b.time[st_rows])
        e = (ent_pos[b.ent[st_rows]],) if ent_pos is not None else ()
        arrays[var][(s, t, *e)] = b.value[st_rows]
    if len(fin_rows):
        r = _positions(layout.final_runs, b.run[fin_rows])
        e = (ent_pos[b.ent[fin_rows]],) if ent_pos is not None else ()
        arrays[f"{var}_final"][(r, *e)] = b.value[fin_rows]


def _coords(layout: _Layout, entity_coords: dict[str, list[str]], summary: bool) -> dict:
    import xarray as xr

    time = xr.Variable("time", layout.times, {"long_name": "start of the period",
                                              "units": "year (decimal)"})  # fmt: skip
    out: dict[str, Any] = {"time": time}
    if summary:
        out["stat"] = xr.Variable("stat", np.array(layout.stats, dtype=object),
                                  {"long_name": "statistic over runs"})  # fmt: skip
        out["run"] = xr.Variable("run", layout.final_runs, {"long_name": "run index"})
    else:
        out["run"] = xr.Variable("run", layout.runs, {"long_name": "run index"})
    for dim, labels in entity_coords.items():
        out[dim] = xr.Variable(dim, np.array(labels, dtype=object), {"long_name": dim})
    return out


def _var_attrs(var: str, meta: dict) -> dict[str, str]:
    label = meta.get("units", {}).get(var) or (VARIABLES[var].unit if var in VARIABLES else "")
    desc = VARIABLES[var].description if var in VARIABLES else var
    return {"units": pint_unit(label), "unit_label": label, "long_name": desc}


def _attrs(meta: dict) -> dict[str, Any]:
    """netCDF-safe Dataset attributes: flat values and the whole metadata as JSON."""
    out: dict[str, Any] = {"title": f"multivector results: {_name(meta)}", "scenario": _name(meta)}
    for key in FLAT_KEYS:
        value = meta.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            out[key] = value
    out[META_ATTR] = json.dumps(meta)
    return out


def _name(meta: dict) -> str:
    return str((meta.get("scenario") or {}).get("name", ""))


def metadata_of(ds: Any) -> dict[str, Any]:
    """The result-file metadata kept in a Dataset (or one read back from netCDF)."""
    return json.loads(ds.attrs[META_ATTR])


def write_netcdf(ds: Any, path: str | Path) -> Path:
    """Write a Dataset as netCDF (classic 64-bit offset format, via scipy), atomically.

    Run indices are stored as 32-bit integers, which that format requires.
    """
    encoding = {name: {"dtype": "int32"} for name in ("run",) if name in ds.coords}
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT", encoding=encoding)
    return Path(path)
