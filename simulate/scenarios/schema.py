"""The scenario schema (pydantic), published as JSON Schema in ``docs/scenario.schema.json``.

This module only describes shapes and simple bounds, and the name a run with
overrides takes within the rule of a name (:func:`overridden_name`); checks that need
the parameter config (does ``russia.trade`` exist?) live in :mod:`simulate.scenarios.scenario`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainValidator,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from simulate.scenarios import events as event_kinds
from simulate.scenarios import levers as lever_kinds

MAX_RUNS = 1_000_000
MAX_HORIZON_YEARS = 100
MIN_YEAR, MAX_YEAR = 1900, 2200
STEPS_PER_YEAR = {"year": 1, "quarter": 4, "month": 12}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Horizon(_Strict):
    """Simulated years: from the start of ``start`` to the end of ``end``."""

    start: int = Field(ge=MIN_YEAR, le=MAX_YEAR, description="First simulated year")
    end: int = Field(ge=MIN_YEAR, le=MAX_YEAR, description="Last simulated year (inclusive)")
    step: Literal["year", "quarter", "month"] = "quarter"

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end})")
        if self.end - self.start + 1 > MAX_HORIZON_YEARS:
            raise ValueError(f"a horizon may span at most {MAX_HORIZON_YEARS} years")
        return self

    @property
    def dt(self) -> float:
        """Length of one period in years."""
        return 1.0 / STEPS_PER_YEAR[self.step]

    @property
    def periods(self) -> int:
        """Number of simulated periods."""
        return (self.end - self.start + 1) * STEPS_PER_YEAR[self.step]


def _event_type(value: Any) -> str:
    """A registered event kind (:data:`simulate.scenarios.events.KINDS`), read when validating."""
    if isinstance(value, str) and value in event_kinds.KINDS:
        return value
    names = [repr(k) for k in event_kinds.KINDS]
    expected = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    raise PydanticCustomError("literal_error", "Input should be {expected}",
                              {"expected": expected})  # fmt: skip


class _EventTypeSchema:
    """The JSON Schema of ``type``: an enum of the kinds registered when it is generated."""

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:  # fmt: skip
        return {"enum": list(event_kinds.KINDS), "type": "string"}


#: An event's ``type``: one of the registered event kinds.
EventType = Annotated[str, PlainValidator(_event_type), _EventTypeSchema()]


class _EventFields(_Strict):
    """Something that happens at a time, for a while, possibly only in some runs."""

    type: EventType
    target: str | None = Field(None, description="Route (disruption) or power the event concerns")
    at: float = Field(ge=MIN_YEAR, le=MAX_YEAR, description="Decimal year the event starts")
    duration: float | None = Field(None, ge=0, description="Years it lasts; empty = to the end")
    magnitude: float = Field(description="Size; its meaning depends on the type (docs)")
    probability: float = Field(1.0, ge=0, le=1, description="Chance it happens in a run")
    label: str = ""


def event_model(kinds: Iterable[event_kinds.EventKind]) -> type[BaseModel]:
    """The event model: the fields every event has, and the options ``kinds`` declare."""
    extra: dict[str, Any] = {}
    for kind in kinds:
        for opt in kind.options:
            if opt.name in _EventFields.model_fields:
                raise ValueError(f"{kind.name}: option {opt.name!r} is a field of every event")
            extra.setdefault(opt.name, (str | None, Field(None, description=opt.description)))
    return create_model("Event", __base__=_EventFields, __doc__=_EventFields.__doc__,
                        __module__=__name__, **extra)  # fmt: skip


Event = event_model(event_kinds.KINDS.values())


def _lever_kind(value: Any) -> str:
    """A registered lever kind (:data:`simulate.scenarios.levers.KINDS`), read when validating."""
    if isinstance(value, str) and value in lever_kinds.KINDS:
        return value
    expected = " or ".join(repr(k) for k in lever_kinds.KINDS)
    raise PydanticCustomError("literal_error", "Input should be {expected}",
                              {"expected": expected})  # fmt: skip


class _LeverKindSchema:
    """The JSON Schema of a lever's ``kind``: an enum of the registered kinds."""

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:  # fmt: skip
        return {"enum": list(lever_kinds.KINDS), "type": "string"}


#: A lever's ``kind``: one of the registered lever kinds.
LeverKind = Annotated[str, PlainValidator(_lever_kind), _LeverKindSchema()]


class LeverRange(_Strict):
    """The settings of a continuous lever: every value from ``low`` to ``high``."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> LeverRange:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class _LeverEventFields(_Strict):
    """The event an event lever sets: its magnitude is the lever's setting, ``at`` its start."""

    type: EventType
    target: str | None = Field(None, description="Route or power the event concerns")
    duration: float | None = Field(None, ge=0, description="Years it lasts; empty: as the "
                                   "kind says (to the end, or one year)")


def lever_event_model(kinds: Iterable[event_kinds.EventKind]) -> type[BaseModel]:
    """The event of an event lever: the fields above and the options ``kinds`` declare."""
    extra: dict[str, Any] = {}
    for kind in kinds:
        for opt in kind.options:
            extra.setdefault(opt.name, (str | None, Field(None, description=opt.description)))
    return create_model("LeverEvent", __base__=_LeverEventFields,
                        __doc__=_LeverEventFields.__doc__, __module__=__name__,
                        **extra)  # fmt: skip


LeverEvent = lever_event_model(event_kinds.KINDS.values())


class Lever(_Strict):
    """A decision of one actor: what it sets, its settings, when it can start, what it costs.

    The kinds, and what each sets and how, are declared in
    :mod:`simulate.scenarios.levers`; the checks against the config are there too.
    """

    kind: LeverKind
    actor: str = Field(description="Whose decision it is: an actor of the config")
    description: str = Field(min_length=1, description="The decision in words")
    parameter: str | None = Field(None, description="The parameter it sets (dotted path)")
    event: LeverEvent | None = Field(None, description="The event it sets (event levers)")
    unit: str = Field("", description="The unit of a setting")
    options: list[float] | None = Field(None, min_length=1,
                                        description="The settings it can take")  # fmt: skip
    range: LeverRange | None = Field(None, description="Or every setting from low to high")
    start: float | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR,
                                description="The first year it can act (default: the "
                                "horizon's start)")  # fmt: skip
    cost: float | None = Field(None, description="USD bn per unit of change from the status "
                               "quo per year in force (default for a programme: the "
                               "route's build_cost)")  # fmt: skip
    cost_source: str | None = Field(None, description="Where the cost comes from: a source, "
                                    "or 'assumption: ...' with the reason")  # fmt: skip


class Uniform(_Strict):
    parameter: str
    dist: Literal["uniform"]
    low: float
    high: float


class Triangular(_Strict):
    parameter: str
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float


class TruncatedNormal(_Strict):
    parameter: str
    dist: Literal["truncnormal"]
    mean: float
    sd: float = Field(gt=0)
    low: float
    high: float


class LogNormal(_Strict):
    parameter: str
    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)


class Choice(_Strict):
    parameter: str
    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None


Uncertainty = Annotated[
    Uniform | Triangular | TruncatedNormal | LogNormal | Choice, Field(discriminator="dist")
]


Direction = Literal["up", "down"]


class Expect(_Strict):
    """The direction a scenario's headline outcomes should move, and why.

    ``simulate check`` runs the scenario and its reference on the same seeds and tests,
    per outcome, the paired mean difference at ``at`` with a bootstrap interval.
    """

    against: str = Field(
        description="'start' (the scenario's own first period) or the reference scenario: "
        "its file, relative to this file (e.g. baseline.yaml), or a shipped scenario's name "
        "(e.g. baseline)"
    )
    at: float = Field(ge=MIN_YEAR, le=MAX_YEAR,
                      description="Decimal year compared (a period start)")  # fmt: skip
    outcomes: dict[str, Direction] = Field(
        min_length=1, description="VARIABLE or VARIABLE:ENTITY -> up or down"
    )
    why: str = Field("", description="The mechanism that should move each outcome")


class Scenario(_Strict):
    """A scenario as users write it in YAML (after ``extends`` is merged)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$",
                      description="Plain identifier; names the result file")
    description: str = ""
    extends: str | None = Field(None, description="Scenario this one builds on: a file, "
                                "relative to this one, or a shipped scenario's name")
    config: str | None = Field(
        None, description="Parameter config file; default configs/default.yaml"
    )
    actors: list[str] = Field(
        default_factory=list, max_length=50,
        description="Actors added to the config: a shipped actor's name (configs/actors/, "
        "e.g. turkey, usa, azerbaijan, georgia) or an actor file, relative to this one")
    horizon: Horizon
    runs: int = Field(100, ge=1, le=MAX_RUNS)
    seed: int = Field(0, ge=0, lt=2**63)
    initial: dict[str, float] = Field(
        default_factory=dict,
        description="Values that describe the world at the start: part of the rest point",
    )
    parameters: dict[str, float] = Field(
        default_factory=dict, description="Values that depart from the start (counterfactuals)"
    )
    paths: dict[str, dict[float, float]] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    uncertainties: list[Uncertainty] = Field(default_factory=list)
    levers: dict[str, Lever] = Field(
        default_factory=dict, description="Decisions a policy can take, by name (simulate "
        "decide); they change nothing until a policy sets them")
    outputs: list[str] | None = Field(None, description="Variables to keep; default all")
    expect: Expect | list[Expect] | None = Field(
        None, description="Declared directions of the headline outcomes, one block per "
        "reference and year (not inherited)"
    )

    @property
    def expectations(self) -> list[Expect]:
        """The ``expect`` blocks as a list (empty when none are declared)."""
        if self.expect is None:
            return []
        return self.expect if isinstance(self.expect, list) else [self.expect]


def json_schema() -> str:
    """The scenario JSON Schema, as published in ``docs/scenario.schema.json``."""
    return json.dumps(Scenario.model_json_schema(), indent=2, sort_keys=True) + "\n"


def overridden_name(name: str, values: Mapping[str, float]) -> str:
    """The name of a scenario run with overrides: ``<name>-set-<8 hex digits of the values>``.

    The digest depends only on the overridden paths and values, so the same ``--set``
    always gives the same name, and a modified run is never mistaken for the original;
    the name is cut so that the whole keeps to the rule of :attr:`Scenario.name`.
    """
    blob = json.dumps(sorted((k, float(v)) for k, v in values.items())).encode()
    return f"{name[:50]}-set-{hashlib.sha256(blob).hexdigest()[:8]}"
