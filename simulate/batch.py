"""The batched driver: the stages of :mod:`simulate.stages` applied to many runs at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulate import stages
from simulate.errors import InputError
from simulate.randomness import draw_run, run_generator
from simulate.spec import Draws, RunSpec

#: Runs per chunk: keeps each (chunk x actors) array in the CPU cache.
DEFAULT_CHUNK = 1024


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
    gens = [run_generator(seed, int(i)) for i in runs]
    draws = Draws.stack([draw_run(spec, g) for g in gens])
    for path, values in (fixed or {}).items():
        if path not in draws.values:
            raise InputError(f"{path} is not a random input of this scenario "
                             "(declare it under uncertainties)", field="uncertainties")
        draws.values[path] = np.asarray(values, dtype=float)[np.asarray(runs, dtype=np.int64)]
    n_t, n_p = len(spec.times), len(spec.powers)
    order = spec.shock_order
    noise = np.stack([g.standard_normal((n_t, n_p))[:, order] for g in gens]) if gens else None
    sp = spec.params_at(0, draws)
    pw = stages.init_powers(sp.power, sp.hedger["fdi_stock"][:, None])
    hs = stages.init_hedger(sp, spec, pw)
    out: dict[str, np.ndarray] = {}
    for t in range(n_t):
        sp = spec.params_at(t, draws)
        step(pw, hs, sp, spec, noise[:, t, :])  # type: ignore[index]
        for name, arr in stages.observe(hs, pw, sp, spec).items():
            if name not in out:
                out[name] = np.empty((len(gens), n_t, arr.shape[1]))
            out[name][:, t, :] = arr
    return out


def step(
    pw: stages.PowerState, hs: stages.HedgerState, sp, spec: RunSpec, noise: np.ndarray
) -> None:
    """One period for every run, stage by stage (powers -> hedger -> economy -> outcomes)."""
    dt = spec.dt
    old_capacity = pw.capacity
    stages.power_act(pw, sp.power, hs.alignment, hs.reference, dt)
    stages.hedger_respond(hs, pw.trade, pw.fdi_stock, pw.inducement, pw.coercion, sp, noise, dt)
    h_cols = {k: v[:, None] for k, v in sp.hedger.items()}
    stages.power_economy(
        pw, sp.power, h_cols, hs.alignment, hs.reference, hs.compliance[:, None],
        len(spec.powers), old_capacity, dt,
    )  # fmt: skip
    stages.hedger_economy(hs, sp, dt)
    stages.record(hs, pw, sp, spec)

