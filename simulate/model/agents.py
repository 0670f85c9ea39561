"""Mesa agents: the powers and the hedger. Each holds its state and acts in its stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulate.model import stages

if TYPE_CHECKING:
    from simulate.model.mesa_model import BalancingModel


class PowerAgent(mesa.Agent):
    """A power (Russia, China, the EU, ...): capacity, instruments, trade and FDI with Kazakhstan.

    Attributes:
        name: The actor's name in the config.
        index: Its position on the actor axis.
        state: Its :class:`~simulate.model.stages.PowerState`, arrays of shape (1,) or (1, I).
    """

    model: BalancingModel

    def __init__(self, model: BalancingModel, name: str, index: int,
                 state: stages.PowerState) -> None:  # fmt: skip
        super().__init__(model)
        self.name = name
        self.index = index
        self.state = state
        self._capacity_before = state.capacity

    def grow(self) -> None:
        """Stage 1a: the power's capacity moves."""
        self._capacity_before = stages.grow(self.state, self._params(), self.model.dt)

    def decide(self) -> None:
        """Stage 1b: pressure and inducements, by the power's expected-utility rule."""
        hedger = self.model.hedger.state
        j = self.index
        stages.decide(
            self.state, self._params(), self.model.params.hedger, hedger.position,
            {c: v[:, j] for c, v in hedger.channels.items()}, self.model.support[:, j],
        )  # fmt: skip

    def trade_and_invest(self) -> None:
        """Stage 3: bilateral trade and FDI respond to Kazakhstan's new positions."""
        hedger = self.model.hedger.state
        spec = self.model.spec
        e = spec.enforcement
        zero = np.zeros(hedger.position.shape[0])
        enforcement = zero if e is None else hedger.position[:, e]
        stages.economy(self.state, self._params(), self.model.params.hedger, hedger.position,
                       enforcement, hedger.sanction_ref, self._capacity_before, spec.investment,
                       self.model.dt)  # fmt: skip

    def _params(self) -> dict[str, np.ndarray]:
        return self.model.params.column(self.index)

    def report(self, variable: str) -> float:
        """This power's value of a per-power output variable, as last recorded."""
        return float(self.model.observation[variable][0, self.index])

    def issue_position(self, issue: int) -> float:
        """NaN: positions are the hedger's (an agent reporter's value for a power)."""
        del issue
        return float("nan")


class TransitAgent(mesa.Agent):
    """A transit state (Azerbaijan, Georgia on the Middle Corridor): territory on routes' paths.

    It decides nothing and acts in no stage of the schedule: the routes across it carry
    what Kazakhstan ships, and the powers that can press it reach those routes (its
    ``reach_<power>`` parameters, in the spec's reach). It reports what crosses it.

    Attributes:
        name: The actor's name in the config.
    """

    model: BalancingModel

    def __init__(self, model: BalancingModel, name: str) -> None:
        super().__init__(model)
        self.name = name

    def crossing(self, commodity: str) -> float:
        """The share of ``commodity`` crossing this state, as last recorded (NaN if not kept)."""
        obs = self.model.observation.get("transit_share")
        if obs is None:
            return float("nan")
        return float(obs[0, self.model.spec.entities("commodity_actor").index(
            f"{commodity}/{self.name}")])

    def report(self, variable: str) -> float:
        """NaN: per-power variables belong to the powers (an agent reporter's value here)."""
        del variable
        return float("nan")

    def issue_position(self, issue: int) -> float:
        """NaN: positions are the hedger's (an agent reporter's value for a transit state)."""
        del issue
        return float("nan")


class HedgerAgent(mesa.Agent):
    """Kazakhstan: chooses its positions, keeps its routes, records its outcomes.

    Attributes:
        name: The hedger's name in the config.
        state: Its :class:`~simulate.model.stages.HedgerState` (one run).
    """

    model: BalancingModel

    def __init__(self, model: BalancingModel, name: str, state: stages.HedgerState) -> None:
        super().__init__(model)
        self.name = name
        self.state = state

    def respond(self) -> None:
        """Stage 2: positions move towards the noisy best response to every pull."""
        shock = self.model.shocks[self.model.period][None, :]
        stages.respond(self.state, self.model.gather_powers(), self.model.params,
                       self.model.spec, shock, self.model.dt)  # fmt: skip

    def adjust_economy(self) -> None:
        """Stage 3: oil routes, freight, income and perceived transit risk."""
        stages.routes(self.state, self.model.gather_powers(), self.model.params,
                      self.model.spec, self.model.dt)  # fmt: skip

    def report(self, variable: str) -> float:
        """NaN: per-power variables belong to the powers (an agent reporter's value here)."""
        del variable
        return float("nan")

    def issue_position(self, issue: int) -> float:
        """The position on issue ``issue`` (its index), as last recorded."""
        return float(self.model.observation["position"][0, issue])

    @property
    def position(self) -> np.ndarray:
        """Current positions on the issues."""
        return self.state.position[0]

    @property
    def alignment(self) -> np.ndarray:
        """Current alignment over the powers."""
        return self.state.alignment[0]
