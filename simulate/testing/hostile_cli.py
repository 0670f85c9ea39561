"""Hostile result files and command-line arguments (see :mod:`simulate.testing.hostile`).

:func:`hostile_result_files` damages a good result file (its metadata, columns,
rows or the file itself) and hands it to ``compare``, ``report``, ``export`` or
``plot``; :func:`hostile_arguments` gives the commands odd options and outputs.
Every case must be refused with exit code 2 and a short message.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

from simulate.io.limits import MAX_METADATA_BYTES
from simulate.testing.hostile import HostileCase

BAD = "bad.parquet"
GOOD = "good.parquet"
SHORT = "short.yaml"
#: A small valid scenario for the command-line cases.
SHORT_SCENARIO = """\
name: short
description: a short valid scenario
horizon: {start: 2024, end: 2026, step: year}
runs: 2
seed: 1
"""


def _uses(draw: st.DrawFn) -> tuple[str, ...]:
    """A command that reads the damaged file."""
    return draw(st.sampled_from([
        ("compare", f"{{dir}}/{GOOD}", f"{{dir}}/{BAD}"),
        ("compare", f"{{dir}}/{BAD}", f"{{dir}}/{GOOD}"),
        ("report", f"{{dir}}/{BAD}", "-o", "{dir}/r.html"),
        ("export", f"{{dir}}/{BAD}", "-o", "{dir}/x.csv"),
        ("export", f"{{dir}}/{BAD}", "--format", "csv", "-o", "{dir}/x.csv"),
        ("plot", f"{{dir}}/{BAD}", "-v", "leverage", "-e", "russia", "-o", "{dir}/f.png"),
    ]))  # fmt: skip


def _write(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _meta(table: pa.Table) -> dict[str, Any]:
    return json.loads(table.schema.metadata[b"multivector"])


def _with_meta(table: pa.Table, raw: bytes) -> pa.Table:
    return table.replace_schema_metadata({b"multivector": raw})


_META_VALUES = [b"[1, 2]", b"42", b'"text"', b"null", b"true", b"{not json", b"\xff\xfe",
                b"[" * 100_000 + b"]" * 100_000]  # fmt: skip
_META_FIELDS = {
    "runs": ["x", 0, -1, True, None, 1.5], "powers": [None, "russia", [1, 2], [None]],
    "routes": [None, 7, [[]]], "keep": ["maybe", 1], "units": [[], "x"], "scenario": [[], "x"],
    "schema_version": [99, "1", True, None], "config": [5, []], "parameter_hash": [5],
    "scenario.horizon": ["x", [1]], "scenario.parameters": [[1], "x"],
    "scenario.paths": [{"p": "x"}, [1], {"p": {"a": 1}}], "scenario.events": [{}, [1]],
    "scenario.name": [5, []], "scenario.description": [[1]],
}  # fmt: skip


@st.composite
def _metadata(draw: st.DrawFn, table: pa.Table) -> tuple[bytes, str | None]:
    how = draw(st.sampled_from(["raw", "field", "missing", "huge"]))
    if how == "raw":
        return _write(_with_meta(table, draw(st.sampled_from(_META_VALUES)))), "metadata"
    meta = _meta(table)
    if how == "huge":
        meta["padding"] = "x" * (MAX_METADATA_BYTES + 1)
        return _write(_with_meta(table, json.dumps(meta).encode())), "metadata"
    if how == "missing":
        key = draw(st.sampled_from(["runs", "powers", "routes", "schema_version"]))
        meta.pop(key)
        return _write(_with_meta(table, json.dumps(meta).encode())), None
    key = draw(st.sampled_from(sorted(_META_FIELDS)))
    value = draw(st.sampled_from(_META_FIELDS[key]))
    node = meta
    parts = key.split(".")
    for k in parts[:-1]:
        node = node[k]
    node[parts[-1]] = value
    return _write(_with_meta(table, json.dumps(meta).encode())), None


def _replace(table: pa.Table, name: str, array: pa.Array) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, name, array)


@st.composite
def _columns(draw: st.DrawFn, table: pa.Table) -> tuple[bytes, str | None]:
    n = table.num_rows
    how = draw(st.sampled_from(["type", "drop", "twice"]))
    col = draw(st.sampled_from(["run", "time", "variable", "entity", "value"]))
    if how == "type":
        if col in ("variable", "entity"):
            array = pa.array(range(n), pa.int64())
        else:
            array = pa.array([str(x) for x in table[col].to_pylist()], pa.string())
        out = _replace(table, col, array)
    elif how == "drop":
        out = table.drop_columns([col])
    else:
        out = table.append_column(col, table[col])
    return _write(out.replace_schema_metadata(table.schema.metadata)), col


@st.composite
def _rows(draw: st.DrawFn, table: pa.Table) -> tuple[bytes, str | None]:
    n = table.num_rows
    how = draw(st.sampled_from(["none", "nan", "inf_time", "unknown_variable", "stranger",
                                "null", "repeated", "missing", "negative_run"]))  # fmt: skip
    k = draw(st.integers(0, n - 1))
    meta = table.schema.metadata
    field = None
    if how == "none":
        out = table.slice(0, 0)
    elif how == "repeated":
        out = pa.concat_tables([table, table.slice(k, 1)])
    elif how == "missing":
        out = pa.concat_tables([table.slice(0, k), table.slice(k + 1)])
    else:
        col, value = {"nan": ("value", float("nan")), "inf_time": ("time", float("inf")),
                      "unknown_variable": ("variable", "charm"), "stranger": ("entity", "mars"),
                      "null": (draw(st.sampled_from(["variable", "entity"])), None),
                      "negative_run": ("run", -5)}[how]  # fmt: skip
        values = table[col].to_pylist()
        values[k] = value
        out = _replace(table, col, pa.array(values, table.schema.field(col).type))
        field = col if how != "negative_run" else None
    return _write(out.replace_schema_metadata(meta)), field


@st.composite
def _summary(draw: st.DrawFn, table: pa.Table) -> tuple[bytes, str | None]:
    how = draw(st.sampled_from(["no_stat_column", "no_p50", "odd_stat", "no_finals"]))
    meta = table.schema.metadata
    stat = table["stat"].to_pylist()
    if how == "no_stat_column":
        out = table.drop_columns(["stat"])
    elif how == "odd_stat":
        stat[draw(st.integers(0, len(stat) - 1))] = "p42"
        out = _replace(table, "stat", pa.array(stat, pa.string()))
    else:
        drop = "p50" if how == "no_p50" else "final"
        keep = pa.array([s != drop for s in stat])
        out = table.filter(keep)
    return _write(out.replace_schema_metadata(meta)), "stat"


@st.composite
def _file(draw: st.DrawFn, good: bytes) -> tuple[bytes | None, dict[str, tuple[str, ...]]]:
    how = draw(st.sampled_from(["truncated", "random", "empty", "plain_parquet", "fifo",
                                "folder", "device", "loop"]))  # fmt: skip
    if how == "truncated":
        return good[: draw(st.integers(1, len(good) - 1))], {}
    if how == "random":
        return draw(st.binary(min_size=1, max_size=200)), {}
    if how == "empty":
        return b"", {}
    if how == "plain_parquet":
        return _write(pa.table({"x": [1, 2]})), {}
    special = {"fifo": ("fifo",), "folder": ("dir",), "device": ("symlink", "/dev/zero"),
               "loop": ("symlink", BAD)}[how]  # fmt: skip
    return None, {BAD: special}


@st.composite
def hostile_result_files(draw: st.DrawFn, good: bytes, summary: bytes | None = None
                         ) -> HostileCase:  # fmt: skip
    """A damaged result file handed to an analysis command.

    Args:
        good: The bytes of a valid result file that keeps every run.
        summary: The bytes of a valid summary file (``keep: summary``), if any.
    """
    table = pq.read_table(pa.BufferReader(good))
    kinds = ["metadata", "columns", "rows", "file"] + (["summary"] if summary else [])
    kind = draw(st.sampled_from(kinds))
    specials: dict[str, tuple[str, ...]] = {}
    field = None
    if kind == "metadata":
        data, field = draw(_metadata(table))
    elif kind == "columns":
        data, field = draw(_columns(table))
    elif kind == "rows":
        data, field = draw(_rows(table))
    elif kind == "summary":
        data, field = draw(_summary(pq.read_table(pa.BufferReader(summary))))
    else:
        data, specials = draw(_file(good))
    files = {GOOD: good} if data is None else {GOOD: good, BAD: data}
    return HostileCase(f"result.{kind}", _uses(draw), files=files, specials=specials, file=BAD,
                       field=field)  # fmt: skip


_SET = ["russia.capacity=nan", "russia.capacity=inf", "russia.capacity=-inf",
        "kazakhstan.inertia=2", "kazakhstan.inertia=-1e308", "russia.capacity=1e400",
        "rusia.capacity=1", "russia.charm=1", "nonsense", "russia.capacity=abc",
        "russia.capacity=true", "=1", "russia.capacity=", "eu.trade_share=0.1"]  # fmt: skip
_RUN_OPTIONS = [
    ("--runs", "0"), ("--runs", "-1"), ("--runs", "1000001"), ("--runs", "abc"),
    ("--runs", "1e3"), ("--seed", "-1"), ("--seed", "18446744073709551616"), ("--seed", "x"),
    ("--chunk", "0"), ("--workers", "0"), ("--workers", "100000"), ("--engine", "x"),
    ("--keep", "x"), ("--dask-local", "0"), ("--engine", "mesa", "--dask-local", "2"),
    ("--set", "russia.capacity=0.5", "--set", "russia.capacity=0.6"),
]  # fmt: skip
_OUTPUTS = {
    "proc": ("/proc/x.parquet", {}), "device": ("/dev/null", {}),
    "fifo": ("{dir}/fifo.parquet", {"fifo.parquet": ("fifo",)}),
    "symlink": ("{dir}/link.parquet", {"link.parquet": ("symlink", "/dev/null")}),
    "too_long": ("{dir}/" + "x" * 300 + ".parquet", {}),
    "missing_folder": ("{dir}/missing/x.parquet", {}),
    "under_a_file": ("{dir}/short.yaml/x.parquet", {}),
    "nul": ("{dir}/a\x00b.parquet", {}),
}  # fmt: skip
_ANALYSIS = [
    (("compare", GOOD, GOOD, "--at"), ["nan", "inf", "-inf", "1e308", "2024.3", "1800"], "--at"),
    (("compare", GOOD, GOOD, "--fail-above"), ["nan", "-1", "inf"], "--fail-above"),
    (("compare", GOOD, GOOD, "--variable"), ["charm", ""], "--variable"),
    (("compare", GOOD, GOOD, "--entity"), ["mars"], "--entity"),
    (("compare", GOOD, "--seed"), ["1"], "FILES"),
    (("export", GOOD, "-o", "{dir}/x.csv", "--quantile"), ["2", "nan", "-0.1"], "--quantile"),
    (("report", GOOD, "-o"), ["{dir}/r.txt", "/proc/r.html", "/dev/null"], "--output"),
    (("plot", GOOD, "-o", "{dir}/f.png", "-v"), ["charm", "alignment -e mars"], "--variable"),
    (("plot", GOOD, "-v", "leverage", "-o"), ["{dir}/f.gif", "{dir}/missing/f.png"], "--output"),
]  # fmt: skip


@st.composite
def _drawn_setting(draw: st.DrawFn) -> str:
    """``PATH=VALUE`` with a value outside the parameter's domain, or a misspelt path."""
    from simulate.scenarios.parameters import domain
    from simulate.testing.hostile import misspell, model_parameters

    path = draw(st.sampled_from(model_parameters()))
    lo, hi = domain(path)
    if draw(st.booleans()):
        bad = misspell(draw, path)
        return f"{bad if bad != path else path + 'x'}=1"
    below = hi == float("inf") or draw(st.booleans())
    delta = draw(st.floats(1e-6, 1e12, allow_nan=False))
    return f"{path}={(lo - delta) if below else (hi + delta)!r}"


@st.composite
def _drawn_option(draw: st.DrawFn) -> tuple[str, ...]:
    """A run option with a drawn value outside its range."""
    name = draw(st.sampled_from(["--runs", "--seed", "--chunk", "--workers", "--dask-local"]))
    low = {"--runs": 1, "--seed": 0, "--chunk": 1, "--workers": 1, "--dask-local": 1}[name]
    high = {"--runs": 1_000_000, "--seed": 2**63 - 1, "--chunk": 1_000_000, "--workers": 256,
            "--dask-local": 256}[name]  # fmt: skip
    value = draw(st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1),
                           st.floats(allow_nan=True).map(repr)))  # fmt: skip
    return (name, str(value))


@st.composite
def _drawn_value(draw: st.DrawFn, option: str) -> str:
    """A value for an analysis option that the command must refuse."""
    if option == "--at":  # not a period start of 2024-2026 (yearly)
        return repr(draw(st.one_of(st.floats(2024.01, 2024.99), st.floats(2025.01, 2025.99),
                                   st.floats(-1e9, 2023.5), st.floats(2026.5, 1e9))))
    if option == "--fail-above":
        return repr(draw(st.floats(max_value=-1e-9)))
    if option == "--quantile":
        return repr(draw(st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1.000001))))
    if option == "--seed":  # compare with one file: refused whatever the seed
        return str(draw(st.integers(0, 2**63 - 1)))
    return draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).map(
        lambda t: t + "_x"))  # fmt: skip


@st.composite
def hostile_arguments(draw: st.DrawFn, good: bytes) -> HostileCase:
    """Odd options and outputs for ``run``, ``validate``, ``params`` and the analysis commands.

    Args:
        good: The bytes of a valid result file (for the analysis commands).
    """
    which = draw(st.sampled_from(["set", "option", "output", "config", "analysis"]))
    files: dict[str, bytes | str] = {SHORT: SHORT_SCENARIO, GOOD: good}
    run = ("run", f"{{dir}}/{SHORT}", "-q")
    if which == "set":
        setting = draw(st.one_of(st.sampled_from(_SET), _drawn_setting()))
        argv = (*run, "-o", "{dir}/out.parquet", "--set", setting)
        return HostileCase("cli.set", argv, files=files, option="--set")
    if which == "option":
        extra = draw(st.one_of(st.sampled_from(_RUN_OPTIONS), _drawn_option()))
        return HostileCase("cli.option", (*run, "-o", "{dir}/out.parquet", *extra), files=files,
                           option=extra[0] if extra[0] != "--engine" or len(extra) == 2
                           else "--engine")  # fmt: skip
    if which == "output":
        name = draw(st.sampled_from(sorted(_OUTPUTS)))
        target, specials = _OUTPUTS[name]
        return HostileCase("cli.output", (*run, "-o", target), files=files, specials=specials,
                           option="--output")  # fmt: skip
    if which == "config":
        name = draw(st.sampled_from(["/dev/zero", "{dir}/fifo.yaml", "{dir}/missing.yaml",
                                     "{dir}/" + "c" * 300 + ".yaml", "{dir}/adir"]))
        command = draw(st.sampled_from([("params", "--config"), ("validate", "--config")]))
        specials = {"fifo.yaml": ("fifo",), "adir": ("dir",)}
        if command[0] == "validate":
            return HostileCase("cli.files", ("validate", name), specials=specials)
        return HostileCase("cli.config", (*command, name), specials=specials)
    head, values, option = draw(st.sampled_from(_ANALYSIS))
    value = draw(st.one_of(st.sampled_from(values), _drawn_value(head[-1])))
    option = "--entity" if " -e " in value else option
    argv = tuple(f"{{dir}}/{a}" if a == GOOD else a for a in head) + tuple(value.split(" "))
    return HostileCase("cli.analysis", argv, files=files, option=option)


@st.composite
def hostile_inputs(draw: st.DrawFn, good: bytes, summary: bytes | None = None) -> HostileCase:
    """Any hostile input: a scenario, a result file or command-line arguments."""
    from simulate.testing.hostile import hostile_scenarios

    return draw(st.one_of(hostile_scenarios(), hostile_result_files(good, summary),
                          hostile_arguments(good)))  # fmt: skip
