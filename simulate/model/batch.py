"""The batched driver: the period schedule applied to many runs at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulate.errors import InputError
from simulate.model import stages
from simulate.model.randomness import draw_runs
from simulate.model.rest import hedger_columns, start
from simulate.model.schedule import Stage, run_period
from simulate.model.spec import Draws, RunSpec

#: Runs per chunk: large enough to amortise per-step overhead, small enough for the cache.
DEFAULT_CHUNK = 2048


class Batch:
    """Many runs of one spec, advanced through the schedule's stages together.

    Every stage acts for every run and every power at once, on arrays with a
    leading run axis, by the same equations (:mod:`simulate.model.stages`) the Mesa
    agents use.

    Args:
        spec: The run specification.
        draws: The runs' random inputs.
        noise: The runs' choice shocks, shape (periods, runs, issues).

    Attributes:
        outputs: For each output variable, an array (periods, runs, entities), filled
            period by period.
    """

    def __init__(self, spec: RunSpec, draws: Draws, noise: np.ndarray) -> None:
        self.spec, self.draws, self.noise = spec, draws, noise
        self.sp = spec.params_at(0, draws)
        self.pw, self.hs = start(spec, spec.rest_params(draws), self.sp)
        self.period = 0
        self.outputs: dict[str, np.ndarray] = {}

    def begin(self, period: int) -> None:
        """Set period ``period``'s parameters."""
        self.period = period
        self.sp = self.spec.params_at(period, self.draws)
        self.h = hedger_columns(self.sp)

    def act(self, stage: Stage) -> None:
        """Run a stage for all runs and actors (the batch does every actor's part)."""
        getattr(self, stage.name)()

    def end(self, period: int) -> None:
        """Store the period's outputs: one contiguous block per variable and period."""
        n_t, n_r = len(self.spec.times), self.noise.shape[1]
        for name, arr in stages.observe(self.hs, self.pw, self.sp, self.spec).items():
            if name not in self.outputs:
                self.outputs[name] = np.empty((n_t, n_r, arr.shape[1]))
            self.outputs[name][period] = arr

    def grow(self) -> None:
        """Powers: capacities move."""
        self.before = stages.grow(self.pw, self.sp.power, self.spec.dt)

    def assess(self) -> None:
        """World: each power's backing by the others."""
        self.support = stages.support(self.pw, self.sp)

    def decide(self) -> None:
        """Powers: instrument efforts by the expected-utility rule."""
        stages.decide(self.pw, self.sp.power, self.h, self.hs.position[:, None, :],
                      self.hs.channels, self.support)  # fmt: skip

    def respond(self) -> None:
        """Hedger: positions move towards the noisy best response."""
        stages.respond(self.hs, self.pw, self.sp, self.spec, self.noise[self.period],
                       self.spec.dt)  # fmt: skip

    def trade_and_invest(self) -> None:
        """Powers: trade and FDI respond to the new positions."""
        e = self.spec.enforcement
        hs = self.hs
        enforcement = (np.zeros((hs.position.shape[0], 1)) if e is None
                       else hs.position[:, e : e + 1])  # fmt: skip
        stages.economy(self.pw, self.sp.power, self.h, hs.position[:, None, :], enforcement,
                       hs.sanction_ref[:, None], self.before, self.spec.investment,
                       self.spec.dt)  # fmt: skip

    def adjust_economy(self) -> None:
        """Hedger: routes, freight, income and perceived risk."""
        stages.routes(self.hs, self.pw, self.sp, self.spec, self.spec.dt)

    def record(self) -> None:
        """World: the period's outcomes."""
        stages.record(self.hs, self.pw, self.sp, self.spec)


def simulate_runs(
    spec: RunSpec, runs: Sequence[int], seed: int, fixed: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Simulate the given run indices together.

    Args:
        spec: The run specification.
        runs: Run indices; run *i*'s random numbers depend on (seed, i) alone.
        seed: The scenario seed.
        fixed: Optional values of random parameters (uncertainties or config
            ranges) by path, each an array indexed by run index. They replace
            the run's own draw (every other random number of the run stays as
            it was). Used by experiment designs such as sensitivity analysis.

    Returns:
        For each output variable, an array of shape (len(runs), periods, entities): a
        view of the time-major array the periods were written into, so a consumer
        that needs another layout makes the one copy it needs.
    """
    draws, noise = draw_runs(spec, seed, runs)
    for path, values in (fixed or {}).items():
        if path not in draws.values:
            raise InputError(f"{path} is not a random input of this scenario "
                             "(declare it under uncertainties)", field="uncertainties")  # fmt: skip
        draws.values[path] = np.asarray(values, dtype=float)[np.asarray(runs, dtype=np.int64)]
    batch = Batch(spec, draws, noise)
    for t in range(len(spec.times)):
        run_period(batch, t)
    return {k: v.transpose(1, 0, 2) for k, v in batch.outputs.items()}
