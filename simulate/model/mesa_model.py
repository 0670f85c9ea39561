"""The Mesa driver: one agent per actor, activated in explicit stages.

A period runs: powers' capacities move -> powers decide their pressure -> Kazakhstan
chooses its positions -> trade, investment and routes respond -> outcomes are
recorded (the schedule, :data:`simulate.model.schedule.PERIOD`, which the batched driver
runs too). Within a stage, agents read only what earlier stages wrote, so no result
depends on the order agents are activated in. A run's random numbers are those of
(scenario seed, run index) in :func:`simulate.model.randomness.draw_runs`, the same
numbers the batched driver draws for that run; ``model.rng`` and ``model.random``
are seeded from the pair too, for Mesa's own use.

The model is built from keyword arguments alone, as Mesa's tools build models::

    BalancingModel()                                    # baseline, a fresh run
    BalancingModel("middle_corridor", seed=1, run=7)    # run 7 of seed 1
    BalancingModel(**{"russia.capacity": 0.7})          # a parameter by dotted path

    mesa.batch_run(BalancingModel,
                   parameters={"kazakhstan.balance_preference": [0.2, 0.5, 1.0]},
                   iterations=5, max_steps=100, data_collection_period=4)

**Which run.** Run *i* of a scenario draws only the random numbers of
(scenario seed, *i*), exactly as in the batched driver, so
``BalancingModel(s, seed=k, run=i)`` equals run *i* of ``simulate run s --seed k``.
When no run index is given, the model numbers its run itself, as Mesa seeds a model
given no seed: with ``seed`` alone it is run 0 of that seed (the same model every
time); with ``rng`` it is drawn from ``numpy.random.default_rng(rng)``; with neither
it is drawn from fresh OS entropy, so each of ``batch_run``'s iterations is a
distinct run. Run indices drawn lie in [0, 2**32); the ``run`` column of the
collected data says which run each row is, so any of them can be computed again.

**What is collected.** Mesa's ``DataCollector`` records the state at the start
(step 0, the rest point) and after every period (step *k* = period *k*):

* model reporters: ``time`` (decimal year), ``run``, ``seed`` and every output
  variable per entity, ``variable[entity]`` (``balance_index`` for single columns);
* agent reporters, one row per agent: ``actor``, and for the powers each per-power
  variable (``alignment``, ``leverage``, ``pressure``, ``trade``, ...) and for the
  hedger its position on each issue (``position_<issue>``); a column that does not
  apply to an agent is NaN.

``time`` is the decimal year of the period a row records, as in result files (the
state at the start is labelled one period before the first). The model stops
(``running = False``) at the first step past the horizon's end; the steps that
record periods are 1 .. len(times), which is what ``mesa.batch_run`` (reporting
steps 0 .. ``model.steps - 1``) needs to include the last period.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
from mesa.agent import AgentSet

from simulate.errors import InputError
from simulate.model import stages
from simulate.model.agents import HedgerAgent, PowerAgent, TransitAgent
from simulate.model.modelspec import Source, model_spec
from simulate.model.randomness import draw_runs, run_seed
from simulate.model.rest import start
from simulate.model.schedule import Stage, run_period
from simulate.model.spec import RunSpec
from simulate.scenarios.variables import VARIABLES, column_name

#: The scenario a model runs when none is named.
DEFAULT_SCENARIO = "baseline"
#: Run indices a model numbers itself lie in [0, RUN_SPACE).
RUN_SPACE = 2**32


class BalancingModel(mesa.Model):
    """Kazakhstan balancing between the powers, for one run of a scenario.

    Args:
        scenario: A shipped scenario's name, a scenario file or mapping, or a prepared
            :class:`~simulate.model.spec.RunSpec` (see :meth:`from_spec`).
        seed: The scenario seed (default: the scenario's own).
        run: The run index; with the seed it fixes all randomness. None: numbered by
            the model (see the module docstring).
        rng: Where a run index is drawn from when ``run`` is None (anything
            :func:`numpy.random.default_rng` accepts); Mesa's ``rng`` argument.
        **kwargs: Model parameters by dotted path (``"russia.capacity": 0.7``),
            checked as ``simulate run --set`` checks them; they become the scenario's
            ``parameters:`` overrides (departures from the rest point at the start).
            (Named ``kwargs`` because Mesa's SolaraViz passes only parameters it finds
            in the signature or a ``**kwargs``.)

    Attributes:
        spec: The run specification, parameters applied.
        parameters: The parameter values given, by dotted path.
        run_index: The run index.
        scenario_seed: The scenario seed the run's generator derives from.
        year: The decimal year of the period last recorded (the ``time`` column; not
            named ``time``, which newer Mesa versions may keep for their own clock).
        hedger: The :class:`HedgerAgent`.
        powers: The :class:`PowerAgent` set, in config order.
        transit_states: The :class:`TransitAgent` of each transit state (they act in no
            stage).
        observation: The latest recorded outputs, variable -> (1, entities).
        datacollector: Collects every (variable, entity) per period, and per agent.

    Raises:
        InputError: An invalid scenario, seed, run or parameter.
    """

    def __init__(
        self,
        scenario: Source = DEFAULT_SCENARIO,
        seed: int | None = None,
        run: int | None = None,
        *,
        rng: Any = None,
        **kwargs: float,
    ) -> None:
        spec = model_spec(scenario, kwargs)
        base_seed = spec.scenario.seed if seed is None else _index(seed, "seed", 2**63)
        run = _run_index(run, seed, rng)
        super().__init__(seed=run_seed(base_seed, run))
        self.spec = spec
        self.parameters = {k: float(v) for k, v in kwargs.items()}
        self.run_index = run
        self.scenario_seed = base_seed
        self.dt = spec.dt
        self.period = 0
        self.year = float(spec.times[0] - spec.dt)
        self.draws, noise = draw_runs(spec, base_seed, [run])
        self.shocks = noise[:, 0, :]
        self.params = spec.params_at(0, self.draws)
        pw, hs = start(spec, spec.rest_params(self.draws), self.params)
        self.power_agents = [PowerAgent(self, name, j, column(pw, j))
                             for j, name in enumerate(spec.powers)]  # fmt: skip
        self.powers = AgentSet(self.power_agents, random=self.random)
        self.hedger = HedgerAgent(self, spec.hedger, hs)
        self.transit_states = [TransitAgent(self, name) for name in spec.config.transit_states]
        self.support = np.zeros((1, len(spec.powers)))
        self.observation = stages.observe(hs, pw, self.params, spec)
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters(),
                                                agent_reporters=self._agent_reporters())
        self.datacollector.collect(self)

    @classmethod
    def from_spec(cls, spec: RunSpec, run: int = 0, seed: int | None = None) -> BalancingModel:
        """Run ``run`` of a prepared spec (:func:`simulate.model.preparation.prepare`)."""
        return cls(spec, seed=seed, run=run)

    def _reporters(self) -> dict[str, Any]:
        reporters: dict[str, Any] = {
            "time": lambda m: m.year, "run": lambda m: m.run_index,
            "seed": lambda m: m.scenario_seed,
        }  # fmt: skip
        for var in self.spec.outputs:
            for j, ent in enumerate(self.spec.entities_of(var)):
                key = column_name(var, ent)
                reporters[key] = lambda m, v=var, j=j: float(m.observation[v][0, j])
        return reporters

    def _agent_reporters(self) -> dict[str, Any]:
        reporters: dict[str, Any] = {"actor": lambda a: a.name}
        for var in self.spec.outputs:
            if VARIABLES[var].entity == "power":
                reporters[var] = lambda a, v=var: a.report(v)
        if "position" in self.spec.outputs:
            for j, issue in enumerate(self.spec.issues):
                reporters[f"position_{issue}"] = lambda a, j=j: a.issue_position(j)
        if self.transit_states and "transit_share" in self.spec.outputs:
            for c in self.spec.commodities:
                reporters[f"crossing_{c}"] = (
                    lambda a, c=c: a.crossing(c) if isinstance(a, TransitAgent) else float("nan"))
        return reporters

    def gather_powers(self) -> stages.PowerState:
        """The powers' states side by side, shape (1, P), for the coupled stages."""
        return stages.stack_powers([a.state for a in self.power_agents])

    def step(self) -> None:
        """Advance one period through the schedule's stages and record the outcomes.

        A step past the horizon's end records nothing and stops the model.
        """
        if self.period >= len(self.spec.times):
            self.running = False
            return
        run_period(self, self.period)

    def begin(self, period: int) -> None:
        """Set period ``period``'s parameters."""
        self.params = self.spec.params_at(period, self.draws)

    def act(self, stage: Stage) -> None:
        """Activate the stage's actors: every power, the hedger, or the model itself."""
        if stage.actor == "powers":
            self.powers.do(stage.name)
        elif stage.actor == "hedger":
            getattr(self.hedger, stage.name)()
        else:
            getattr(self, stage.name)()

    def end(self, period: int) -> None:
        """Observe and collect the period's outputs (the powers as the record stage saw them)."""
        self.observation = stages.observe(self.hedger.state, self._recorded, self.params,
                                          self.spec)  # fmt: skip
        self.year = float(self.spec.times[period])
        self.period = period + 1
        self.datacollector.collect(self)

    def assess(self) -> None:
        """World stage: each power's backing by the others."""
        self.support = stages.support(self.gather_powers(), self.params)

    def record(self) -> None:
        """World stage: the period's outcomes."""
        self._recorded = self.gather_powers()
        stages.record(self.hedger.state, self._recorded, self.params, self.spec)

    def run(self) -> dict[str, np.ndarray]:
        """Run to the horizon's end; return variable -> (periods, entities).

        The state at the start is not among the rows (as in the batched driver).
        """
        rows: dict[str, list[np.ndarray]] = {}
        while self.running:
            before = self.period
            self.step()
            if self.period > before:
                for k, v in self.observation.items():
                    rows.setdefault(k, []).append(v[0])
        return {k: np.stack(v) for k, v in rows.items()}


def _index(value: Any, name: str, bound: int) -> int:
    """``value`` as an integer in [0, bound), or an InputError naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"expected a whole number, got {value!r}", field=name) from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number < bound:
        raise InputError(f"expected a whole number in [0, {bound:,}), got {value!r}",
                         field=name)  # fmt: skip
    return int(number)


def _run_index(run: Any, seed: Any, rng: Any) -> int:
    """The run a model simulates: ``run``; else 0 for a bare seed; else one drawn."""
    if run is not None:
        if rng is not None:
            raise InputError("give a run index or an rng to draw one from, not both",
                             field="rng")  # fmt: skip
        return _index(run, "run", 2**63)
    if rng is None and seed is not None:
        return 0
    return int(np.random.default_rng(rng).integers(RUN_SPACE))


def column(pw: stages.PowerState, j: int) -> stages.PowerState:
    """Power ``j``'s slice of the powers' state: (R, P[, I]) arrays become (R[, I])."""
    kw = {}
    for name, value in vars(pw).items():
        kw[name] = ({k: v[:, j].copy() for k, v in value.items()} if isinstance(value, dict)
                    else value[:, j].copy())  # fmt: skip
    return stages.PowerState(**kw)
