"""Results kept in memory as the simulation made them; the tidy table only when asked for.

A run that writes no file hands its chunks' arrays (variable -> (runs, periods,
entities)) to :class:`RunArrays` as they are. Reading one series at one time
(:meth:`RunArrays.at`, what ``Results.at`` asks) indexes those arrays; the tidy Arrow
table (:func:`simulate.results.rowgroups.tidy`, chunk by chunk, in the order the chunks
came) is built the first time the table or the frame is asked for, and kept. The
frame is that table in pandas, with ``variable`` and ``entity`` as categoricals, as a
result file reads back (:func:`simulate.results.files.load_results`).

:class:`TableRows` holds a table that is already built (the statistics of a summary).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from simulate.model.spec import RunSpec
from simulate.results.rowgroups import ARROW_SCHEMA as _SCHEMA
from simulate.results.rowgroups import categorical_labels, storage_schema, tidy

__all__ = ["RunArrays", "TableRows", "to_frame"]

#: A chunk of runs: its run indices and its arrays, variable -> (runs, periods, entities).
Chunk = tuple[Sequence[int], dict[str, np.ndarray]]


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A tidy Arrow table as a DataFrame, labels as categoricals sorted as text
    (:func:`simulate.results.rowgroups.categorical_labels`)."""
    return categorical_labels(table.to_pandas())


class TableRows:
    """Rows already built as an Arrow table.

    Args:
        table: The tidy table (labels dictionary-encoded or text).
    """

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def table(self) -> pa.Table:
        """The table."""
        return self._table

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (see :func:`to_frame`)."""
        return to_frame(self._table)

    def at(self, variable: str, entity: str, time: float | None) -> pd.Series | None:
        """None: a prepared table is read through the frame."""
        return None


class RunArrays:
    """Every run's outputs, as the chunks of the simulation arrived.

    Args:
        spec: The run spec the chunks were simulated from (outputs, entities, times).
        chunks: ``(run indices, arrays)`` per chunk, in the order they arrived.
    """

    def __init__(self, spec: RunSpec, chunks: Sequence[Chunk]) -> None:
        self.spec = spec
        self.chunks = list(chunks)
        self._table: pa.Table | None = None

    @property
    def runs(self) -> int:
        """How many runs the chunks hold."""
        return sum(len(idx) for idx, _ in self.chunks)

    def table(self) -> pa.Table:
        """The tidy rows (run, time, variable, entity, value), built once."""
        if self._table is None:
            tables = [tidy(self.spec, idx, arrays) for idx, arrays in self.chunks]
            self._table = (pa.concat_tables(tables) if tables
                           else storage_schema(_SCHEMA).empty_table())  # fmt: skip
        return self._table

    def frame(self) -> pd.DataFrame:
        """The tidy rows as a DataFrame (see :func:`to_frame`)."""
        return to_frame(self.table())

    def at(self, variable: str, entity: str, time: float | None) -> pd.Series | None:
        """Per-run values of one series at the period starting at ``time`` (default: last).

        The same Series as selecting the frame's rows and indexing them by run, in row
        order; None when the arrays do not hold the series or the time (the caller then
        reports it from the frame, as for any other results).
        """
        if variable not in self.spec.outputs or not self.chunks:
            return None
        ents = self.spec.entities_of(variable)
        if entity not in ents:
            return None
        times = np.asarray(self.spec.times, dtype=np.float64)
        t = times[-1] if time is None else time
        found = np.flatnonzero(np.isclose(times, t))
        if len(found) != 1:
            return None
        k, j = int(found[0]), ents.index(entity)
        runs = np.concatenate([np.asarray(idx, dtype=np.int64) for idx, _ in self.chunks])
        values = np.concatenate([np.asarray(arrays[variable][:, k, j], dtype=np.float64)
                                 for _, arrays in self.chunks])  # fmt: skip
        return pd.Series(values, index=pd.Index(runs, name="run"), name="value")
