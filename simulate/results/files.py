"""The result file: tidy Parquet rows plus self-describing metadata, written atomically.

Columns: ``run`` (int64), ``time`` (float64, decimal year at the start of the
period), ``variable`` (str), ``entity`` (str, "" when none), ``value`` (float64).
The Parquet key-value metadata ``multivector`` holds JSON: schema version, the
fully resolved scenario, seed, runs, package version, creation time (UTC), the
parameter hash and the unit of every variable. See ``docs/results.md``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulate.errors import InputError, ResultFileError
from simulate.io.limits import echo
from simulate.io.yamlio import file_kind
from simulate.model.spec import RunSpec
from simulate.results.rowgroups import (
    ARROW_SCHEMA,
    LABEL_COLUMNS,
    categorical_labels,
    conform,
    entities_of,
    parquet_options,
    tidy,
)
from simulate.results.rowgroups import storage_schema as _storage_schema
from simulate.scenarios.variables import units
from simulate.version import __version__

SCHEMA_VERSION = 2
META_KEY = b"multivector"
__all__ = ["ARROW_SCHEMA", "META_KEY", "SCHEMA_VERSION", "ResultWriter", "Results",
           "atomic_path", "entities_of", "load_results", "make_metadata", "read_metadata",
           "tidy", "write_frame"]  # fmt: skip


class _LazyFrame:
    """The ``frame`` of :class:`Results`, built or read the first time it is used.

    Results kept in memory build it from their rows (:mod:`simulate.results.memory`);
    results written to a file read it from ``path``.
    """

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the dataclass default: no frame given
        frame = obj.__dict__.get("_frame")
        if frame is None and obj.rows is not None:
            frame = obj.__dict__["_frame"] = obj.rows.frame()
        elif frame is None and obj.path is not None:
            frame = obj.__dict__["_frame"] = load_results(obj.path).frame
        return frame if frame is not None else pd.DataFrame()

    def __set__(self, obj: Any, value: pd.DataFrame | None) -> None:
        if isinstance(value, _LazyFrame) or value is None:
            obj.__dict__["_frame"] = None
        else:
            obj.__dict__["_frame"] = categorical_labels(value)


class Rows(Protocol):
    """Rows held in memory (:mod:`simulate.results.memory`): a tidy table made on demand."""

    def table(self) -> pa.Table:
        """The tidy rows as an Arrow table."""

    def frame(self) -> pd.DataFrame:
        """The tidy rows as a DataFrame with categorical labels."""

    def at(self, variable: str, entity: str, time: float | None) -> pd.Series | None:
        """Per-run values of one series at a time, or None to read them from the frame."""


@dataclass
class Results:
    """A run's tidy table and its metadata.

    Attributes:
        frame: Columns run, time, variable, entity, value (``variable`` and ``entity``
            categorical). Built the first time it is used: from ``rows`` for results
            kept in memory, from the file for results written to ``path``.
        metadata: The embedded metadata (see ``docs/results.md``).
        path: Where it was written or read, if anywhere.
        extra: What the run adds beside the file's content (``final``: each run's values
            at the last period, wide).
        rows: The rows of results kept in memory, as the simulation made them.
    """

    frame: pd.DataFrame = field(default=_LazyFrame(), repr=False)  # type: ignore[assignment]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    rows: Rows | None = field(default=None, repr=False, compare=False)

    @property
    def loaded(self) -> bool:
        """True once the tidy frame is in memory."""
        return self.__dict__.get("_frame") is not None

    def to_xarray(self):  # noqa: ANN201 - xarray is imported lazily
        """The results as an :class:`xarray.Dataset`, one DataArray per variable.

        See :func:`simulate.results.arrays.to_xarray`.
        """
        from simulate.results.arrays import to_xarray

        return to_xarray(self)

    @property
    def keep(self) -> str:
        """``"runs"`` (every run at every time) or ``"summary"`` (see ``docs/results.md``)."""
        return str(self.metadata.get("keep", "runs"))

    def at(self, variable: str, entity: str = "", time: float | None = None) -> pd.Series:
        """Per-run values of one variable and entity at ``time`` (default: the last time).

        Summary files keep per-run values at the horizon's end only.
        """
        if self.rows is not None and not self.loaded:
            fast = self.rows.at(variable, entity, time)
            if fast is not None:
                return fast
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


def ensemble_of(spec: RunSpec) -> dict[str, Any]:
    """How runs take the config's assumptions: a point, or an ensemble (posterior, priors)."""
    post = spec.posterior
    return {
        "mode": "point" if spec.point else "ensemble",
        "priors": list(spec.priors),
        "posterior": None if post is None else {
            "file": Path(post.file).name, "sha256": post.digest, "vectors": len(post.values),
            "parameters": list(post.paths)},
    }  # fmt: skip


def make_metadata(spec: RunSpec, *, runs: int, seed: int, engine: str, **extra: Any) -> dict:
    """The metadata embedded in a result file."""
    from simulate.model import randomness  # scipy: not on the path of every command's start

    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": spec.loaded.resolved(),
        "scenario_file": spec.loaded.file,
        "seed": seed,
        "randomness": randomness.SCHEME,
        "runs": runs,
        "engine": engine,
        "package_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameter_hash": spec.config.fingerprint(),
        "config": spec.config.name,
        "ensemble": ensemble_of(spec),
        "powers": spec.powers,
        "labels": spec.config.labels,
        "routes": spec.routes,
        "issues": spec.issues,
        "outcome_classes": spec.outcome_classes,
        "mechanisms": spec.mechanisms,
        "entities": {k: spec.entities(k) for k in ("power", "route", "issue", "outcome_class",
                                                   "issue_mechanism", "commodity_actor")},
        "hedger": spec.hedger,
        "units": {k: v for k, v in units().items() if k in spec.outputs},
        **extra,
    }




def check_writable(target: str | Path) -> Path:
    """Fail early (InputError) unless ``target`` can be written; return its folder.

    ``target`` must be a new path or an existing regular file: a folder, a symbolic
    link, a device, a FIFO or a socket is never replaced. A hidden probe file is
    created and removed beside it, because ``os.access`` cannot tell for root or on
    read-only mounts.
    """
    from simulate.io.cleanup import part_prefix

    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")

    def fail(message: str, where: Path) -> InputError:
        return InputError(message, file=_printable(where), field="output")

    try:
        folder = os.stat(parent)
    except ValueError:
        raise fail("the path contains a NUL byte", target) from None
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise fail("output folder does not exist", parent) from None
        raise fail(f"cannot use the output folder ({_reason(exc)})", parent) from None
    if not stat.S_ISDIR(folder.st_mode):
        raise fail("output folder does not exist", parent)
    if not os.access(parent, os.W_OK):
        raise fail("output folder is not writable", parent)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise fail(f"cannot use the output path ({_reason(exc)})", target) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise fail("output path is a directory", target)
    if mode is not None and stat.S_ISLNK(mode):
        raise fail("output path is a symbolic link; give the file it points to or a new "
                   "path", target)  # fmt: skip
    if mode is not None and not stat.S_ISREG(mode):
        raise fail(f"output path is not a regular file (a {file_kind(mode)}); refusing to "
                   "replace it", target)  # fmt: skip
    try:
        fd, probe = tempfile.mkstemp(prefix=part_prefix(target), suffix=".probe", dir=parent)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise fail("the file name is too long", target) from None
        raise fail(f"output folder is not writable ({_reason(exc)})", parent) from None
    os.close(fd)
    os.unlink(probe)
    return parent


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _printable(path: Path) -> str:
    text = "".join(c if c.isprintable() else "?" for c in str(path))
    return text if len(text) <= 160 else text[:80] + "..." + text[-40:]


def write_error(exc: OSError, target: str | Path) -> InputError:
    """A failed write (disk full, read-only file system) as one line naming the output."""
    return InputError(f"cannot write the output ({_reason(exc)}); any previous file is "
                      "unchanged", file=_printable(Path(target)), field="output")  # fmt: skip


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success only.

    An interrupted write leaves no partial file and the old ``target`` intact. The
    temporary name carries this process's id (``.NAME.PID.XXXX.part``), so a file left
    by a process that was killed is recognised and swept by the next run
    (:func:`simulate.io.cleanup.sweep`).
    """
    from simulate.io.cleanup import part_prefix, sweep

    target = Path(target)
    parent = check_writable(target)
    sweep(parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=part_prefix(target), suffix=".part", dir=parent)
    except OSError as exc:
        raise write_error(exc, target) from None
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
    """Write a result file chunk by chunk (one Parquet row group per chunk), atomically.

    Each :meth:`write` is one row group, with statistics on ``run``: a reader that
    filters on the run skips the row groups of other chunks. The Parquet encodings are
    :func:`simulate.results.rowgroups.parquet_options`.
    """

    def __init__(
        self, path: str | Path, metadata: dict[str, Any], schema: pa.Schema = ARROW_SCHEMA
    ) -> None:
        self.path = Path(path)
        self.metadata = metadata
        self.schema = schema
        self._ctx = atomic_path(self.path)
        self._tmp: Path | None = None
        self._storage = _storage_schema(schema)
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ResultWriter:
        self._tmp = self._ctx.__enter__()
        self._storage = _storage_schema(self.schema).with_metadata(
            {META_KEY: json.dumps(self.metadata).encode()})  # fmt: skip
        try:
            self._writer = pq.ParquetWriter(self._tmp, self._storage,
                                            **parquet_options(self._storage))  # fmt: skip
            # no Arrow schema is embedded (see simulate.results.rowgroups): the metadata is added
            self._writer.add_key_value_metadata(dict(self._storage.metadata))
        except OSError as exc:
            error = write_error(exc, self.path)
            self._ctx.__exit__(type(error), error, None)
            raise error from None
        return self

    def write(self, table: pa.Table) -> None:
        """Append rows as one row group (a chunk of runs is one row group).

        Args:
            table: The columns of the writer's schema; text columns as strings or
                dictionary-encoded (as :func:`tidy` builds them).

        Raises:
            InputError: The disk is full or the file system refuses the write.
        """
        if self._writer is None:
            raise RuntimeError("write() outside the with block")
        rows = conform(table, self._storage)
        try:
            self._writer.write_table(rows, row_group_size=max(rows.num_rows, 1))
        except OSError as exc:
            raise write_error(exc, self.path) from None

    def __exit__(self, kind: Any, value: Any, tb: Any) -> bool | None:
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError as exc:
                if value is None:  # the file could not be finished: keep the old one
                    error = write_error(exc, self.path)
                    self._ctx.__exit__(type(error), error, None)
                    raise error from None
        try:
            return self._ctx.__exit__(kind, value, tb)
        except OSError as exc:  # the rename itself failed
            raise write_error(exc, self.path) from None


def write_frame(path: str | Path, frame: pd.DataFrame, metadata: dict[str, Any]) -> Path:
    """Write a tidy DataFrame with metadata atomically; return the path."""
    table = pa.Table.from_pandas(frame[list(ARROW_SCHEMA.names)], schema=ARROW_SCHEMA,
                                 preserve_index=False)  # fmt: skip
    with ResultWriter(path, metadata) as w:
        w.write(table)
    return Path(path)


def _open_check(path: str | Path) -> Path:
    """A result file must be an existing regular file."""
    p = Path(path)
    shown = _printable(p)
    try:
        mode = os.stat(p).st_mode
    except ValueError:
        raise ResultFileError("the file name contains a NUL byte", file=shown) from None
    except FileNotFoundError:
        raise ResultFileError("file not found", file=shown) from None
    except OSError as exc:
        raise ResultFileError(f"cannot open the file ({_reason(exc)})", file=shown) from None
    if stat.S_ISDIR(mode):
        raise ResultFileError("is a directory, expected a result file", file=shown)
    if not stat.S_ISREG(mode):
        raise ResultFileError(f"is not a regular file (a {file_kind(mode)}); expected a "
                              "result file", file=shown)  # fmt: skip
    return p


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Read and check a result file's metadata without loading its rows."""
    from simulate.results import check as resultcheck

    p = _open_check(path)
    shown = _printable(p)
    try:
        schema = pq.read_schema(p)
    except (pa.ArrowException, OSError, ValueError):
        raise ResultFileError("not a readable Parquet file", file=shown) from None
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise ResultFileError("a Parquet file, but not a multivector result file "
                              "(no 'multivector' metadata)", file=shown)  # fmt: skip
    meta = resultcheck.parse_metadata(raw, shown)
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise ResultFileError(f"unsupported schema_version {echo(version)}; this version of "
                              f"multivector reads {SCHEMA_VERSION}", file=shown)  # fmt: skip
    missing = set(ARROW_SCHEMA.names) - set(schema.names)
    if missing:
        raise ResultFileError(f"missing columns {sorted(missing)}", file=shown)
    resultcheck.check_metadata(meta, shown)
    return meta


def load_results(path: str | Path) -> Results:
    """Load a result file, checking it is one and that its schema version is supported.

    Raises:
        ResultFileError: not a result file, or one whose metadata or rows are not what a
            result file holds (see :mod:`simulate.results.check`), or too large for memory.
    """
    from simulate.io import resources
    from simulate.results import check as resultcheck

    meta = read_metadata(path)
    shown = _printable(Path(path))
    try:
        names = pq.read_schema(path).names
        pfile = pq.ParquetFile(path, read_dictionary=[c for c in LABEL_COLUMNS if c in names])
        resultcheck.check_schema(pfile.schema_arrow, pfile.metadata.num_rows, meta, shown)
        need = pfile.metadata.num_rows * resources.MEMORY_BYTES_PER_ROW
        free = resources.free_memory()
        if free is not None and need > free:
            raise ResultFileError(f"loading its {pfile.metadata.num_rows:,} rows needs about "
                                  f"{resources.size(need)} of memory, but "
                                  f"{resources.size(free)} is available", file=shown)  # fmt: skip
        table = pfile.read()
        columns = [c for c in (*ARROW_SCHEMA.names, "stat") if c in table.column_names]
        frame = categorical_labels(table.select(columns).to_pandas())
    except (pa.ArrowException, OSError, ValueError):
        raise ResultFileError("cannot read rows (truncated or damaged?)", file=shown) from None
    resultcheck.check_frame(frame, meta, shown)
    return Results(frame=frame, metadata=meta, path=Path(path))
