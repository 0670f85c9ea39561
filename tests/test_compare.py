"""simulate compare: statistics, their invariants, output forms and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.cli import main
from simulate.compare import compare, describe, difference, superiority
from simulate.results import load_results

from .analysis_files import make


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    return {
        "base": make(tmp, "base"),
        "mc": make(tmp, "mc", scenario="middle_corridor.yaml"),
        "summary": make(tmp, "mc_summary", scenario="middle_corridor.yaml", keep="summary"),
        "long": make(tmp, "long", end=2029),
        "dir": tmp,
    }


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- pure statistics --------------------------------------------------------------------


samples = st.lists(st.floats(-10, 10, allow_nan=False), min_size=3, max_size=40).map(np.array)


@given(samples)
def test_a_sample_compared_with_itself_shows_no_difference(x):
    d = difference(x, x)
    assert d["diff"] == 0.0
    s = superiority(x, x)
    assert s["p_superiority"] == pytest.approx(0.5)
    assert s["mannwhitney_p"] == pytest.approx(1.0)


@given(samples, samples)
@settings(max_examples=30)
def test_swapping_the_samples_mirrors_the_comparison(a, b):
    ab, ba = superiority(a, b), superiority(b, a)
    assert difference(a, b)["diff"] == pytest.approx(-difference(b, a)["diff"])
    assert ab["p_superiority"] == pytest.approx(1.0 - ba["p_superiority"])
    assert ab["mannwhitney_p"] == pytest.approx(ba["mannwhitney_p"])


@given(samples)
def test_the_bootstrap_interval_contains_the_difference(x):
    d = difference(x, x + 1.0)
    assert d["diff_lo"] - 1e-9 <= d["diff"] <= d["diff_hi"] + 1e-9


def test_describe_gives_the_interval_of_the_runs():
    d = describe(np.arange(101.0))
    assert (d["mean"], d["median"], d["p05"], d["p95"]) == (50.0, 50.0, 5.0, 95.0)


# --- files ----------------------------------------------------------------------------------


def test_comparing_a_file_with_itself_shows_zero_difference(files):
    res = load_results(files["mc"])
    rows, _ = compare([res, res])
    diffs = [r["diff"] for r in rows if "diff" in r]
    assert diffs and all(d == 0.0 for d in diffs)


def test_compare_ab_mirrors_compare_ba(files):
    a, b = load_results(files["base"]), load_results(files["mc"])
    ab = {(r["variable"], r["entity"]): r for r in compare([a, b])[0] if "diff" in r}
    ba = {(r["variable"], r["entity"]): r for r in compare([b, a])[0] if "diff" in r}
    for key, r in ab.items():
        assert r["diff"] == pytest.approx(-ba[key]["diff"], abs=1e-12)
        if isinstance(r["p_superiority"], float):
            assert r["p_superiority"] == pytest.approx(1 - ba[key]["p_superiority"])


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=5, deadline=None)
def test_row_order_inside_a_file_does_not_change_the_result(files, seed):
    a, b = load_results(files["base"]), load_results(files["mc"])
    shuffled = load_results(files["mc"])
    order = np.random.default_rng(seed).permutation(len(shuffled.frame))
    shuffled.frame = shuffled.frame.iloc[order].reset_index(drop=True)
    assert compare([a, b])[0] == compare([a, shuffled])[0]


def test_summary_files_compare_at_the_end_with_full_tests(files):
    a, s = load_results(files["base"]), load_results(files["summary"])
    rows, notes = compare([a, s], ["leverage"], None)
    assert any("summary" in n for n in notes)
    assert all(isinstance(r["p_superiority"], float) for r in rows if "diff" in r)
    early, _ = compare([a, s], ["leverage"], [2025.0])
    assert all(r["p_superiority"] == "n/a (summary file)" for r in early if "diff" in r)
    full = load_results(files["mc"])
    same = compare([a, full], ["leverage"], [2025.0])[0]
    for r_s, r_f in zip(early, same, strict=True):
        assert r_s["mean"] == pytest.approx(r_f["mean"], abs=1e-12)


def test_cli_prints_the_table_and_guards_regressions(files):
    r = invoke("compare", files["base"], files["mc"])
    assert r.exit_code == 0, r.output
    assert "oil_via_russia_share" in r.output and "P(B>A)" in r.output
    assert invoke("compare", files["base"], files["mc"], "--fail-above", "0").exit_code == 1
    assert invoke("compare", files["mc"], files["mc"], "--fail-above", "0").exit_code == 0


def test_cli_json_and_csv(files):
    r = invoke("compare", files["base"], files["mc"], "--json", "-v", "captured")
    payload = json.loads(r.output)
    assert {row["variable"] for row in payload["rows"]} == {"captured"}
    r = invoke("compare", files["base"], files["mc"], "--csv", "-v", "leverage",
               "--at", "2025")
    frame = pd.read_csv(pd.io.common.StringIO(r.output))
    assert set(frame["time"]) == {2025.0} and len(frame) == 6


def test_different_horizons_are_compared_on_common_times(files):
    r = CliRunner().invoke(main, ["compare", str(files["long"]), str(files["base"])])
    assert r.exit_code == 0
    assert "horizons differ" in r.output
    assert "2027.75" in r.output


BAD_CASES = ["missing", "directory", "not_ours", "truncated", "bad_variable", "bad_time",
             "one_file", "old_version"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_gives_one_message_and_exit_2(files, tmp_path, case):
    good = files["base"]
    other = {"missing": tmp_path / "nope.parquet", "directory": files["dir"]}.get(case, good)
    extra: list = []
    if case == "not_ours":
        other = tmp_path / "plain.parquet"
        pd.DataFrame({"x": [1, 2]}).to_parquet(other)
    elif case == "truncated":
        other = tmp_path / "cut.parquet"
        data = good.read_bytes()
        other.write_bytes(data[: len(data) // 2])
    elif case == "old_version":
        other = tmp_path / "old.parquet"
        table = pq.read_table(good)
        meta = json.loads(table.schema.metadata[b"multivector"])
        meta["schema_version"] = 99
        pq.write_table(table.replace_schema_metadata({b"multivector": json.dumps(meta)}), other)
    elif case == "bad_variable":
        extra = ["--variable", "happiness"]
    elif case == "bad_time":
        extra = ["--at", "2050"]
    args = [good] if case == "one_file" else [good, other]
    r = invoke("compare", *args, *extra)
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error:") and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
