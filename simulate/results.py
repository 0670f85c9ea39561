"""The result file: tidy Parquet rows plus self-describing metadata, written atomically.

Columns: ``run`` (int64), ``time`` (float64, decimal year at the start of the
period), ``variable`` (str), ``entity`` (str, "" when none), ``value`` (float64).
The Parquet key-value metadata ``multivector`` holds JSON: schema version, the
fully resolved scenario, seed, runs, package version, creation time (UTC), the
parameter hash and the unit of every variable. See ``docs/results.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulate.errors import InputError, ResultFileError
from simulate.spec import RunSpec
from simulate.variables import VARIABLES, units

SCHEMA_VERSION = 1
META_KEY = b"multivector"
ARROW_SCHEMA = pa.schema(
    [("run", pa.int64()), ("time", pa.float64()), ("variable", pa.string()),
     ("entity", pa.string()), ("value", pa.float64())]
)  # fmt: skip


class _LazyFrame:
    """The ``frame`` of :class:`Results`: read from ``path`` when first used, if not given."""

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the dataclass default: no frame given
        frame = obj.__dict__.get("_frame")
        if frame is None and obj.path is not None:
            frame = obj.__dict__["_frame"] = load_results(obj.path).frame
        return frame if frame is not None else pd.DataFrame()

    def __set__(self, obj: Any, value: pd.DataFrame | None) -> None:
        obj.__dict__["_frame"] = None if isinstance(value, _LazyFrame) else value


@dataclass
class Results:
    """A run's tidy table and its metadata.

    Attributes:
        frame: Columns run, time, variable, entity, value. When only ``path`` is
            given (as for results written to a file), the file is read the first time
            ``frame`` is used.
        metadata: The embedded metadata (see ``docs/results.md``).
        path: Where it was written or read, if anywhere.
    """

    frame: pd.DataFrame = field(default=_LazyFrame(), repr=False)  # type: ignore[assignment]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        """True once the tidy frame is in memory."""
        return self.__dict__.get("_frame") is not None

    def to_xarray(self):  # noqa: ANN201 - xarray is imported lazily
        """The results as an :class:`xarray.Dataset`, one DataArray per variable.

        See :func:`simulate.arrays.to_xarray`.
        """
        from simulate.arrays import to_xarray

        return to_xarray(self)

    @property
    def keep(self) -> str:
        """``"runs"`` (every run at every time) or ``"summary"`` (see ``docs/results.md``)."""
        return str(self.metadata.get("keep", "runs"))

    def at(self, variable: str, entity: str = "", time: float | None = None) -> pd.Series:
        """Per-run values of one variable and entity at ``time`` (default: the last time).

        Summary files keep per-run values at the horizon's end only.
        """
        f = self.frame
        sel = f[(f["variable"] == variable) & (f["entity"] == entity)]
        if "stat" in f.columns:
            sel = sel[sel["stat"] == "final"]
        if sel.empty:
            raise InputError(f"no values for variable {variable!r}, entity {entity!r}")
        t = sel["time"].max() if time is None else time
        out = sel[np.isclose(sel["time"], t)].set_index("run")["value"]
        if out.empty:
            raise InputError(f"no per-run values at time {t} (a summary file keeps them only "
                             "at the horizon's end)", field="time")  # fmt: skip
        return out


def entities_of(spec: RunSpec, variable: str) -> list[str]:
    """The entity labels of a variable's columns."""
    return spec.entities(VARIABLES[variable].entity)


def tidy(spec: RunSpec, runs: Sequence[int], arrays: dict[str, np.ndarray]) -> pa.Table:
    """Arrays variable -> (R, T, E) to a tidy Arrow table (ordered variable, run, entity, time)."""
    runs_arr = np.asarray(runs, dtype=np.int64)
    n_r, n_t = len(runs_arr), len(spec.times)
    labels: list[str] = []
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("run", "time", "var", "ent", "value")}
    for v, var in enumerate(spec.outputs):
        arr = arrays[var]
        ents = entities_of(spec, var)
        n_e = len(ents)
        first = len(labels)
        labels.extend(ents)
        cols["run"].append(np.repeat(runs_arr, n_e * n_t))
        cols["ent"].append(np.tile(np.repeat(np.arange(first, first + n_e, dtype=np.int32), n_t),
                                   n_r))  # fmt: skip
        cols["time"].append(np.tile(spec.times, n_r * n_e))
        cols["var"].append(np.full(n_r * n_e * n_t, v, dtype=np.int32))
        cols["value"].append(np.ascontiguousarray(arr.transpose(0, 2, 1), dtype=np.float64)
                             .reshape(-1))  # fmt: skip
    if not labels:
        return ARROW_SCHEMA.empty_table()
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return pa.table({
        "run": cat["run"], "time": cat["time"],
        "variable": pa.array(spec.outputs, pa.string()).take(pa.array(cat["var"])),
        "entity": pa.array(labels, pa.string()).take(pa.array(cat["ent"])),
        "value": cat["value"],
    }, schema=ARROW_SCHEMA)  # fmt: skip


def make_metadata(spec: RunSpec, *, runs: int, seed: int, engine: str, **extra: Any) -> dict:
    """The metadata embedded in a result file."""
    from simulate import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": spec.loaded.resolved(),
        "scenario_file": spec.loaded.file,
        "seed": seed,
        "runs": runs,
        "engine": engine,
        "package_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameter_hash": spec.config.fingerprint(),
        "config": spec.config.name,
        "powers": spec.powers,
        "routes": spec.routes,
        "issues": spec.issues,
        "outcome_classes": spec.outcome_classes,
        "mechanisms": spec.mechanisms,
        "entities": {k: spec.entities(k) for k in ("power", "route", "issue", "outcome_class",
                                                   "issue_mechanism")},
        "hedger": spec.hedger,
        "units": {k: v for k, v in units().items() if k in spec.outputs},
        **extra,
    }


def check_writable(target: str | Path) -> Path:
    """Fail early (InputError) unless ``target`` can be written; return its folder."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("output folder does not exist", file=parent, field="--output")
    if not os.access(parent, os.W_OK):
        raise InputError("output folder is not writable", file=parent, field="--output")
    if target.is_dir():
        raise InputError("output path is a directory", file=target, field="--output")
    return parent


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success only.

    An interrupted write leaves no partial file and the old ``target`` intact.
    """
    target = Path(target)
    parent = check_writable(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are ordinary files
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class ResultWriter:
    """Write a result file chunk by chunk (one Parquet row group per chunk), atomically."""

    def __init__(
        self, path: str | Path, metadata: dict[str, Any], schema: pa.Schema = ARROW_SCHEMA
    ) -> None:
        self.path = Path(path)
        self.metadata = metadata
        self.schema = schema
        self._ctx = atomic_path(self.path)
        self._tmp: Path | None = None
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ResultWriter:
        self._tmp = self._ctx.__enter__()
        schema = self.schema.with_metadata({META_KEY: json.dumps(self.metadata).encode()})
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")
        return self

    def write(self, table: pa.Table) -> None:
        """Append rows."""
        assert self._writer is not None
        self._writer.write_table(table.replace_schema_metadata(self._writer.schema.metadata))

    def __exit__(self, *exc: Any) -> bool | None:
        if self._writer is not None:
            self._writer.close()
        return self._ctx.__exit__(*exc)


def write_frame(path: str | Path, frame: pd.DataFrame, metadata: dict[str, Any]) -> Path:
    """Write a tidy DataFrame with metadata atomically; return the path."""
    table = pa.Table.from_pandas(frame[list(ARROW_SCHEMA.names)], schema=ARROW_SCHEMA,
                                 preserve_index=False)  # fmt: skip
    with ResultWriter(path, metadata) as w:
        w.write(table)
    return Path(path)


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Read and check a result file's metadata without loading its rows."""
    p = Path(path)
    if not p.exists():
        raise ResultFileError("file not found", file=p)
    if p.is_dir():
        raise ResultFileError("is a directory, expected a result file", file=p)
    try:
        schema = pq.read_schema(p)
    except (pa.ArrowException, OSError) as exc:
        raise ResultFileError(f"not a readable Parquet file ({exc})", file=p) from None
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise ResultFileError("a Parquet file, but not a multivector result file "
                              "(no 'multivector' metadata)", file=p)  # fmt: skip
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError:
        raise ResultFileError("the 'multivector' metadata is not valid JSON", file=p) from None
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultFileError(f"unsupported schema_version {version!r}; this version of "
                              f"multivector reads {SCHEMA_VERSION}", file=p)  # fmt: skip
    missing = set(ARROW_SCHEMA.names) - set(schema.names)
    if missing:
        raise ResultFileError(f"missing columns {sorted(missing)}", file=p)
    return meta


def load_results(path: str | Path) -> Results:
    """Load a result file, checking it is one and that its schema version is supported."""
    meta = read_metadata(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ResultFileError(f"cannot read rows (truncated or damaged?): {exc}",
                              file=path) from None  # fmt: skip
    frame = table.to_pandas()
    for col in ("variable", "entity", "stat")[: 3 if "stat" in frame.columns else 2]:
        frame[col] = frame[col].astype(str)
    return Results(frame=frame, metadata=meta, path=Path(path))
