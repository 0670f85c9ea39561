"""Results kept in memory: the tidy frame is built only when used, and is what a file holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate.results.memory import RunArrays

from .conftest import SCENARIOS

SHORT = {"name": "short", "description": "t", "extends": str(SCENARIOS / "baseline.yaml"),
         "horizon": {"start": 2024, "end": 2027, "step": "quarter"}, "runs": 6, "seed": 5}


@pytest.fixture(scope="module")
def exp():
    return simulate.Experiment(SHORT)


def test_one_series_is_read_from_the_arrays_without_building_the_frame(exp):
    res = exp.run(runs=5, seed=2, chunk=2)
    assert isinstance(res.rows, RunArrays)
    times = exp.spec().times
    series = [("balance_index", ""), ("leverage", "russia"), ("outcome", "balanced")]
    fast = {(v, e, t): res.at(v, e, t) for v, e in series for t in (None, times[0], times[3])}
    assert not res.loaded
    slow = simulate.Results(frame=res.frame, metadata=res.metadata)
    for (v, e, t), values in fast.items():
        pd.testing.assert_series_equal(values, slow.at(v, e, t))


def test_the_frame_in_memory_is_the_frame_a_written_file_reads_back(exp, tmp_path):
    out = tmp_path / "r.parquet"
    kept = exp.run(runs=4, seed=3, chunk=3)
    written = exp.run(runs=4, seed=3, chunk=3, output=out)
    mem, disk = kept.frame, simulate.load_results(out).frame
    for col in ("variable", "entity"):
        assert isinstance(mem[col].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(mem, disk)
    pd.testing.assert_frame_equal(mem, written.frame)


def test_xarray_from_memory_equals_xarray_from_the_file(exp, tmp_path):
    pytest.importorskip("xarray")
    out = tmp_path / "r.parquet"
    mem = exp.run(runs=3, seed=1).to_xarray()
    disk = exp.run(runs=3, seed=1, output=out).to_xarray()
    for var in mem.data_vars:
        np.testing.assert_array_equal(mem[var].values, disk[var].values)


def test_a_missing_series_or_time_is_refused_as_before(exp):
    res = exp.run(runs=2)
    with pytest.raises(simulate.InputError, match="no values for variable 'nope'"):
        res.at("nope")
    with pytest.raises(simulate.InputError, match="no per-run values at time"):
        res.at("balance_index", "", 1999.0)
