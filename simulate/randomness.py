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
    """A 128-bit integer seed for run ``run`` of a scenario seeded with ``seed``.

    Derived with ``SeedSequence(seed, spawn_key=(run,))``, the same stream
    ``SeedSequence(seed).spawn(n)[run]`` would give, without spawning n children.
    """
    words = np.random.SeedSequence(seed, spawn_key=(run,)).generate_state(4, np.uint32)
    return int(sum(int(w) << (32 * i) for i, w in enumerate(words)))


def run_generator(seed: int, run: int) -> np.random.Generator:
    """The generator run ``run`` draws from."""
    return np.random.default_rng(run_seed(seed, run))


def sample(u: Uniform | Triangular | TruncatedNormal | LogNormal | Choice,
           rng: np.random.Generator) -> float:  # fmt: skip
    """One draw from an uncertainty's distribution (one uniform or normal draw each)."""
    if u.dist == "uniform":
        return float(rng.uniform(u.low, u.high))
    if u.dist == "triangular":
        return float(rng.triangular(u.low, u.mode, u.high))
    if u.dist == "truncnormal":
        a, b = ndtr((u.low - u.mean) / u.sd), ndtr((u.high - u.mean) / u.sd)
        x = u.mean + u.sd * ndtri(a + rng.random() * (b - a))
        return float(np.clip(x, u.low, u.high))
    if u.dist == "lognormal":
        return float(u.median * np.exp(u.sigma * rng.standard_normal()))
    weights = np.asarray(u.weights if u.weights else [1.0] * len(u.values), dtype=float)
    cum = np.cumsum(weights / weights.sum())
    k = int(np.searchsorted(cum, rng.random(), side="right"))
    return float(u.values[min(k, len(u.values) - 1)])


def draw_run(spec: RunSpec, rng: np.random.Generator) -> Draws:
    """Draw one run's random inputs: event occurrence, then uncertainties, then config ranges.

    Every event draws one uniform whatever its probability, so changing one
    event's probability leaves every other draw of the run as it was.
    """
    occurs = np.array([[rng.random() < ev.probability for ev in spec.events]], dtype=bool)
    occurs = occurs.reshape(1, len(spec.events))
    values: dict[str, np.ndarray] = {}
    for u in spec.scenario.uncertainties:
        lo, hi = domain(u.parameter)
        values[u.parameter] = np.array([min(max(sample(u, rng), lo), hi)])
    for path in spec.random[len(spec.scenario.uncertainties):]:
        par = spec.config.get(path)
        values[path] = np.array([rng.uniform(par.low, par.high)])
    return Draws(values=values, occurs=occurs)


def shocks(rng: np.random.Generator, n_powers: int) -> np.ndarray:
    """One period's utility shocks for one run (standard normal, one per power)."""
    return rng.standard_normal(n_powers)
