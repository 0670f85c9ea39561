"""The rows of a result file as Arrow columns, built straight from the simulation's arrays.

A chunk of runs arrives as ``{variable: array (runs, periods, entities)}``. Its tidy rows
(``run, time, variable, entity, value``) are built without a per-row Python object or a
string per row:

- ``value`` is each variable's array itself, read in its memory order (run, period,
  entity), so it is not copied;
- ``run``, ``time`` and ``entity`` repeat one small pattern per entity kind (every
  variable over the powers shares the same key columns), built once per chunk with
  numpy and shared between the variables;
- ``variable`` and ``entity`` are dictionary-encoded: integer codes into one dictionary
  per result file (the scenario's outputs; the union of their entity labels), the same
  for every chunk, so the Parquet writer stores the codes as they are.

Rows are ordered variable, run, time, entity within a chunk. Row order is not part of
the file contract (``docs/results.md``).

The file stores the columns with the Parquet types of the contract: ``variable`` and
``entity`` are UTF-8 strings that Parquet dictionary-encodes, and no Arrow schema is
embedded, so every reader gets plain strings back whatever the in-memory encoding was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simulate.model.spec import RunSpec

#: The columns of a file that keeps every run (see ``docs/results.md``).
ARROW_SCHEMA = pa.schema(
    [("run", pa.int64()), ("time", pa.float64()), ("variable", pa.string()),
     ("entity", pa.string()), ("value", pa.float64())]
)  # fmt: skip
#: In-memory type of the text columns: codes into a dictionary of labels.
LABELS = pa.dictionary(pa.int32(), pa.string())


#: The label columns of a tidy frame.
LABEL_COLUMNS = ("variable", "entity", "stat")


def categorical_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its label columns as categoricals whose categories are sorted as text.

    A tidy frame's labels repeat a few words over millions of rows: as categoricals
    they cost an integer code a row instead of a string. With the categories in text
    order, sorting and grouping by a label give the order text would; comparing a label
    with a string works as on text.
    """
    update = {}
    for col in LABEL_COLUMNS:
        if col not in frame.columns:
            continue
        values = frame[col]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            update[col] = pd.Categorical(values)  # categories sorted
            continue
        categories = values.cat.categories
        if not categories.is_monotonic_increasing:
            update[col] = values.cat.reorder_categories(sorted(categories))
    return frame.assign(**update) if update else frame


#: The attribute of a run spec where :func:`entities_of` keeps the labels it worked out.
_LABELS_KEPT = "_entity_labels"


def entities_of(spec: RunSpec, variable: str) -> list[str]:
    """The entity labels of a variable's columns (``[""]`` when it has none).

    Worked out from the spec's config once per spec and variable (the runner, the tidy
    rows and the final values ask for them for every output of every chunk) and kept on
    the spec; a copy of the spec (``dataclasses.replace``) starts afresh.
    """
    kept = spec.__dict__.setdefault(_LABELS_KEPT, {})
    labels = kept.get(variable)
    if labels is None:
        labels = kept[variable] = list(spec.entities_of(variable))
    return list(labels)


def storage_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with its text columns dictionary-encoded, as tables are handed to Parquet."""
    return pa.schema([pa.field(f.name, LABELS) if _is_text(f.type) else f for f in schema],
                     metadata=schema.metadata)  # fmt: skip


def parquet_options(schema: pa.Schema) -> dict[str, Any]:
    """Keyword arguments of :class:`pyarrow.parquet.ParquetWriter` for a result file.

    Text columns are dictionary-encoded; run numbers delta-encoded; floating-point
    columns byte-stream-split (the bytes of each position together, which compress
    better). Statistics are written for ``run`` and ``time`` only, so a filter on the
    run (or the time) skips row groups; statistics of the text columns would cost more
    than the rest of the column and skip nothing, as every row group holds every
    variable. Values are compressed with LZ4 (fast: values are most of the file and
    compress little), the rest with Zstandard.
    """
    names = schema.names
    text = [f.name for f in schema if _is_text(f.type) or pa.types.is_dictionary(f.type)]
    encoding = {"run": "DELTA_BINARY_PACKED", "time": "BYTE_STREAM_SPLIT",
                "value": "BYTE_STREAM_SPLIT"}  # fmt: skip
    return {
        "compression": {n: "lz4" if n == "value" else "zstd" for n in names},
        "use_dictionary": text,
        "column_encoding": {n: e for n, e in encoding.items() if n in names},
        "write_statistics": [n for n in ("run", "time") if n in names],
        "write_batch_size": 1 << 16,
        "store_schema": False,
    }


def conform(table: pa.Table, storage: pa.Schema) -> pa.Table:
    """``table`` with the columns and types of ``storage`` (text columns encoded as needed).

    Raises:
        ValueError: ``table`` lacks a column of ``storage`` or holds one that cannot be cast.
    """
    columns = []
    for f in storage:
        if f.name not in table.column_names:
            raise ValueError(f"the table has no column {f.name!r}")
        col = table.column(f.name)
        if col.type != f.type:
            if pa.types.is_dictionary(f.type) and not pa.types.is_dictionary(col.type):
                col = pc.dictionary_encode(col.combine_chunks())
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ValueError(f"column {f.name!r}: {exc}") from None
        columns.append(col)
    return pa.Table.from_arrays(columns, schema=storage)


def tidy(spec: RunSpec, runs: Sequence[int], arrays: dict[str, np.ndarray]) -> pa.Table:
    """A chunk's arrays (variable -> (runs, periods, entities)) as tidy Arrow rows.

    The rows are ordered variable, run, time, entity; ``variable`` and ``entity`` are
    dictionary-encoded (:data:`LABELS`), with the same dictionaries for every chunk of
    the same spec. The values are not copied when the arrays are C-contiguous float64.
    """
    schema = storage_schema(ARROW_SCHEMA)
    if not spec.outputs:
        return schema.empty_table()
    runs_arr = np.asarray(runs, dtype=np.int64)
    times = np.asarray(spec.times, dtype=np.float64)
    variables = pa.array(spec.outputs, pa.string())
    labels = entity_labels(spec)
    entities = pa.array(list(labels), pa.string())
    keys: dict[tuple[int, ...], tuple[pa.Array, pa.Array, pa.Array]] = {}
    cols: dict[str, list[pa.Array]] = {n: [] for n in ARROW_SCHEMA.names}
    for v, var in enumerate(spec.outputs):
        codes = tuple(labels[e] for e in entities_of(spec, var))
        if codes not in keys:
            keys[codes] = _keys(runs_arr, times, np.asarray(codes, dtype=np.int32), entities)
        run, time, entity = keys[codes]
        value = np.ascontiguousarray(arrays[var], dtype=np.float64).reshape(-1)
        if len(value) != len(run):
            raise ValueError(f"{var}: {arrays[var].shape} is not (runs, periods, entities) "
                             f"= ({len(runs_arr)}, {len(times)}, {len(codes)})")  # fmt: skip
        cols["run"].append(run)
        cols["time"].append(time)
        cols["variable"].append(pa.DictionaryArray.from_arrays(
            np.full(len(value), v, dtype=np.int32), variables))  # fmt: skip
        cols["entity"].append(entity)
        cols["value"].append(pa.array(value))
    return pa.Table.from_arrays([pa.chunked_array(cols[n], schema.field(n).type)
                                 for n in schema.names], schema=schema)  # fmt: skip


def entity_labels(spec: RunSpec) -> dict[str, int]:
    """Every entity label of the spec's outputs, numbered in order of first appearance."""
    labels: dict[str, int] = {}
    for var in spec.outputs:
        for ent in entities_of(spec, var):
            labels.setdefault(ent, len(labels))
    return labels


def _keys(runs: np.ndarray, times: np.ndarray, codes: np.ndarray,
          entities: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:  # fmt: skip
    """The run, time and entity columns of a (runs, periods, entities) block in memory order."""
    n_r, n_t, n_e = len(runs), len(times), len(codes)
    run = np.empty((n_r, n_t * n_e), dtype=np.int64)
    run[:] = runs[:, None]
    time = np.empty((n_r, n_t, n_e), dtype=np.float64)
    time[:] = times[None, :, None]
    entity = np.empty((n_r * n_t, n_e), dtype=np.int32)
    entity[:] = codes
    return (pa.array(run.reshape(-1)), pa.array(time.reshape(-1)),
            pa.DictionaryArray.from_arrays(entity.reshape(-1), entities))  # fmt: skip


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)
