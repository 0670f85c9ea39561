"""The parameter registry: actors, routes and every parameter with its provenance.

A config file (``configs/default.yaml``) lists the actors (one hedger, any number of
powers and of transit states), the routes (each carries a commodity, oil, gas or
freight, across a list of actors) and, per group (an actor or a route), parameters
that each carry a value or a ``low``/``high`` range, a unit and either ``sources``
(seed file + verbatim quote), ``observed`` (the history series) or an ``assumption``
with its reason. Parameters are addressed by dotted path, ``<group>.<name>``, e.g.
``russia.trade`` or ``trans_caspian.capacity``. An actor may also come from its own
file (``configs/actors/<name>.yaml``, :mod:`simulate.scenarios.actors`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulate.errors import InputError
from simulate.io import shipped, yamlio
from simulate.scenarios.instruments import ALL_INSTRUMENTS, CHANNELS

CONFIG_DIR = shipped.folder("configs")
DEFAULT_CONFIG = CONFIG_DIR / "default.yaml"
CORRIDOR = "middle_corridor"

#: Parameters every hedger must define (used by the equations), besides one
#: ``position_<issue>`` and ``salience_<issue>`` per issue.
HEDGER_PARAMS = (
    "inertia", "balance_preference", "choice_noise", "alignment_sharpness", "lean_threshold",
    "alignment_threshold", "follow_distance", "payoff_trade", "payoff_investment",
    "payoff_inducement",
    "coercion_response", "backlash", "resolve", "route_risk_aversion", "route_cost_aversion",
    "enforcement_cost_aversion",
    "transit_risk",
    "loss_memory", "intent_memory", "threat_response", "contract_time",
    "diversification_response", "barrels_per_tonne", "scale_exponent",
    "trade_capacity_elasticity", "trade_alignment_elasticity", "fdi_alignment_elasticity",
    "fdi_depreciation",
    "rest_of_world_trade", "other_fdi_inflow", "oil_exports", "oil_price", "oil_export_weight",
    *(f"weight_{c}" for c in CHANNELS), "trade_substitution", "investment_substitution",
    "finance_substitution",
    "sanctions_trade_drag",
    "sanctions_intensity", "sanctions_easing",
)  # fmt: skip
#: Parameters every power must define, besides ``ideal_<issue>`` and ``salience_<issue>``
#: per issue and ``<instrument>_max`` and ``<instrument>_cost`` per instrument it holds.
POWER_PARAMS = (
    "trade", "trade_growth", "partner_dependence", "fdi_inflow", "finance_tie", "security_tie",
    "identity_tie",
    "capacity", "capacity_growth", "reactivity", "transit_reliance", "sanctioned",
    "reexport_potential", "oil_trade_share",
)  # fmt: skip
#: Parameters every transit state must define (besides its optional ``reach_<power>``).
TRANSIT_PARAMS: tuple[str, ...] = ()
#: How capacity is built: ordered (Mt/yr a year), delayed, paid for.
BUILD_PARAMS = ("build_lag", "build_cost", "build_rate")
#: Parameters every pipeline route (oil or gas) must define.
ROUTE_PARAMS = ("capacity", "preference", "other_use", *BUILD_PARAMS)
#: What a route carries: pipeline commodities (allocated over their routes by preference,
#: capacity and contracts) and freight (split between the corridor and the northern route).
COMMODITIES = ("oil", "gas", "freight")
PIPELINE = ("oil", "gas")
#: Parameters the hedger defines for each pipeline commodity other than oil, which has
#: ``oil_exports`` and ``oil_export_weight`` among :data:`HEDGER_PARAMS`.
COMMODITY_PARAMS = ("exports", "export_weight")
#: An optional parameter of a route or a transit state, one per power: the share of the
#: route's (or of the transit across the state's) capacity the power can withhold though
#: its territory is not on the path (a navy, a treaty, pressure on the transit state).
REACH = "reach_"
#: Parameters of the freight route (the Middle Corridor) and its northern alternative.
CORRIDOR_PARAMS = (
    "capacity", "transit_days", "demand", "northern_volume", "northern_days", "time_weight",
    "risk_weight", "ramp_time", *BUILD_PARAMS,
)  # fmt: skip
#: Trends: parameters that move the world by themselves (zero in a still world).
TRENDS = ("capacity_growth", "trade_growth", "build_rate", "sanctions_easing")
#: Per-issue parameters: hedger and powers.
HEDGER_ISSUE_PARAMS = ("position", "salience")
POWER_ISSUE_PARAMS = ("ideal", "salience")
#: Per-instrument parameters of a power that holds the instrument.
INSTRUMENT_PARAMS = ("max", "cost")
#: What an issue can do in the economy (at most one issue each).
ROLES = ("enforcement", "routing", "security", "investment")

_SHARE = (0.0, 1.0)
_NONNEG = (0.0, float("inf"))
_RATE = (-1.0, 1.0)
_POSITIVE = (1e-6, float("inf"))
#: The admissible range of each model parameter, by name (any group).
DOMAINS: dict[str, tuple[float, float]] = {
    **{n: _SHARE for n in (
        "inertia", "oil_export_weight", "weight_trade", "weight_transit",
        "weight_investment", "weight_finance", "weight_security", "weight_identity",
        "alignment_threshold", "lean_threshold", "follow_distance", "partner_dependence",
        "finance_tie",
        "security_tie", "identity_tie", "transit_reliance", "sanctioned", "sanctions_intensity",
        "trade_substitution", "investment_substitution", "finance_substitution", "preference",
        "oil_trade_share", "gas_export_weight")},
    **{n: _RATE for n in ("trade_growth", "capacity_growth")},
    **{n: _POSITIVE for n in ("balance_preference", "resolve", "loss_memory", "transit_days",
                               "northern_days", "alignment_sharpness", "intent_memory",
                               "contract_time", "ramp_time", "build_lag", "barrels_per_tonne",
                               "oil_price")},
    "scale_exponent": _SHARE,
    "sanctions_easing": (-1.0, 1.0),
    "trade_capacity_elasticity": (0.0, 2.0),
    "time_weight": (-float("inf"), float("inf")),
}  # fmt: skip
#: Assumptions of the default config that take no prior, by path, each with the reason:
#: conversions, definitions, flags and programmes are not uncertain in the model's sense.
#: Every other model assumption carries a prior (tests/test_priors.py checks both ways).
_PROGRAMME = ("A scenario's programme (capacity ordered by path), 0 in the config: a lever, "
              "not an uncertainty.")  # fmt: skip
_NOBODY_AT_AKTAU = ("Zero: Aktau's oil berths load Kazakh crude and nobody else ships on the "
                    "route; a fact of the route, not a draw.")  # fmt: skip
NO_PRIOR: dict[str, str] = {
    "kazakhstan.barrels_per_tonne": "A unit conversion (the conventional barrels per tonne of "
    "an average crude), not a quantity the model is uncertain about.",
    "kazakhstan.alignment_sharpness": "Defines the alignment measure (closeness^sharpness over "
    "the powers) that the outcome classes and the balance index read; it enters no equation "
    "of the dynamics, so it is a yardstick, not a world quantity.",
    "kazakhstan.lean_threshold": "A definition of the outcome class 'leaning' (a share of a "
    "power's agenda followed), not a world quantity; simulate run reports what moving it "
    "20% either way does.",
    "kazakhstan.alignment_threshold": "A definition of the outcome class 'aligned', not a "
    "world quantity; simulate run reports what moving it 20% either way does.",
    "kazakhstan.follow_distance": "A definition on the issues' observable scales (how close "
    "a position must be to a power's ideal to follow it), not a world quantity; simulate "
    "run reports what moving it 20% either way does.",
    "kazakhstan.sanctions_easing": "A trend, 0 in the config (a world left to itself); how "
    "long the sanctions regime lasts is a deep uncertainty the scenarios draw (baseline: "
    "uniform 0 to 0.14 a year).",
    "kazakhstan.payoff_trade": "The unit of utility: the best response is a weighted mean of "
    "the pulls and the other utility weights are stated relative to trade's, so drawing it "
    "too would count their uncertainty twice.",
    "china.sanctioned": "A 0/1 flag: China is not under Western sanctions; a scenario changes "
    "the regime, not a draw.",
    "eu.sanctioned": "A 0/1 flag: the EU imposes sanctions, it is not under them.",
    "china.reexport_potential": "Zero because China is not sanctioned: re-exports scale with "
    "the sanctioned flag, so the figure has no effect.",
    "eu.reexport_potential": "Zero because the EU is not sanctioned: re-exports scale with "
    "the sanctioned flag, so the figure has no effect.",
    "cpc.build_rate": _PROGRAMME,
    "druzhba.build_rate": _PROGRAMME,
    "china_pipeline.build_rate": _PROGRAMME,
    "trans_caspian.build_rate": _PROGRAMME,
    "makhachkala.build_rate": _PROGRAMME,
    "middle_corridor.build_rate": _PROGRAMME,
    "druzhba.other_use": "Zero: Atyrau-Samara carries Kazakh crude out of Kazakhstan and no "
    "other shipper's oil on it is reported; a fact of the route, not a draw.",
    "trans_caspian.other_use": _NOBODY_AT_AKTAU,
    "makhachkala.other_use": _NOBODY_AT_AKTAU,
}  # fmt: skip
#: Domains of per-issue and per-instrument parameters, by prefix or suffix.
_PREFIX_DOMAINS = {"position_": _SHARE, "salience_": _SHARE, "ideal_": _SHARE}
_SUFFIX_DOMAINS = {"_max": _SHARE, "_cost": _NONNEG}


def domain(path: str) -> tuple[float, float]:
    """The admissible (low, high) of a model parameter, by its dotted path."""
    name = path.rpartition(".")[2]
    if name in DOMAINS:
        return DOMAINS[name]
    if name.startswith(REACH):
        return _SHARE
    for prefix, dom in _PREFIX_DOMAINS.items():
        if name.startswith(prefix):
            return dom
    for suffix, dom in _SUFFIX_DOMAINS.items():
        if name.endswith(suffix):
            return dom
    return _NONNEG


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


class _Prior(BaseModel):
    """A prior distribution for an assumption, with the reason for its width."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(description="Why this range: what the sources allow, or whose judgement")

    @model_validator(mode="after")
    def _reasoned(self) -> _Prior:
        if len(self.reason.split()) < 6:
            raise ValueError("a prior needs a reason (six words or more): why this width")
        return self


class UniformPrior(_Prior):
    """Every value between low and high alike."""

    dist: Literal["uniform"]
    low: float
    high: float


class TriangularPrior(_Prior):
    """Most likely at the mode, falling linearly to low and high."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float


class TruncNormalPrior(_Prior):
    """A normal distribution cut to [low, high]."""

    dist: Literal["truncnormal"]
    mean: float
    sd: float = Field(gt=0)
    low: float
    high: float


class LogNormalPrior(_Prior):
    """A positive quantity: its logarithm normal around log(median)."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)


Prior = Annotated[UniformPrior | TriangularPrior | TruncNormalPrior | LogNormalPrior,
                  Field(discriminator="dist")]  # fmt: skip


def prior_support(prior: Any) -> tuple[float, float]:
    """The (low, high) a prior can draw: its bounds, or a lognormal's 0.1% and 99.9% points."""
    if prior.dist == "lognormal":
        spread = math.exp(3.09 * prior.sigma)
        return prior.median / spread, prior.median * spread
    return float(prior.low), float(prior.high)


class Observed(BaseModel):
    """Where a value at the start comes from in the observed history (``configs/history.yaml``).

    A single series is its figure for ``year`` (a range where the sources disagree);
    several series give a figure derived from them, as ``derivation`` says.
    """

    model_config = ConfigDict(extra="forbid")
    series: list[str] = Field(min_length=1, description="History series the value comes from")
    year: int = Field(description="The year observed")
    basis: str = Field(min_length=1, description="The statistical basis: whose statistics")
    derivation: str | None = Field(None, description="How several series give the value")

    @model_validator(mode="before")
    @classmethod
    def _one_series(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("series"), str):
            data = {**data, "series": [data["series"]]}
        return data

    @model_validator(mode="after")
    def _derived(self) -> Observed:
        if len(self.series) > 1 and not self.derivation:
            raise ValueError("a value from several series needs a derivation")
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
    derivation: str | None = Field(
        None, description="How the quotes give the value as the model uses it (sourced values)"
    )
    assumption: str | None = None
    observed: Observed | None = Field(
        None, description="The observed figure the value is (a start value from the history); "
        "seed sources may stay beside it as references")
    prior: Prior | None = Field(
        None, description="An assumption's uncertainty: the distribution runs draw it from "
        "(and calibration starts from), with the reason for its width")
    no_prior: str | None = Field(
        None, description="Why an assumption takes no prior (a flag, a zero a flag implies, a "
        "definition), in the file beside it; the default config lists its own in NO_PRIOR")
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
        if self.no_prior is not None and (self.prior is not None or not self.assumption):
            raise ValueError("no_prior gives an assumption's reason to take no prior (not beside "
                             "a prior, nor on a sourced or observed figure)")
        if self.prior is not None:
            if not self.assumption:
                raise ValueError("a prior belongs to an assumption (a sourced or observed "
                                 "figure's uncertainty is its range)")
            lo, hi = prior_support(self.prior)
            if self.prior.dist in ("uniform", "triangular", "truncnormal") and not lo < hi:
                raise ValueError("a prior needs low < high")
            if self.prior.dist == "triangular" and not lo <= self.prior.mode <= hi:
                raise ValueError("a triangular prior's mode lies between low and high")
            if self.value is not None and not lo <= self.value <= hi:
                raise ValueError(f"the value {self.value:g} lies outside its prior "
                                 f"[{lo:g}, {hi:g}]")
        if self.observed is not None:
            if self.assumption:
                raise ValueError("an observed value takes no assumption (seed sources may stay "
                                 "beside it, as references)")
            return self
        if bool(self.sources) == bool(self.assumption):
            raise ValueError("give exactly one of sources (seed + quote), observed, or "
                             "assumption")
        if self.sources and self.role == "model" and not self.derivation:
            raise ValueError("a sourced model parameter needs a derivation: how the quotes "
                             "give the value as the model uses it")
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
    """An actor: the hedger (Kazakhstan), a power, or a transit state.

    A power is a pole Kazakhstan balances between: ideals and saliences on the issues,
    ties, instruments. A transit state (Azerbaijan, Georgia on the Middle Corridor) takes
    no side: it lies on routes' paths, and the powers that can press it reach the routes
    across it (its ``reach_<power>`` parameters).
    """

    model_config = ConfigDict(extra="forbid")
    kind: Literal["hedger", "power", "transit"]
    label: str = ""
    instruments: list[str] = Field(
        default_factory=list, description="Coercive instruments and inducement a power holds"
    )
    crosses: list[str] = Field(
        default_factory=list, description="Routes whose path crosses the actor (added to those "
        "routes' crosses)")
    rest_of_world: bool = Field(
        False, description="Its trade and FDI inflow at the start were counted in the "
        "hedger's rest_of_world_trade and other_fdi_inflow, and are carved out of them "
        "(an actor added to a config that did not model it)")
    file: str | None = Field(None, description="The actor file it came from, if any")


class Issue(BaseModel):
    """A dimension of Kazakhstan's foreign policy: a position in [0, 1] with observable ends."""

    model_config = ConfigDict(extra="forbid")
    label: str
    zero: str = Field(description="What a position of 0 means, as an analyst would observe it")
    one: str = Field(description="What a position of 1 means")
    role: Literal["none", "enforcement", "routing", "security", "investment"] = "none"
    avoids: str | None = Field(None, description="Routing issue: the power routes avoid")


class Route(BaseModel):
    """A route: the commodity it carries and the actors whose territory it crosses, in order."""

    model_config = ConfigDict(extra="forbid")
    label: str = ""
    commodity: Literal["oil", "gas", "freight"] = "oil"
    crosses: list[str] = Field(default_factory=list)


class Config(BaseModel):
    """A calibrated parameter set: actors, routes and sourced parameters."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    name: str
    description: str = ""
    hedger: str
    actors: dict[str, Actor]
    issues: dict[str, Issue]
    routes: dict[str, Route]
    freight_crosses: list[str] = Field(
        default_factory=list, description="Actors the northern freight route (the alternative "
        "to the freight route in routes) crosses")
    posterior: str | None = Field(
        None, description="A posterior sample (CSV, relative to the config) that ensembles take "
        "their calibrated values from; written by `simulate calibrate`")
    parameters: dict[str, dict[str, Parameter]]

    @model_validator(mode="before")
    @classmethod
    def _corridor_is_a_route(cls, data: Any) -> Any:
        """A config written before freight routes: its ``middle_corridor`` is the freight route."""
        if isinstance(data, dict) and isinstance(data.get("routes"), dict):
            routes = data["routes"]
            freight = [r for r, v in routes.items()
                       if isinstance(v, dict) and v.get("commodity") == "freight"]  # fmt: skip
            if not freight and CORRIDOR in (data.get("parameters") or {}):
                data = {**data, "routes": {**routes, CORRIDOR: {
                    "label": "Middle Corridor", "commodity": "freight", "crosses": []}}}
        return data

    @property
    def powers(self) -> list[str]:
        """The power names, in config order."""
        return [n for n, a in self.actors.items() if a.kind == "power"]

    @property
    def labels(self) -> dict[str, str]:
        """Each actor's label for a reader (its name where it has none), in config order."""
        return {n: a.label or n for n, a in self.actors.items()}

    @property
    def transit_states(self) -> list[str]:
        """The transit states, in config order."""
        return [n for n, a in self.actors.items() if a.kind == "transit"]

    @property
    def crossed(self) -> list[str]:
        """The actors a route can cross: the powers, then the transit states."""
        return [*self.powers, *self.transit_states]

    @property
    def freight_route(self) -> str:
        """The freight route (the Middle Corridor): its parameter group."""
        return next(r for r, v in self.routes.items() if v.commodity == "freight")

    @property
    def commodities(self) -> list[str]:
        """The commodities the routes carry, pipeline ones first, in :data:`COMMODITIES` order."""
        have = {v.commodity for v in self.routes.values()}
        return [c for c in COMMODITIES if c in have]

    def route_commodity(self, route: str) -> str:
        """The commodity a route carries."""
        return self.routes[route].commodity

    def path(self, route: str) -> list[str]:
        """The actors a route crosses (the northern freight route: ``northern``)."""
        if route == "northern" and route not in self.routes:
            return list(self.freight_crosses)
        return list(self.routes[route].crosses)

    @property
    def issue_names(self) -> list[str]:
        """The issue names, in config order (the issue axis)."""
        return list(self.issues)

    def role(self, role: str) -> str | None:
        """The issue that plays ``role`` in the economy, if any."""
        return next((n for n, i in self.issues.items() if i.role == role), None)

    def required(self) -> dict[str, list[str]]:
        """The model parameters the equations read, by group."""
        issues = self.issue_names
        extra = [f"{c}_{k}" for c in self.commodities if c in PIPELINE and c != "oil"
                 for k in COMMODITY_PARAMS]  # fmt: skip
        out = {self.hedger: [*HEDGER_PARAMS, *extra,
                             *(f"{k}_{i}" for k in HEDGER_ISSUE_PARAMS for i in issues)]}
        for p in self.powers:
            out[p] = [*POWER_PARAMS, *(f"{k}_{i}" for k in POWER_ISSUE_PARAMS for i in issues),
                      *(f"{j}_{k}" for j in self.actors[p].instruments
                        for k in INSTRUMENT_PARAMS)]  # fmt: skip
        out.update({t: list(TRANSIT_PARAMS) for t in self.transit_states})
        out.update({r: list(CORRIDOR_PARAMS if v.commodity == "freight" else ROUTE_PARAMS)
                    for r, v in self.routes.items()})  # fmt: skip
        return out

    def optional(self) -> dict[str, list[str]]:
        """Model parameters a group may define and the equations read when it does, by group:
        a route's or a transit state's ``reach_<power>`` (0 when not given)."""
        reach = [f"{REACH}{p}" for p in self.powers]
        return {g: reach for g in [*self.routes, *self.transit_states]}

    def reach(self, group: str, power: str) -> str | None:
        """The path of ``group``'s reach parameter for ``power``, if the config defines it."""
        path = f"{group}.{REACH}{power}"
        return path if self.has(path) else None

    @property
    def route_names(self) -> list[str]:
        """The pipeline routes (oil and gas), in config order: the route axis."""
        return [r for r, v in self.routes.items() if v.commodity in PIPELINE]

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
            p: [self.get(p).value, self.get(p).low, self.get(p).high,
                self.get(p).prior.model_dump(exclude={"reason"}) if self.get(p).prior else None]
            for p in sorted(self.paths())
        }  # fmt: skip
        blob = json.dumps(
            {"actors": {k: ([v.kind, v.instruments, v.rest_of_world]
                            if v.kind != "power" or v.rest_of_world else v.instruments)
                        for k, v in self.actors.items()},
             "issues": {k: [v.role, v.avoids] for k, v in self.issues.items()},
             "routes": {k: (v.crosses if v.commodity == "oil" else [v.commodity, v.crosses])
                        for k, v in self.routes.items()},
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
    clash = set(cfg.actors) & set(cfg.routes)
    if clash:
        raise ValueError(f"names used twice (actor and route): {sorted(clash)}")
    freight = [r for r, v in cfg.routes.items() if v.commodity == "freight"]
    if len(freight) != 1:
        raise ValueError(f"exactly one freight route expected (the corridor whose share of "
                         f"China-Europe freight the model splits from the northern route), got "
                         f"{freight or 'none'}")  # fmt: skip
    for name, actor in cfg.actors.items():
        for r in actor.crosses:
            if r not in cfg.routes:
                raise ValueError(f"actor {name!r} crosses unknown route {r!r}; expected one of "
                                 f"{list(cfg.routes)}")  # fmt: skip
            if name not in cfg.routes[r].crosses:
                cfg.routes[r].crosses.append(name)
        if actor.kind == "hedger" and actor.crosses:
            raise ValueError(f"actor {name!r}: the hedger is where routes start, not a crossing")
    crossed = cfg.crossed
    for p in cfg.freight_crosses:
        if p not in crossed:
            raise ValueError(f"freight_crosses names unknown actor {p!r}")
    for rname, route in cfg.routes.items():
        for p in route.crosses:
            if p not in crossed:
                raise ValueError(f"route {rname!r} crosses unknown actor {p!r}; expected a "
                                 f"power or a transit state: {crossed}")  # fmt: skip
    _check_issues(cfg)
    _check_parameters(cfg)
    _check_rest_of_world(cfg)


def _check_issues(cfg: Config) -> None:
    if not cfg.issues:
        raise ValueError("at least one issue is needed")
    clash = set(cfg.issues) & (set(cfg.actors) | set(cfg.routes) | {CORRIDOR})
    if clash:
        raise ValueError(f"issue names used for actors or routes too: {sorted(clash)}")
    for role in ROLES:
        having = [n for n, i in cfg.issues.items() if i.role == role]
        if len(having) > 1:
            raise ValueError(f"issues {having} share the role {role!r}; at most one may have it")
    for name, issue in cfg.issues.items():
        if issue.role == "routing" and issue.avoids not in cfg.powers:
            raise ValueError(f"issue {name!r}: a routing issue needs 'avoids: <power>' "
                             f"naming one of {cfg.powers}")  # fmt: skip
        if issue.role != "routing" and issue.avoids is not None:
            raise ValueError(f"issue {name!r}: only a routing issue avoids a power")
    for name, actor in cfg.actors.items():
        bad = [j for j in actor.instruments if j not in ALL_INSTRUMENTS]
        if bad:
            raise ValueError(f"actor {name!r}: unknown instruments {bad}; expected some of "
                             f"{list(ALL_INSTRUMENTS)}")  # fmt: skip
        if actor.kind != "power" and actor.instruments:
            raise ValueError(f"actor {name!r}: only a power holds instruments")
        if actor.kind != "power" and actor.rest_of_world:
            raise ValueError(f"actor {name!r}: only a power's trade and FDI are modelled")


def _check_parameters(cfg: Config) -> None:
    required, optional = cfg.required(), cfg.optional()
    for group, names in required.items():
        have = cfg.parameters.get(group, {})
        missing = [n for n in names if n not in have or have[n].role != "model"]
        if missing:
            raise ValueError(f"parameters.{group}: missing model parameters {missing}")
        allowed = set(names) | set(optional.get(group, ()))
        unused = [n for n, par in have.items() if par.role == "model" and n not in allowed]
        if unused:
            raise ValueError(f"parameters.{group}: {unused} are not used by the equations; "
                             "mark a figure kept for reference with 'role: reference'")  # fmt: skip
    unknown = set(cfg.parameters) - set(required)
    if unknown:
        raise ValueError(f"parameters for unknown groups {sorted(unknown)}")
    for path in cfg.paths():
        par = cfg.get(path)
        lo, hi = domain(path)
        vals = [par.value] if par.value is not None else [par.low, par.high]
        if par.role == "model" and any(not lo <= v <= hi for v in vals):
            raise ValueError(f"parameters.{path}: {vals} outside its domain [{lo}, {hi}]")


#: What an actor added to a config is carved out of: its parameter -> the hedger's.
CARVED = {"trade": "rest_of_world_trade", "fdi_inflow": "other_fdi_inflow"}


def _check_rest_of_world(cfg: Config) -> None:
    """An added power's trade and FDI at the start fit in the rest of the world they leave."""
    added = [p for p in cfg.powers if cfg.actors[p].rest_of_world]
    for own, rest in CARVED.items():
        carved = sum(cfg.get(f"{p}.{own}").central for p in added)
        left = cfg.get(f"{cfg.hedger}.{rest}").central
        if carved > left:
            raise ValueError(f"the added powers' {own} at the start ({carved:g}, {added}) is more "
                             f"than the hedger's {rest} ({left:g}) it is carved out of")


def with_power(config: Config, name: str, like: str) -> Config:
    """A copy of ``config`` with a placeholder power ``name`` holding power ``like``'s values.

    Its instruments and parameter values (ideals and saliences included) are ``like``'s,
    but none of ``like``'s provenance: every model parameter becomes an assumption that
    says it is a placeholder copied from ``like`` (no sources, observed figures or priors
    are copied: a quote about the EU does not source another power). For tests and
    benchmarks of the model's size; a real actor is a file with its own sources
    (``configs/actors/``, :mod:`simulate.scenarios.actors`).
    """
    data = config.model_dump(mode="json", exclude_none=True)
    if like not in config.powers:
        raise InputError(f"unknown power {like!r}; expected one of {config.powers}")
    data["actors"][name] = {**copy.deepcopy(data["actors"][like]), "label": name,
                            "crosses": []}  # fmt: skip
    data["actors"][name].pop("file", None)
    data["parameters"][name] = {
        k: {**{f: v for f, v in par.items() if f in ("value", "low", "high", "unit",
                                                      "description")},
            "assumption": f"A placeholder: {like}'s value, copied without its sources by "
                          f"with_power; replace it with a figure for {name}."}
        for k, par in data["parameters"][like].items() if par.get("role", "model") == "model"
    }  # fmt: skip
    return config_from_mapping(data)


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
    """Load and validate a config file (the shipped default when ``path`` is None).

    A config may be an *overlay*: ``extends: <base config>`` (relative to the file) and
    ``parameters`` holding only what it changes (and ``actors`` and ``routes`` only those
    it adds or redefines; an actor entry that names an actor file, ``turkey:
    actors/turkey.yaml``, adds that actor, :mod:`simulate.scenarios.actors`). Each
    parameter named there takes the fields given (a ``value`` replaces a base
    ``low``/``high`` and the reverse; new provenance replaces the old); everything else is
    the base's. Chains of overlays are followed; a cycle is refused.
    """
    return parse_config(_resolved(Path(path or DEFAULT_CONFIG), ()))


#: Fields that say where a value comes from: an overlay that gives one replaces them all.
_PROVENANCE = ("sources", "derivation", "assumption", "observed")


def _resolved(path: Path, seen: tuple[Path, ...]) -> yamlio.Located:
    """The config at ``path`` with its ``extends:`` chain merged in (overlay lines kept)."""
    located = yamlio.load_file(path)
    data = located.data
    if isinstance(data, dict) and isinstance(data.get("actors"), dict):
        from simulate.scenarios.actors import expand  # an actor named by its file

        data = located.data = expand(data, path.parent)
    if isinstance(data, dict) and isinstance(data.get("posterior"), str):
        where = path.parent / data["posterior"]
        if not where.is_file():
            raise InputError(f"posterior file {data['posterior']!r} not found beside the config",
                             file=located.file, line=located.line_of(("posterior",)),
                             field="posterior")  # fmt: skip
        data["posterior"] = str(where.resolve())
    if not isinstance(data, dict) or "extends" not in data:
        return located
    ref = data["extends"]
    line = located.line_of(("extends",))
    if not isinstance(ref, str) or not ref.strip():
        raise InputError("extends names a base config file", file=located.file, line=line,
                         field="extends")  # fmt: skip
    base_path = (path.parent / ref).resolve()
    if base_path in seen or base_path == path.resolve():
        raise InputError(f"config overlays form a cycle through {ref}", file=located.file,
                         line=line, field="extends")  # fmt: skip
    base = _resolved(base_path, (*seen, path.resolve()))
    merged = copy.deepcopy(base.data)
    for key, value in data.items():
        if key in ("actors", "routes") and isinstance(value, dict):  # an overlay adds them
            merged.setdefault(key, {}).update(copy.deepcopy(value))
        elif key != "parameters" and key != "extends":
            merged[key] = copy.deepcopy(value)
    for group, params in (data.get("parameters") or {}).items():
        into = merged.setdefault("parameters", {}).setdefault(group, {})
        for name, fields in (params or {}).items():
            if not isinstance(fields, dict):
                raise InputError("a parameter of an overlay is a mapping of its fields",
                                 file=located.file, line=located.line_of(
                                     ("parameters", group, name)),
                                 field=f"parameters.{group}.{name}")  # fmt: skip
            par = dict(into.get(name) or {})
            if "value" in fields:
                par.pop("low", None), par.pop("high", None)
            if "low" in fields or "high" in fields:
                par.pop("value", None)
            if any(k in fields for k in _PROVENANCE):
                for k in _PROVENANCE:
                    par.pop(k, None)
            par.update(copy.deepcopy(fields))
            into[name] = par
    lines = dict(base.lines)
    lines.update(located.lines)
    return yamlio.Located(data=merged, lines=lines, file=located.file)


def config_from_mapping(data: dict[str, Any]) -> Config:
    """Validate a config given as plain data (used by tests and generated configs)."""
    return parse_config(yamlio.Located(data=data, file="<config>"))
