"""Hostile result files handed to the analysis commands: one line, exit 2, never a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simulate.cli.main import main

from .analysis_files import assert_bad_input, make
from .hostile_harness import time_limit


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("files")
    return {"runs": make(tmp, "base", runs=4, end=2025),
            "summary": make(tmp, "summ", runs=4, end=2025, keep="summary")}  # fmt: skip


def _damaged(good: Path, out: Path, *, meta: bytes | None = None, table=None) -> Path:  # noqa: ANN001
    t = pq.read_table(good) if table is None else table
    raw = meta if meta is not None else pq.read_table(good).schema.metadata[b"multivector"]
    pq.write_table(t.replace_schema_metadata({b"multivector": raw}), out)
    return out


def _column(good: Path, name: str, array: pa.Array) -> pa.Table:
    t = pq.read_table(good)
    return t.set_column(t.schema.get_field_index(name), name, array)


COMMANDS = [
    ["compare", "{good}", "{bad}"], ["report", "{bad}", "-o", "{dir}/r.html"],
    ["export", "{bad}", "-o", "{dir}/x.csv"], ["plot", "{bad}", "-v", "leverage", "-o",
                                              "{dir}/f.png"],
]  # fmt: skip


def _refused(command: list[str], good: Path, bad: Path, *words: str) -> None:
    args = [a.format(good=good, bad=bad, dir=bad.parent) for a in command]
    with time_limit(30):
        r = CliRunner().invoke(main, args)
    assert_bad_input(r, str(bad), *words)
    assert not [p for p in bad.parent.iterdir() if p.suffix in (".html", ".csv", ".png")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("raw", [b"[1, 2]", b"42", b'"text"', b"null", b"{bad json"])
def test_metadata_that_is_not_an_object_is_refused(files, tmp_path, command, raw):
    bad = _damaged(files["runs"], tmp_path / "bad.parquet", meta=raw)
    _refused(command, files["runs"], bad, "metadata")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("key, value", [("powers", None), ("runs", "many"), ("keep", "x"),
                                        ("scenario", [1]), ("routes", [1])])  # fmt: skip
def test_metadata_fields_of_the_wrong_type_are_refused(files, tmp_path, command, key, value):
    meta = json.loads(pq.read_table(files["runs"]).schema.metadata[b"multivector"])
    meta[key] = value
    bad = _damaged(files["runs"], tmp_path / "bad.parquet", meta=json.dumps(meta).encode())
    _refused(command, files["runs"], bad, f"metadata.{key}")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("column", ["time", "value", "entity", "variable"])
def test_a_column_of_the_wrong_type_is_refused(files, tmp_path, command, column):
    t = pq.read_table(files["runs"])
    if column in ("time", "value"):
        array = pa.array([str(x) for x in t[column].to_pylist()])
    else:  # integers where names belong (report once hung on these)
        array = pa.array(range(t.num_rows), pa.int64())
    bad = _damaged(files["runs"], tmp_path / "bad.parquet",
                   table=_column(files["runs"], column, array))  # fmt: skip
    _refused(command, files["runs"], bad, column)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_file_without_rows_is_refused(files, tmp_path, command):
    bad = _damaged(files["runs"], tmp_path / "bad.parquet",
                   table=pq.read_table(files["runs"]).slice(0, 0))  # fmt: skip
    _refused(command, files["runs"], bad, "no rows")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("drop", ["p50", "all"])
def test_a_summary_file_without_its_statistics_is_refused(files, tmp_path, command, drop):
    t = pq.read_table(files["summary"])
    t = t.drop_columns(["stat"]) if drop == "all" else t.filter(
        pa.array([s != "p50" for s in t["stat"].to_pylist()]))  # fmt: skip
    bad = _damaged(files["summary"], tmp_path / "bad.parquet", table=t)
    _refused(command, files["summary"], bad, "stat")


def test_compare_at_a_time_that_is_not_a_number_is_refused(files):
    for at in ("nan", "inf", "-inf"):
        r = CliRunner().invoke(main, ["compare", str(files["runs"]), str(files["runs"]),
                                      "--at", at])  # fmt: skip
        assert r.exit_code == 2 and "--at" in r.output and "finite" in r.output, r.output
        assert len(r.output.strip().splitlines()) == 1
