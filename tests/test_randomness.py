"""Per-run randomness: Philox4x32-10 by counter, a pure function of (seed, run)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.model.philox import philox4x32
from simulate.model.randomness import INPUTS, SHOCKS, draw_runs, run_seed, uniforms
from simulate.running.runner import prepare

#: Random123's known-answer vectors for philox4x32-10: (counter, key) -> output.
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]  # fmt: skip


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_matches_the_reference_known_answers(counter, key, expected):
    assert tuple(int(w) for w in philox4x32(counter, key)) == expected


def test_philox_of_an_array_of_counters_equals_each_counter_alone():
    c0 = np.arange(50, dtype=np.uint64)
    together = np.stack(philox4x32((c0, 3, 9, 1), (17, 4)), axis=-1)
    alone = [[int(w) for w in philox4x32((int(c), 3, 9, 1), (17, 4))] for c in c0]
    assert together.tolist() == alone


@settings(max_examples=25)
@given(seed=st.integers(0, 2**63 - 1), runs=st.lists(st.integers(0, 2**63 - 1), min_size=1,
                                                      max_size=6, unique=True))  # fmt: skip
def test_a_runs_numbers_do_not_depend_on_the_other_runs_of_its_chunk(seed, runs):
    together = uniforms(seed, runs, INPUTS, 9)
    for k, r in enumerate(runs):
        assert np.array_equal(together[k], uniforms(seed, [r], INPUTS, 9)[0])


def test_uniforms_lie_strictly_inside_the_unit_interval_and_look_uniform():
    u = uniforms(1, np.arange(4000), INPUTS, 25)
    assert u.min() > 0.0 and u.max() < 1.0
    counts, _ = np.histogram(u, bins=10, range=(0, 1))
    assert np.all(np.abs(counts / u.size - 0.1) < 0.005)


def test_seeds_runs_and_streams_give_different_numbers():
    base = uniforms(5, [3], INPUTS, 8)
    assert not np.array_equal(base, uniforms(6, [3], INPUTS, 8))
    assert not np.array_equal(base, uniforms(5, [4], INPUTS, 8))
    assert not np.array_equal(base, uniforms(5, [3 + 2**32], INPUTS, 8))  # high word counts
    assert not np.array_equal(base, uniforms(5, [3], SHOCKS, 8))
    assert not np.array_equal(base, uniforms(5 + 2**32, [3], INPUTS, 8))  # high key word
    assert run_seed(5, 3) != run_seed(5, 4)


def test_shocks_are_standard_normal():
    spec = prepare("baseline")
    _, noise = draw_runs(spec, 11, np.arange(3000))
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 1.0) < 0.01
    assert abs(np.corrcoef(noise[:, :, 0].ravel(), noise[:, :, 1].ravel())[0, 1]) < 0.01


def _with_event(small_scenario: dict, probability: float) -> dict:
    event = {"type": "route_disruption", "target": "cpc", "at": 2025.0, "duration": 0.5,
             "magnitude": 0.5, "probability": probability}  # fmt: skip
    return {**small_scenario, "events": [*small_scenario.get("events", []), event]}


def test_adding_an_event_changes_no_other_draw_of_the_run(small_scenario):
    small_scenario = {**small_scenario, "uncertainties": [
        {"parameter": "russia.capacity_growth", "dist": "uniform", "low": -0.02, "high": 0.0}]}
    before_draws, before_noise = draw_runs(prepare(small_scenario), 3, range(20))
    after_draws, after_noise = draw_runs(prepare(_with_event(small_scenario, 0.5)), 3, range(20))
    assert np.array_equal(before_noise, after_noise)
    for path, values in before_draws.values.items():
        assert np.array_equal(values, after_draws.values[path])
    assert after_draws.occurs.shape == (20, 1) and 0 < after_draws.occurs.sum() < 20


def test_lengthening_the_horizon_keeps_the_earlier_periods_shocks(small_scenario):
    short = prepare(small_scenario)
    longer = prepare({**small_scenario, "horizon": {**small_scenario["horizon"], "end": 2030}})
    _, a = draw_runs(short, 3, range(5))
    _, b = draw_runs(longer, 3, range(5))
    assert np.array_equal(a, b[: len(a)])
