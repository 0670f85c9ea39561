"""The parameter registry: actors, routes and every parameter with its provenance.

A config file (``configs/default.yaml``) lists the actors (one hedger and any
number of powers), the oil-export routes and, per group (an actor, a route or
``middle_corridor``), parameters that each carry a value or a ``low``/``high``
range, a unit and either ``sources`` (seed file + verbatim quote) or an
``assumption`` with its reason. Parameters are addressed by dotted path,
``<group>.<name>``, e.g. ``russia.trade`` or ``trans_caspian.capacity``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulate import shipped, yamlio
from simulate.errors import InputError

CONFIG_DIR = shipped.folder("configs")
DEFAULT_CONFIG = CONFIG_DIR / "default.yaml"
CORRIDOR = "middle_corridor"

#: Parameters every hedger must define (used by the equations).
HEDGER_PARAMS = (
    "inertia", "balance_preference", "choice_temperature", "choice_noise",
    "payoff_trade", "payoff_investment", "payoff_inducement", "coercion_response",
    "sanctions_aversion", "trade_alignment_elasticity", "fdi_alignment_elasticity",
    "fdi_depreciation", "rest_of_world_trade", "fdi_stock", "oil_exports",
    "oil_export_weight", "weight_trade", "weight_transit", "weight_investment",
    "weight_security", "weight_identity", "alignment_threshold", "leverage_threshold",
    "compliance", "compliance_rate", "compliance_sensitivity", "sanctions_trade_drag",
    "sanctions_intensity",
)  # fmt: skip
#: Parameters every power must define.
POWER_PARAMS = (
    "initial_alignment", "trade", "trade_growth", "partner_dependence", "fdi_share",
    "fdi_inflow", "security_tie", "identity_tie", "capacity", "capacity_growth",
    "inducement", "coercion", "reactivity", "transit_reliance", "sanctioned",
)  # fmt: skip
#: Parameters every route must define.
ROUTE_PARAMS = ("capacity", "preference")
#: Parameters of the Middle Corridor freight submodel.
CORRIDOR_PARAMS = ("capacity", "transit_days", "demand", "time_elasticity", "northern_volume")

_SHARE = (0.0, 1.0)
_NONNEG = (0.0, float("inf"))
_RATE = (-1.0, 1.0)
#: The admissible range of each model parameter, by name (any group).
DOMAINS: dict[str, tuple[float, float]] = {
    **{n: _SHARE for n in (
        "inertia", "balance_preference", "oil_export_weight", "weight_trade", "weight_transit",
        "weight_investment", "weight_security", "weight_identity", "alignment_threshold",
        "leverage_threshold", "compliance", "partner_dependence", "fdi_share", "security_tie",
        "identity_tie", "transit_reliance", "sanctioned", "sanctions_intensity")},
    **{n: _RATE for n in ("trade_growth", "capacity_growth")},
    "choice_temperature": (1e-6, float("inf")),
    "transit_days": (1e-6, float("inf")),
}  # fmt: skip


def domain(path: str) -> tuple[float, float]:
    """The admissible (low, high) of a model parameter, by its dotted path."""
    return DOMAINS.get(path.rpartition(".")[2], _NONNEG)


class Source(BaseModel):
    """A verbatim quote from a seed article."""

    model_config = ConfigDict(extra="forbid")
    seed: str = Field(description="File name in shared/seeds")
    quote: str = Field(description="Words copied verbatim from that file (8 or more)")

    @model_validator(mode="after")
    def _long_enough(self) -> Source:
        if len(self.quote.split()) < 8:
            raise ValueError("a quote needs at least 8 words")
        return self


class Parameter(BaseModel):
    """One parameter: value or range, unit, and where it comes from."""

    model_config = ConfigDict(extra="forbid")
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str
    description: str = ""
    role: Literal["model", "reference"] = "model"
    sources: list[Source] | None = None
    assumption: str | None = None
    calibrate: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        has_range = self.low is not None or self.high is not None
        if self.value is not None and has_range:
            raise ValueError("give either value or low/high, not both")
        if self.value is None and not has_range:
            raise ValueError("give a value or a low/high range")
        if has_range and (self.low is None or self.high is None or self.low >= self.high):
            raise ValueError("a range needs low < high")
        if bool(self.sources) == bool(self.assumption):
            raise ValueError("give exactly one of sources (seed + quote) or assumption")
        return self

    @property
    def is_range(self) -> bool:
        """True when the articles give (or disagree on) a range, not a point."""
        return self.value is None

    @property
    def central(self) -> float:
        """The point value, or the midpoint of the range."""
        if self.value is not None:
            return float(self.value)
        return (float(self.low) + float(self.high)) / 2.0  # type: ignore[arg-type]


class Actor(BaseModel):
    """An actor: the hedger (Kazakhstan) or a power."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["hedger", "power"]
    label: str = ""


class Route(BaseModel):
    """An oil-export route and the powers whose territory it crosses."""

    model_config = ConfigDict(extra="forbid")
    label: str = ""
    crosses: list[str] = Field(default_factory=list)


class Config(BaseModel):
    """A calibrated parameter set: actors, routes and sourced parameters."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    name: str
    description: str = ""
    hedger: str
    actors: dict[str, Actor]
    routes: dict[str, Route]
    freight_crosses: list[str] = Field(
        default_factory=list, description="Powers the northern (non-corridor) freight route crosses"
    )
    parameters: dict[str, dict[str, Parameter]]

    @property
    def powers(self) -> list[str]:
        """The power names, in config order."""
        return [n for n, a in self.actors.items() if a.kind == "power"]

    @property
    def route_names(self) -> list[str]:
        """The route names, in config order."""
        return list(self.routes)

    def get(self, path: str) -> Parameter:
        """Return the parameter at ``group.name``; KeyError if there is none."""
        group, _, name = path.partition(".")
        return self.parameters[group][name]

    def has(self, path: str) -> bool:
        """True if ``group.name`` names a parameter."""
        group, _, name = path.partition(".")
        return name in self.parameters.get(group, {})

    def paths(self) -> list[str]:
        """Every parameter path, in config order."""
        return [f"{g}.{n}" for g, params in self.parameters.items() for n in params]

    def fingerprint(self) -> str:
        """SHA-256 of the parameter values (not their prose), for result metadata."""
        values = {
            p: [self.get(p).value, self.get(p).low, self.get(p).high] for p in sorted(self.paths())
        }
        blob = json.dumps(
            {"actors": list(self.actors), "routes": {k: v.crosses for k, v in self.routes.items()},
             "values": values}, sort_keys=True
        )  # fmt: skip
        return hashlib.sha256(blob.encode()).hexdigest()

    @model_validator(mode="after")
    def _complete(self) -> Config:
        _check_structure(self)
        return self


def _check_structure(cfg: Config) -> None:
    hedgers = [n for n, a in cfg.actors.items() if a.kind == "hedger"]
    if hedgers != [cfg.hedger]:
        raise ValueError(f"exactly one hedger actor expected, named {cfg.hedger!r}")
    if not cfg.powers:
        raise ValueError("at least one power is needed")
    clash = set(cfg.actors) & (set(cfg.routes) | {CORRIDOR})
    if clash:
        raise ValueError(f"names used twice (actor and route): {sorted(clash)}")
    for p in cfg.freight_crosses:
        if p not in cfg.powers:
            raise ValueError(f"freight_crosses names unknown power {p!r}")
    for rname, route in cfg.routes.items():
        for p in route.crosses:
            if p not in cfg.powers:
                raise ValueError(f"route {rname!r} crosses unknown power {p!r}")
    required = {cfg.hedger: HEDGER_PARAMS, CORRIDOR: CORRIDOR_PARAMS}
    required.update({p: POWER_PARAMS for p in cfg.powers})
    required.update({r: ROUTE_PARAMS for r in cfg.routes})
    for group, names in required.items():
        have = cfg.parameters.get(group, {})
        missing = [n for n in names if n not in have or have[n].role != "model"]
        if missing:
            raise ValueError(f"parameters.{group}: missing model parameters {missing}")
    unknown = set(cfg.parameters) - set(required)
    if unknown:
        raise ValueError(f"parameters for unknown groups {sorted(unknown)}")
    for path in cfg.paths():
        par = cfg.get(path)
        lo, hi = domain(path)
        vals = [par.value] if par.value is not None else [par.low, par.high]
        if par.role == "model" and any(not lo <= v <= hi for v in vals):
            raise ValueError(f"parameters.{path}: {vals} outside its domain [{lo}, {hi}]")


def parse_config(located: yamlio.Located) -> Config:
    """Validate parsed YAML as a :class:`Config`, errors pointing at file and line."""
    if not isinstance(located.data, dict):
        raise InputError("a config must be a YAML mapping", file=located.file, line=1)
    try:
        return Config.model_validate(located.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise InputError(
            err["msg"], file=located.file, line=located.line_of(loc),
            field=".".join(str(x) for x in loc) or None,
        ) from None  # fmt: skip


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a config file (the shipped default when ``path`` is None)."""
    return parse_config(yamlio.load_file(path or DEFAULT_CONFIG))


def config_from_mapping(data: dict[str, Any]) -> Config:
    """Validate a config given as plain data (used by tests and generated configs)."""
    return parse_config(yamlio.Located(data=data, file="<config>"))
