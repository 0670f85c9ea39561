"""The output variables: names, units, what their entities are, and how series are named.

A series is one variable and one entity. Wide tables (the per-run final values, the
Mesa driver's model reporters) name its column ``variable[entity]``, or ``variable``
when it has no entity: :func:`column_name` writes that name and :func:`parse_column`
reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from simulate.scenarios.instruments import CHANNEL_DECLARED, DECLARED

#: What a variable's columns are: powers, (pipeline) routes, issues, outcome classes, the
#: (issue, mechanism) pairs of the contributions, (commodity, actor) pairs
#: (``oil/russia``, ``freight/georgia``), or a single column.
Entity = Literal["power", "route", "issue", "outcome_class", "issue_mechanism",
                 "commodity_actor", "none"]


@dataclass(frozen=True)
class Variable:
    """An output variable of the result file."""

    name: str
    unit: str
    entity: Entity
    description: str
    #: A named view: the column of another variable it shows, (variable, entity). 0 in a
    #: config without that entity.
    view: tuple[str, str] | None = None


_VARS = [
    Variable("position", "index 0-1", "issue",
             "Kazakhstan's position on each issue (0 and 1 as the config's `issues:` describe "
             "them)"),
    Variable("alignment", "share", "power",
             "Alignment with each power, from the positions; sums to 1 over the powers"),
    Variable("closeness", "index 0-1", "power",
             "Salience-weighted closeness of the positions to each power's ideals"),
    Variable("balance_index", "index 0-1", "none",
             "Normalised entropy of alignment: 1 = even, 0 = one power only"),
    Variable("agenda_share", "share", "power",
             "Share of each power's agenda (by its salience) Kazakhstan follows, issue by issue"),
    Variable("outcome", "0/1", "outcome_class",
             "This period's class, from the agenda shares: `balanced`, `leaning:<power>`, "
             "`aligned:<power>`; its mean over runs is the class's probability"),
    Variable("captured", "0/1", "none",
             "1 from the first period the run is aligned with a power (balancing failed); "
             "stays 1"),
    Variable("leverage", "index 0-1", "power",
             "Kazakhstan's vulnerability to each power (weighted mean of the channels)"),
    *(Variable(f"leverage_{c.name}", "index 0-1", "power", f"Vulnerability through {c.through}")
      for c in CHANNEL_DECLARED),
    Variable("pressure", "index 0-1", "power", "Coercive effort, all instruments together"),
    *(Variable(f"pressure_{i.name}", "index 0-1", "power",
               f"{i.effort} (0 for a power that does not hold it)") for i in DECLARED),
    Variable("inducement", "index 0-1", "power", "Inducements offered"),
    Variable("coercion_carried_out", "index 0-1", "power",
             "Coercion carried out (campaigns): shares of capacity, trade or investment cut"),
    Variable("trade", "USD bn/yr", "power", "Bilateral trade with each partner"),
    Variable("trade_share", "share", "power",
             "Partner's share of Kazakhstan's trade (rest of the world included in the total)"),
    Variable("total_trade", "USD bn/yr", "none", "Kazakhstan's trade with all partners"),
    Variable("oil_route_flow", "Mt/yr", "route",
             "Exports shipped on each pipeline route (oil; a gas route's own unit)"),
    Variable("oil_route_share", "share", "route",
             "Share of its commodity's exports on each pipeline route"),
    Variable("oil_transit_share", "share", "power", "Share of oil exports crossing each power"),
    Variable("transit_share", "share", "commodity_actor",
             "Share of each commodity crossing each actor's territory, powers and transit "
             "states (`oil/russia`, `freight/georgia`; freight: China-Europe overland freight "
             "through Kazakhstan)"),
    Variable("oil_via_russia_share", "share", "none",
             "Share of oil exports crossing Russia: the view of `transit_share` at "
             "`oil/russia` (0 if the config has no `russia`)",
             view=("transit_share", "oil/russia")),
    Variable("export_transit_share", "share", "power",
             "Share of all exports (oil, gas and freight, by their weights) crossing each power"),
    Variable("oil_export_income", "USD bn/yr", "none",
             "Income from the oil shipped (tonnes x barrels per tonne x the oil price)"),
    Variable("oil_price", "USD/bbl", "none", "The oil price (an input: the scenario's path or "
             "draw)"),
    Variable("oil_route_capacity", "Mt/yr", "route",
             "Each route's capacity, all shippers (orders completed included)"),
    Variable("oil_route_available", "Mt/yr", "route",
             "Capacity Kazakh exports can use on each route this period (after transit oil, "
             "outages and cuts)"),
    Variable("oil_route_utilisation", "share", "route",
             "Oil carried (Kazakh and transit) over usable capacity, per route"),
    Variable("oil_transit_flow", "Mt/yr", "route",
             "Other shippers' oil on each route (transit oil to China, Russian oil in the CPC): "
             "not Kazakh exports"),
    Variable("capacity_investment", "USD bn/yr", "none",
             "Capital committed to new route and corridor capacity"),
    Variable("transit_risk", "index", "none",
             "The risk Kazakhstan perceives on routes crossing the avoided power "
             "(docs/MODEL.md, 7.7)"),
    Variable("revealed_intent", "share", "power",
             "What each power has shown it will withhold by a campaign carried out, as "
             "Kazakhstan remembers it"),
    Variable("reexport_trade", "USD bn/yr", "power",
             "Trade diverted through Kazakhstan to a sanctioned partner (part of `trade`)"),
    Variable("corridor_capacity", "Mt/yr", "none",
             "Middle Corridor capacity (orders completed included)"),
    Variable("corridor_utilisation", "share", "none", "Middle Corridor freight over capacity"),
    Variable("corridor_volume", "Mt/yr", "none", "Middle Corridor freight volume"),
    Variable("northern_volume", "Mt/yr", "none",
             "China-Europe freight on the northern route through Russia"),
    Variable("corridor_transit_days", "days", "none", "Middle Corridor transit time"),
    Variable("fdi_inflow", "USD bn/yr", "power", "Gross FDI inflow by source"),
    Variable("capacity", "index (1 = 2021)", "power", "Each power's capacity"),
    Variable("compliance", "index 0-1", "none",
             "Kazakhstan's enforcement of Western sanctions (its position on that issue)"),
    Variable("sanctions_exposure", "index 0-1", "none", "Exposure to secondary sanctions"),
    Variable("contribution", "index 0-1", "issue_mechanism",
             "Each mechanism's part in a position's change since the start "
             "(`sanctions_enforcement/pressure:russia`); per issue they add up to the change "
             "(docs/MODEL.md, 7.4; `simulate explain`)"),
]
VARIABLES: dict[str, Variable] = {v.name: v for v in _VARS}


def is_binary(name: str) -> bool:
    """True for 0/1 variables (``captured``, ``outcome``): summarised as probabilities."""
    return name in VARIABLES and VARIABLES[name].unit == "0/1"


def units() -> dict[str, str]:
    """Unit of every variable, for result-file metadata."""
    return {v.name: v.unit for v in VARIABLES.values()}


#: The key outcomes, in the order they are shown: after ``simulate run``, in the outcome
#: table of ``simulate report`` and as the variables ``simulate compare`` compares when
#: none are chosen.
KEY_OUTCOMES = (
    "balance_index", "outcome", "captured", "alignment", "position", "leverage", "pressure",
    "oil_via_russia_share", "corridor_volume", "corridor_transit_days", "trade_share",
    "sanctions_exposure",
)  # fmt: skip


def column_name(variable: str, entity: str = "") -> str:
    """The wide-table column of a series: ``variable[entity]``, or ``variable`` alone."""
    return f"{variable}[{entity}]" if entity else variable


def parse_column(name: str) -> tuple[str, str]:
    """The ``(variable, entity)`` of a column named by :func:`column_name`.

    Variable names hold no ``[``, so the first one opens the entity; a name without
    brackets is a variable without entity (entity ``""``).
    """
    variable, bracket, rest = name.partition("[")
    if bracket and rest.endswith("]"):
        return variable, rest[:-1]
    return name, ""


#: How each entity kind reads in the docs' table.
_ENTITY_WORDS = {"power": "power", "route": "route", "issue": "issue",
                 "outcome_class": "outcome class", "issue_mechanism": "issue/mechanism",
                 "commodity_actor": "commodity/actor", "none": '""'}  # fmt: skip
BEGIN = "<!-- variable table: generated from simulate/scenarios/variables.py -->"
END = "<!-- end of table -->"


def docs_table() -> str:
    """The variable table of ``docs/results.md``: variable, entity, unit, meaning."""
    rows = [f"| `{v.name}` | {_ENTITY_WORDS[v.entity]} | {v.unit} | {v.description} |"
            for v in VARIABLES.values()]  # fmt: skip
    return "\n".join(["| variable | entity | unit | meaning |", "|---|---|---|---|", *rows]) + "\n"


def write_docs(root: str | Path = ".") -> None:
    """Refresh the variable table of ``docs/results.md`` under ``root`` (``make schema``)."""
    path = Path(root) / "docs" / "results.md"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError("the markers of the generated variable table are missing")
    path.write_text(f"{head}{BEGIN}\n{docs_table()}{END}{tail}", encoding="utf-8")
