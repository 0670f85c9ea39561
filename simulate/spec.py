"""A run specification: a loaded scenario turned into arrays the drivers step through.

The spec knows the time grid, every model parameter's value (config value,
override, path over time, or a per-run draw) and the compiled events. It
produces, for a batch of runs and a period, the :class:`StepParams` the
equations read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulate.parameters import CORRIDOR, CORRIDOR_PARAMS, HEDGER_PARAMS, POWER_PARAMS, ROUTE_PARAMS
from simulate.scenario import LoadedScenario
from simulate.variables import VARIABLES


@dataclass(frozen=True)
class CompiledEvent:
    """An event with its target resolved to an index and its window in years."""

    type: str
    index: int
    start: float
    end: float
    magnitude: float
    probability: float
    duration: float


@dataclass
class StepParams:
    """Parameter values for one period: hedger (R,), power (R,P), route (R,K), corridor (R,)."""

    hedger: dict[str, np.ndarray]
    power: dict[str, np.ndarray]
    route: dict[str, np.ndarray]
    corridor: dict[str, np.ndarray]

    def column(self, j: int) -> dict[str, np.ndarray]:
        """Power ``j``'s parameters as (R,) arrays, for one Mesa agent."""
        return {k: v[:, j] for k, v in self.power.items()}


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


@dataclass
class RunSpec:
    """Everything a driver needs to simulate a scenario."""

    loaded: LoadedScenario
    times: np.ndarray
    dt: float
    base: dict[str, float]
    paths: dict[str, np.ndarray]
    random: list[str]
    events: list[CompiledEvent]
    crosses: np.ndarray  # (K, P)
    freight_crosses: np.ndarray  # (P,)
    outputs: list[str] = field(default_factory=list)

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
        """Route names, in config order (the route axis)."""
        return self.config.route_names

    @property
    def shock_order(self) -> list[int]:
        """Which raw shock each power axis position takes: powers get shocks in name order,
        so reordering actors in the config permutes outputs and changes nothing else."""
        ranked = sorted(self.powers)
        return [ranked.index(p) for p in self.powers]

    @property
    def hedger(self) -> str:
        """The hedger's name."""
        return self.config.hedger

    def params_at(self, t: int, draws: Draws) -> StepParams:
        """Parameter arrays for period ``t`` and the runs in ``draws``.

        The time-invariant part is built once per batch of draws and shared
        between periods; arrays are never modified in place.
        """
        static = draws.cache.get("static")
        if static is None:
            static = draws.cache["static"] = self._static(draws)
        out = StepParams(hedger=dict(static.hedger), power=dict(static.power),
                         route=dict(static.route), corridor=dict(static.corridor))  # fmt: skip
        for path, series in self.paths.items():
            kind, name, col = self._slot(path)
            group = getattr(out, kind)
            if col is None:
                group[name] = np.full_like(group[name], series[t])
            else:
                arr = group[name].copy()
                arr[:, col] = series[t]
                group[name] = arr
        self._apply_events(out, t, draws.occurs)
        return out

    def _slot(self, path: str) -> tuple[str, str, int | None]:
        """Where a parameter path lives in :class:`StepParams`: (group, name, column)."""
        group, _, name = path.partition(".")
        if group == self.hedger:
            return "hedger", name, None
        if group == CORRIDOR:
            return "corridor", name, None
        if group in self.powers:
            return "power", name, self.powers.index(group)
        return "route", name, self.routes.index(group)

    def _static(self, draws: Draws) -> StepParams:
        n = draws.occurs.shape[0]

        def val(path: str) -> np.ndarray:
            if path in draws.values:
                return np.array(draws.values[path], dtype=float)
            return np.full(n, self.base[path])

        h, c = self.hedger, CORRIDOR
        return StepParams(
            hedger={k: val(f"{h}.{k}") for k in HEDGER_PARAMS},
            power={k: np.stack([val(f"{p}.{k}") for p in self.powers], axis=-1)
                   for k in POWER_PARAMS},
            route={k: np.stack([val(f"{r}.{k}") for r in self.routes], axis=-1)
                   for k in ROUTE_PARAMS},
            corridor={k: val(f"{c}.{k}") for k in CORRIDOR_PARAMS},
        )  # fmt: skip

    def _apply_events(self, sp: StepParams, t: int, occurs: np.ndarray) -> None:
        now = float(self.times[t])
        for e, ev in enumerate(self.events):
            if not ev.start <= now < ev.end:
                continue
            on = occurs[:, e]
            m = ev.magnitude
            if ev.type == "route_disruption":
                _update(sp.route, "capacity", ev.index, mul=np.where(on, 1.0 - m, 1.0))
            elif ev.type == "sanctions_package":
                s = sp.hedger["sanctions_intensity"]
                sp.hedger["sanctions_intensity"] = np.clip(s + np.where(on, m, 0.0), 0.0, 1.0)
            elif ev.type == "investment_pledge":
                _update(sp.power, "fdi_inflow", ev.index, add=np.where(on, m / ev.duration, 0.0))
            elif ev.type == "capacity_shift":
                _update(sp.power, "capacity_growth", ev.index,
                        add=np.where(on, np.log1p(m) / ev.duration, 0.0))  # fmt: skip
            elif ev.type == "coercion_campaign":
                _update(sp.power, "coercion", ev.index, add=np.where(on, m, 0.0))
            elif ev.type == "trade_shift":
                _update(sp.power, "trade_growth", ev.index,
                        add=np.where(on, np.log1p(m) / ev.duration, 0.0))  # fmt: skip


def _update(
    group: dict[str, np.ndarray], name: str, col: int, *, mul: np.ndarray | float = 1.0,
    add: np.ndarray | float = 0.0,
) -> None:  # fmt: skip
    """Set column ``col`` of ``group[name]`` to ``x * mul + add`` on a copy (never in place)."""
    arr = group[name].copy()
    arr[:, col] = arr[:, col] * mul + add
    group[name] = arr


def build(loaded: LoadedScenario) -> RunSpec:
    """Turn a loaded scenario into a :class:`RunSpec`."""
    sc, cfg = loaded.scenario, loaded.config
    hz = sc.horizon
    times = hz.start + np.arange(hz.periods) * hz.dt
    model_paths = [p for p in cfg.paths() if cfg.get(p).role == "model"]
    base = {p: float(sc.parameters.get(p, cfg.get(p).central)) for p in model_paths}
    paths = {}
    for p, series in sc.paths.items():
        years = np.array(sorted(series), dtype=float)
        paths[p] = np.interp(times, years, [series[y] for y in sorted(series)])
    drawn = [u.parameter for u in sc.uncertainties]
    ranged = [
        p for p in sorted(model_paths)
        if cfg.get(p).is_range and p not in sc.parameters and p not in sc.paths and p not in drawn
    ]  # fmt: skip
    index = {"route": cfg.route_names, "power": cfg.powers}
    events = []
    for ev in sc.events:
        names = index["route"] if ev.type == "route_disruption" else index["power"]
        idx = names.index(ev.target) if ev.target in names else -1
        permanent = ev.duration is None and ev.type == "sanctions_package"
        duration = ev.duration if ev.duration is not None else 1.0
        end = np.inf if permanent else ev.at + duration
        events.append(CompiledEvent(ev.type, idx, ev.at, end, ev.magnitude, ev.probability,
                                    max(duration, hz.dt)))  # fmt: skip
    powers, routes = cfg.powers, cfg.route_names
    crosses = np.array(
        [[1.0 if p in cfg.routes[r].crosses else 0.0 for p in powers] for r in routes]
    ).reshape(len(routes), len(powers))
    freight = np.array([1.0 if p in cfg.freight_crosses else 0.0 for p in powers])
    outputs = list(sc.outputs) if sc.outputs else list(VARIABLES)
    return RunSpec(loaded, times, hz.dt, base, paths, drawn + ranged, events, crosses,
                   freight, outputs)  # fmt: skip
