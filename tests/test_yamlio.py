"""The YAML loader: one composition pass within the limits, plain data, regular files only."""

from __future__ import annotations

import os
import time

import pytest

from simulate.errors import InputError
from simulate.io import yamlio
from simulate.io.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

from .hostile_harness import time_limit


def _refused(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        yamlio.loads(text, "doc.yaml")
    return info.value


@pytest.mark.parametrize("value", [
    "[" * 1000 + "]" * 1000,
    "{a: " * 900 + "1" + "}" * 900,
    "".join("\n" + "  " * (i + 1) + "k:" for i in range(MAX_DEPTH + 2)) + " 1",
])  # fmt: skip
def test_nesting_beyond_the_limit_is_refused_with_field_and_line(value):
    err = _refused(f"name: x\nunknown_field: {value}\n")
    assert "nested more than" in err.message
    assert err.line is not None and err.field.startswith("unknown_field")


def test_nesting_at_the_limit_is_accepted():
    doc = yamlio.loads("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert doc.data["a"] is not None


@pytest.mark.parametrize("value", [" &a [*a]", " &a {k: *a}"])
def test_a_recursive_alias_is_refused(value):
    assert "nested more than" in _refused(f"x:{value}\n").message


def test_an_alias_bomb_is_refused_at_once():
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 12))
    start = time.perf_counter()
    err = _refused(bomb)
    assert f"more than {MAX_NODES:,} values" in err.message and err.line
    assert time.perf_counter() - start < 2


def test_aliases_within_the_budget_still_work():
    doc = yamlio.loads("a: &x {k: 1}\nb: *x\n")
    assert doc.data == {"a": {"k": 1}, "b": {"k": 1}}


@pytest.mark.parametrize("value, words", [
    ("!!timestamp '2024-02-30'", "tag !!timestamp"), ("!!python/object/apply:os.system [x]",
                                                      "tag !!python"),
    ("!!binary aGVsbG8=", "tag !!binary"), ("!!set {a}", "tag !!set"), ("!foo 1", "tag !foo"),
    ("!!bool 'maybe'", "not a valid boolean"), ("!!int 'abc'", "not a valid integer"),
    ("!!int '0x'", "not a valid integer"), ("!!float 'x'", "not a valid number"),
])  # fmt: skip
def test_only_plain_data_is_accepted(value, words):
    err = _refused(f"name: x\nseed: {value}\n")
    assert words in err.message and err.field == "seed" and err.line == 2


def test_a_tag_directive_cannot_smuggle_a_tag():
    err = _refused("%TAG !! tag:example.com,2000:\n---\nseed: !!int 1\n")
    assert "not allowed" in err.message and err.field == "seed"


def test_an_unquoted_date_stays_the_text_written():
    assert yamlio.loads("runs: 2024-00-10\nat: 2024-01-01\n").data == {
        "runs": "2024-00-10", "at": "2024-01-01"}


def test_merge_keys_are_refused():
    err = _refused("d: &d {start: 1}\nhorizon: {<<: *d, end: 2}\n")
    assert "merge keys" in err.message and err.field == "horizon"


def test_a_duplicate_key_is_refused_naming_both_lines():
    err = _refused("runs: 0\nseed: 1\nruns: 10\n")
    assert err.line == 3 and err.field == "runs" and "first at line 1" in err.message


def test_lines_are_kept_for_every_key_path():
    doc = yamlio.loads("a:\n  b:\n    - 1\n    - {c: 2}\n")
    assert doc.line_of(("a", "b", 1, "c")) == 4 and doc.line_of(("a", "b", 0)) == 3


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    with time_limit(5):
        for path, words in [(fifo, "FIFO"), ("/dev/zero", "character device"),
                            (tmp_path, "directory"), (tmp_path / "none.yaml", "not found")]:
            with pytest.raises(InputError, match=words):
                yamlio.load_file(path)


def test_a_file_beyond_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(InputError, match="larger than the limit"):
        yamlio.load_file(big)


def test_a_named_file_must_be_yaml_outside_the_pseudo_file_systems(tmp_path):
    ref = yamlio.Ref("scenario.yaml", 3, "config")
    (tmp_path / "notes.txt").write_text("a: 1\n")
    for path in ["/proc/self/environ", tmp_path / "notes.txt"]:
        with pytest.raises(InputError) as info:
            yamlio.load_file(path, named_at=ref)
        err = info.value
        assert (err.file, err.line, err.field) == ("scenario.yaml", 3, "config")
        assert "PATH=" not in err.format()  # nothing of the foreign file is echoed


def test_api_mappings_meet_the_same_limits():
    deep: dict = {}
    node = deep
    for _ in range(MAX_DEPTH + 5):
        node["k"] = {}
        node = node["k"]
    with pytest.raises(InputError, match="nested more than"):
        yamlio.from_data(deep)
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(InputError, match="nested more than"):
        yamlio.from_data(loop)
    with pytest.raises(InputError, match="plain data"):
        yamlio.from_data({"runs": {1, 2}})
