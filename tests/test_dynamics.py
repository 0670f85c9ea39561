"""The equations as pure functions: invariants checked without a model."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simulate import dynamics as dyn

unit = st.floats(0.0, 1.0, allow_nan=False)
pos = st.floats(0.0, 100.0, allow_nan=False)


def simplex(n: int):
    return hnp.arrays(float, (2, n), elements=st.floats(0.01, 1.0)).map(
        lambda a: a / a.sum(axis=-1, keepdims=True)
    )


@given(simplex(3), hnp.arrays(float, (2, 3), elements=st.floats(-5, 5)), unit, unit,
       st.floats(0.01, 5.0))  # fmt: skip
def test_realign_stays_on_simplex(align, utility, lam, inertia, temp):
    new = dyn.realign(align, utility, temperature=np.full(2, temp),
                      balance_preference=np.full(2, lam), inertia=np.full(2, inertia), dt=0.25)
    assert np.all(new >= 0)
    np.testing.assert_allclose(new.sum(axis=-1), 1.0, atol=1e-12)


def test_full_balance_preference_targets_even_split():
    align = np.array([[0.7, 0.2, 0.1]])
    new = dyn.realign(align, np.array([[9.0, 0.0, 0.0]]), temperature=np.ones(1),
                      balance_preference=np.ones(1), inertia=np.zeros(1), dt=1.0)  # fmt: skip
    np.testing.assert_allclose(new, 1 / 3)


@given(pos, hnp.arrays(float, (1, 4), elements=st.floats(0, 1)),
       hnp.arrays(float, (1, 4), elements=pos))  # fmt: skip
def test_route_flows_nonnegative_within_capacity_and_conserved(demand, pref, cap):
    f = dyn.allocate_routes(np.array([demand]), pref, cap)
    assert np.all(f >= -1e-12)
    assert np.all(f <= cap + 1e-9)
    np.testing.assert_allclose(f.sum(), min(demand, cap.sum()), rtol=1e-9, atol=1e-9)


@given(pos, hnp.arrays(float, (1, 4), elements=st.floats(0.01, 1)),
       hnp.arrays(float, (1, 4), elements=pos), st.integers(0, 3), st.floats(0, 50))
def test_more_capacity_on_one_route_never_raises_flow_on_another(demand, pref, cap, k, extra):
    before = dyn.allocate_routes(np.array([demand]), pref, cap)
    more = cap.copy()
    more[0, k] += extra
    after = dyn.allocate_routes(np.array([demand]), pref, more)
    others = [j for j in range(4) if j != k]
    assert np.all(after[0, others] <= before[0, others] + 1e-9)
    assert after[0, k] >= before[0, k] - 1e-9


@given(pos, hnp.arrays(float, (1, 4), elements=st.floats(0.01, 1)),
       hnp.arrays(float, (1, 4), elements=pos), st.integers(0, 3), unit)
def test_disruption_never_raises_flow_on_the_disrupted_route(demand, pref, cap, k, loss):
    before = dyn.allocate_routes(np.array([demand]), pref, cap)
    hit = cap.copy()
    hit[0, k] *= 1 - loss
    after = dyn.allocate_routes(np.array([demand]), pref, hit)
    assert after[0, k] <= before[0, k] + 1e-9
    assert after[0, k] <= hit[0, k] + 1e-9


@given(hnp.arrays(float, (3, 2), elements=unit), hnp.arrays(float, (3, 2), elements=unit),
       hnp.arrays(float, (3, 2), elements=st.floats(0, 3)))  # fmt: skip
def test_channel_leverage_in_unit_interval(dep, rev, cap):
    lev = dyn.channel_leverage(dep, rev, cap)
    assert np.all((lev >= 0) & (lev <= 1))


def test_power_with_no_dependence_channel_has_no_leverage():
    zero = np.zeros((1, 2))
    channels = {c: dyn.channel_leverage(np.array([[0.0, 0.5]]) if c == "trade" else zero,
                                        zero, np.ones((1, 2))) for c in dyn.CHANNELS}
    lev = dyn.leverage(channels, {c: np.ones(1) for c in dyn.CHANNELS})
    assert lev[0, 0] == 0.0 and lev[0, 1] > 0.0


@given(simplex(4))
def test_balance_index_in_unit_interval(align):
    b = dyn.balance_index(align)
    assert np.all((b >= 0) & (b <= 1 + 1e-12))


def test_balance_index_extremes():
    assert dyn.balance_index(np.array([[0.25] * 4]))[0] == 1.0
    assert dyn.balance_index(np.array([[1.0, 0, 0, 0]]))[0] == 0.0


def test_capture_is_absorbing():
    cap = dyn.is_captured(np.array([True]), np.array([[0.34, 0.33, 0.33]]),
                          np.zeros((1, 3)), alignment_threshold=0.6, leverage_threshold=0.6)
    assert cap[0]


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 5), st.floats(0, 2))
def test_compliance_stays_in_unit_interval(c, intensity, rate, sens):
    new = dyn.update_compliance(np.array([c]), intensity=intensity, sensitivity=sens, rate=rate,
                                dt=0.25)  # fmt: skip
    assert 0 <= new[0] <= 1


def test_shorter_transit_time_raises_corridor_volume_up_to_capacity():
    slow = dyn.corridor_volume(100.0, 5.0, 20.0, 20.0, 1.0)
    fast = dyn.corridor_volume(100.0, 5.0, 10.0, 20.0, 1.0)
    capped = dyn.corridor_volume(6.0, 5.0, 10.0, 20.0, 1.0)
    assert slow == 5.0 and fast == 10.0 and capped == 6.0
