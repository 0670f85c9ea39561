"""A run specification: a loaded scenario turned into arrays the drivers step through.

The spec knows the time grid, every model parameter's value (config value, override,
path over time, or a per-run draw) and the compiled events. It produces, for a batch
of runs and a period, the :class:`StepParams` the equations read, and the parameters
of the *rest point*: the world at the start that the model is calibrated to leave
unchanged (the config, the scenario's ``initial`` values and the run's draws; not its
``parameters``, paths or events, which are departures from the start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulate.model.dynamics import opposition
from simulate.scenarios import events as event_kinds
from simulate.scenarios.events import CompiledEvent
from simulate.scenarios.instruments import ALL_INSTRUMENTS, INSTRUMENT_INDEX
from simulate.scenarios.parameters import (
    CARVED,
    COMMODITY_PARAMS,
    CORRIDOR_PARAMS,
    HEDGER_ISSUE_PARAMS,
    HEDGER_PARAMS,
    PIPELINE,
    POWER_ISSUE_PARAMS,
    POWER_PARAMS,
    REACH,
    ROUTE_PARAMS,
)  # fmt: skip
from simulate.scenarios.scenario import LoadedScenario
from simulate.scenarios.variables import VARIABLES


@dataclass
class StepParams:
    """Parameter values for one period.

    hedger: (R,) arrays, and ``position``/``salience`` (R, I); power: (R, P) arrays, and
    ``ideal``/``salience`` (R, P, I); route: (R, K) (``capacity`` after disruption
    events, ``capacity_nominal`` before) and ``reach`` (R, K, P), the share of each
    route each power can withhold; corridor: (R,), and ``reach`` (R, 2, P) for the freight
    route and the northern route.
    """

    hedger: dict[str, np.ndarray]
    power: dict[str, np.ndarray]
    route: dict[str, np.ndarray]
    corridor: dict[str, np.ndarray]

    def column(self, j: int) -> dict[str, np.ndarray]:
        """Power ``j``'s parameters as (R,) or (R, I) arrays, for one Mesa agent."""
        return {k: v[:, j] for k, v in self.power.items()}

    def copy(self) -> StepParams:
        """A shallow copy whose dicts can be changed without touching this one."""
        return StepParams(dict(self.hedger), dict(self.power), dict(self.route),
                          dict(self.corridor))  # fmt: skip


@dataclass
class Draws:
    """Per-run random inputs for R runs: drawn parameter values and event occurrence."""

    values: dict[str, np.ndarray]
    occurs: np.ndarray  # (R, E) bool
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @staticmethod
    def stack(draws: list[Draws]) -> Draws:
        """Stack single-run draws into one batch."""
        keys = draws[0].values.keys() if draws else []
        return Draws(
            values={k: np.concatenate([d.values[k] for d in draws]) for k in keys},
            occurs=np.concatenate([d.occurs for d in draws]) if draws else np.zeros((0, 0), bool),
        )


@dataclass(frozen=True)
class Posterior:
    """A sample of parameter vectors: run *i* takes vector *i* mod its size.

    Attributes:
        paths: The parameters, one per column.
        values: (vectors, parameters).
        file: Where it was read from.
        digest: SHA-256 of the file's bytes (recorded in result metadata).
    """

    paths: tuple[str, ...]
    values: np.ndarray
    file: str
    digest: str

    def rows(self, runs: np.ndarray) -> np.ndarray:
        """The vector each run takes: its index modulo the sample's size (a counter)."""
        return (np.asarray(runs, dtype=np.uint64) % np.uint64(len(self.values))).astype(np.int64)


@dataclass
class RunSpec:
    """Everything a driver needs to simulate a scenario."""

    loaded: LoadedScenario
    times: np.ndarray
    dt: float
    base: dict[str, float]  # values in force (config, initial, parameters)
    rest: dict[str, float]  # values of the rest point (config, initial)
    paths: dict[str, np.ndarray]
    random: list[str]
    events: list[CompiledEvent]
    crosses: np.ndarray  # (K, P) 1 where a route's path crosses a power
    crossing: np.ndarray  # (K, A) 1 where it crosses an actor (powers, then transit states)
    freight_crossing: np.ndarray  # (2, A) the freight route and the northern route
    avoids: np.ndarray  # (K,) 1 for routes crossing the power the routing issue avoids
    avoided: np.ndarray  # (P,) 1 for that power
    #: Each pipeline commodity and the routes that carry it (a slice when it is the only one).
    groups: list[tuple[str, np.ndarray | slice]] = field(default_factory=list)
    #: (K,) 1 for oil routes: the routing issue's economics are the oil's.
    is_oil: np.ndarray = field(default_factory=lambda: np.zeros(0))
    outputs: list[str] = field(default_factory=list)
    #: The assumptions each run draws from its prior (an ensemble; none for a point config).
    priors: list[str] = field(default_factory=list)
    #: The posterior sample runs take their calibrated values from (None: priors, or a point).
    posterior: Posterior | None = None

    @property
    def point(self) -> bool:
        """True for a point config: no assumption is drawn, no posterior is used."""
        return not self.priors and self.posterior is None

    @property
    def config(self):  # noqa: ANN201 - avoid import cycle in annotation
        """The parameter config."""
        return self.loaded.config

    @property
    def scenario(self):  # noqa: ANN201
        """The validated scenario."""
        return self.loaded.scenario

    @property
    def powers(self) -> list[str]:
        """Power names, in config order (the actor axis)."""
        return self.config.powers

    @property
    def routes(self) -> list[str]:
        """Pipeline route names, in config order (the route axis)."""
        return self.config.route_names

    @property
    def crossed(self) -> list[str]:
        """The actors a route can cross: powers, then transit states."""
        return self.config.crossed

    @property
    def commodities(self) -> list[str]:
        """The commodities the routes carry (pipeline ones, then freight)."""
        return self.config.commodities

    @property
    def around(self) -> np.ndarray:
        """(K,) 1 for the oil routes that avoid the avoided power."""
        return (1.0 - self.avoids) * self.is_oil

    @property
    def across(self) -> np.ndarray:
        """(K,) 1 for the oil routes that cross the avoided power."""
        return self.avoids * self.is_oil

    @property
    def issues(self) -> list[str]:
        """Issue names, in config order (the issue axis)."""
        return self.config.issue_names

    @property
    def hedger(self) -> str:
        """The hedger's name."""
        return self.config.hedger

    def _role(self, role: str) -> int | None:
        name = self.config.role(role)
        return None if name is None else self.issues.index(name)

    @property
    def enforcement(self) -> int | None:
        """Index of the sanctions-enforcement issue, if the config has one."""
        return self._role("enforcement")

    @property
    def routing(self) -> int | None:
        """Index of the routing issue, if any."""
        return self._role("routing")

    @property
    def security(self) -> int | None:
        """Index of the security-integration issue, if any."""
        return self._role("security")

    @property
    def investment(self) -> int | None:
        """Index of the investment-openness issue, if any."""
        return self._role("investment")

    @property
    def roles(self) -> dict[str, int | None]:
        """Issue index of every economic role."""
        return {r: self._role(r) for r in ("enforcement", "routing", "security", "investment")}

    @property
    def shock_order(self) -> list[int]:
        """Which raw shock each issue takes: issues get shocks in name order, so reordering
        issues in the config permutes outputs and changes nothing else."""
        ranked = sorted(self.issues)
        return [ranked.index(i) for i in self.issues]

    @property
    def mechanisms(self) -> list[str]:
        """Labels of the contributions to a position's change since the start."""
        p = self.powers
        return ["own", *(f"ties:{x}" for x in p), *(f"inducement:{x}" for x in p),
                *(f"pressure:{x}" for x in p), *(f"threat:{x}" for x in p), "economics",
                "inertia", "noise"]  # fmt: skip

    @property
    def outcome_classes(self) -> list[str]:
        """Labels of the outcome classes, in the order of the ``outcome`` columns."""
        p = self.powers
        return ["balanced", *(f"leaning:{x}" for x in p), *(f"aligned:{x}" for x in p)]

    def entities(self, kind: str) -> list[str]:
        """The entity labels of an entity kind (see :mod:`simulate.scenarios.variables`)."""
        if kind == "issue_mechanism":  # only the kind asked for is worked out
            mechanisms = self.mechanisms
            return [f"{i}/{m}" for i in self.issues for m in mechanisms]
        return {
            "power": lambda: self.powers, "route": lambda: self.routes,
            "issue": lambda: self.issues, "none": lambda: [""],
            "outcome_class": lambda: self.outcome_classes,
            "commodity_actor": lambda: [f"{c}/{a}" for c in self.commodities
                                        for a in self.crossed],
        }[kind]()  # fmt: skip

    def entities_of(self, variable: str) -> list[str]:
        """The entity labels of an output variable's columns."""
        return self.entities(VARIABLES[variable].entity)

    def with_values(self, values: dict[str, float], outputs: list[str] | None = None
                    ) -> RunSpec:  # fmt: skip
        """A copy of this spec in which ``values`` (path -> value) depart from the start, as a
        scenario's ``parameters`` do (each replaces any path, draw or posterior column on
        that parameter), keeping only ``outputs`` if given. For designs that vary one built
        spec (the outcome thresholds of ``simulate run``): no file is read, no scenario
        checked again; the values must be model parameters of the config.
        """
        from dataclasses import replace

        fixed = set(values)
        post = self.posterior
        if post is not None and fixed & set(post.paths):
            post = _restricted(post, fixed)
        return replace(
            self, base={**self.base, **{k: float(v) for k, v in values.items()}},
            paths={k: v for k, v in self.paths.items() if k not in fixed},
            random=[p for p in self.random if p not in fixed],
            priors=[p for p in self.priors if p not in fixed], posterior=post,
            outputs=list(outputs) if outputs is not None else list(self.outputs))

    def params_at(self, t: int, draws: Draws) -> StepParams:
        """Parameter arrays for period ``t`` and the runs in ``draws``.

        The time-invariant part is built once per batch of draws and shared between
        periods; arrays are never modified in place.
        """
        static = draws.cache.get("static")
        if static is None:
            static = draws.cache["static"] = self._static(draws, self.base)
        out = static.copy()
        reach = {}
        for path, series in self.paths.items():
            if path.rpartition(".")[2].startswith(REACH):
                reach[path] = float(series[t])  # a reach is a route's, computed below
                continue
            _set(out, self._slot(path), np.full(len(draws.occurs), series[t]))
        if reach:
            n = len(draws.occurs)
            out.route["reach"], out.corridor["reach"] = self._reaches(
                self._values(draws, {**self.base, **reach}), n)
        if any(self._slot(p)[1] in ("ideal", "salience") for p in self.paths):
            out.power["opposition"] = opposition(out.power["ideal"], out.power["salience"])
        out.route["capacity_nominal"] = out.route["capacity"]
        h = out.hedger
        if np.any(h["sanctions_easing"] != 0):  # the sanctions regime eases (a trend)
            years = float(self.times[t] - self.times[0])
            h["sanctions_intensity"] = h["sanctions_intensity"] * np.exp(
                -h["sanctions_easing"] * years)
        self._apply_events(out, t, draws.occurs)
        return out

    def rest_params(self, draws: Draws) -> StepParams:
        """The parameters of the rest point: config, ``initial`` values and draws only."""
        rest = draws.cache.get("rest")
        if rest is None:
            rest = draws.cache["rest"] = self._static(draws, self.rest)
            rest.route["capacity_nominal"] = rest.route["capacity"]
        return rest

    def _slot(self, path: str) -> tuple[str, str, tuple]:
        """Where a parameter path lives in :class:`StepParams`: (group, key, index)."""
        group, _, name = path.partition(".")
        issue = _issue_key(name, self.issues)
        instrument, _, kind = name.rpartition("_")
        if group in self.powers and instrument in INSTRUMENT_INDEX and kind in ("max", "cost"):
            return ("power", f"instrument_{kind}",
                    (self.powers.index(group), INSTRUMENT_INDEX[instrument]))
        if group == self.hedger:
            return ("hedger", issue[0], (self.issues.index(issue[1]),)) if issue \
                else ("hedger", name, ())  # fmt: skip
        if group == self.config.freight_route:
            return "corridor", name, ()
        if group in self.powers:
            j = self.powers.index(group)
            return ("power", issue[0], (j, self.issues.index(issue[1]))) if issue \
                else ("power", name, (j,))  # fmt: skip
        if group not in self.routes:
            return "transit", name, ()  # a transit state's reach: part of the routes' reach
        return "route", name, (self.routes.index(group),)

    @staticmethod
    def _values(draws: Draws, values: dict[str, float]):  # noqa: ANN205 - a closure
        """A parameter's (R,) values: the run's draw, else ``values``, else 0."""
        n = draws.occurs.shape[0]

        def val(path: str) -> np.ndarray:
            if path in draws.values:
                return np.array(draws.values[path], dtype=float)
            if path in values:
                return np.full(n, values[path])
            return np.zeros(n)  # an instrument the power does not hold

        return val

    def _reaches(self, val, n: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
        """Each power's reach over the pipeline routes (R, K, P) and over the freight route
        and the northern route (R, 2, P)."""
        route = (np.stack([self._reach(r, self.crossing[k], val, n)
                           for k, r in enumerate(self.routes)], axis=1)
                 if self.routes else np.zeros((n, 0, len(self.powers))))  # fmt: skip
        freight = np.stack([self._reach(self.config.freight_route, self.freight_crossing[0],
                                        val, n),
                            self._reach(None, self.freight_crossing[1], val, n)], axis=1)
        return route, freight

    def _static(self, draws: Draws, values: dict[str, float]) -> StepParams:
        n = draws.occurs.shape[0]
        val = self._values(draws, values)

        h, c, issues = self.hedger, self.config.freight_route, self.issues
        extra = [f"{g}_{k}" for g, _ in self.groups if g != "oil" for k in COMMODITY_PARAMS]
        hedger = {k: val(f"{h}.{k}") for k in (*HEDGER_PARAMS, *extra)}
        hedger.update({k: np.stack([val(f"{h}.{k}_{i}") for i in issues], axis=-1)
                       for k in HEDGER_ISSUE_PARAMS})  # fmt: skip
        self._carve(hedger, draws)
        power = {k: np.stack([val(f"{p}.{k}") for p in self.powers], axis=-1)
                 for k in POWER_PARAMS}  # fmt: skip
        power.update({
            f"instrument_{k}": np.stack([np.stack([val(f"{p}.{j}_{k}") for j in ALL_INSTRUMENTS],
                                                  axis=-1) for p in self.powers], axis=1)
            for k in ("max", "cost")
        })  # fmt: skip
        power["instrument_floor"] = np.zeros_like(power["instrument_max"])
        power.update({
            k: np.stack([np.stack([val(f"{p}.{k}_{i}") for i in issues], axis=-1)
                         for p in self.powers], axis=1)
            for k in POWER_ISSUE_PARAMS
        })  # fmt: skip
        power["opposition"] = opposition(power["ideal"], power["salience"])
        route = {k: np.stack([val(f"{r}.{k}") for r in self.routes], axis=-1)
                 for k in ROUTE_PARAMS}  # fmt: skip
        corridor = {k: val(f"{c}.{k}") for k in CORRIDOR_PARAMS}
        route["reach"], corridor["reach"] = self._reaches(val, n)
        return StepParams(hedger=hedger, power=power, route=route, corridor=corridor)

    def _reach(self, group: str | None, path: np.ndarray, val, n: int  # noqa: ANN001
               ) -> np.ndarray:  # fmt: skip
        """The share of a route each power can withhold (R, P): all of it where the route
        crosses the power; else what the power's reach over the route, and over the transit
        states on its path, gives: 1 - (1 - r_route) x prod over transit states (1 - r_t).

        ``path`` is the route's row of the crossing matrix (A,); ``group`` its parameter
        group (None: a route with no parameters, the northern freight route).
        """
        cfg = self.config
        n_p = len(self.powers)
        cols = []
        for j, p in enumerate(self.powers):
            free = np.full(n, 1.0 - path[j])
            where = [group] if group is not None else []
            where += [t for a, t in enumerate(self.crossed[n_p:]) if path[n_p + a] > 0]
            for g in where:
                ref = cfg.reach(g, p)
                if ref is not None:
                    free = free * (1.0 - np.clip(val(ref), 0.0, 1.0))
            cols.append(1.0 - free)
        return np.stack(cols, axis=-1)

    def _carve(self, hedger: dict[str, np.ndarray], draws: Draws) -> None:
        """Carve the start's trade and FDI of the powers a config added out of the hedger's
        rest of the world (:data:`~simulate.scenarios.parameters.CARVED`), at the rest
        point's values: Kazakhstan's total trade and FDI stay what was observed; a
        scenario's later departures add to them."""
        added = [p for p in self.powers if self.config.actors[p].rest_of_world]
        if not added:
            return
        n = draws.occurs.shape[0]
        for own, rest in CARVED.items():
            carved = sum(np.array(draws.values[f"{p}.{own}"], dtype=float)
                         if f"{p}.{own}" in draws.values else np.full(n, self.rest[f"{p}.{own}"])
                         for p in added)  # fmt: skip
            hedger[rest] = np.maximum(hedger[rest] - carved, 0.0)

    def _apply_events(self, sp: StepParams, t: int, occurs: np.ndarray) -> None:
        """Apply the events in force at period ``t`` (:func:`simulate.scenarios.events.apply`)."""
        event_kinds.apply(sp, self.events, float(self.times[t]), occurs)


def _issue_key(name: str, issues: list[str]) -> tuple[str, str] | None:
    """``("ideal", "war_stance")`` for ``ideal_war_stance``; None for other names."""
    for key in ("position", "salience", "ideal"):
        issue = name.removeprefix(f"{key}_")
        if issue != name and issue in issues:
            return key, issue
    return None


def _set(sp: StepParams, slot: tuple[str, str, tuple], value: np.ndarray) -> None:
    """Set one parameter slot to ``value`` (R,) on a copy of its array (never in place)."""
    kind, key, index = slot
    group = getattr(sp, kind)
    arr = group[key].copy()
    arr[(slice(None), *index)] = value
    group[key] = arr


def build(loaded: LoadedScenario, *, point: bool = False) -> RunSpec:
    """Turn a loaded scenario into a :class:`RunSpec`.

    Args:
        loaded: The scenario and its config.
        point: Run the config as a point: every assumption at its value. Otherwise (an
            ensemble, the default) each run takes the config's posterior vector for the
            calibrated parameters, if the config names a posterior, and draws every other
            assumption with a prior from it; what the scenario fixes (``initial``,
            ``parameters``, paths, its own uncertainties) is never drawn.
    """
    sc, cfg = loaded.scenario, loaded.config
    hz = sc.horizon
    times = hz.start + np.arange(hz.periods) * hz.dt
    model_paths = [p for p in cfg.paths() if cfg.get(p).role == "model"]
    rest = {p: float(sc.initial.get(p, cfg.get(p).central)) for p in model_paths}
    base = {p: float(sc.parameters.get(p, rest[p])) for p in model_paths}
    paths = {}
    for p, series in sc.paths.items():
        years = np.array(sorted(series), dtype=float)
        paths[p] = np.interp(times, years, [series[y] for y in sorted(series)])
    drawn = [u.parameter for u in sc.uncertainties]
    fixed = set(sc.parameters) | set(sc.initial) | set(sc.paths) | set(drawn)
    ranged = [p for p in sorted(model_paths) if cfg.get(p).is_range and p not in fixed]
    events = [event_kinds.compile_event(ev, cfg, hz.dt) for ev in sc.events]
    powers, routes, crossed = cfg.powers, cfg.route_names, cfg.crossed
    crossing = np.array([[1.0 if a in cfg.path(r) else 0.0 for a in crossed] for r in routes]
                        ).reshape(len(routes), len(crossed))  # fmt: skip
    freight = np.array([[1.0 if a in cfg.path(r) else 0.0 for a in crossed]
                        for r in (cfg.freight_route, "northern")])  # fmt: skip
    crosses = crossing[:, : len(powers)]
    routing = cfg.role("routing")
    avoided_name = cfg.issues[routing].avoids if routing else None
    avoided = np.array([1.0 if p == avoided_name else 0.0 for p in powers])
    avoids = crosses @ avoided if len(routes) else np.zeros(0)
    kinds = [cfg.route_commodity(r) for r in routes]
    carried = [c for c in PIPELINE if c in kinds]
    groups = [(c, slice(None) if len(carried) == 1
               else np.array([k for k, x in enumerate(kinds) if x == c])) for c in carried]
    is_oil = np.array([1.0 if x == "oil" else 0.0 for x in kinds])
    outputs = list(sc.outputs) if sc.outputs else list(VARIABLES)
    posterior = None if point else load_posterior(cfg)
    if posterior is not None:
        posterior = _restricted(posterior, fixed | set(ranged))
    taken = set(posterior.paths) if posterior is not None else set()
    priors = [] if point else [p for p in sorted(model_paths)
                               if cfg.get(p).prior is not None and p not in fixed
                               and p not in taken]  # fmt: skip
    return RunSpec(loaded, times, hz.dt, base, rest, paths, drawn + ranged, events,
                   crosses=crosses, crossing=crossing, freight_crossing=freight,
                   avoids=np.clip(avoids, 0.0, 1.0), avoided=avoided, groups=groups,
                   is_oil=is_oil, outputs=outputs, priors=priors,
                   posterior=posterior)  # fmt: skip


def load_posterior(cfg) -> Posterior | None:  # noqa: ANN001 - Config (avoids a cycle)
    """The posterior sample a config names (``posterior:``), or None; cached per file."""
    if not getattr(cfg, "posterior", None):
        return None
    return _read_posterior(cfg.posterior, Path(cfg.posterior).stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read_posterior(path: str, mtime_ns: int) -> Posterior:
    """Read a posterior sample: a CSV of one column per parameter path (``#`` comments)."""
    import hashlib

    del mtime_ns  # part of the cache key: a rewritten file is read again

    raw = Path(path).read_bytes()
    lines = [ln for ln in raw.decode("utf-8").splitlines() if ln and not ln.startswith("#")]
    header = lines[0].split(",")
    values = np.array([[float(x) for x in ln.split(",")] for ln in lines[1:]], dtype=float)
    values.setflags(write=False)
    return Posterior(tuple(header), values, path, hashlib.sha256(raw).hexdigest())


def _restricted(post: Posterior, fixed: set[str]) -> Posterior | None:
    """The posterior without the parameters a scenario fixes (or draws otherwise)."""
    keep = [k for k, p in enumerate(post.paths) if p not in fixed]
    if not keep:
        return None
    if len(keep) == len(post.paths):
        return post
    return Posterior(tuple(post.paths[k] for k in keep), post.values[:, keep], post.file,
                     post.digest)  # fmt: skip
