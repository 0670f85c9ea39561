"""The powers' instruments and the dependence channels they work through.

This is vocabulary a config and a scenario name (``russia.transit_disruption_max``,
a ``coercion_campaign``'s ``instrument``), so it sits below the model's equations,
which import it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    """A dependence channel of leverage (asymmetric interdependence).

    Attributes:
        name: Its name in outputs (``leverage_<name>``) and in the hedger's
            ``weight_<name>``.
        through: What Kazakhstan depends on through it (the output's description).
    """

    name: str
    through: str


#: The dependence channels, declared once: the ``leverage_<channel>`` outputs, the
#: hedger's weights and the model's terms per channel derive from this.
CHANNEL_DECLARED: tuple[Channel, ...] = (
    Channel("trade", "trade (its share of trade potential, against the partner's reverse "
            "dependence)"),
    Channel("transit", "transit (exports within the power's reach that could not switch at "
            "once)"),
    Channel("investment", "investment (the power's share of the FDI stock)"),
    Channel("finance", "payments and finance (where secondary sanctions bite)"),
    Channel("security", "security ties"),
    Channel("identity", "identity ties"),
)  # fmt: skip
#: Dependence channels of leverage, in order.
CHANNELS = tuple(c.name for c in CHANNEL_DECLARED)


@dataclass(frozen=True)
class Instrument:
    """A coercive instrument.

    Attributes:
        name: Its name in configs (``<power>.<name>_max``, ``<power>.<name>_cost``) and
            in outputs (``pressure_<name>``).
        channel: The dependence channel whose vulnerability it works through.
        effort: What its effort (the output ``pressure_<name>``) measures.
    """

    name: str
    channel: str
    effort: str


#: The coercive instruments, declared once; everything below derives from this.
DECLARED: tuple[Instrument, ...] = (
    Instrument("transit_disruption", "transit",
               "Share of capacity on routes crossing the power withheld"),
    Instrument("secondary_sanctions", "finance",
               "Secondary sanctions: share of trade cut where enforcement falls short"),
    Instrument("investment_freeze", "investment", "Share of the power's FDI inflow frozen"),
    Instrument("security_pressure", "security",
               "Security pressure (a threat with no economic effect)"),
)  # fmt: skip
#: Coercive instruments and the channel whose vulnerability each one works through.
INSTRUMENTS = {i.name: i.channel for i in DECLARED}
#: Every instrument a power may hold: the coercive ones and the inducement (the last).
ALL_INSTRUMENTS = (*INSTRUMENTS, "inducement")
#: Position of each instrument on the instrument axis.
INSTRUMENT_INDEX = {name: k for k, name in enumerate(ALL_INSTRUMENTS)}
