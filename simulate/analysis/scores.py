"""Scores of forecasts against observations: CRPS, interval coverage, naive forecasts, skill.

Plain numbers and arrays in and out, so each function is tested without a model. An
observation is ``(low, high)``: one figure when ``low == high``, else a range where the
sources disagree, taken as uniform on ``[low, high]``.

* :func:`crps_ensemble` and :func:`crps_point`: the continuous ranked probability score
  of an ensemble and of a single value (Gneiting and Raftery 2007, "Strictly Proper
  Scoring Rules, Prediction, and Estimation", JASA 102(477), 359-378). The CRPS is in
  the unit of the figure; 0 is a perfect forecast and lower is better. It is a proper
  score: a forecast cannot improve its expected score by being wider or narrower than
  what it believes. The ensemble CRPS is computed by ``scoringrules.crps_ensemble``.
* :func:`coverage`: whether the central interval of an ensemble overlaps the observation.
* :func:`persistence` and :func:`trend`: the *naive forecasts* a model must beat, computed
  from the observations of the fit years (up to and including the origin) only.
* :func:`skill`: ``1 - model / naive``; positive when the model scores better.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from simulate.analysis.history import History

#: Points of the evenly spaced grid over which a range observation is averaged.
GRID = 21

#: ``series -> {year: (low, high)}``: the observed record as plain data.
Record = Mapping[str, Mapping[int, tuple[float, float]]]


def observation_grid(low: float, high: float, points: int = GRID) -> np.ndarray:
    """The observation as points: ``[low]`` for one figure, else ``points`` evenly over the range.

    Raises:
        ValueError: when ``low > high`` or either is not finite.
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"the observation must be finite, not ({low}, {high})")
    if low > high:
        raise ValueError(f"low ({low:g}) is above high ({high:g})")
    return np.array([float(low)]) if low == high else np.linspace(low, high, points)


def _members(ensemble: ArrayLike) -> np.ndarray:
    e = np.asarray(ensemble, dtype=float).ravel()
    if e.size == 0 or not np.all(np.isfinite(e)):
        raise ValueError("the ensemble must have at least one member, all finite")
    return e


def crps_ensemble(ensemble: ArrayLike, low: float, high: float) -> float:
    """The CRPS of an ensemble against an observed value or range.

    The ensemble is taken as its empirical distribution F (equal weights), and
    CRPS(F, y) = E|X - y| - E|X - X'| / 2 with X, X' independent draws from F
    (Gneiting and Raftery 2007, eq. 21), computed by ``scoringrules.crps_ensemble``
    (estimator ``"nrg"``, that formula). An observed range ``low < high``, where sources
    disagree, is taken as uniform on ``[low, high]`` and the result is the expected CRPS
    over it: the mean of CRPS(F, y) over :data:`GRID` evenly spaced points y from low to
    high.

    Args:
        ensemble: The members (e.g. each run's annual value); any shape, flattened.
        low: The observation, or the low end of its range.
        high: The observation (``== low``), or the high end of its range.

    Returns:
        The CRPS, in the unit of the observation; 0 only for a perfect point forecast.

    Raises:
        ValueError: for an empty or non-finite ensemble, or ``low > high``.
    """
    import scoringrules as sr

    e = _members(ensemble)
    grid = observation_grid(low, high)
    fct = np.broadcast_to(e, (grid.size, e.size))
    scores = sr.crps_ensemble(grid, fct, estimator="nrg", backend="numpy")
    return float(np.mean(scores))


def crps_point(x: float, low: float, high: float) -> float:
    """The CRPS of a point forecast: its absolute error, averaged over a range as uniform.

    A point forecast is a one-member ensemble, whose CRPS is ``|x - y|``; a range is
    averaged over the same grid as :func:`crps_ensemble`, so the two agree.

    Raises:
        ValueError: for a non-finite ``x``, or ``low > high``.
    """
    if not np.isfinite(x):
        raise ValueError(f"the forecast must be finite, not {x}")
    return float(np.mean(np.abs(float(x) - observation_grid(low, high))))


def interval(ensemble: ArrayLike, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the ensemble: 0.5 -> 25% to 75%, 0.9 -> 5% to 95%.

    Raises:
        ValueError: for a level outside (0, 1) or an empty or non-finite ensemble.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"the level must be in (0, 1), not {level}")
    tail = round((1 - level) / 2, 12)  # 0.9 -> 0.05 exactly, not 0.04999...
    lo, hi = np.quantile(_members(ensemble), [tail, 1 - tail])
    return float(lo), float(hi)


def coverage(ensemble: ArrayLike, low: float, high: float, level: float) -> bool:
    """Whether the central ``level`` interval of the ensemble overlaps ``[low, high]``.

    Raises:
        ValueError: for a level outside (0, 1), a bad ensemble, or ``low > high``.
    """
    observation_grid(low, high)
    lo, hi = interval(ensemble, level)
    return bool(lo <= high and hi >= low)


def _observed(history: History | Record, series: str) -> dict[int, tuple[float, float]]:
    """``{year: (low, high)}`` of one series, from a :class:`History` or a plain record."""
    if isinstance(history, Mapping):
        return {int(y): (float(b[0]), float(b[1])) for y, b in history[series].items()}
    return {y: history.observed(series, y) for y in history.years(series)}


def _fit(history: History | Record, series: str, origin: int) -> dict[int, float]:
    """The fit years' observations of the series (years <= origin), ranges as midpoints."""
    return {y: (b[0] + b[1]) / 2 for y, b in sorted(_observed(history, series).items())
            if y <= origin}  # fmt: skip


def persistence(history: History | Record, series: str, origin: int) -> float | None:
    """The naive forecast "as last observed": the latest observation at or before ``origin``.

    Args:
        history: The observed history, or ``{series: {year: (low, high)}}``.
        series: The series.
        origin: The last fit year; nothing later is read.

    Returns:
        The value (a range's midpoint), or None when no year up to the origin is observed.
    """
    fit = _fit(history, series, origin)
    return fit[max(fit)] if fit else None


def persistence_year(history: History | Record, series: str, origin: int) -> int | None:
    """The year :func:`persistence` takes its value from, or None."""
    fit = _fit(history, series, origin)
    return max(fit) if fit else None


def trend(history: History | Record, series: str, origin: int, year: int) -> float | None:
    """The naive forecast "the trend goes on": a straight line through the fit years, at ``year``.

    The line is the least-squares fit through the observations of every year up to and
    including ``origin`` (ranges as midpoints); through two years it is the line joining
    them.

    Args:
        history: The observed history, or ``{series: {year: (low, high)}}``.
        series: The series.
        origin: The last fit year; nothing later is read.
        year: The year forecast.

    Returns:
        The line's value in ``year``, or None with fewer than two fit years.
    """
    fit = _fit(history, series, origin)
    if len(fit) < 2:
        return None
    years = np.array(list(fit), dtype=float) - origin
    slope, intercept = np.polyfit(years, np.array(list(fit.values())), 1)
    return float(intercept + slope * (year - origin))


def trend_years(history: History | Record, series: str, origin: int) -> list[int]:
    """The years :func:`trend` fits its line through (empty when it has fewer than two)."""
    fit = _fit(history, series, origin)
    return list(fit) if len(fit) >= 2 else []


def skill(model_score: float, naive_score: float) -> float:
    """The skill of a model over a naive forecast: ``1 - model_score / naive_score``.

    1 is a perfect model, 0 no better than the naive forecast, below 0 worse. When the
    naive score is 0 (a perfect naive forecast) the skill is 0 for a perfect model too
    and minus infinity otherwise.

    Raises:
        ValueError: for a negative or non-finite score.
    """
    for s in (model_score, naive_score):
        if not (np.isfinite(s) and s >= 0):
            raise ValueError(f"scores are finite and non-negative, not {s}")
    if naive_score == 0:
        return 0.0 if model_score == 0 else float("-inf")
    return 1.0 - model_score / naive_score
