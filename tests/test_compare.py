"""simulate compare: statistics, their invariants, output forms and bad input."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulate.analysis.compare import SUMMARY_ONLY, compare, describe, difference, superiority
from simulate.cli.main import main
from simulate.results.files import SCHEMA_VERSION, Results, load_results

from .analysis_files import assert_bad_input, broken_files, make

# --- strategies: in-memory ensembles shaped like result files ------------------------------

SERIES = {"balance_index": [""], "leverage": ["russia", "china"], "captured": [""]}
STATS = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
value = st.one_of(st.floats(0, 1, allow_nan=False, width=32), st.sampled_from([0.0, 0.5, 1.0]))


@st.composite
def ensembles(draw, name: str = "a", n_times: int = 3) -> Results:  # noqa: ANN001
    """A runs file in memory: 2-12 runs, ``n_times`` quarters, ties and spread alike."""
    n_runs = draw(st.integers(2, 12))
    times = 2030.0 + 0.25 * np.arange(n_times)
    parts = []
    for var, ents in SERIES.items():
        for ent in ents:
            if var == "captured":
                flags = st.sampled_from([0.0, 1.0])
                vals = draw(arrays(np.float64, (n_runs, n_times), elements=flags))
                vals = np.maximum.accumulate(vals, axis=1)  # stays 1 once captured
            else:
                vals = draw(arrays(np.float64, (n_runs, n_times), elements=value))
            runs, ts = np.meshgrid(np.arange(n_runs), times, indexing="ij")
            parts.append(pd.DataFrame({"run": runs.ravel(), "time": ts.ravel(), "variable": var,
                                       "entity": ent, "value": vals.ravel()}))  # fmt: skip
    meta = {"schema_version": SCHEMA_VERSION, "scenario": {"name": name}, "runs": n_runs,
            "powers": ["russia", "china"], "routes": []}  # fmt: skip
    return Results(frame=pd.concat(parts, ignore_index=True), metadata=meta,
                   path=Path(f"{name}.parquet"))  # fmt: skip


def summary_of(res: Results) -> Results:
    """The summary file (``keep: summary``) the contract in docs/results.md describes."""
    f = res.frame.sort_values(["variable", "entity", "time", "run"])
    g = f.groupby(["variable", "entity", "time"])["value"]
    stats = {"mean": g.mean(), "sd": g.std(ddof=1)}
    stats |= {k: g.quantile(q) for k, q in STATS.items()}
    rows = [s.rename("value").reset_index().assign(stat=k, run=-1) for k, s in stats.items()]
    final = f[np.isclose(f["time"], f["time"].max())].assign(stat="final")
    frame = pd.concat([*rows, final], ignore_index=True)
    return replace(res, frame=frame, metadata={**res.metadata, "keep": "summary"})


ensemble_pairs = st.tuples(ensembles("a"), ensembles("b"))


def by_key(rows: list[dict]) -> dict[tuple, dict]:
    return {(r["variable"], r["entity"], r["time"], r["scenario"]): r for r in rows}


# --- invariants -----------------------------------------------------------------------------


@given(ensembles())
@settings(max_examples=15)
def test_comparing_a_file_with_itself_shows_zero_difference(a):
    rows, _ = compare([a, a], list(SERIES), seed=1)
    others = [r for r in rows if "diff" in r]
    assert len(others) == len(rows) // 2
    for r in others:
        assert r["diff"] == 0.0
        assert r["diff_lo"] <= 0.0 <= r["diff_hi"]
        if r["variable"] != "captured":
            assert r["p_superiority"] == 0.5
            assert r["mannwhitney_p"] == pytest.approx(1.0)


@given(ensemble_pairs)
@settings(max_examples=15)
def test_compare_ab_mirrors_compare_ba(pair):
    a, b = pair
    ab = by_key(compare([a, b], list(SERIES))[0])
    ba = by_key(compare([b, a], list(SERIES))[0])
    for (var, ent, t, name), r in ab.items():
        if name != "b":
            continue
        m = ba[(var, ent, t, "a")]
        assert r["diff"] == -m["diff"]
        if var != "captured":
            assert r["p_superiority"] == pytest.approx(1.0 - m["p_superiority"])
            assert r["mannwhitney_p"] == pytest.approx(m["mannwhitney_p"])
        for stat in ("mean", "median", "p05", "p95"):  # per-file statistics just swap places
            assert ab[(var, ent, t, "a")][stat] == ba[(var, ent, t, "a")][stat]


@given(ensemble_pairs, st.randoms(use_true_random=False))
@settings(max_examples=15)
def test_result_is_independent_of_row_order_inside_a_file(pair, rnd):
    a, b = pair
    order = list(range(len(b.frame)))
    rnd.shuffle(order)
    shuffled = replace(b, frame=b.frame.iloc[order].reset_index(drop=True))
    assert compare([a, b], list(SERIES))[0] == compare([a, shuffled], list(SERIES))[0]


@given(ensemble_pairs)
@settings(max_examples=10)
def test_a_summary_file_compares_like_the_runs_it_summarises(pair):
    a, b = pair
    for t in (2030.0, 2030.5):  # an earlier period and the last one
        full, _ = compare([a, b], list(SERIES), [t])
        summ, notes = compare([summary_of(a), summary_of(b)], list(SERIES), [t])
        assert any("summary" in n for n in notes)
        for r_f, r_s in zip(full, summ, strict=True):
            for stat in ("mean", "median", "p05", "p95"):  # for captured: Wilson interval
                assert r_s[stat] == pytest.approx(r_f[stat], abs=1e-9)
            if "diff" in r_f and t < 2030.5:
                assert r_s["p_superiority"] == SUMMARY_ONLY
            elif "diff" in r_f:
                assert r_s["diff_lo"] == r_f["diff_lo"]
                assert r_s["p_superiority"] == r_f["p_superiority"]


samples = st.lists(st.floats(-10, 10, allow_nan=False), min_size=3, max_size=40).map(np.array)


@given(samples)
def test_a_shifted_sample_has_the_shift_inside_its_bootstrap_interval(x):
    d = difference(x, x + 1.0)
    assert d["diff"] == pytest.approx(1.0)
    assert d["diff_lo"] - 1e-9 <= d["diff"] <= d["diff_hi"] + 1e-9


@given(samples, samples)
def test_superiority_is_a_probability_and_mirrors(a, b):
    s = superiority(a, b)
    assert 0.0 <= s["p_superiority"] <= 1.0 and 0.0 <= s["mannwhitney_p"] <= 1.0
    assert s["p_superiority"] == pytest.approx(1.0 - superiority(b, a)["p_superiority"])


def test_describe_gives_the_interval_of_the_runs():
    d = describe(np.arange(101.0))
    assert (d["mean"], d["median"], d["p05"], d["p95"]) == (50.0, 50.0, 5.0, 95.0)


def test_the_bootstrap_is_seeded():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=50), rng.normal(0.3, size=60)
    assert difference(a, b, seed=4) == difference(a, b, seed=4)


# --- real files and the command line -------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    out = {"base": make(tmp, "base"), "mc": make(tmp, "mc", scenario="middle_corridor.yaml"),
           "summary": make(tmp, "mc_summary", scenario="middle_corridor.yaml", keep="summary"),
           "long": make(tmp, "long", end=2029)}  # fmt: skip
    return out | broken_files(tmp, out["base"])


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_summary_files_compare_at_the_end_with_full_tests(files):
    a, s = load_results(files["base"]), load_results(files["summary"])
    rows, notes = compare([a, s], ["leverage"], None)
    assert any("summary" in n for n in notes)
    assert all(isinstance(r["p_superiority"], float) for r in rows if "diff" in r)
    early, _ = compare([a, s], ["leverage"], [2025.0])
    assert all(r["p_superiority"] == SUMMARY_ONLY for r in early if "diff" in r)
    same = compare([a, load_results(files["mc"])], ["leverage"], [2025.0])[0]
    for r_s, r_f in zip(early, same, strict=True):
        assert r_s["mean"] == pytest.approx(r_f["mean"], abs=1e-12)


def test_cli_prints_the_table_and_guards_regressions(files):
    r = invoke("compare", files["base"], files["mc"])
    assert r.exit_code == 0, r.output
    assert "oil_via_russia_share" in r.output and "P(B>A)" in r.output
    assert invoke("compare", files["base"], files["mc"], "--fail-above", "0").exit_code == 1
    assert invoke("compare", files["mc"], files["mc"], "--fail-above", "0").exit_code == 0
    assert invoke("compare", files["base"], files["mc"], "--fail-above", "1e6").exit_code == 0


def test_cli_says_which_tests_a_summary_file_cannot_give(files):
    r = invoke("compare", files["base"], files["summary"], "-v", "leverage", "--at", "2025")
    assert r.exit_code == 0, r.output
    assert SUMMARY_ONLY in r.output


def test_cli_json_and_csv(files):
    r = invoke("compare", files["base"], files["mc"], "--json", "-v", "captured")
    payload = json.loads(r.output)
    assert {row["variable"] for row in payload["rows"]} == {"captured"}
    r = invoke("compare", files["base"], files["mc"], "--csv", "-v", "leverage", "--at", "2025",
               "--at", "2026")  # fmt: skip
    frame = pd.read_csv(io.StringIO(r.output))
    assert set(frame["time"]) == {2025.0, 2026.0} and len(frame) == 3 * 2 * 2


def test_entity_option_chooses_powers(files):
    r = invoke("compare", files["base"], files["mc"], "--json", "-v", "leverage",
               "-v", "balance_index", "-e", "russia")  # fmt: skip
    rows = json.loads(r.output)["rows"]
    assert {(x["variable"], x["entity"]) for x in rows} == {("leverage", "russia"),
                                                           ("balance_index", "")}  # fmt: skip


def test_different_horizons_are_compared_on_common_times(files):
    r = invoke("compare", files["long"], files["base"])
    assert r.exit_code == 0
    assert "horizons differ" in r.output
    assert "2027.75" in r.output


@pytest.mark.parametrize("case, args, expected", [
    ("missing", ["{base}", "{missing}"], ["none.parquet", "not found"]),
    ("directory", ["{base}", "{directory}"], ["adir.parquet", "directory"]),
    ("not_ours", ["{base}", "{not_ours}"], ["plain.parquet", "not a multivector"]),
    ("truncated", ["{base}", "{truncated}"], ["cut.parquet", "Parquet"]),
    ("old_version", ["{base}", "{old_version}"], ["old.parquet", "schema_version"]),
    ("lacks_variable", ["{base}", "{lacks_balance_index}"], ["partial.parquet", "balance_index"]),
    ("unknown_variable", ["{base}", "{mc}", "-v", "happiness"], ["--variable", "happiness"]),
    ("unknown_entity", ["{base}", "{mc}", "-e", "mars"], ["--entity", "mars"]),
    ("time_after_horizon", ["{base}", "{mc}", "--at", "2050"], ["--at", "outside the horizon"]),
    ("time_off_grid", ["{base}", "{mc}", "--at", "2025.1"], ["--at", "no period"]),
    ("time_outside_second_file", ["{long}", "{base}", "--at", "2029"], ["base.parquet", "--at"]),
    ("one_file", ["{base}"], ["at least two"]),
])  # fmt: skip
def test_bad_input_gives_one_message_and_exit_2(files, case, args, expected):
    r = invoke("compare", *[a.format(**files) for a in args])
    assert_bad_input(r, *expected)


def test_files_of_the_same_runs_and_seed_get_the_paired_interval(files, tmp_path):
    from simulate.results.summary import paired_difference

    base, mc = load_results(files["base"]), load_results(files["mc"])
    rows, _ = compare([base, mc], ["leverage"], None, entities=["russia"])
    ref, other = rows
    a = base.at("leverage", "russia").sort_index().to_numpy()
    b = mc.at("leverage", "russia").sort_index().to_numpy()
    want = paired_difference(a, b)
    assert other["paired"] is True and other["unit"] == "index 0-1"
    assert (other["diff_lo"], other["diff_hi"]) == (want.low, want.high)
    assert other["excludes_zero"] == want.excludes_zero
    other_seed = load_results(make(tmp_path, "other", scenario="middle_corridor.yaml", seed=6))
    rows, _ = compare([base, other_seed], ["leverage"], None, entities=["russia"])
    assert rows[1]["paired"] is False


def test_cli_heads_the_table_with_runs_seed_and_pairing_and_marks_real_changes(files):
    r = invoke("compare", files["base"], files["mc"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("Compared at 2027.75; 20 runs each, seed 5; paired")
    body = [line.split() for line in lines[3:] if line and line[0].isalpha()]
    first = [b[0] for b in body]
    assert first.index("captured") < first.index("balance_index"), "probabilities first"
    assert first[0] == "outcome"
    lev = next(b for b in body if b[:2] == ["leverage", "russia"] and b[5] == "mc")
    assert lev[2:4] == ["index", "0-1"] and "*" in lev
