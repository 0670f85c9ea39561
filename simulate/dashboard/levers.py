"""The dashboard's levers: which parameters it offers, their ranges, and the scenario's values.

A lever is a model parameter the user moves with a slider, from a year the user sets
(by default the first year of the horizon). Moved from the first year, it fixes the
parameter at that value for the whole horizon, as ``simulate run --set`` does: it
becomes a ``parameters:`` override and replaces any path or uncertainty the scenario
puts on it. Moved from a later year, it becomes a time path that follows the scenario
until then and steps to the value in that year's first period (:func:`step_path`); a
parameter the scenario draws per run (an uncertainty, or a range of the config)
cannot be followed by a path, so its lever applies from the first year only. A
lever left where the scenario has it changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simulate.scenarios import domains
from simulate.scenarios.levers import step_path
from simulate.scenarios.parameters import domain
from simulate.scenarios.scenario import LoadedScenario


@dataclass(frozen=True)
class Lever:
    """A parameter the dashboard offers as a slider.

    Attributes:
        path: The parameter's dotted path.
        label: What the slider says.
        low: The slider's lowest value (within the parameter's admissible range).
        high: Its highest value.
        step: Its step.
    """

    path: str
    label: str
    low: float
    high: float
    step: float


#: Policy levers first (routes, sanctions), then key assumptions (capacity trends, doctrine).
LEVERS = (
    Lever("middle_corridor.capacity", "Middle Corridor capacity (Mt/yr)", 0.0, 40.0, 1.0),
    Lever("trans_caspian.capacity", "Trans-Caspian oil capacity (Mt/yr)", 0.0, 40.0, 1.0),
    Lever("kazakhstan.sanctions_intensity", "Western sanctions intensity", 0.0, 1.0, 0.05),
    Lever("russia.capacity_growth", "Russia's capacity growth (/yr)", -0.06, 0.04, 0.005),
    Lever("china.capacity_growth", "China's capacity growth (/yr)", -0.04, 0.04, 0.005),
    Lever("kazakhstan.balance_preference", "Kazakhstan's balance preference", 0.0, 2.0, 0.05),
    Lever("kazakhstan.resolve", "Kazakhstan's resolve", 0.0, 1.0, 0.05),
)


@dataclass(frozen=True)
class Setting:
    """Where the scenario has a lever's parameter.

    Attributes:
        value: The value a slider starts at: the scenario's fixed value, or for a
            path its value at the horizon's end, or for an uncertainty the config's
            central value.
        how: ``"fixed"``, ``"path"`` or ``"uncertain"``.
        note: A short description for the page (e.g. ``"path 6 -> 24"``).
    """

    value: float
    how: str
    note: str


def levers_of(loaded: LoadedScenario) -> list[Lever]:
    """The levers whose parameters this scenario's config has, ranges inside their domains."""
    out = []
    for lever in LEVERS:
        if not loaded.config.has(lever.path):
            continue
        lo, hi = domain(lever.path)
        out.append(Lever(lever.path, lever.label, max(lever.low, lo), min(lever.high, hi),
                         lever.step))  # fmt: skip
    return out


def setting(loaded: LoadedScenario, path: str) -> Setting:
    """The scenario's value of a lever's parameter, and how the scenario sets it."""
    sc = loaded.scenario
    if path in sc.paths:
        series = sc.paths[path]
        years = sorted(series)
        first, last = series[years[0]], series[years[-1]]
        return Setting(float(last), "path", f"path {first:g} -> {last:g}")
    central = float(sc.parameters.get(path, sc.initial.get(path, loaded.config.get(path).central)))
    ranged = loaded.config.get(path).is_range and path not in {*sc.parameters, *sc.initial}
    if ranged or any(u.parameter == path for u in sc.uncertainties):
        return Setting(central, "uncertain", f"uncertain (central {central:g})")
    return Setting(central, "fixed", f"{central:g}")


def can_start_later(loaded: LoadedScenario, path: str) -> bool:
    """Whether a lever on ``path`` may apply from a year after the first (see the module)."""
    return setting(loaded, path).how != "uncertain"


@dataclass(frozen=True)
class Changes:
    """What the moved levers change: parameters fixed from the start, paths from a year.

    Attributes:
        parameters: Dotted path -> value, from the horizon's start (``parameters:``).
        paths: Dotted path -> year -> value, for levers that apply from a later year.
        starts: Dotted path -> the year each moved lever applies from.
    """

    parameters: dict[str, float] = field(default_factory=dict)
    paths: dict[str, dict[float, float]] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.parameters or self.paths)

    def describe(self) -> str:
        """The moved levers for a reader (``russia.capacity_growth = 0.02 from 2030``)."""
        parts = [f"{p} = {v:g}" for p, v in self.parameters.items()]
        parts += [f"{p} = {list(s.values())[-1]:g} from {self.starts[p]}"
                  for p, s in self.paths.items()]  # fmt: skip
        return ", ".join(parts) or "none"


def changes(loaded: LoadedScenario, values: Mapping[str, float],
            starts: Mapping[str, int] | None = None) -> Changes:  # fmt: skip
    """The moved levers (:func:`departures`) as parameters and step paths.

    Args:
        loaded: The scenario the page started from.
        values: Lever values by dotted path (those the user touched).
        starts: The year each lever applies from (default, and for a lever that cannot
            start later: the horizon's first year).

    Raises:
        InputError: A start year after the horizon's end.
    """
    starts = starts or {}
    first = loaded.scenario.horizon.start
    fixed: dict[str, float] = {}
    paths: dict[str, dict[float, float]] = {}
    when: dict[str, int] = {}
    for p, v in departures(loaded, values).items():
        year = int(starts.get(p, first))
        if year > first and can_start_later(loaded, p):
            if year > loaded.scenario.horizon.end:
                from simulate.errors import InputError

                raise InputError(f"{p} cannot start in {year}, after the horizon's end",
                                 field="parameters")  # fmt: skip
            paths[p] = step_path(loaded, p, v, year)
            when[p] = year
        else:
            fixed[p] = v
            when[p] = first
    return Changes(fixed, paths, when)


def apply(loaded: LoadedScenario, moved: Changes) -> LoadedScenario:
    """The scenario with the step paths of ``moved`` in place of what it set on those
    parameters (the fixed values stay overrides, applied when the spec is prepared).

    Raises:
        InputError: A path value outside its parameter's admissible range.
    """
    if not moved.paths:
        return loaded
    from simulate.errors import InputError

    for p, series in moved.paths.items():
        for v in series.values():
            try:
                domains.value_in_domain(p, v)
            except domains.DomainError as exc:
                raise InputError(exc.message, field="parameters") from None
    sc = loaded.scenario
    update = {
        "paths": {**sc.paths, **moved.paths},
        "parameters": {k: v for k, v in sc.parameters.items() if k not in moved.paths},
        "uncertainties": [u for u in sc.uncertainties if u.parameter not in moved.paths],
    }
    return LoadedScenario(scenario=sc.model_copy(update=update), config=loaded.config,
                          origins=loaded.origins, file=loaded.file, notes=loaded.notes)


def departures(loaded: LoadedScenario, values: dict[str, float]) -> dict[str, float]:
    """The lever values that differ from the scenario (a moved slider), as overrides.

    A lever on a path or an uncertainty departs as soon as it is moved at all; one on
    a fixed value departs when its value differs.
    """
    out = {}
    for path, value in values.items():
        s = setting(loaded, path)
        if s.how != "fixed" or abs(float(value) - s.value) > 1e-12:
            out[path] = float(value)
    return out
