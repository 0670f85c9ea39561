"""Summary statistics: in memory when the arrays fit, spooled to disk when not, the same numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import simulate
from simulate.cli.main import main
from simulate.io import resources
from simulate.running import statistics
from simulate.running.summarystore import QUANTILES, quantiles, stats_over_runs

from .conftest import SCENARIOS

KEYS = ["run", "time", "variable", "entity", "stat"]


@pytest.fixture
def spools(monkeypatch):
    """The spools each summary opens (a list, one entry per spool)."""
    opened = []

    class Recorded(statistics.Spool):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self.root)

    monkeypatch.setattr(statistics, "Spool", Recorded)
    return opened


def _summary(monkeypatch, budget: int, **kw) -> pd.DataFrame:
    monkeypatch.setenv(resources.MEMORY_ENV, str(budget))
    res = simulate.run_scenario(SCENARIOS / "middle_corridor.yaml", runs=45, seed=3,
                                keep="summary", **kw)  # fmt: skip
    return res.frame.sort_values(KEYS, ignore_index=True)


@pytest.mark.parametrize("kw", [{"chunk": 45}, {"chunk": 8}, {"chunk": 11, "workers": 2}],
                         ids=["one-chunk", "chunks", "pool"])  # fmt: skip
def test_in_memory_and_spooled_statistics_are_the_same_numbers(monkeypatch, spools, kw):
    reference = _summary(monkeypatch, 10**12, chunk=16)
    assert spools == [], "the arrays fit: no spool"
    spooled = _summary(monkeypatch, 0, **kw)
    assert len(spools) == 1, "a budget of 0 bytes spools to disk"
    pd.testing.assert_frame_equal(reference, spooled, check_exact=True)
    kept = _summary(monkeypatch, 10**12, **kw)
    pd.testing.assert_frame_equal(reference, kept, check_exact=True)


def test_statistics_computed_on_a_dask_cluster_are_the_same_numbers(monkeypatch, spools):
    distributed = pytest.importorskip("distributed")
    reference = _summary(monkeypatch, 10**12, chunk=16)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=50) as cluster:
        remote = _summary(monkeypatch, 10**12, chunk=7, scheduler=cluster.scheduler_address)
    assert spools == [], "a cluster named by address reduces where the chunks are"
    pd.testing.assert_frame_equal(reference, remote, check_exact=True)


def test_a_local_dask_cluster_spools_like_a_pool_with_the_same_numbers(monkeypatch, spools):
    pytest.importorskip("distributed")
    reference = _summary(monkeypatch, 10**12, chunk=16)
    local = _summary(monkeypatch, 10**12, chunk=7, dask_local=2)
    assert len(spools) == 1, "its workers write the chunks into a spool here"
    pd.testing.assert_frame_equal(reference, local, check_exact=True)


def test_the_choice_follows_the_size_of_the_arrays(monkeypatch):
    values = 1000 * 68 * 160
    monkeypatch.setenv(resources.MEMORY_ENV, str(values * 8))
    assert resources.stats_in_memory(values)
    assert not resources.stats_in_memory(values + 1)
    monkeypatch.delenv(resources.MEMORY_ENV)
    monkeypatch.setattr(resources, "free_memory", lambda: 8 * values * 4)
    assert resources.stats_in_memory(values)  # a quarter of what is available
    assert not resources.stats_in_memory(values * 2)
    monkeypatch.setattr(resources, "free_memory", lambda: None)
    assert not resources.stats_in_memory(1)  # unknown memory: the spool


def test_a_bad_memory_budget_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv(resources.MEMORY_ENV, "lots")
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "baseline.yaml"), "-n", "5",
                                  "--keep", "summary", "-o", str(tmp_path / "x.parquet")])
    assert r.exit_code == 2
    (line,) = r.output.strip().splitlines()
    assert resources.MEMORY_ENV in line and "number of bytes" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("budget", [0, 10**12], ids=["spool", "memory"])
def test_the_statistics_phase_reports_its_progress(monkeypatch, budget):
    monkeypatch.setenv(resources.MEMORY_ENV, str(budget))
    runs_done, phases, blocks = [], [], []

    def progress(done: int) -> None:
        runs_done.append(done)

    def phase(name: str, total: int):
        phases.append((name, total))
        return blocks.append

    progress.phase = phase
    simulate.run_scenario(SCENARIOS / "baseline.yaml", runs=30, keep="summary", chunk=10,
                          progress=progress)  # fmt: skip
    assert runs_done == [10, 20, 30]
    ((name, total),) = phases
    assert name == "baseline: statistics" and total >= 1
    assert blocks == list(range(1, total + 1))


@settings(max_examples=60, deadline=None)
@given(values=arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=9),
                     elements=st.floats(-1e6, 1e6) | st.just(np.nan)))  # fmt: skip
def test_quantiles_are_numpys_linear_quantiles_bit_for_bit(values):
    expected = np.quantile(values, QUANTILES, axis=0)
    np.testing.assert_array_equal(quantiles(values, QUANTILES), expected)


@settings(max_examples=30, deadline=None)
@given(values=arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 6),
                                           st.integers(1, 4)),
                     elements=st.floats(-1e6, 1e6)))  # fmt: skip
def test_statistics_do_not_depend_on_the_memory_layout_of_the_values(values):
    time_major = np.ascontiguousarray(values.transpose(1, 0, 2)).transpose(1, 0, 2)
    entity_major = np.moveaxis(np.ascontiguousarray(np.moveaxis(values, -1, 0)), 0, -1)
    expected = stats_over_runs(np.ascontiguousarray(values))
    np.testing.assert_array_equal(stats_over_runs(time_major), expected)
    np.testing.assert_array_equal(stats_over_runs(entity_major), expected)


def test_statistics_leave_the_values_as_they_were():
    values = np.arange(12.0)[::-1].reshape(12, 1, 1).copy()
    before = values.copy()
    stats_over_runs(values)
    quantiles(values, QUANTILES)
    np.testing.assert_array_equal(values, before)
