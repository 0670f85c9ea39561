"""The dashboard's levers: which parameters it offers, their ranges, and the scenario's values.

A lever is a model parameter the user moves with a slider. Moving it fixes the
parameter at that value for the whole horizon, as ``simulate run --set`` does: it
becomes a ``parameters:`` override and replaces any path or uncertainty the
scenario puts on it. A lever left where the scenario has it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    if any(u.parameter == path for u in sc.uncertainties):
        return Setting(central, "uncertain", f"uncertain (central {central:g})")
    return Setting(central, "fixed", f"{central:g}")


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
