"""Scores of forecasts: the CRPS, interval coverage, the naive forecasts and skill.

Each test is named after the invariant it checks; hypothesis draws the ensembles,
observations and observed records.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from simulate.analysis import scores
from simulate.analysis.history import load_history

values = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
ensembles = st.lists(values, min_size=1, max_size=40).map(np.array)


@st.composite
def observations(draw):
    """``(low, high)``: one figure or a range."""
    low = draw(values)
    width = draw(st.one_of(st.just(0.0), st.floats(1e-3, 100.0)))
    return low, low + width


@st.composite
def records(draw):
    """A plain observed record of one series ``'s'``: years 2015-2023, values or ranges."""
    years = draw(st.lists(st.integers(2015, 2023), min_size=0, max_size=9, unique=True))
    return {"s": {y: draw(observations()) for y in sorted(years)}}


def close(a, b):
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


# --- the CRPS --------------------------------------------------------------------------


@given(values, st.integers(1, 30))
def test_the_crps_of_a_perfect_point_forecast_is_zero(y, members):
    assert close(scores.crps_ensemble(np.full(members, y), y, y), 0.0)
    assert scores.crps_point(y, y, y) == 0.0


@given(ensembles, observations())
def test_the_crps_is_never_negative(ens, obs):
    assert scores.crps_ensemble(ens, *obs) >= -1e-9
    assert scores.crps_point(float(ens[0]), *obs) >= 0.0


@given(ensembles, observations())
def test_the_crps_of_an_ensemble_is_at_most_its_mean_absolute_error(ens, obs):
    grid = scores.observation_grid(*obs)
    mae = np.mean(np.abs(ens[:, None] - grid[None, :]))
    assert scores.crps_ensemble(ens, *obs) <= mae + 1e-9


@given(values, observations())
def test_a_point_forecast_scores_as_a_one_member_ensemble(x, obs):
    assert close(scores.crps_point(x, *obs), scores.crps_ensemble([x], *obs))


@given(values, values)
def test_the_crps_of_a_point_forecast_against_a_value_is_its_absolute_error(x, y):
    assert close(scores.crps_point(x, y, y), abs(x - y))


@given(ensembles, values, st.floats(0.1, 50.0))
def test_an_ensemble_centred_on_the_observation_scores_better_than_a_shifted_one(ens, y, shift):
    """No worse for any shift; strictly better once the shift takes every member past it."""
    centred = ens - np.median(ens) + y
    assume(np.ptp(centred) < 1e3)
    here = scores.crps_ensemble(centred, y, y)
    for d in (shift, -shift, np.ptp(centred) + shift, -np.ptp(centred) - shift):
        there = scores.crps_ensemble(centred + d, y, y)
        assert here <= there + 1e-9
        if abs(d) > np.ptp(centred):
            assert here < there


@given(ensembles, observations())
def test_a_range_observations_crps_is_the_average_over_the_range(ens, obs):
    low, high = obs
    assume(low < high)
    grid = np.linspace(low, high, scores.GRID)
    each = [scores.crps_ensemble(ens, y, y) for y in grid]
    assert close(scores.crps_ensemble(ens, low, high), float(np.mean(each)))


@given(ensembles, observations())
def test_a_range_scores_no_worse_than_the_mean_of_its_two_ends(ens, obs):
    """The CRPS is convex in the observation, so its average is at most that of the ends."""
    low, high = obs
    ends = (scores.crps_ensemble(ens, low, low) + scores.crps_ensemble(ens, high, high)) / 2
    assert scores.crps_ensemble(ens, low, high) <= ends + 1e-9


@given(ensembles, observations(), st.floats(0.01, 100.0), values)
def test_the_crps_moves_with_the_unit_and_ignores_the_origin(ens, obs, scale, offset):
    low, high = obs
    base = scores.crps_ensemble(ens, low, high)
    assert scores.crps_ensemble(ens * scale, low * scale, high * scale) == \
        pytest.approx(base * scale, rel=1e-6, abs=1e-6)  # fmt: skip
    assert scores.crps_ensemble(ens + offset, low + offset, high + offset) == \
        pytest.approx(base, rel=1e-6, abs=1e-6)  # fmt: skip


def test_the_crps_of_a_known_ensemble():
    # E|X - y| - E|X - X'|/2 for {0, 1} against 0: 0.5 - 0.25
    assert close(scores.crps_ensemble([0.0, 1.0], 0.0, 0.0), 0.25)
    # a point forecast 1 against a range 0-2: the mean of |1 - y| over 21 points
    grid = np.linspace(0.0, 2.0, 21)
    assert close(scores.crps_point(1.0, 0.0, 2.0), float(np.mean(np.abs(1.0 - grid))))


def test_bad_observations_and_ensembles_are_refused():
    with pytest.raises(ValueError, match="above"):
        scores.crps_ensemble([1.0], 2.0, 1.0)
    with pytest.raises(ValueError, match="member"):
        scores.crps_ensemble([], 1.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        scores.crps_ensemble([np.nan], 1.0, 1.0)
    with pytest.raises(ValueError, match="level"):
        scores.coverage([1.0], 1.0, 1.0, 1.0)


# --- coverage ---------------------------------------------------------------------------


@given(ensembles, st.sampled_from([0.5, 0.9]))
def test_an_ensemble_containing_the_observation_at_its_median_covers_it(ens, level):
    m = float(np.median(ens))
    assert scores.coverage(ens, m, m, level)


@given(ensembles, observations())
def test_what_the_50_percent_interval_covers_the_90_percent_interval_covers(ens, obs):
    if scores.coverage(ens, *obs, 0.5):
        assert scores.coverage(ens, *obs, 0.9)


@given(ensembles, st.floats(1e-3, 100.0), st.sampled_from([0.5, 0.9]))
def test_an_observation_beyond_every_member_is_not_covered(ens, gap, level):
    top = float(ens.max()) + gap
    assert not scores.coverage(ens, top, top + 1.0, level)


def test_the_intervals_are_the_central_quantiles():
    ens = np.arange(101.0)
    assert scores.interval(ens, 0.5) == (25.0, 75.0)
    assert scores.interval(ens, 0.9) == (5.0, 95.0)
    assert scores.interval(ens, 0.9) == tuple(np.quantile(ens, [0.05, 0.95]))


# --- the naive forecasts -------------------------------------------------------------------


@given(records(), st.integers(2015, 2023))
def test_persistence_is_the_last_value_observed_up_to_the_origin(rec, origin):
    fit = {y: b for y, b in rec["s"].items() if y <= origin}
    got = scores.persistence(rec, "s", origin)
    if not fit:
        assert got is None and scores.persistence_year(rec, "s", origin) is None
    else:
        last = max(fit)
        assert got == (fit[last][0] + fit[last][1]) / 2
        assert scores.persistence_year(rec, "s", origin) == last


@given(records(), st.integers(2015, 2022), st.data())
def test_no_year_after_the_origin_enters_a_naive_forecast(rec, origin, data):
    later = {y: data.draw(observations()) for y in range(origin + 1, 2024)}
    edited = {"s": {**rec["s"], **later}}
    assert scores.persistence(edited, "s", origin) == scores.persistence(rec, "s", origin)
    for year in range(origin + 1, 2024):
        assert scores.trend(edited, "s", origin, year) == scores.trend(rec, "s", origin, year)
    assert all(y <= origin for y in scores.trend_years(edited, "s", origin))


@given(st.lists(st.integers(2015, 2022), min_size=2, max_size=8, unique=True), values, values,
       st.integers(2023, 2030))  # fmt: skip
def test_the_trend_of_a_straight_line_is_that_line(years, intercept, slope, year):
    rec = {"s": {y: (intercept + slope * (y - 2015),) * 2 for y in years}}
    assert scores.trend(rec, "s", 2022, year) == \
        pytest.approx(intercept + slope * (year - 2015), rel=1e-6, abs=1e-6)  # fmt: skip


@given(records(), st.integers(2015, 2022))
def test_the_trend_needs_two_fit_years(rec, origin):
    fit = [y for y in rec["s"] if y <= origin]
    got = scores.trend(rec, "s", origin, 2023)
    assert (got is None) == (len(fit) < 2)
    assert scores.trend_years(rec, "s", origin) == (sorted(fit) if len(fit) >= 2 else [])


def test_the_naive_forecasts_read_the_history_file_as_a_record():
    hist = load_history()
    # trade with Russia: 24.5 (2021), 24.3-26.1 (2022)
    assert scores.persistence(hist, "trade_russia", 2022) == pytest.approx(25.2)
    assert scores.persistence(hist, "trade_russia", 2021) == 24.5
    assert scores.trend(hist, "trade_russia", 2022, 2023) == pytest.approx(25.9)
    assert scores.trend(hist, "trade_russia", 2021, 2023) is None
    assert scores.persistence(hist, "oil_route_druzhba", 2022) is None  # 2023 only


# --- skill --------------------------------------------------------------------------------


@given(st.floats(1e-6, 1e6))
def test_skill_is_zero_for_a_tie_one_for_a_perfect_model_and_negative_for_a_worse_one(naive):
    assert scores.skill(naive, naive) == 0.0
    assert scores.skill(0.0, naive) == 1.0
    assert scores.skill(2 * naive, naive) == pytest.approx(-1.0)


def test_skill_against_a_perfect_naive_forecast():
    assert scores.skill(0.0, 0.0) == 0.0 and scores.skill(1.0, 0.0) == float("-inf")
    with pytest.raises(ValueError):
        scores.skill(-1.0, 1.0)
