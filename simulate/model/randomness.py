"""Per-run randomness: every random number of run *i* is a pure function of (seed, i).

The numbers come from Philox4x32-10 (:mod:`simulate.model.philox`), a counter-based
generator, so nothing is set up per run: the draws of a whole chunk of runs are
one vectorised computation, and run *i* gets the same numbers alone, in any
chunk and on any executor. Both drivers draw through :func:`draw_runs`.

**The scheme** (result files of schema version 2 and later):

* key: the scenario seed's two 32-bit words (low, high);
* counter: (block, stream, run's low 32 bits, run's high 32 bits);
* each block gives four 32-bit words; a word *w* is the uniform (w + 0.5) / 2**32.

Streams (the second counter word):

* ``INPUTS``: one uniform per random input, in order: the scenario's
  uncertainties, then config ranges, then events (word *k* is block k // 4,
  word k % 4). Adding an event at the end changes no other input of the run, and
  every event draws its uniform whatever its probability.
* ``SHOCKS + k``: the choice shocks of the issue ranked *k* by name, one per
  period (period *t* is block t // 4, word t % 4), standard normal by the inverse
  normal CDF. Reordering issues in the config permutes them; lengthening the
  horizon leaves the earlier periods' shocks as they were.
* ``PRIORS + h``: one uniform for the assumption whose path hashes to *h* (CRC-32, 31
  bits), drawn from its prior; calibrated parameters take posterior vector *i* mod the
  sample's size instead (a counter, not a draw).
* ``MESA``: the seed of the Mesa model's own generators (``model.random``,
  ``model.rng``), which the model's equations never draw from.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr, ndtri

from simulate.model.philox import philox4x32, words_to_uniforms
from simulate.model.spec import Draws, RunSpec
from simulate.scenarios.parameters import domain
from simulate.scenarios.schema import Choice, LogNormal, Triangular, TruncatedNormal, Uniform

#: Stream numbers (the counter's second word).
INPUTS, MESA, SHOCKS = 0, 1, 16
#: Priors draw from streams PRIORS + a 31-bit hash of the parameter's path.
PRIORS = 1 << 31
#: The scheme's name, written into result files' metadata.
SCHEME = "philox4x32-10: key (seed), counter (block, stream, run)"


def _key(seed: int) -> tuple[int, int]:
    return int(seed) & 0xFFFFFFFF, (int(seed) >> 32) & 0xFFFFFFFF


def words(seed: int, runs: Sequence[int] | np.ndarray, stream: int, n: int) -> np.ndarray:
    """The first ``n`` 32-bit words of ``stream`` for each run, shape (runs, n), uint64."""
    r = np.asarray(runs, dtype=np.uint64).reshape(-1, 1)
    blocks = np.arange((n + 3) // 4, dtype=np.uint64).reshape(1, -1)
    out = philox4x32((blocks, stream, r & np.uint64(0xFFFFFFFF), r >> np.uint64(32)), _key(seed))
    return np.stack(out, axis=-1).reshape(len(r), -1)[:, :n]


def uniforms(seed: int, runs: Sequence[int] | np.ndarray, stream: int, n: int) -> np.ndarray:
    """The first ``n`` uniforms in (0, 1) of ``stream`` for each run, shape (runs, n)."""
    return words_to_uniforms(words(seed, runs, stream, n))


def run_seed(seed: int, run: int) -> int:
    """A 128-bit integer for run ``run`` of ``seed``, seeding Mesa's own generators."""
    w = words(seed, [run], MESA, 4)[0]
    return int(sum(int(x) << (32 * i) for i, x in enumerate(w)))


def n_uniforms(spec: RunSpec) -> int:
    """How many input uniforms a run draws: one per uncertainty, range and event."""
    return len(spec.events) + len(spec.random)


def draw_runs(spec: RunSpec, seed: int,
              runs: Sequence[int] | np.ndarray) -> tuple[Draws, np.ndarray]:  # fmt: skip
    """The random inputs and the choice shocks of the given runs.

    Args:
        spec: The run specification.
        seed: The scenario seed.
        runs: Run indices, in [0, 2**64).

    Returns:
        The runs' :class:`Draws`, and their shocks, shape (periods, runs, issues).
    """
    runs = np.asarray(runs, dtype=np.uint64)
    draws = from_uniforms(spec, uniforms(seed, runs, INPUTS, n_uniforms(spec)))
    draws.values.update(ensemble_values(spec, seed, runs))
    n_t = len(spec.times)
    noise = np.empty((n_t, len(runs), len(spec.issues)))
    for col, ranked in enumerate(spec.shock_order):
        noise[:, :, col] = ndtri(uniforms(seed, runs, SHOCKS + ranked, n_t)).T
    return draws, noise


def prior_stream(path: str) -> int:
    """The stream a parameter's prior draws from: fixed by its path alone, so adding,
    removing or reordering other parameters leaves its draw as it was."""
    return PRIORS + (zlib.crc32(path.encode("utf-8")) & 0x7FFFFFFF)


def ensemble_values(spec: RunSpec, seed: int, runs: np.ndarray) -> dict[str, np.ndarray]:
    """The runs' values of the calibrated parameters (posterior vector *i* mod its size)
    and of every other assumption with a prior (its own stream), clipped to the domain."""
    out: dict[str, np.ndarray] = {}
    if spec.posterior is not None:
        rows = spec.posterior.rows(runs)
        for c, path in enumerate(spec.posterior.paths):
            out[path] = spec.posterior.values[rows, c].astype(float)
    for path in spec.priors:
        lo, hi = domain(path)
        q = uniforms(seed, runs, prior_stream(path), 1)[:, 0]
        out[path] = np.clip(inverse_cdf(spec.config.get(path).prior, q), lo, hi)
    return out


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
    """The distribution's quantile function at ``q`` (uniforms in (0, 1))."""
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
