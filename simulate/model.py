"""The Mesa driver: one agent per actor, activated in explicit stages.

A period runs: powers' capacities move -> powers decide their pressure -> Kazakhstan
chooses its positions -> trade, investment and routes respond -> outcomes are
recorded. Within a stage, agents read only what earlier stages wrote, so no result
depends on the order agents are activated in. All randomness comes from
``model.rng``, seeded from (scenario seed, run index).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from mesa.agent import AgentSet

from simulate import stages
from simulate.agents import HedgerAgent, PowerAgent
from simulate.randomness import draw_run, run_generator, run_seed, shocks
from simulate.rest import start
from simulate.spec import RunSpec
from simulate.variables import VARIABLES


class BalancingModel(mesa.Model):
    """Kazakhstan balancing between the powers, for one run of a scenario.

    Args:
        spec: The run specification (see :func:`simulate.spec.build`).
        run: The run index; with the scenario seed it fixes all randomness.
        seed: Overrides the scenario's seed.

    Attributes:
        hedger: The :class:`HedgerAgent`.
        powers: The :class:`PowerAgent` set, in config order.
        observation: The latest recorded outputs, variable -> (1, entities).
        datacollector: Collects every (variable, entity) per period.
    """

    def __init__(self, spec: RunSpec, run: int = 0, seed: int | None = None) -> None:
        base_seed = spec.scenario.seed if seed is None else seed
        super().__init__(seed=run_seed(base_seed, run))
        self.reset_rng(run_generator(base_seed, run))
        self.spec = spec
        self.run_index = run
        self.dt = spec.dt
        self.period = 0
        self.shocks = shocks(self.rng, len(spec.times), len(spec.issues))[:, spec.shock_order]
        self.draws = draw_run(spec, self.rng)
        self.params = spec.params_at(0, self.draws)
        pw, hs = start(spec, spec.rest_params(self.draws), self.params)
        self.power_agents = [PowerAgent(self, name, j, column(pw, j))
                             for j, name in enumerate(spec.powers)]  # fmt: skip
        self.powers = AgentSet(self.power_agents, random=self.random)
        self.hedger = HedgerAgent(self, spec.hedger, hs)
        self.support = np.zeros((1, len(spec.powers)))
        self.observation: dict[str, np.ndarray] = {}
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())

    def _reporters(self) -> dict[str, Any]:
        reporters = {}
        for var in self.spec.outputs:
            for j, ent in enumerate(self.spec.entities(VARIABLES[var].entity)):
                key = f"{var}[{ent}]" if ent else var
                reporters[key] = lambda m, v=var, j=j: float(m.observation[v][0, j])
        return reporters

    def gather_powers(self) -> stages.PowerState:
        """The powers' states side by side, shape (1, P), for the coupled stages."""
        return stages.stack_powers([a.state for a in self.power_agents])

    def step(self) -> None:
        """Advance one period through the stages and record the outcomes."""
        self.params = self.spec.params_at(self.period, self.draws)
        self.powers.do("grow")
        self.support = stages.support(self.gather_powers(), self.params)
        self.powers.do("decide")
        self.hedger.respond()
        self.powers.do("trade_and_invest")
        self.hedger.adjust_economy()
        pw = self.gather_powers()
        stages.record(self.hedger.state, pw, self.params, self.spec)
        self.observation = stages.observe(self.hedger.state, pw, self.params, self.spec)
        self.datacollector.collect(self)
        self.period += 1
        if self.period >= len(self.spec.times):
            self.running = False

    def run(self) -> dict[str, np.ndarray]:
        """Run to the horizon's end; return variable -> (periods, entities)."""
        rows: dict[str, list[np.ndarray]] = {}
        while self.running:
            self.step()
            for k, v in self.observation.items():
                rows.setdefault(k, []).append(v[0])
        return {k: np.stack(v) for k, v in rows.items()}


def column(pw: stages.PowerState, j: int) -> stages.PowerState:
    """Power ``j``'s slice of the powers' state: (R, P[, I]) arrays become (R[, I])."""
    kw = {}
    for name, value in vars(pw).items():
        kw[name] = ({k: v[:, j].copy() for k, v in value.items()} if isinstance(value, dict)
                    else value[:, j].copy())  # fmt: skip
    return stages.PowerState(**kw)
