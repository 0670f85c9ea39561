"""Ensembles: per-run seeds, chunking, executors, summary files, faults and interrupts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import simulate
from simulate.cli.main import main
from simulate.model.batch import simulate_runs
from simulate.model.preparation import prepare
from simulate.running.ensemble import run_chunks
from simulate.running.summarystore import STATS, stats_over_runs
from simulate.testing import strategies as mst

from .conftest import ROOT, SCENARIOS, default_signals, in_run_order, process_parents, short_spec


@pytest.fixture(scope="module", name="short_spec")
def _short_spec():
    return short_spec(2027, 60)


@given(st.integers(1, 60), st.integers(0, 2**32))
@settings(max_examples=15)
def test_a_run_does_not_depend_on_the_chunk_size(short_spec, chunk, seed):
    whole = simulate_runs(short_spec, range(60), seed)
    chunked = in_run_order(run_chunks(short_spec, range(60), seed, chunk=chunk, workers=1))
    for k in whole:
        np.testing.assert_array_equal(whole[k], chunked[k], err_msg=k)


@given(mst.scenarios(max_runs=6, max_years=3), st.integers(1, 4))
@settings(max_examples=10)
def test_a_generated_scenario_does_not_depend_on_chunking(data, chunk):
    spec = prepare(data)
    n = spec.scenario.runs
    whole = simulate_runs(spec, range(n), spec.scenario.seed)
    chunked = in_run_order(run_chunks(spec, range(n), spec.scenario.seed, chunk=chunk, workers=1))
    for k in whole:
        np.testing.assert_array_equal(whole[k], chunked[k], err_msg=k)


@pytest.mark.parametrize("workers, chunk", [(2, 7), (3, 13), (2, 60)])
def test_a_run_does_not_depend_on_the_worker_count(short_spec, workers, chunk):
    here = simulate_runs(short_spec, range(60), 11)
    pooled = in_run_order(run_chunks(short_spec, range(60), 11, chunk=chunk, workers=workers))
    for k in here:
        np.testing.assert_array_equal(here[k], pooled[k], err_msg=k)


def test_summary_file_holds_the_statistics_of_the_runs(tmp_path):
    sc = SCENARIOS / "middle_corridor.yaml"
    runs = simulate.run_scenario(sc, runs=40, keep="runs", output=tmp_path / "r.parquet")
    simulate.run_scenario(sc, runs=40, keep="summary", output=tmp_path / "s.parquet", chunk=9)
    full = simulate.load_results(tmp_path / "r.parquet").frame
    back = simulate.load_results(tmp_path / "s.parquet")
    assert back.keep == "summary" and runs.keep == "runs"
    f = back.frame
    assert set(f.loc[f.run == -1, "stat"]) == set(STATS)
    sel = full[(full.variable == "leverage") & (full.entity == "russia")]
    wide = sel.pivot(index="run", columns="time", values="value").sort_index()
    expect = stats_over_runs(wide.to_numpy())
    got = f[(f.run == -1) & (f.variable == "leverage") & (f.entity == "russia")]
    for s, stat in enumerate(STATS):
        vals = got[got.stat == stat].sort_values("time")["value"].to_numpy()
        np.testing.assert_allclose(vals, expect[s], rtol=0, atol=1e-12, err_msg=stat)
    # per-run final values keep probabilities exact
    end = full[full.time == full.time.max()]
    cap_runs = end[end.variable == "captured"].set_index("run")["value"].sort_index()
    cap_summ = back.at("captured").sort_index()
    pd.testing.assert_series_equal(cap_runs, cap_summ, check_names=False)


def test_summary_statistics_read_in_column_blocks_equal_the_whole_variable(
    short_spec, tmp_path, monkeypatch
):
    from simulate.running import summarystore

    arrays = simulate_runs(short_spec, range(30), 5)
    with summarystore.Spool(tmp_path) as spool:
        spool.add(list(range(15, 30)), {k: v[15:] for k, v in arrays.items()})
        spool.add(list(range(15)), {k: v[:15] for k, v in arrays.items()})
        whole = summarystore.spool_stats(short_spec, spool)
        monkeypatch.setattr(summarystore, "BLOCK_BYTES", 1)  # one entity column at a time
        blocked = summarystore.spool_stats(short_spec, spool)
    for k, v in arrays.items():
        np.testing.assert_array_equal(blocked[k], whole[k], err_msg=k)
        np.testing.assert_allclose(whole[k], summarystore.stats_over_runs(v), rtol=1e-12,
                                   atol=1e-15, err_msg=k)


def test_default_keep_switches_to_summary_for_large_ensembles():
    from simulate.running.runner import default_keep

    spec = prepare(SCENARIOS / "baseline.yaml")
    assert default_keep(spec, 100) == "runs"
    assert default_keep(spec, 100_000) == "summary"


def test_dask_local_cluster_gives_the_same_numbers(short_spec):
    pytest.importorskip("distributed")
    here = simulate_runs(short_spec, range(60), 5)
    remote = in_run_order(run_chunks(short_spec, range(60), 5, chunk=8, dask_local=2))
    for k in here:
        np.testing.assert_array_equal(here[k], remote[k], err_msg=k)


def test_a_killed_dask_worker_has_its_chunks_retried(short_spec):
    distributed = pytest.importorskip("distributed")
    from simulate.running.chunks import Simulate, split
    from simulate.running.dask_executor import DaskCluster

    expected = simulate_runs(short_spec, range(400), 3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=50) as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        pids = list(client.run(os.getpid).values())
        got, killed = [], False
        for item in DaskCluster(client=client).map(Simulate(short_spec, 3), split(range(400), 5)):
            got.append(item)
            if not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed = True
    result = in_run_order(got)  # asserts every run exactly once
    for k in expected:
        np.testing.assert_array_equal(expected[k], result[k], err_msg=k)


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_unreachable_scheduler_fails_fast_with_one_message(tmp_path):
    pytest.importorskip("distributed")
    t0 = time.time()
    res = _invoke("run", SCENARIOS / "baseline.yaml", "-n", "5", "-o", tmp_path / "x.parquet",
                  "--scheduler", "tcp://127.0.0.1:9", "-q")  # fmt: skip
    assert res.exit_code == 2
    assert "cannot reach the Dask scheduler" in res.output
    assert time.time() - t0 < 15
    assert not list(tmp_path.iterdir())


def test_dask_local_without_the_extra_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    res = _invoke("run", SCENARIOS / "baseline.yaml", "-n", "5", "-o", tmp_path / "x.parquet",
                  "--dask-local", "2", "-q")  # fmt: skip
    assert res.exit_code == 2
    assert "multivector[dist]" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("args, hint", [
    (["--workers", "0"], "--workers"), (["--runs", "-5"], "--runs"), (["--chunk", "0"], "--chunk"),
])  # fmt: skip
def test_bad_executor_options_exit_2(tmp_path, args, hint):
    res = _invoke("run", SCENARIOS / "baseline.yaml", "-o", tmp_path / "x.parquet", *args)
    assert res.exit_code == 2 and hint in res.output
    assert not list(tmp_path.iterdir())


def test_unwritable_output_exits_2_without_a_partial_file(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        res = _invoke("run", SCENARIOS / "baseline.yaml", "-n", "5", "-o", locked / "x.parquet")
        if os.geteuid() == 0:
            pytest.skip("root can write anywhere")
        assert res.exit_code == 2 and "not writable" in res.output
        assert not list(locked.iterdir())
    finally:
        locked.chmod(0o700)


def test_ctrl_c_exits_130_and_keeps_the_previous_file(tmp_path):
    target = tmp_path / "r.parquet"
    target.write_bytes(b"previous results")
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulate", "run", str(SCENARIOS / "baseline.yaml"), "-n",
         "200000", "--engine", "mesa", "--keep", "runs", "-o", str(target), "-q"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, preexec_fn=default_signals,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline and not any(tmp_path.glob(".r.parquet.*")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert target.read_bytes() == b"previous results"
    assert list(tmp_path.iterdir()) == [target]


def test_a_summary_computed_on_dask_equals_the_local_one(tmp_path):
    pytest.importorskip("distributed")
    sc = SCENARIOS / "baseline.yaml"
    here = simulate.run_scenario(sc, runs=50, keep="summary", chunk=16, workers=1).frame
    there = simulate.run_scenario(sc, runs=50, keep="summary", chunk=7, dask_local=2).frame
    keys = ["run", "time", "variable", "entity", "stat"]
    a = here.sort_values(keys).reset_index(drop=True)
    b = there.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def _grandchildren() -> list[int]:
    """Processes whose parent is a child of this process (pool workers under the forkserver)."""
    parents = process_parents()
    children = {p for p, pp in parents.items() if pp == os.getpid()}
    return [p for p, pp in parents.items() if pp in children]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find pool workers")
def test_a_killed_pool_worker_has_its_chunks_retried(short_spec):
    expected = simulate_runs(short_spec, range(300), 4)
    got, killed = [], False
    for item in run_chunks(short_spec, range(300), 4, chunk=5, workers=2):
        got.append(item)
        if not killed:
            victims = _grandchildren()
            assert victims, "expected pool worker processes"
            os.kill(victims[0], signal.SIGKILL)
            killed = True
    result = in_run_order(got)  # every run exactly once
    for k in expected:
        np.testing.assert_array_equal(expected[k], result[k], err_msg=k)


def test_output_under_a_file_exits_2_without_a_partial_file(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    res = _invoke("run", SCENARIOS / "baseline.yaml", "-n", "5", "-o", blocker / "x.parquet")
    assert res.exit_code == 2 and "output folder does not exist" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
