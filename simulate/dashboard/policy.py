"""The dashboard's policy panel: the scenario's declared levers, and a policy from the page.

Each lever the scenario declares (``levers:``, :mod:`simulate.scenarios.levers`) is offered
with its settings (a choice among its options, or a slider over its range) and the year
it acts from (from its first year to the horizon's end; a lever that acts at the start
only has none). A lever left at its status quo is not part of the policy. The page
compares the scenario under the policy with the scenario under the baseline policy,
every lever at its status quo, on the same runs (:func:`scenarios`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from simulate.errors import InputError
from simulate.scenarios import levers as lv
from simulate.scenarios.scenario import LoadedScenario

#: Steps a range lever's slider takes from its low to its high.
STEPS = 20


@dataclass(frozen=True)
class PanelLever:
    """A declared lever as the panel offers it.

    Attributes:
        name: The lever's name.
        actor: Whose decision it is.
        label: What the panel says (its name and unit).
        options: The settings to choose from, or None for a range.
        low: The range's low (or the lowest option).
        high: The range's high (or the highest option).
        step: The slider's step (a range).
        status_quo: The setting when the policy leaves it.
        first: The first year it can act.
        later: Whether it may act from a later year.
    """

    name: str
    actor: str
    label: str
    options: tuple[float, ...] | None
    low: float
    high: float
    step: float
    status_quo: float
    first: int
    later: bool


def panel(loaded: LoadedScenario) -> list[PanelLever]:
    """The scenario's levers, the hedger's first, then by actor in the config's order."""
    cfg, sc = loaded.config, loaded.scenario
    order = {a: k for k, a in enumerate([cfg.hedger, *cfg.powers])}
    out = []
    for name, lever in sorted(sc.levers.items(), key=lambda kv: order.get(kv[1].actor, 99)):
        values = [float(v) for v in lever.options] if lever.options is not None else [
            lever.range.low, lever.range.high]  # fmt: skip
        low, high = min(values), max(values)
        out.append(PanelLever(
            name=name, actor=lever.actor,
            label=f"{name.replace('_', ' ')}" + (f" ({lever.unit})" if lever.unit else ""),
            options=tuple(values) if lever.options is not None else None, low=low, high=high,
            step=(high - low) / STEPS if lever.options is None else 0.0,
            status_quo=lv.status_quo(loaded, name), first=int(lv.earliest(lever, sc.horizon)),
            later=not lv.kind(lever.kind).at_start,
        ))  # fmt: skip
    return out


def policy(loaded: LoadedScenario, values: Mapping[str, float],
           starts: Mapping[str, int] | None = None) -> dict[str, lv.Setting]:  # fmt: skip
    """The policy the page's settings make: the moved levers, each from its year.

    Raises:
        InputError: a setting outside the lever's options or range, or a year outside
            the years it can act in.
    """
    starts = starts or {}
    sc = loaded.scenario
    out = {}
    for name, value in values.items():
        lever = sc.levers[name]
        setting = lv.Setting(float(value), float(starts.get(name, lv.earliest(lever,
                                                                              sc.horizon))))
        if not lv.moved(loaded, name, setting):
            continue
        problem = lv.setting_problem(lever, setting, sc.horizon)
        if problem:
            raise InputError(f"{name}: {problem[0]}", field="levers")
        out[name] = setting
    return out


def scenarios(loaded: LoadedScenario, chosen: Mapping[str, lv.Setting],
              ) -> tuple[LoadedScenario, LoadedScenario]:  # fmt: skip
    """The scenario under ``chosen`` and under the baseline policy (every lever at its status
    quo), which run the same futures."""
    return lv.apply(loaded, chosen), lv.apply(loaded, {})


def describe(chosen: Mapping[str, lv.Setting]) -> str:
    """The policy in words (``caspian_buildout = 1 from 2025``), or the baseline policy."""
    return ", ".join(f"{k} = {s.value:g} from {s.start:g}" for k, s in chosen.items()) or (
        "the baseline policy (every lever at its status quo)")
