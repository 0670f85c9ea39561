"""The equations of routes, shocks and trade as pure functions (docs/MODEL.md 7.5-7.7)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simulate.model import dynamics as dyn

pos = st.floats(0.0, 50.0, allow_nan=False)
dt = st.sampled_from([1.0, 0.25, 1 / 12])


def build(orders: np.ndarray, lag: float, step: float, years: float) -> np.ndarray:
    """Capacity completed per period for an order path (Mt/yr a year), one route."""
    pipe = np.zeros((dyn.BUILD_STAGES, 1))
    done = []
    for t in range(int(round(years / step))):
        pipe, out = dyn.construction(pipe, np.array([orders[t] if t < len(orders) else 0.0]),
                                     lag, step)  # fmt: skip
        done.append(out[0])
    return np.array(done)


@given(st.floats(0.5, 6.0), dt)
def test_construction_delivers_every_order_once_and_on_average_after_the_lag(lag, step):
    done = build(np.array([10.0]), lag, step, years=80.0)  # one order of 10 Mt/yr x step
    assert done.sum() == pytest.approx(10.0 * step, rel=1e-6)
    times = (np.arange(len(done)) + 1) * step
    mean = (done * times).sum() / done.sum()
    assert mean == pytest.approx(lag, abs=1.5 * step + 0.05 * lag)


def test_construction_starts_slowly_a_third_order_delay():
    done = build(np.array([1.0] * 4), lag=2.0, step=0.25, years=8.0)  # a year of orders
    assert done[:2].sum() < 0.01 * done.sum()  # next to nothing in the first two quarters
    assert done[:4].sum() < 0.1 * done.sum()  # little within the first year
    assert np.argmax(done) >= 6  # the bulk arrives after about the lag


@given(pos, pos, st.floats(0.05, 3.0), dt)
def test_contracts_move_part_of_the_way_to_the_desired_flow(contracted, desired, span, step):
    nxt = dyn.contract(np.array([contracted]), np.array([desired]), span, step)[0]
    lo, hi = sorted((contracted, desired))
    assert lo - 1e-12 <= nxt <= hi + 1e-12
    if contracted != desired:
        assert nxt != contracted


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.5, 10.0), dt)
def test_revealed_intent_jumps_to_what_a_power_shows_and_fades_slowly(intent, shown, memory, step):
    nxt = dyn.revealed_intent(np.array([intent]), np.array([shown]), memory, step)[0]
    assert nxt >= shown
    assert nxt <= max(intent, shown)
    assert dyn.revealed_intent(np.array([nxt]), np.array([0.0]), memory, step)[0] < nxt or nxt == 0


def test_a_remembered_accident_fades_faster_than_a_revealed_intent_of_the_same_size():
    acc, intent = np.zeros(1), np.zeros(1)
    for t in range(24):  # monthly: a shock of 0.6 for six months, then nothing
        shock = np.array([0.6 if t < 6 else 0.0])
        acc = dyn.remembered(acc, shock, 1.0, 1 / 12)
        intent = dyn.revealed_intent(intent, shock, 5.0, 1 / 12)
    assert intent[0] > 2 * acc[0]


@given(st.floats(0.0, 30.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_reexports_need_a_sanctioned_partner_and_fall_with_enforcement(pot, intensity, x, more):
    assert dyn.reexports(pot, 0.0, intensity, x) == 0.0
    a = dyn.reexports(pot, 1.0, intensity, x)
    b = dyn.reexports(pot, 1.0, intensity, min(x + more, 1.0))
    assert 0.0 <= b <= a <= pot


def test_oil_income_is_tonnes_times_barrels_times_price():
    assert dyn.oil_income(70.0, 80.0, 7.33) == pytest.approx(70.0 * 7.33 * 80.0 / 1000.0)


@given(st.floats(0.1, 100.0), st.floats(0.1, 100.0))
def test_a_larger_route_system_costs_less_per_unit(cap, ref):
    f = dyn.scale_factor(np.array([cap]), np.array([ref]), 0.4)[0]
    assert f == pytest.approx((cap / ref) ** -0.4)
    assert (f < 1.0) == (cap > ref)
    assert dyn.scale_factor(np.array([ref]), np.array([ref]), 0.4)[0] == pytest.approx(1.0)


@given(hnp.arrays(float, (2, 3, 4), elements=st.floats(0.0, 1.0)),
       hnp.arrays(float, (2, 3), elements=st.one_of(st.just(0.0), st.floats(1e-6, 2.0))))
def test_the_counterweight_is_a_mean_of_the_other_powers_ideals(ideal, capacity):
    cw = dyn.counterweight(ideal, capacity)
    for p in range(3):
        others = [q for q in range(3) if q != p]
        w = np.clip(capacity[:, others], 0.0, 1.0)
        lo = ideal[:, others].min(axis=1)
        hi = ideal[:, others].max(axis=1)
        weighted = w.sum(axis=1) > 0
        assert np.all(cw[weighted, p] >= lo[weighted] - 1e-12)
        assert np.all(cw[weighted, p] <= hi[weighted] + 1e-12)
        np.testing.assert_array_equal(cw[~weighted, p], ideal[~weighted, p])
