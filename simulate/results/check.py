"""Checks that a file handed to ``compare``, ``report``, ``plot`` or ``export`` is a result file.

A result file is trusted only after its metadata and rows have the shape the
analysis commands rely on: metadata a JSON object with the fields they read, of
the right types; columns of the right types; at least one row; finite times and
values; known variables; entities among the file's entities; for a
summary file every statistic of every series. Anything else is one
:class:`~simulate.errors.ResultFileError` naming the file and what is wrong,
never a traceback or a hang later on.
"""

from __future__ import annotations

import json
import math
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from simulate.errors import ResultFileError
from simulate.io.limits import MAX_ENTITIES, MAX_METADATA_BYTES, echo
from simulate.scenarios.variables import VARIABLES

#: Statistics of a summary file's ``run == -1`` rows
#: (as :data:`simulate.running.summarystore.STATS`).
STATS = ("mean", "sd", "p05", "p25", "p50", "p75", "p95")
#: ``stat`` of a summary file's per-run rows.
FINAL = "final"


def parse_metadata(raw: bytes, path: str | Path) -> dict[str, Any]:
    """The ``multivector`` metadata as a checked mapping."""

    def fail(message: str) -> ResultFileError:
        return ResultFileError(message, file=path, field="metadata")

    if len(raw) > MAX_METADATA_BYTES:
        raise fail(f"the metadata is larger than the limit of {MAX_METADATA_BYTES >> 20} MiB")
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError, bad UTF-8, absurd nesting
        raise fail("the 'multivector' metadata is not valid JSON") from None
    if not isinstance(meta, dict):
        raise fail(f"the metadata must be a JSON object, got {_json_kind(meta)}")
    return meta


def check_metadata(meta: dict[str, Any], path: str | Path) -> None:
    """The fields the analysis commands read, with the types they expect."""

    def fail(field: str, expected: str, value: Any) -> ResultFileError:
        shown = "" if value is None or isinstance(value, bool) else f" {echo(value)}"
        return ResultFileError(f"expected {expected}, got {_json_kind(value)}{shown}",
                               file=path, field=f"metadata.{field}")  # fmt: skip

    runs = meta.get("runs")
    if not _int(runs) or runs < 1:
        raise fail("runs", "a positive integer", runs)
    if "seed" in meta and not _int(meta["seed"]):
        raise fail("seed", "an integer", meta["seed"])
    if meta.get("keep", "runs") not in ("runs", "summary"):
        raise fail("keep", "'runs' or 'summary'", meta.get("keep"))
    for key in ("powers", "routes"):
        value = meta.get(key)
        if (not isinstance(value, list) or len(value) > MAX_ENTITIES
                or not all(isinstance(x, str) and x for x in value)):  # fmt: skip
            raise fail(key, f"a list of at most {MAX_ENTITIES} names", value)
    for key in ("units", "scenario"):
        if not isinstance(meta.get(key, {}), dict):
            raise fail(key, "an object", meta.get(key))
    for key in ("config", "parameter_hash", "package_version", "created_utc", "hedger",
                "scenario_file", "engine"):  # fmt: skip
        if key in meta and not isinstance(meta[key], str):
            raise fail(key, "text", meta[key])
    if any(not isinstance(v, str) for v in meta.get("units", {}).values()):
        raise fail("units", "units as text", meta["units"])
    _check_scenario(meta.get("scenario", {}), fail)


def _check_scenario(sc: dict[str, Any], fail: Any) -> None:
    """The resolved scenario's fields that reports show."""
    for key in ("name", "description", "config"):
        if key in sc and not isinstance(sc[key], str):
            raise fail(f"scenario.{key}", "text", sc[key])
    hz = sc.get("horizon", {})
    if not isinstance(hz, dict):
        raise fail("scenario.horizon", "an object", hz)
    for key in ("parameters", "paths"):
        value = sc.get(key, {})
        if not isinstance(value, dict):
            raise fail(f"scenario.{key}", "an object", value)
    for p, series in sc.get("paths", {}).items():
        if not isinstance(series, dict) or not all(_real(v) for v in series.values()):
            raise fail(f"scenario.paths.{p}", "an object of numbers", series)
        for year in series:
            try:
                float(year)
            except ValueError:
                raise fail(f"scenario.paths.{p}", "years as numbers", year) from None
    for key in ("events", "uncertainties"):
        value = sc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            raise fail(f"scenario.{key}", "a list of objects", value)


def check_schema(schema: pa.Schema, num_rows: int, meta: dict[str, Any],
                 path: str | Path) -> None:  # fmt: skip
    """Column types, the ``stat`` column of summary files, and at least one row."""

    def fail(message: str, field: str | None = None) -> ResultFileError:
        return ResultFileError(message, file=path, field=field)

    twice = sorted({n for n in schema.names if schema.names.count(n) > 1})
    if twice:
        raise fail(f"the column {echo(twice[0])} appears twice", twice[0])
    kinds = {"run": pa.types.is_integer, "time": _numeric, "value": _numeric,
             "variable": _text, "entity": _text, "stat": _text}  # fmt: skip
    for name, ok in kinds.items():
        if name in schema.names and not ok(schema.field(name).type):
            want = "integers" if name == "run" else "numbers" if ok is _numeric else "text"
            raise fail(f"the {name} column holds {schema.field(name).type}, not {want}", name)
    if meta.get("keep", "runs") == "summary" and "stat" not in schema.names:
        raise fail("a summary file needs a stat column", "stat")
    if num_rows == 0:
        raise fail("the file has no rows")


def check_frame(frame: pd.DataFrame, meta: dict[str, Any], path: str | Path) -> None:
    """Finite times and values, known variables and entities, a complete grid of rows."""

    def fail(message: str, field: str | None = None) -> ResultFileError:
        return ResultFileError(message, file=path, field=field)

    for col in ("time", "value"):
        x = frame[col].to_numpy(dtype=float)
        if not np.isfinite(x).all():
            raise fail("holds values that are not finite numbers (NaN or infinite)", col)
    unknown = sorted(set(frame["variable"].unique()) - set(VARIABLES))
    if unknown:
        raise fail(f"unknown variable {echo(unknown[0])} (see docs/results.md)", "variable")
    kinds = meta.get("entities") if isinstance(meta.get("entities"), dict) else {}
    allowed = {*meta["powers"], *meta["routes"], "",
               *(e for names in kinds.values() if isinstance(names, list) for e in names)}
    strange = sorted(set(frame["entity"].unique()) - allowed)
    if strange:
        raise fail(f"entity {echo(strange[0])} is none of the file's entities (powers, "
                   "routes, issues, outcome classes, mechanisms)", "entity")  # fmt: skip
    pairs = frame[["variable", "entity"]].drop_duplicates()
    n_times = frame["time"].nunique()
    if "stat" in frame.columns:
        _check_summary(frame, meta, len(pairs), fail)
        return
    runs = frame["run"].to_numpy()
    if (runs < 0).any():
        raise fail("run numbers must be 0 or more", "run")
    n_runs = len(np.unique(runs))
    if len(frame) != n_runs * n_times * len(pairs):
        raise fail(f"{len(frame):,} rows are not one per run, time, variable and entity "
                   f"({n_runs:,} x {n_times:,} x {len(pairs)}): rows missing or repeated")
    if n_runs != meta["runs"]:
        raise fail(f"holds {n_runs:,} runs, but its metadata says {meta['runs']:,}", "run")


def _check_summary(frame: pd.DataFrame, meta: dict[str, Any], pairs: int, fail: Any) -> None:
    stat = frame["stat"]
    known = set(STATS) | {FINAL}
    odd = sorted(set(stat.unique()) - known)
    if odd:
        raise fail(f"unknown statistic {echo(odd[0])}; expected {sorted(known)}", "stat")
    summary, final = frame[stat != FINAL], frame[stat == FINAL]
    missing = sorted(set(STATS) - set(summary["stat"].unique()))
    if missing:
        raise fail(f"a summary file needs every statistic {list(STATS)}; {missing[0]!r} is "
                   "missing", "stat")  # fmt: skip
    if (summary["run"] != -1).any() or (final["run"] < 0).any():
        raise fail("statistics have run -1 and final values runs 0 or more", "run")
    n_times = summary["time"].nunique()
    if len(summary) != n_times * pairs * len(STATS):
        raise fail(f"{len(summary):,} statistic rows are not one per time, series and "
                   f"statistic ({n_times:,} x {pairs} x {len(STATS)})", "stat")  # fmt: skip
    n_runs = final["run"].nunique()
    if n_runs != meta["runs"] or len(final) != n_runs * pairs:
        raise fail(f"the final values are not one per run and series for the {meta['runs']:,} "
                   "runs of the metadata", "stat")  # fmt: skip


def _int(x: Any) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool)


def _real(x: Any) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(float(x))


def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_floating(t) or pa.types.is_integer(t)


def _text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _text(t.value_type)
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _json_kind(x: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(x), "a value")
