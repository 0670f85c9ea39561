"""The equations as pure functions: invariants checked without a model."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simulate.model import dynamics as dyn

unit = st.floats(0.0, 1.0, allow_nan=False)
pos = st.floats(0.0, 100.0, allow_nan=False)
units = lambda *shape: hnp.arrays(float, shape, elements=unit)  # noqa: E731


@given(hnp.arrays(float, (2, 4), elements=st.floats(0.0, 1.0)))
def test_alignment_lies_on_the_simplex_for_any_closeness(close):
    a = dyn.alignment(close, np.full(2, 3.0))
    assert np.all(a >= 0)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, atol=1e-12)


def test_alignment_is_even_when_positions_are_equally_close_to_every_power():
    np.testing.assert_allclose(dyn.alignment(np.full((1, 3), 0.6), np.ones(1) * 3), 1 / 3)


def test_closeness_is_one_at_a_powers_ideals_and_falls_with_distance():
    ideal = np.array([[0.0, 1.0, 0.5]])
    sal = np.array([[1.0, 0.5, 0.2]])
    assert dyn.closeness(ideal, ideal, sal)[0] == 1.0
    near = dyn.closeness(np.array([[0.1, 0.9, 0.5]]), ideal, sal)[0]
    far = dyn.closeness(np.array([[0.5, 0.5, 0.5]]), ideal, sal)[0]
    assert 1.0 > near > far > 0.0


@given(units(3, 4), st.floats(0.3, 0.6), st.floats(0.6, 0.9))
def test_outcome_class_is_exactly_one_class_per_run(align, lean, aligned):
    align = align / np.maximum(align.sum(axis=-1, keepdims=True), 1e-9)
    cls = dyn.outcome_class(align, np.full(3, lean), np.full(3, aligned))
    assert set(np.unique(cls)) <= {0.0, 1.0}
    np.testing.assert_array_equal(cls.sum(axis=-1), 1.0)


def test_outcome_class_thresholds():
    align = np.array([[0.34, 0.33, 0.33], [0.55, 0.25, 0.2], [0.1, 0.7, 0.2]])
    cls = dyn.outcome_class(align, np.full(3, 0.5), np.full(3, 0.6))
    # columns: balanced, leaning x3, aligned x3
    assert cls[0, 0] == 1 and cls[1, 1] == 1 and cls[2, 5] == 1


def test_capture_is_absorbing():
    balanced = np.array([[1.0, 0, 0, 0, 0, 0, 0]])
    assert dyn.is_captured(np.array([True]), balanced, 3)[0]
    assert not dyn.is_captured(np.array([False]), balanced, 3)[0]


@given(units(2, 3), units(2, 3), units(2, 3))
def test_balance_index_in_unit_interval(a, b, c):
    align = dyn.alignment(a, np.full(2, 2.0))
    assert np.all((dyn.balance_index(align) >= 0) & (dyn.balance_index(align) <= 1 + 1e-12))


def test_balance_index_extremes():
    assert dyn.balance_index(np.array([[0.25] * 4]))[0] == 1.0
    assert dyn.balance_index(np.array([[1.0, 0, 0, 0]]))[0] == 0.0


@given(units(4), st.floats(0.0, 2.0), st.floats(0.0, 1.0))
def test_more_vulnerability_never_lowers_the_probability_of_giving_way(v, resolve, backing):
    p = dyn.give_way(np.sort(v), resolve + 1e-6, backing)
    assert np.all(np.diff(p) >= -1e-12)
    assert np.all((p >= 0) & (p <= 1))


@given(units(5), units(3), unit, hnp.arrays(float, 3, elements=st.floats(0.0, 0.5)),
       st.floats(0.1, 3.0))  # fmt: skip
def test_effort_grows_with_the_stake_and_vanishes_without_vulnerability(
    stake, success, backlash, cost, reactivity
):
    effect = dyn.effectiveness(success, backlash)  # one per instrument
    e = dyn.effort(np.sort(stake)[None, :], effect[None, :], cost[None, :],
                   np.array([reactivity]))[0]  # fmt: skip
    assert e.shape == (3, 5)
    assert np.all(e >= 0) and np.all(np.diff(e, axis=-1) >= -1e-12)
    assert np.all(e[success == 0] == 0)
    assert np.all(e[effect * stake.max() <= cost] == 0)  # not worth its cost: no effort


@given(units(5), unit)
def test_pressure_works_more_the_more_vulnerable_kazakhstan_is(p, backlash):
    eff = dyn.effectiveness(np.sort(p), backlash)
    assert np.all(eff >= 0) and np.all(np.diff(eff) >= -1e-12)
    assert dyn.effectiveness(0.0, backlash) == 0.0


@given(hnp.arrays(float, (2, 3, 5), elements=st.floats(0.0, 2.0)), units(2, 5),
       hnp.arrays(float, (2, 3), elements=st.floats(0.0, 3.0)),
       hnp.arrays(float, (2, 3), elements=st.floats(0.0, 1.0)))  # fmt: skip
def test_allotted_effort_respects_the_ceiling_and_a_floor_above_it(raw, stake, ceiling, floor):
    e = dyn.allot(raw, stake + 0.01, ceiling, floor)  # (powers, instruments, issues)
    total = e.sum(axis=-1)
    assert e.shape == raw.shape and np.all(e >= 0)
    assert np.all(total <= np.maximum(ceiling, floor) + 1e-9)
    assert np.all(total >= floor - 1e-9)
    free = raw.sum(axis=-1) <= ceiling  # within the ceiling and above the floor: unchanged
    keep = free & (raw.sum(axis=-1) >= floor)
    np.testing.assert_allclose(e[keep], raw[keep])


weight = st.one_of(st.just(0.0), st.floats(1e-6, 3.0))  # no subnormal weights


@given(hnp.arrays(float, (2, 6, 5), elements=weight), units(2, 6, 5))
def test_best_response_is_a_convex_combination_of_the_targets(weights, targets):
    best = dyn.best_response(weights, targets)
    assert np.all((best >= 0) & (best <= 1))
    lo, hi = targets.min(axis=1), targets.max(axis=1)
    has = weights.sum(axis=1) > 0
    assert np.all(~has | ((best >= lo - 1e-12) & (best <= hi + 1e-12)))


@given(units(3, 5), hnp.arrays(float, (3, 4, 5), elements=st.floats(0.01, 2.0)), units(3, 4, 5),
       st.floats(0.05, 3.0))  # fmt: skip
def test_the_own_ideal_makes_the_start_a_rest_point(x0, weights, targets, own_weight):
    own = dyn.own_ideal(x0, np.full_like(x0, own_weight), weights, targets)
    w = np.concatenate([np.full((3, 1, 5), own_weight), weights], axis=1)
    t = np.concatenate([own[:, None, :], targets], axis=1)
    num = (w * t).sum(axis=1)
    np.testing.assert_allclose(num / w.sum(axis=1), x0, atol=1e-9)


@given(units(2, 6, 5), hnp.arrays(float, (2, 6, 5), elements=st.floats(0.01, 2.0)), units(2, 5))
def test_shifts_add_up_to_the_move_of_the_best_response(targets, weights, start):
    shifts = dyn.shifts(weights, targets, start)
    unclipped = (weights * targets).sum(axis=1) / weights.sum(axis=1)
    np.testing.assert_allclose(shifts.sum(axis=1), unclipped - start, atol=1e-9)


@given(units(3, 5), hnp.arrays(float, (3, 5), elements=st.floats(-5, 5)), st.floats(0, 2))
def test_quantal_response_stays_inside_the_unit_interval(best, shock, scale):
    chosen = dyn.quantal(best, shock, np.full(3, scale))
    assert np.all((chosen > 0) & (chosen < 1))


def test_quantal_response_without_a_shock_is_the_best_response():
    best = np.array([[0.2, 0.5, 0.9]])
    np.testing.assert_allclose(dyn.quantal(best, np.ones((1, 3)), np.zeros(1)), best, atol=1e-12)


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


@given(unit, hnp.arrays(float, (1, 4), elements=st.floats(0.01, 1)))
def test_the_routing_position_is_the_preferred_share_avoiding_the_power(x, base):
    avoids = np.array([1.0, 1.0, 0.0, 0.0])
    pref = dyn.route_preferences(np.array([x]), base, avoids)
    np.testing.assert_allclose(pref[0, 2:].sum(), x, atol=1e-12)
    np.testing.assert_allclose(pref.sum(), 1.0, atol=1e-12)


@given(hnp.arrays(float, (3, 2), elements=unit), hnp.arrays(float, (3, 2), elements=unit),
       hnp.arrays(float, (3, 2), elements=unit),
       hnp.arrays(float, (3, 2), elements=st.floats(0, 3)))  # fmt: skip
def test_channel_leverage_in_unit_interval(dep, rev, difficulty, cap):
    lev = dyn.channel_leverage(dep, rev, difficulty, cap)
    assert np.all((lev >= 0) & (lev <= 1))


def test_a_power_with_no_dependence_channel_has_no_leverage():
    zero = np.zeros((1, 2))
    dep = np.array([[0.0, 0.5]])
    channels = {c: dyn.channel_leverage(dep if c == "trade" else zero, zero, 1.0, np.ones((1, 2)))
                for c in dyn.CHANNELS}  # fmt: skip
    lev = dyn.leverage(channels, {c: np.ones((1, 1)) for c in dyn.CHANNELS})
    assert lev[0, 0] == 0.0 and lev[0, 1] > 0.0


def test_spare_capacity_around_a_power_makes_its_transit_easier_to_substitute():
    crosses = np.array([[1.0], [0.0]])  # route 0 crosses the power, route 1 avoids it
    flows = np.array([[50.0, 5.0]])
    tight = dyn.substitution(flows, np.array([[60.0, 5.0]]), crosses)
    loose = dyn.substitution(flows, np.array([[60.0, 30.0]]), crosses)
    assert tight[0, 0] == 0.0 and loose[0, 0] == 0.5


def test_only_a_campaign_on_a_held_instrument_is_carried_out():
    np.testing.assert_array_equal(dyn.carried_out(np.array([0.6, 0.6, 1.5, 0.0]),
                                                  np.array([0.5, 0.0, 0.5, 0.5])),
                                  [0.6, 0.0, 1.0, 0.0])  # fmt: skip


def test_the_stock_at_rest_is_the_fixed_point_of_the_update():
    stock = dyn.steady_stock(6.0, 0.05, 0.25)
    np.testing.assert_allclose(dyn.accumulate_stock(stock, 6.0, 0.05, 0.25), stock)


def test_shorter_transit_and_sanctions_risk_raise_the_corridor_share():
    base = dyn.corridor_base(0.2, 0.1, 20.0, 16.0, 3.0, 0.5)
    at_start = dyn.corridor_share(base, 0.1, 20.0, 16.0, 3.0, 0.5)
    faster = dyn.corridor_share(base, 0.1, 14.0, 16.0, 3.0, 0.5)
    riskier = dyn.corridor_share(base, 0.1, 20.0, 16.0, 3.0, 0.8)
    np.testing.assert_allclose(at_start, 0.2)
    assert faster > at_start and riskier > at_start
