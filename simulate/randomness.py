"""Per-run randomness: run *i* of a scenario draws only from a generator seeded by (seed, i).

Both drivers call :func:`draw_run` with the run's generator and then draw each
period's utility shocks from the same generator, in the same order, so a run's
trajectory depends on nothing but the scenario, the seed and its index.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from simulate.parameters import domain
from simulate.schema import Choice, LogNormal, Triangular, TruncatedNormal, Uniform
from simulate.spec import Draws, RunSpec


def run_seed(seed: int, run: int) -> int:
    """A 128-bit integer derived from (seed, run), for seeding stdlib ``random`` in Mesa."""
    words = np.random.SeedSequence(seed, spawn_key=(run,)).generate_state(4, np.uint32)
    return int(sum(int(w) << (32 * i) for i, w in enumerate(words)))


def run_generator(seed: int, run: int) -> np.random.Generator:
    """The generator run ``run`` draws from: PCG64 on ``SeedSequence(seed, spawn_key=(run,))``.

    This is the stream ``SeedSequence(seed).spawn(n)[run]`` would give, without
    spawning n children, so any run can be computed alone, anywhere.
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run,))))


def n_uniforms(spec: RunSpec) -> int:
    """How many uniforms a run draws after its shocks: one per uncertainty, range and event."""
    return len(spec.events) + len(spec.random)


def draw_run(spec: RunSpec, rng: np.random.Generator) -> Draws:
    """Draw one run's random inputs (uncertainties, config ranges, event occurrence).

    One call, ``rng.random(n_uniforms(spec))``, made right after the run's
    shocks (:func:`shocks`). The order — shocks, uncertainties, ranges, events —
    means adding an event changes no other draw of the run, and every event
    draws its uniform whatever its probability, so changing one event's
    probability leaves every other draw as it was.
    """
    return from_uniforms(spec, rng.random(n_uniforms(spec))[None, :])


def from_uniforms(spec: RunSpec, u: np.ndarray) -> Draws:
    """Turn uniforms of shape (R, n_uniforms) into the runs' :class:`Draws` (vectorised).

    Columns: the scenario's uncertainties, then config ranges, then events.
    Each uncertainty is sampled by its inverse CDF, then clipped to the
    parameter's domain; config ranges are uniform between their low and high.
    """
    values: dict[str, np.ndarray] = {}
    uncertainties = spec.scenario.uncertainties
    for k, unc in enumerate(uncertainties):
        lo, hi = domain(unc.parameter)
        values[unc.parameter] = np.clip(inverse_cdf(unc, u[:, k]), lo, hi)
    for k, path in enumerate(spec.random[len(uncertainties):], start=len(uncertainties)):
        par = spec.config.get(path)
        values[path] = par.low + u[:, k] * (par.high - par.low)
    probs = np.array([ev.probability for ev in spec.events], dtype=float)
    occurs = u[:, len(spec.random):] < probs[None, :]
    return Draws(values=values, occurs=occurs)


def inverse_cdf(u: Uniform | Triangular | TruncatedNormal | LogNormal | Choice,
                q: np.ndarray) -> np.ndarray:  # fmt: skip
    """The distribution's quantile function at ``q`` (uniforms in [0, 1))."""
    q = np.asarray(q, dtype=float)
    if u.dist == "uniform":
        return u.low + q * (u.high - u.low)
    if u.dist == "triangular":
        span, left = u.high - u.low, u.mode - u.low
        cut = left / span
        lower = u.low + np.sqrt(q * span * left)
        upper = u.high - np.sqrt((1.0 - q) * span * (u.high - u.mode))
        return np.where(q < cut, lower, upper)
    if u.dist == "truncnormal":
        a, b = ndtr((u.low - u.mean) / u.sd), ndtr((u.high - u.mean) / u.sd)
        return np.clip(u.mean + u.sd * ndtri(a + q * (b - a)), u.low, u.high)
    if u.dist == "lognormal":
        return u.median * np.exp(u.sigma * ndtri(np.clip(q, 1e-12, 1 - 1e-12)))
    weights = np.asarray(u.weights if u.weights else [1.0] * len(u.values), dtype=float)
    cum = np.cumsum(weights / weights.sum())
    k = np.minimum(np.searchsorted(cum, q, side="right"), len(u.values) - 1)
    return np.asarray(u.values, dtype=float)[k]


def sample(u: Uniform | Triangular | TruncatedNormal | LogNormal | Choice,
           rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:  # fmt: skip
    """Draws from an uncertainty's distribution, by its inverse CDF."""
    q = rng.random(size)
    out = inverse_cdf(u, np.atleast_1d(q))
    return out if size is not None else float(out[0])


def shocks(rng: np.random.Generator, n_periods: int, n_issues: int) -> np.ndarray:
    """A run's choice shocks, standard normal, shape (periods, issues), in stream order."""
    return rng.standard_normal((n_periods, n_issues))
