"""The batched driver: the stages of :mod:`simulate.stages` applied to many runs at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulate import stages
from simulate.errors import InputError
from simulate.randomness import from_uniforms, n_uniforms, run_generator
from simulate.rest import hedger_columns, start
from simulate.spec import Draws, RunSpec, StepParams

#: Runs per chunk: large enough to amortise per-step overhead, small enough for the cache.
DEFAULT_CHUNK = 2048


def draw_chunk(spec: RunSpec, runs: Sequence[int], seed: int) -> tuple[Draws, np.ndarray]:
    """Each run's draws and its shocks, shape (periods, runs, issues), from its own generator.

    Run *i* makes exactly the calls the Mesa driver makes on its ``model.rng``:
    ``standard_normal((periods, issues))`` then ``random(n_uniforms)``.
    """
    n_u, n_t, n_i = n_uniforms(spec), len(spec.times), len(spec.issues)
    u = np.empty((len(runs), n_u))
    z = np.empty((len(runs), n_t, n_i))
    for r, i in enumerate(runs):
        g = run_generator(seed, int(i))
        z[r] = g.standard_normal((n_t, n_i))
        u[r] = g.random(n_u)
    noise = np.ascontiguousarray(z[:, :, spec.shock_order].transpose(1, 0, 2))
    return from_uniforms(spec, u), noise


def simulate_runs(
    spec: RunSpec, runs: Sequence[int], seed: int, fixed: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Simulate the given run indices together.

    Args:
        spec: The run specification.
        runs: Run indices; run *i* draws only from the generator of (seed, i).
        seed: The scenario seed.
        fixed: Optional values of random parameters (uncertainties or config
            ranges) by path, each an array indexed by run index. They replace
            the run's own draw (the draw is still made, so every other random
            number of the run stays as it was). Used by experiment designs
            such as sensitivity analysis.

    Returns:
        For each output variable, an array of shape (len(runs), periods, entities).
    """
    draws, noise = draw_chunk(spec, runs, seed)
    for path, values in (fixed or {}).items():
        if path not in draws.values:
            raise InputError(f"{path} is not a random input of this scenario "
                             "(declare it under uncertainties)", field="uncertainties")  # fmt: skip
        draws.values[path] = np.asarray(values, dtype=float)[np.asarray(runs, dtype=np.int64)]
    n_t = len(spec.times)
    pw, hs = start(spec, spec.rest_params(draws), spec.params_at(0, draws))
    out: dict[str, np.ndarray] = {}
    for t in range(n_t):
        sp = spec.params_at(t, draws)
        step(pw, hs, sp, spec, noise[t])
        for name, arr in stages.observe(hs, pw, sp, spec).items():
            if name not in out:
                out[name] = np.empty((n_t, len(runs), arr.shape[1]))
            out[name][t] = arr
    return {k: v.transpose(1, 0, 2) for k, v in out.items()}


def step(
    pw: stages.PowerState, hs: stages.HedgerState, sp: StepParams, spec: RunSpec,
    shock: np.ndarray,
) -> None:  # fmt: skip
    """One period for every run: powers grow and decide -> Kazakhstan responds -> economy
    and routes -> outcomes."""
    dt = spec.dt
    h = hedger_columns(sp)
    before = stages.grow(pw, sp.power, dt)
    stages.decide(pw, sp.power, h, hs.position[:, None, :], hs.channels,
                  stages.support(pw, sp))  # fmt: skip
    stages.respond(hs, pw, sp, spec, shock, dt)
    e = spec.enforcement
    zero = np.zeros((hs.position.shape[0], 1))
    enforcement = zero if e is None else hs.position[:, e : e + 1]
    stages.economy(pw, sp.power, h, hs.position[:, None, :], enforcement,
                   hs.sanction_ref[:, None], before,
                   spec.investment, dt)  # fmt: skip
    stages.routes(hs, pw, sp, spec, dt)
    stages.record(hs, pw, sp, spec)
