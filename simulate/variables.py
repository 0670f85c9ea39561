"""The output variables: names, units, and what their entities are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Entity = Literal["power", "route", "none"]


@dataclass(frozen=True)
class Variable:
    """An output variable of the result file."""

    name: str
    unit: str
    entity: Entity
    description: str


_VARS = [
    Variable("alignment", "share", "power", "Kazakhstan's alignment with each power (sums to 1)"),
    Variable("leverage", "index 0-1", "power", "Asymmetric interdependence over all channels"),
    Variable("leverage_trade", "index 0-1", "power", "Leverage through the trade channel"),
    Variable("leverage_transit", "index 0-1", "power", "Leverage through the transit channel"),
    Variable("leverage_investment", "index 0-1", "power", "Leverage through investment"),
    Variable("leverage_security", "index 0-1", "power", "Leverage through security ties"),
    Variable("leverage_identity", "index 0-1", "power", "Leverage through identity ties"),
    Variable("balance_index", "index 0-1", "none", "Normalised entropy of alignment; 1 = even"),
    Variable("trade", "USD bn/yr", "power", "Bilateral trade with each partner"),
    Variable("trade_share", "share", "power", "Partner's share of Kazakhstan's trade"),
    Variable("oil_route_share", "share", "route", "Share of oil exports on each route"),
    Variable("oil_transit_share", "share", "power", "Share of oil exports crossing each power"),
    Variable("oil_via_russia_share", "share", "none", "Share of oil exports crossing Russia"),
    Variable("export_transit_share", "share", "power", "Share of all exports crossing each power"),
    Variable("corridor_volume", "Mt/yr", "none", "Middle Corridor freight volume"),
    Variable("corridor_transit_days", "days", "none", "Middle Corridor transit time"),
    Variable("fdi_inflow", "USD bn/yr", "power", "Gross FDI inflow by source"),
    Variable("capacity", "index (1 = start level)", "power", "Each power's capacity"),
    Variable("compliance", "share", "none", "Kazakhstan's sanctions compliance"),
    Variable("sanctions_exposure", "index 0-1", "none", "Exposure to secondary sanctions"),
    Variable("captured", "0/1", "none", "1 once balancing has failed in this run"),
]
VARIABLES: dict[str, Variable] = {v.name: v for v in _VARS}


def units() -> dict[str, str]:
    """Unit of every variable, for result-file metadata."""
    return {v.name: v.unit for v in _VARS}
