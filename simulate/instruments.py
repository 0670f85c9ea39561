"""The powers' instruments and the dependence channels they work through.

This is vocabulary a config and a scenario name (``russia.resolve_transit_disruption``,
a ``coercion_campaign``'s ``instrument``), so it sits below the model's equations,
which import it from here.
"""

from __future__ import annotations

#: Dependence channels of leverage (asymmetric interdependence).
CHANNELS = ("trade", "transit", "investment", "finance", "security", "identity")
#: Coercive instruments and the channel whose vulnerability each one works through.
INSTRUMENTS = {
    "transit_disruption": "transit",
    "secondary_sanctions": "finance",
    "investment_freeze": "investment",
    "security_pressure": "security",
}
#: Every instrument a power may hold: the coercive ones and the inducement (the last).
ALL_INSTRUMENTS = (*INSTRUMENTS, "inducement")
#: Position of each instrument on the instrument axis.
INSTRUMENT_INDEX = {name: k for k, name in enumerate(ALL_INSTRUMENTS)}
