"""Executors: one interface, the same numbers everywhere, chosen once.

The direction of imports between the running modules is checked with every other
layer in tests/test_layers.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.running import chunks, executors
from simulate.running.chunks import Simulate, SpoolWrite, split
from simulate.running.pool import ProcessPool
from simulate.running.summarystore import Spool

from .conftest import in_run_order, short_spec


@pytest.fixture(scope="module", name="short_spec")
def _short_spec():
    return short_spec(2026, 40)




@pytest.mark.parametrize("executor", [executors.InProcess(), ProcessPool(2)],
                         ids=["in-process", "pool"])  # fmt: skip
def test_every_executor_maps_a_task_to_the_same_arrays(short_spec, executor):
    whole = simulate_runs(short_spec, range(40), 9)
    got = in_run_order(executor.map(Simulate(short_spec, 9), split(range(40), 7)))
    for k in whole:
        np.testing.assert_array_equal(whole[k], got[k], err_msg=k)


def test_fixed_values_travel_with_their_chunk_only(short_spec):
    fixed = {"russia.capacity_growth": np.linspace(-0.03, 0.03, 40)}
    task = Simulate(short_spec, 2, fixed)
    part = task.only(list(range(30, 40)))
    assert part.fixed["russia.capacity_growth"].shape == (10,)  # not the whole design
    whole = simulate_runs(short_spec, range(40), 2, fixed)
    pooled = in_run_order(ProcessPool(2).map(task, split(range(40), 10)))
    for k in whole:
        np.testing.assert_array_equal(whole[k], pooled[k], err_msg=k)


def test_a_spooling_task_writes_the_arrays_and_returns_the_final_values(short_spec, tmp_path):
    arrays = simulate_runs(short_spec, range(12), 4)
    with Spool(tmp_path) as spool:
        task = SpoolWrite(Simulate(short_spec, 4), str(spool.root))
        for idx, final in executors.InProcess().map(task, split(range(12), 5)):
            spool.register(idx)
            assert list(final["run"]) == idx
        for var, want in arrays.items():
            np.testing.assert_array_equal(spool.variable(var), want, err_msg=var)
    expect = chunks.final_values(short_spec, list(range(12)), arrays)
    assert np.array_equal(expect["balance_index"], arrays["balance_index"][:, -1, 0])


def test_choose_picks_one_executor_from_the_options():
    assert isinstance(executors.choose(), executors.InProcess)
    assert isinstance(executors.choose(workers=1), executors.InProcess)
    pool = executors.choose(workers=3, retries=5)
    assert isinstance(pool, ProcessPool) and (pool.workers, pool.retries) == (3, 5)
    assert pool.local and executors.InProcess.local


@pytest.mark.parametrize("options, word", [
    ({"workers": 0}, "workers"), ({"scheduler": "tcp://x:1", "dask_local": 2}, "not both"),
])  # fmt: skip
def test_choose_refuses_bad_options(options, word):
    with pytest.raises(InputError, match=word):
        executors.choose(**options)


def test_a_chunk_size_below_one_is_refused():
    with pytest.raises(InputError, match="chunk"):
        executors.check_chunk(0)
    assert executors.check_chunk(None) > 0


def test_a_local_dask_cluster_is_an_executor_like_the_others(short_spec):
    pytest.importorskip("distributed")
    executor = executors.choose(dask_local=2)
    assert executor.local and executor.spool_first  # on this machine: its workers spool here
    assert not executors.choose(scheduler="tcp://127.0.0.1:1").local  # may be anywhere
    whole = simulate_runs(short_spec, range(40), 9)
    got = in_run_order(executor.map(Simulate(short_spec, 9), split(range(40), 6)))
    for k in whole:
        np.testing.assert_array_equal(whole[k], got[k], err_msg=k)
