"""The lever registry: one declaration per kind of lever, read by every part that handles levers.

A *lever* (a scenario's ``levers:``) is a decision of one actor: what it sets, the
settings it can take (``options`` or a ``range``), the first year it can act, what it
costs and why. A *policy* is a setting of levers (:class:`Setting` per lever name).
Levers are distinct from uncertainties: a lever is chosen, an uncertainty is drawn.

A :class:`LeverKind` says what a kind of lever sets and how a setting reaches the model,
through what a scenario can already say (a parameter, a time path, an event):

* ``programme``: capacity ordered, ``<route>.build_rate`` (Mt/yr ordered per year),
  a step path from the start year; the order passes the route's construction delay
  ``build_lag`` and costs ``build_cost`` per Mt/yr (the lever's default cost);
* ``parameter``: any other model parameter, a step path from the start year;
* ``position``: one of the hedger's positions, a departure from the rest point in the
  horizon's first period, as ``parameters:`` are (docs/MODEL.md, section 5): the model
  reads a position only there, so the lever cannot start later;
* ``event``: an event of the event registry whose magnitude is the setting and whose
  ``at`` is the start year.

Everything else derives from :data:`KINDS`: the schema's ``kind`` values
(:mod:`simulate.scenarios.schema`), the checks (:func:`problems`, run by
:mod:`simulate.scenarios.scenario`), the scenario under a policy (:func:`apply`), a
policy's cost (:func:`cost`), the hypothesis strategies (:mod:`simulate.testing.strategies`),
the dashboard's policy panel and the lever table of ``docs/scenarios.md`` and
``docs/decide.md`` (:func:`write_docs`, ``make schema``).

**The futures stay paired.** A parameter a lever sets is decided, not drawn. When it is
drawn per run (a prior, a range of the config, a calibrated value), every policy fixes it,
at the status quo when the policy leaves the lever alone, so every policy runs the same
futures; a parameter no run draws is only touched when a policy moves it. An event lever
adds its event after the scenario's own, with probability 1, so no other draw moves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulate.scenarios import domains
from simulate.scenarios import events as event_kinds

if TYPE_CHECKING:
    from simulate.scenarios.parameters import Config
    from simulate.scenarios.scenario import LoadedScenario

#: How far before the start year a step's last point before it lies (years): less than
#: the shortest period (a month), so the periods before the year keep the old value.
STEP_LEAD = 0.01
#: Settings closer than this to an option count as that option.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Setting:
    """A lever's setting in a policy: the value, and the year it acts from."""

    value: float
    start: float


@dataclass(frozen=True)
class LeverKind:
    """One kind of lever: what it may set, how a setting reaches the scenario, what it costs.

    Attributes:
        name: The ``kind`` written in a scenario.
        sets: ``"parameter"`` (a parameter path) or ``"event"`` (an event template).
        admits: ``admits(cfg, path)`` is an error message when the kind cannot set the
            parameter ``path`` (None when it can); parameter kinds only.
        at_start: True when the lever acts in the horizon's first period only.
        default_cost: The cost per unit per year when the lever gives none (or None: a
            cost is required), and its source.
        sample: The parameters generated levers of the kind set (``sample(cfg)``).
        target_doc: What it sets (the docs' table).
        effect_doc: How a setting reaches the model (the docs' table).
        cost_doc: Its cost, and over how many years (the docs' table).
    """

    name: str
    sets: str
    admits: Callable[[Config, str], str | None] = lambda cfg, path: None
    at_start: bool = False
    default_cost: Callable[[Config, Any], tuple[float, str] | None] = lambda cfg, lever: None
    sample: Callable[[Config], list[str]] = lambda cfg: []
    target_doc: str = ""
    effect_doc: str = ""
    cost_doc: str = ""


#: Every lever kind, by name, in declaration order.
KINDS: dict[str, LeverKind] = {}


def register(kind: LeverKind) -> LeverKind:
    """Add a declaration to :data:`KINDS` after checking it; returns it."""
    if not kind.name.isidentifier() or kind.name in KINDS:
        raise ValueError(f"lever kind {kind.name!r} is not a new identifier")
    if kind.sets not in ("parameter", "event"):
        raise ValueError(f"{kind.name}: a lever sets a 'parameter' or an 'event'")
    KINDS[kind.name] = kind
    return kind


def kind(name: str) -> LeverKind:
    """The declaration of lever kind ``name``."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown lever kind {name!r}; expected one of {list(KINDS)}") from None


# --- the kinds ------------------------------------------------------------------------------


def _name_of(path: str) -> str:
    return path.rpartition(".")[2]


def _programme(cfg: Config, path: str) -> str | None:
    if _name_of(path) != "build_rate":
        return ("a programme orders capacity: its parameter is a route's or the corridor's "
                "build_rate (e.g. trans_caspian.build_rate)")  # fmt: skip
    return None


def _position(cfg: Config, path: str) -> str | None:
    group, _, name = path.partition(".")
    if group != cfg.hedger or not name.startswith("position_"):
        return (f"a position lever sets one of {cfg.hedger}'s positions "
                f"({cfg.hedger}.position_<issue>)")  # fmt: skip
    return None


def _parameter(cfg: Config, path: str) -> str | None:
    if _name_of(path) == "build_rate":
        return "capacity orders are a programme lever (kind: programme)"
    if _position(cfg, path) is None:
        return "a position of the hedger is a position lever (kind: position)"
    return None


def _build_cost(cfg: Config, lever: Any) -> tuple[float, str] | None:
    group = str(lever.parameter).partition(".")[0]
    path = f"{group}.build_cost"
    if not cfg.has(path):
        return None
    par = cfg.get(path)
    return par.central, f"the config's {path} ({par.assumption or 'sourced'})"


def _routes_and_corridor(cfg: Config) -> list[str]:
    from simulate.scenarios.parameters import CORRIDOR

    return [f"{g}.build_rate" for g in (*cfg.route_names, CORRIDOR) if cfg.has(f"{g}.build_rate")]


def _free_parameters(cfg: Config) -> list[str]:
    return [p for p in cfg.paths() if cfg.get(p).role == "model" and _parameter(cfg, p) is None]


register(LeverKind(
    "programme", "parameter", admits=_programme, default_cost=_build_cost,
    sample=_routes_and_corridor,
    target_doc="`<route>.build_rate` or `middle_corridor.build_rate` (Mt/yr ordered per year)",
    effect_doc="a step path from `start`: capacity ordered each year, completed after the "
    "route's `build_lag` (a third-order delay)",
    cost_doc="default: the route's `build_cost` (USD bn per Mt/yr) × the rate, each year from "
    "`start` to the horizon's end",
))  # fmt: skip
register(LeverKind(
    "parameter", "parameter", admits=_parameter, sample=_free_parameters,
    target_doc="any other model parameter (`kazakhstan.sanctions_intensity`, "
    "`eu.secondary_sanctions_max`, ...)",
    effect_doc="a step path from `start`; the scenario's value (or path) before",
    cost_doc="`cost` × the change, each year from `start` to the horizon's end",
))  # fmt: skip
register(LeverKind(
    "position", "parameter", admits=_position, at_start=True,
    sample=lambda cfg: [f"{cfg.hedger}.position_{i}" for i in cfg.issue_names],
    target_doc="one of the hedger's positions (`kazakhstan.position_<issue>`)",
    effect_doc="a departure in the horizon's first period, as `parameters:` (the model reads a "
    "position only at the start; afterwards the hedger chooses it)",
    cost_doc="`cost` × the change, each year of the horizon",
))  # fmt: skip
register(LeverKind(
    "event", "event",
    target_doc="an event (`type`, `target`, `duration`, options): `investment_pledge`, "
    "`coercion_campaign`, `sanctions_package`, ...",
    effect_doc="the event at `start` with the setting as its magnitude (none at 0), after the "
    "scenario's own events, in every run",
    cost_doc="`cost` × the setting, each year the event lasts",
))  # fmt: skip


# --- checks against the config and the horizon ---------------------------------------------


def problems(name: str, lever: Any, loaded: LoadedScenario) -> Iterator[tuple[str, tuple]]:
    """What is wrong with a schema-valid lever: (message, field path under the lever) pairs.

    In order: its name, its actor, what it sets (a parameter the kind admits, not an
    uncertainty of the scenario; or an event the registry accepts), its settings (in the
    parameter's domain or the event's bounds), its start (inside the horizon; the
    horizon's start for a kind that acts there only), its cost.
    """
    cfg, sc = loaded.config, loaded.scenario
    k = kind(lever.kind)
    if not name.isidentifier():
        yield f"a lever's name is a plain identifier (letters, digits, _), got {name!r}", ()
    if lever.actor not in cfg.actors:
        yield (f"unknown actor {lever.actor!r}{domains.suggestion(lever.actor, cfg.actors)}; "
               f"expected one of {list(cfg.actors)}", ("actor",))  # fmt: skip
    if (lever.options is None) == (lever.range is None):
        yield ("give the settings as options (a list) or as a range {low, high}, one of "
               "them", ("options",))  # fmt: skip
    found = list(_parameter_problems(lever, k, cfg, sc) if k.sets == "parameter"
                 else _event_problems(lever, cfg, sc.horizon))  # fmt: skip
    yield from found
    yield from _start_problems(lever, k, sc.horizon)
    unknown = any(where == ("parameter",) for _, where in found)
    if lever.cost is None and not unknown and k.default_cost(cfg, lever) is None:
        yield ("a lever needs a cost: USD bn per unit of change per year (0 if it costs "
               "nothing), with cost_source", ("cost",))  # fmt: skip
    elif lever.cost is not None and not (lever.cost_source or "").strip():
        yield ("say where the cost comes from: cost_source, a source or 'assumption: ...' "
               "with the reason", ("cost_source",))  # fmt: skip


def settings_of(lever: Any) -> list[tuple[float, tuple]]:
    """The lever's declared settings with their fields: each option, or the range's ends."""
    if lever.options is not None:
        return [(float(v), ("options", i)) for i, v in enumerate(lever.options)]
    if lever.range is not None:
        return [(lever.range.low, ("range", "low")), (lever.range.high, ("range", "high"))]
    return []


def _parameter_problems(lever: Any, k: LeverKind, cfg: Config,
                        sc: Any) -> Iterator[tuple[str, tuple]]:  # fmt: skip
    if lever.event is not None:
        yield f"a {k.name} lever sets a parameter; only an event lever names an event", ("event",)
    if lever.parameter is None:
        yield f"a {k.name} lever names the parameter it sets", ("parameter",)
        return
    try:
        domains.parameter(cfg, lever.parameter)
    except domains.DomainError as exc:
        yield exc.message, ("parameter",)
        return
    refused = k.admits(cfg, lever.parameter)
    if refused:
        yield refused, ("parameter",)
        return
    if any(u.parameter == lever.parameter for u in sc.uncertainties):
        yield (f"{lever.parameter} is an uncertainty of this scenario; a parameter is a lever "
               "or an uncertainty, not both", ("parameter",))  # fmt: skip
    for value, where in settings_of(lever):
        try:
            domains.value_in_domain(lever.parameter, value, f"a setting of {lever.parameter}")
        except domains.DomainError as exc:
            yield exc.message, where


def _probe(lever: Any, value: float, at: float) -> Any:
    """The event of an event lever at ``value``, as a scenario event (for the checks)."""
    from simulate.scenarios.schema import Event

    return Event.model_construct(**{**lever.event.model_dump(), "at": at, "magnitude": value,
                                    "probability": 1.0, "label": ""})  # fmt: skip


def _event_problems(lever: Any, cfg: Config, horizon: Any) -> Iterator[tuple[str, tuple]]:
    if lever.parameter is not None:
        yield "an event lever sets an event; it names no parameter", ("parameter",)
    if lever.event is None:
        yield "an event lever names the event it sets (type, target, duration)", ("event",)
        return
    at = lever.start if lever.start is not None else float(horizon.start)
    seen: set[str] = set()
    for value, where in settings_of(lever):
        for message, field in event_kinds.problems(_probe(lever, value, at), cfg):
            if field == "magnitude":
                yield message, where
            elif field not in seen:
                seen.add(field)
                yield message, ("event", field)


def _start_problems(lever: Any, k: LeverKind, horizon: Any) -> Iterator[tuple[str, tuple]]:
    if lever.start is None:
        return
    span = f"the horizon {horizon.start}-{horizon.end}"
    if k.at_start and lever.start != horizon.start:
        yield (f"a {k.name} lever acts in the horizon's first period ({horizon.start}): the model "
               f"reads it only there (docs/MODEL.md, section 5); got start {lever.start:g}",
               ("start",))  # fmt: skip
    elif lever.start < horizon.start:
        yield f"the lever starts in {lever.start:g}, before {span}", ("start",)
    # A start after the horizon's end is no error here: a scenario with a shorter horizon
    # inherits the levers of the one it extends; a policy that sets such a lever is refused
    # (setting_problem).


def earliest(lever: Any, horizon: Any) -> float:
    """The first year the lever can act: its ``start``, or the horizon's start."""
    return float(lever.start) if lever.start is not None else float(horizon.start)


def setting_problem(lever: Any, setting: Setting, horizon: Any) -> tuple[str, str] | None:
    """What is wrong with a policy's setting of ``lever``: (message, ``value``/``start``).

    A value is one of the options (or inside the range); a start lies from the lever's
    first year to the horizon's end, and is the horizon's start for a kind that acts there
    only.
    """
    v = setting.value
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return f"a setting is a number, got {v!r}", "value"
    if lever.options is not None and not any(abs(v - o) <= TOLERANCE for o in lever.options):
        return f"{v:g} is not one of the lever's options {[float(o) for o in lever.options]}", \
            "value"  # fmt: skip
    if lever.range is not None and not lever.range.low <= v <= lever.range.high:
        return f"{v:g} is outside the lever's range [{lever.range.low:g}, {lever.range.high:g}]", \
            "value"  # fmt: skip
    first = earliest(lever, horizon)
    if kind(lever.kind).at_start and setting.start != first:
        return (f"a {lever.kind} lever acts in the horizon's first period only ({first:g}); "
                f"got {setting.start:g}", "start")  # fmt: skip
    if not first <= setting.start <= horizon.end:
        return f"the start {setting.start:g} is outside {first:g}-{horizon.end}", "start"
    return None


# --- the scenario under a policy -----------------------------------------------------------


def status_quo(loaded: LoadedScenario, name: str) -> float:
    """The lever's setting when a policy leaves it: the scenario's own value at the lever's
    start (its path, fixed value, ``initial`` or the config's value), or 0 for an event."""
    lever = loaded.scenario.levers[name]
    if kind(lever.kind).sets == "event":
        return 0.0
    return _value_at(loaded, lever.parameter, earliest(lever, loaded.scenario.horizon))


def _value_at(loaded: LoadedScenario, path: str, year: float) -> float:
    sc = loaded.scenario
    if path in sc.paths:
        years = sorted(sc.paths[path])
        return float(np.interp(year, years, [sc.paths[path][y] for y in years]))
    if path in sc.parameters:
        return float(sc.parameters[path])
    return float(sc.initial.get(path, loaded.config.get(path).central))


def drawn(loaded: LoadedScenario, path: str) -> bool:
    """Whether an ensemble run of the scenario draws ``path`` (a prior, a range of the
    config, a calibrated value or an uncertainty), unless the scenario fixes it."""
    sc, par = loaded.scenario, loaded.config.get(path)
    if path in sc.parameters or path in sc.initial or path in sc.paths:
        return False
    return (par.prior is not None or par.is_range or par.calibrate
            or any(u.parameter == path for u in sc.uncertainties))  # fmt: skip


def step_path(loaded: LoadedScenario, path: str, value: float, year: float) -> dict[float, float]:
    """A time path that follows the scenario before ``year`` and is ``value`` from it on.

    The scenario's value before ``year``: its own path's points (with its value just
    before the year), or its fixed value from the horizon's start.
    """
    sc = loaded.scenario
    before = year - STEP_LEAD
    if path in sc.paths:
        series = sc.paths[path]
        years = sorted(series)
        points = {y: float(series[y]) for y in years if y < before}
        points[before] = float(np.interp(before, years, [series[y] for y in years]))
    else:
        old = _value_at(loaded, path, year)
        points = {float(sc.horizon.start): old, before: old}
    return {**points, float(year): float(value)}


def resolve(loaded: LoadedScenario, policy: Mapping[str, Setting]) -> dict[str, Setting]:
    """Every declared lever's setting under ``policy``: its own, or the status quo."""
    hz = loaded.scenario.horizon
    out = {}
    for name, lever in loaded.scenario.levers.items():
        given = policy.get(name)
        out[name] = given if given is not None else Setting(status_quo(loaded, name),
                                                            earliest(lever, hz))  # fmt: skip
    return out


def moved(loaded: LoadedScenario, name: str, setting: Setting) -> bool:
    """Whether ``setting`` departs from the lever's status quo."""
    return abs(setting.value - status_quo(loaded, name)) > TOLERANCE


def apply(loaded: LoadedScenario, policy: Mapping[str, Setting]) -> LoadedScenario:
    """The scenario under ``policy`` (lever name -> setting; levers left out stay at the
    status quo), every change made through the scenario's parameters, paths and events.

    A lever whose parameter the runs draw is applied in every policy (fixed at the status
    quo when the policy leaves it), so all policies run the same futures.

    Raises:
        KeyError: ``policy`` names a lever the scenario does not declare.
    """
    from simulate.scenarios.scenario import LoadedScenario as Loaded
    from simulate.scenarios.schema import Event

    sc = loaded.scenario
    unknown = set(policy) - set(sc.levers)
    if unknown:
        raise KeyError(f"levers not declared by {sc.name}: {sorted(unknown)}")
    parameters, paths = dict(sc.parameters), dict(sc.paths)
    added = []
    for name, setting in resolve(loaded, policy).items():
        lever = sc.levers[name]
        k = kind(lever.kind)
        if k.sets == "event":
            if moved(loaded, name, setting):
                added.append(Event.model_construct(**{
                    **lever.event.model_dump(), "at": float(setting.start),
                    "magnitude": float(setting.value), "probability": 1.0,
                    "label": f"lever {name}"}))  # fmt: skip
            continue
        p = lever.parameter
        if not (moved(loaded, name, setting) or drawn(loaded, p)):
            continue
        if k.at_start or setting.start <= sc.horizon.start:
            parameters[p] = float(setting.value)
            paths.pop(p, None)
        else:
            paths[p] = step_path(loaded, p, setting.value, setting.start)
            parameters.pop(p, None)
    update = {"parameters": parameters, "paths": paths, "events": [*sc.events, *added]}
    return Loaded(scenario=sc.model_copy(update=update), config=loaded.config,
                  origins=loaded.origins, file=loaded.file, notes=loaded.notes)


# --- cost -----------------------------------------------------------------------------------


def unit_cost(loaded: LoadedScenario, name: str) -> tuple[float, str]:
    """The lever's cost per unit of change per year (USD bn) and where it comes from."""
    lever = loaded.scenario.levers[name]
    if lever.cost is not None:
        return float(lever.cost), str(lever.cost_source or "")
    found = kind(lever.kind).default_cost(loaded.config, lever)
    if found is None:
        raise ValueError(f"lever {name} has no cost")
    return found


def years_in_force(loaded: LoadedScenario, name: str, setting: Setting) -> float:
    """The years a setting acts within the horizon: from its start to the horizon's end, or
    as long as its event lasts."""
    sc = loaded.scenario
    lever = sc.levers[name]
    end = float(sc.horizon.end + 1)
    start = float(sc.horizon.start) if kind(lever.kind).at_start else float(setting.start)
    left = max(end - start, 0.0)
    if kind(lever.kind).sets == "event":
        probe = _probe(lever, setting.value, setting.start)
        return min(event_kinds.length(probe), left)
    return left


def cost(loaded: LoadedScenario, policy: Mapping[str, Setting]) -> dict[str, float]:
    """What ``policy`` costs over the horizon, by actor (USD bn, undiscounted): per lever,
    its unit cost × the change from the status quo × the years in force."""
    out: dict[str, float] = {}
    for name, setting in policy.items():
        lever = loaded.scenario.levers[name]
        change = abs(setting.value - status_quo(loaded, name))
        if change <= TOLERANCE:
            continue
        each = unit_cost(loaded, name)[0] * change * years_in_force(loaded, name, setting)
        out[lever.actor] = out.get(lever.actor, 0.0) + each
    return out


# --- docs -----------------------------------------------------------------------------------


def table() -> str:
    """The lever table of ``docs/scenarios.md`` and ``docs/decide.md``: kind, sets, effect, cost."""
    rows = [f"| `{k.name}` | {k.target_doc} | {k.effect_doc} | {k.cost_doc} |"
            for k in KINDS.values()]  # fmt: skip
    return "\n".join(["| kind | sets | how a setting acts | cost over the horizon |",
                      "|---|---|---|---|", *rows]) + "\n"  # fmt: skip


BEGIN = "<!-- lever table: generated from simulate/scenarios/levers.py -->"
END = "<!-- end of lever table -->"
DOCS = ("scenarios.md", "decide.md")


def docs_with_table(text: str, rows: str) -> str:
    """``text`` with the part between the lever table's markers replaced by ``rows``."""
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError("the markers of the generated lever table are missing")
    return f"{head}{BEGIN}\n{rows}{END}{tail}"


def write_docs(root: str | Path = ".") -> None:
    """Refresh the lever tables of ``docs/scenarios.md`` and ``docs/decide.md`` under ``root``."""
    for name in DOCS:
        path = Path(root) / "docs" / name
        path.write_text(docs_with_table(path.read_text(encoding="utf-8"), table()),
                        encoding="utf-8")  # fmt: skip
