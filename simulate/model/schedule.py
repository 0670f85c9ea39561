"""The period schedule, written once: who acts in which stage, in what order.

A period is the stages of :data:`PERIOD`, in order. Each stage names the actors
that act in it: the powers (each power, or all at once), the hedger, or the world
(a step over all actors together, such as recording the outcomes). Within a
stage, actors read only what earlier stages wrote, so no result depends on the
order agents are activated in.

Both drivers run a period by :func:`run_period`: the batched driver
(:class:`simulate.model.batch.Batch`) acts for every run and power at once; the Mesa
driver (:class:`simulate.model.mesa_model.BalancingModel`) activates its agents. A stage is a
method of that name on the acting agent (Mesa) or on the batch; the equations
themselves are in :mod:`simulate.model.stages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Actor = Literal["powers", "hedger", "world"]


@dataclass(frozen=True)
class Stage:
    """One stage of a period.

    Attributes:
        name: The method each acting agent (or the batch) runs.
        actor: Who acts: ``"powers"``, ``"hedger"`` or ``"world"``.
        summary: What happens, in a sentence.
    """

    name: str
    actor: Actor
    summary: str


#: A period, stage by stage.
PERIOD: tuple[Stage, ...] = (
    Stage("grow", "powers", "Each power's capacity moves by its trend and the events."),
    Stage("assess", "world", "Each power's backing: the support the other powers lend it."),
    Stage("decide", "powers", "Each power sets its instrument efforts by its expected-utility "
          "rule."),
    Stage("respond", "hedger", "Kazakhstan's positions move towards the noisy best response "
          "to every pull."),
    Stage("trade_and_invest", "powers", "Bilateral trade and FDI respond to the new positions."),
    Stage("adjust_economy", "hedger", "Oil routes, freight, income and perceived transit risk "
          "adjust."),
    Stage("record", "world", "Alignment, balance and the period's other outcomes are recorded."),
)


def stages_of(actor: Actor) -> tuple[str, ...]:
    """The names of the stages ``actor`` acts in, in order."""
    return tuple(s.name for s in PERIOD if s.actor == actor)


class Driver(Protocol):
    """What a driver provides to run a period."""

    def begin(self, period: int) -> None:
        """Set the parameters of period ``period`` (0-based)."""

    def act(self, stage: Stage) -> None:
        """Have the stage's actors act."""

    def end(self, period: int) -> None:
        """Collect the period's outputs."""


def run_period(driver: Driver, period: int) -> None:
    """Run period ``period``: begin, every stage of :data:`PERIOD` in order, end."""
    driver.begin(period)
    for stage in PERIOD:
        driver.act(stage)
    driver.end(period)
