"""Mesa agents: the powers and the hedger. Each holds its state and acts in its stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulate import stages

if TYPE_CHECKING:
    from simulate.model import BalancingModel


class PowerAgent(mesa.Agent):
    """A power (Russia, China, the EU, ...): capacity, instruments, trade and FDI with Kazakhstan.

    Attributes:
        name: The actor's name in the config.
        index: Its position on the actor axis.
        state: Its :class:`~simulate.stages.PowerState`, arrays of shape (1,).
    """

    model: BalancingModel

    def __init__(self, model: BalancingModel, name: str, index: int) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        p = model.params.column(index)
        self.state = stages.init_powers(p, model.params.hedger["fdi_stock"])
        self._capacity_before = self.state.capacity

    def act(self) -> None:
        """Stage 1: capacity moves, and the power sets inducements and coercion."""
        hedger = self.model.hedger.state
        self._capacity_before = self.state.capacity
        stages.power_act(
            self.state, self.model.params.column(self.index),
            hedger.alignment[:, self.index], hedger.reference[:, self.index], self.model.dt,
        )  # fmt: skip

    def trade_and_invest(self) -> None:
        """Stage 3: bilateral trade and FDI respond to Kazakhstan's new alignment."""
        hedger = self.model.hedger.state
        stages.power_economy(
            self.state, self.model.params.column(self.index), self.model.params.hedger,
            hedger.alignment[:, self.index], hedger.reference[:, self.index],
            self.model.compliance_before, len(self.model.powers), self._capacity_before,
            self.model.dt,
        )  # fmt: skip


class HedgerAgent(mesa.Agent):
    """Kazakhstan: re-weights its alignment, keeps its routes and its sanctions compliance.

    Attributes:
        name: The hedger's name in the config.
        state: Its :class:`~simulate.stages.HedgerState` (one run).
    """

    model: BalancingModel

    def __init__(self, model: BalancingModel, name: str) -> None:
        super().__init__(model)
        self.name = name
        self.state = stages.init_hedger(model.params, model.spec, model.gather_powers())

    def respond(self) -> None:
        """Stage 2: lean towards the powers that pay off, against expected coercion."""
        pw = self.model.gather_powers()
        noise = self.model.shocks[self.model.period][None, :]
        stages.hedger_respond(
            self.state, pw.trade, pw.fdi_stock, pw.inducement, pw.coercion,
            self.model.params, noise, self.model.dt,
        )  # fmt: skip

    def adjust_economy(self) -> None:
        """Stage 3: compliance, oil routes and corridor freight move."""
        stages.hedger_economy(self.state, self.model.params, self.model.dt)

    @property
    def alignment(self) -> np.ndarray:
        """Current alignment over the powers."""
        return self.state.alignment[0]
