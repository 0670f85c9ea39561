"""The event registry: one declaration per event kind, read by every part that handles events.

An :class:`EventKind` says what a kind of event is: its name, the kind of target it
takes (a route or a power, see :data:`TARGETS`), whether it needs one, the domain of
its magnitude, what an empty duration means, the extra fields it takes
(:class:`Option`), the magnitudes generated tests draw, and its effect: the function
that changes a period's parameters while the event lasts. Everything else derives
from :data:`KINDS`:

* :mod:`simulate.scenarios.schema`: the admissible ``type`` values and the extra fields of an event
  (and so ``docs/scenario.schema.json``);
* :mod:`simulate.scenarios.scenario` and :mod:`simulate.scenarios.rules`: the checks against the
  config (:func:`problems`, :func:`length`);
* :mod:`simulate.model.spec`: the compiled events (:func:`compile_event`) and their effects;
* :mod:`simulate.testing`: the hypothesis ``events`` strategy and the hostile generators;
* the event tables of ``docs/scenarios.md`` and ``docs/MODEL.md`` (:func:`write_docs`).

A new event kind is one more declaration below (and the equation it drives, if new).
An effect changes its target's axis through :func:`shift`, which refuses a parameter
that axis does not have, so an event is never applied to another axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from simulate.scenarios.instruments import INSTRUMENT_INDEX, INSTRUMENTS

if TYPE_CHECKING:
    from simulate.scenarios.parameters import Config

Duration = Literal["required", "one_year", "open"]


class EventError(ValueError):
    """An event that does not fit its declaration (a target of another kind, another axis)."""


@dataclass(frozen=True)
class Target:
    """A kind of target: the names a config offers, and the parameter axis they index."""

    names: Callable[[Config], list[str]]
    axis: Literal["route", "power"]


#: The kinds of target an event can take.
TARGETS: dict[str, Target] = {
    "route": Target(lambda cfg: list(cfg.route_names), "route"),
    "power": Target(lambda cfg: list(cfg.powers), "power"),
}


@dataclass(frozen=True)
class Bounds:
    """The admissible magnitudes of a kind, and the message that explains them."""

    low: float = -math.inf
    high: float = math.inf
    rule: str = ""
    open_low: bool = False

    def refuses(self, x: float) -> bool:
        """Whether ``x`` lies outside the bounds."""
        if self.open_low:
            return x <= self.low or x > self.high
        return not self.low <= x <= self.high


@dataclass(frozen=True)
class Option:
    """An optional text field only some kinds take, with its admissible values."""

    name: str
    description: str
    choices: Callable[[Config], Sequence[str]]
    #: What generated events may use, out of the choices, for a target (a power's own).
    sample: Callable[[Config, str | None], Sequence[str]] = lambda cfg, target: ()


@dataclass(frozen=True)
class CompiledEvent:
    """An event with its target resolved to an index on its axis and its window in years."""

    type: str
    index: int
    start: float
    end: float
    magnitude: float
    probability: float
    duration: float
    target: str = "power"  # the target kind (a key of TARGETS)
    options: dict[str, Any] = field(default_factory=dict)


class Params(Protocol):
    """What an effect changes: a period's parameter arrays by axis, with a leading run
    axis (:class:`simulate.model.spec.StepParams`, which the model builds)."""

    power: dict[str, np.ndarray]
    route: dict[str, np.ndarray]


Effect = Callable[["Params", CompiledEvent, np.ndarray], None]


@dataclass(frozen=True)
class EventKind:
    """One kind of event: what it takes, what the config must offer, and what it does.

    Attributes:
        name: The ``type`` written in a scenario.
        target: The kind of target, a key of :data:`TARGETS`.
        effect: ``effect(params, event, on)`` changes the period's :class:`Params` (on
            copies, through :func:`shift`) for the runs where ``on`` (R,) is true.
        needs_target: False when the event may go without a target (it may still name one).
        magnitude: The admissible magnitudes; unbounded by default.
        duration: What an empty duration means: ``"required"`` (refused), ``"one_year"``,
            or ``"open"`` (to the end of the horizon).
        options: Extra fields the kind takes.
        sample: The magnitudes generated valid events draw, (low, high).
        target_doc: The target column of the docs' event tables.
        magnitude_doc: What the magnitude means (docs/scenarios.md).
        effect_doc: The effect while it lasts (docs/MODEL.md).
    """

    name: str
    target: str
    effect: Effect
    needs_target: bool = True
    magnitude: Bounds = Bounds()
    duration: Duration = "one_year"
    options: tuple[Option, ...] = ()
    sample: tuple[float, float] = (-0.5, 1.0)
    target_doc: str = ""
    magnitude_doc: str = ""
    effect_doc: str = ""

    @property
    def noun(self) -> str:
        """The name in words (``route disruption``)."""
        return self.name.replace("_", " ")


#: Every event kind, by name, in declaration order (the order of the schema's list).
KINDS: dict[str, EventKind] = {}


def register(kind: EventKind) -> EventKind:
    """Add a declaration to :data:`KINDS` after checking it; returns it."""
    if not kind.name.isidentifier() or kind.name in KINDS:
        raise ValueError(f"event kind {kind.name!r} is not a new identifier")
    if kind.target not in TARGETS:
        raise ValueError(f"{kind.name}: target {kind.target!r} is not one of {list(TARGETS)}")
    if kind.duration not in ("required", "one_year", "open") or not callable(kind.effect):
        raise ValueError(f"{kind.name}: duration must be required/one_year/open, effect callable")
    for opt in kind.options:
        if not opt.name.isidentifier():
            raise ValueError(f"{kind.name}: option {opt.name!r} is not an identifier")
    KINDS[kind.name] = kind
    return kind


def kind(name: str) -> EventKind:
    """The declaration of event kind ``name``."""
    try:
        return KINDS[name]
    except KeyError:
        raise EventError(f"unknown event kind {name!r}; expected one of {list(KINDS)}") from None


def options() -> dict[str, Option]:
    """Every extra field any kind takes, by name (the first declaration of a name wins)."""
    out: dict[str, Option] = {}
    for k in KINDS.values():
        for opt in k.options:
            out.setdefault(opt.name, opt)
    return out


def target_names(cfg: Config, target: str) -> list[str]:
    """The names a config offers for a kind of target."""
    return TARGETS[target].names(cfg)


def length(ev: Any) -> float:
    """How long an event lasts in years (its duration, or what an empty one means)."""
    if ev.duration is not None:
        return ev.duration
    return math.inf if kind(ev.type).duration == "open" else 1.0


def problems(ev: Any, cfg: Config) -> Iterator[tuple[str, str]]:
    """What is wrong with a schema-valid event against the config: (message, field) pairs.

    In order: a required target the config lacks, a magnitude outside the kind's
    bounds, a field the kind does not take or a value outside its choices, a missing
    duration the kind needs.
    """
    k = kind(ev.type)
    if k.needs_target:
        names = target_names(cfg, k.target)
        if ev.target not in names:
            yield (f"{ev.type} needs a target {k.target}, one of {names} (got {ev.target!r})",
                   "target")  # fmt: skip
    if k.magnitude.refuses(ev.magnitude):
        yield k.magnitude.rule, "magnitude"
    own = {o.name for o in k.options}
    for name, opt in options().items():
        value = getattr(ev, name, None)
        if value is None:
            continue
        if name not in own:
            takers = " or ".join(x.name for x in KINDS.values() if name in _names(x.options))
            yield f"only a {takers} names {_article(name)} {name}", name
        elif value not in (choices := list(opt.choices(cfg))):
            yield f"unknown {name} {value!r}; expected one of {choices}", name
    if k.duration == "required" and ev.duration is None:
        yield f"a {k.noun} needs a duration in years", "duration"


def _names(opts: Sequence[Option]) -> set[str]:
    return {o.name for o in opts}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def compile_event(ev: Any, cfg: Config, dt: float) -> CompiledEvent:
    """An event of a validated scenario, its target resolved on its kind's axis.

    Raises:
        EventError: if the event names a target the config lacks for its kind.
    """
    k = kind(ev.type)
    names = target_names(cfg, k.target)
    if ev.target in names:
        idx = names.index(ev.target)
    elif ev.target is None and not k.needs_target:
        idx = -1
    else:
        raise EventError(f"{ev.type} needs a target {k.target}, one of {names} "
                         f"(got {ev.target!r})")  # fmt: skip
    permanent = ev.duration is None and k.duration == "open"
    duration = ev.duration if ev.duration is not None else 1.0
    end = np.inf if permanent else ev.at + duration
    opts = {o.name: getattr(ev, o.name, None) for o in k.options}
    return CompiledEvent(ev.type, idx, ev.at, end, ev.magnitude, ev.probability,
                         max(duration, dt), k.target, opts)  # fmt: skip


def shift(sp: Params, ev: CompiledEvent, name: str, *, at: tuple = (),
          mul: np.ndarray | float = 1.0, add: np.ndarray | float = 0.0) -> None:  # fmt: skip
    """Set ``name`` of the event's target to ``x * mul + add`` (on a copy, never in place).

    ``at`` indexes further axes after the target's (an instrument). Raises
    :class:`EventError` if the target's axis has no parameter ``name`` or the event
    has no target, so an event never changes another axis.
    """
    axis = TARGETS[ev.target].axis
    group = getattr(sp, axis)
    if ev.index < 0:
        raise EventError(f"{ev.type} names no {ev.target} to act on")
    if name not in group:
        raise EventError(f"{ev.type} acts on a {ev.target}, and the {axis} axis has no "
                         f"parameter {name!r}")  # fmt: skip
    arr = group[name].copy()
    idx = (slice(None), ev.index, *at)
    arr[idx] = arr[idx] * mul + add
    group[name] = arr


def apply(sp: Params, events: Sequence[CompiledEvent], now: float,
          occurs: np.ndarray) -> None:  # fmt: skip
    """Apply every event in force at decimal year ``now`` to ``sp``; ``occurs`` is (R, E)."""
    for e, ev in enumerate(events):
        if ev.start <= now < ev.end:
            kind(ev.type).effect(sp, ev, occurs[:, e])


def _on(on: np.ndarray, value: Any) -> np.ndarray:
    return np.where(on, value, 0.0)


def _route_disruption(sp: Params, ev: CompiledEvent, on: np.ndarray) -> None:
    shift(sp, ev, "capacity", mul=np.where(on, 1.0 - ev.magnitude, 1.0))


def _sanctions_package(sp: Params, ev: CompiledEvent, on: np.ndarray) -> None:
    s = sp.hedger["sanctions_intensity"]
    sp.hedger["sanctions_intensity"] = np.clip(s + _on(on, ev.magnitude), 0.0, 1.0)


def _investment_pledge(sp: Params, ev: CompiledEvent, on: np.ndarray) -> None:
    shift(sp, ev, "fdi_inflow", add=_on(on, ev.magnitude / ev.duration))


def _growth(name: str) -> Effect:
    def effect(sp: Params, ev: CompiledEvent, on: np.ndarray) -> None:
        shift(sp, ev, name, add=_on(on, np.log1p(ev.magnitude) / ev.duration))

    return effect


def _coercion_campaign(sp: Params, ev: CompiledEvent, on: np.ndarray) -> None:
    held = [ev.options["instrument"]] if ev.options.get("instrument") else list(INSTRUMENTS)
    for j in held:
        shift(sp, ev, "instrument_floor", at=(INSTRUMENT_INDEX[j],), add=_on(on, ev.magnitude))


def _security_shift(sp: Params, ev: CompiledEvent, on: np.ndarray) -> None:
    shift(sp, ev, "security_tie", add=_on(on, ev.magnitude))
    sp.power["security_tie"] = np.clip(sp.power["security_tie"], 0.0, 1.0)


_RELATIVE = Bounds(-1.0, rule="a relative change must be greater than -1", open_low=True)

INSTRUMENT = Option(
    "instrument", "coercion_campaign: the instrument pressed (default: all the power holds)",
    choices=lambda cfg: list(INSTRUMENTS),
    sample=lambda cfg, power: [j for j in cfg.actors[power].instruments if j != "inducement"],
)  # fmt: skip

register(EventKind(
    "route_disruption", "route", _route_disruption, duration="required",
    magnitude=Bounds(0.0, 1.0, "a route disruption's magnitude is the share of capacity lost, "
                     "in [0, 1]"), sample=(0.0, 1.0),
    target_doc="a route (`cpc`, `druzhba`, `china_pipeline`, `trans_caspian`)",
    magnitude_doc="share of capacity lost (0–1)",
    effect_doc="capacity × (1 − m)",
))  # fmt: skip
register(EventKind(
    "sanctions_package", "power", _sanctions_package, needs_target=False, duration="open",
    sample=(-0.5, 0.5), target_doc="—", magnitude_doc="added Western sanctions intensity (0–1)",
    effect_doc="sanctions_intensity + m, within [0, 1] (permanent without a duration)",
))  # fmt: skip
register(EventKind(
    "investment_pledge", "power", _investment_pledge, sample=(0.0, 20.0),
    target_doc="a power", magnitude_doc="USD bn of extra FDI spread over the duration",
    effect_doc="FDI inflow + m / duration",
))  # fmt: skip
register(EventKind(
    "capacity_shift", "power", _growth("capacity_growth"), magnitude=_RELATIVE,
    target_doc="a power", magnitude_doc="relative change of capacity by the end (−0.2 = −20%)",
    effect_doc="capacity growth + ln(1 + m) / duration",
))  # fmt: skip
register(EventKind(
    "coercion_campaign", "power", _coercion_campaign, options=(INSTRUMENT,), sample=(0.0, 1.0),
    target_doc="a power, optional `instrument`",
    magnitude_doc="the power's effort with the instrument (default: every one it holds) is at "
    "least `magnitude` while it lasts, beyond its usual ceiling: for `transit_disruption` the "
    "share of capacity on the routes across it that it withholds",
    effect_doc="the power acts: effort at least m with that instrument (or all it holds), and "
    "m carried out (share of capacity withheld, of FDI frozen, of trade cut)",
))  # fmt: skip
register(EventKind(
    "trade_shift", "power", _growth("trade_growth"), magnitude=_RELATIVE,
    target_doc="a power", magnitude_doc="relative change of bilateral trade by the end",
    effect_doc="trade growth + ln(1 + m) / duration",
))  # fmt: skip
register(EventKind(
    "security_shift", "power", _security_shift, sample=(-0.5, 0.5),
    magnitude=Bounds(-1.0, 1.0, "a security shift adds to the power's security tie (a share), "
                     "in [-1, 1]"),
    target_doc="a power", magnitude_doc="added to the power's `security_tie` while the event "
    "lasts (−1 to 1; the tie stays in [0, 1]), e.g. the power's troops deployed in Kazakhstan",
    effect_doc="security tie + m, within [0, 1]",
))  # fmt: skip


def scenarios_table() -> str:
    """The event table of ``docs/scenarios.md``: type, target, magnitude."""
    rows = [f"| `{k.name}` | {k.target_doc} | {k.magnitude_doc} |" for k in KINDS.values()]
    return "\n".join(["| type | target | magnitude |", "|---|---|---|", *rows]) + "\n"


def model_table() -> str:
    """The event table of ``docs/MODEL.md``: event, target, effect while it lasts."""
    rows = []
    for k in KINDS.values():
        target = k.target if k.needs_target else "—"
        if k.options:
            target += f" (optional {', '.join(f'`{o.name}`' for o in k.options)})"
        rows.append(f"| `{k.name}` | {target} | {k.effect_doc} |")
    return "\n".join(["| event | target | effect while it lasts |", "|---|---|---|",
                      *rows]) + "\n"  # fmt: skip


BEGIN = "<!-- event table: generated from simulate/scenarios/events.py -->"
END = "<!-- end of table -->"


def docs_with_table(text: str, table: str) -> str:
    """``text`` with the part between the table markers replaced by ``table``."""
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError("the markers of the generated event table are missing")
    return f"{head}{BEGIN}\n{table}{END}{tail}"


def write_docs(root: str | Path = ".") -> None:
    """Refresh the event tables of ``docs/scenarios.md`` and ``docs/MODEL.md`` under ``root``."""
    for name, table in (("scenarios.md", scenarios_table()), ("MODEL.md", model_table())):
        path = Path(root) / "docs" / name
        path.write_text(docs_with_table(path.read_text(encoding="utf-8"), table),
                        encoding="utf-8")  # fmt: skip
