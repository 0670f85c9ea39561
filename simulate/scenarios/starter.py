"""A commented starting file for a new scenario built on another one (``simulate new``).

The file ``extends:`` the scenario it starts from and sets only its name and description;
every other section is there as a commented example a user uncomments and edits. The
examples are made from the scenario and its config (its horizon, runs and seed, its paths
and uncertainties, parameters the config has, a route of the config), so each is a
valid scenario section for that scenario when uncommented (tested).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import yaml

from simulate.scenarios import events
from simulate.scenarios.parameters import domain
from simulate.scenarios.scenario import LoadedScenario

#: Width of the prose comments.
WIDTH = 90
#: Parameters the examples set, the first ones the config has (a fixed value, then an
#: uncertainty): Kazakhstan's choices and the corridor, which every config of the
#: default actors has.
EXAMPLE_PARAMETERS = ("kazakhstan.sanctions_intensity", "kazakhstan.resolve",
                      "middle_corridor.capacity", "kazakhstan.balance_preference",
                      "russia.capacity_growth")  # fmt: skip


@dataclass(frozen=True)
class Section:
    """One commented example: the prose above it and its YAML lines.

    Attributes:
        key: The scenario field it sets.
        about: What the section is for (comment lines, without ``#``).
        lines: The YAML lines of the example, uncommented.
    """

    key: str
    about: tuple[str, ...]
    lines: tuple[str, ...]


def _flow(value: Any) -> str:
    """``value`` as one line of flow-style YAML."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip().removesuffix("...").strip()


def _free_parameters(loaded: LoadedScenario) -> list[str]:
    """Example parameters the config has and the scenario leaves alone."""
    sc = loaded.scenario
    taken = {*sc.parameters, *sc.paths, *(u.parameter for u in sc.uncertainties)}
    return [p for p in EXAMPLE_PARAMETERS if loaded.config.has(p) and p not in taken]


def sections(loaded: LoadedScenario, source: str) -> list[Section]:
    """The commented examples of a scenario built on ``loaded`` (named ``source``)."""
    sc, cfg = loaded.scenario, loaded.config
    hz = sc.horizon
    free = _free_parameters(loaded)
    out = [
        Section("horizon", ("Years simulated (step: year, quarter or month):",),
                (f"horizon: {_flow(hz.model_dump())}",)),
        Section("runs", ("Runs in the ensemble:",), (f"runs: {sc.runs}",)),
        Section("seed", ("The same seed gives the same numbers:",), (f"seed: {sc.seed}",)),
    ]  # fmt: skip
    fixed = {p: cfg.get(p).central for p in free[:1]}
    if fixed:
        p, v = next(iter(fixed.items()))
        out.append(Section(
            "parameters", ("Values that depart from the start, by dotted path (`simulate params`",
                           "lists them); here the config's own value, to edit:"),
            ("parameters:", f"  {p}: {v:g}"),
        ))  # fmt: skip
    if sc.paths:
        p, series = next(iter(sc.paths.items()))
        series = {int(y) if float(y).is_integer() else y: v for y, v in series.items()}
        about = (f"A parameter over time, by year, interpolated ({source}'s own path of {p};",
                 "a path written here replaces that parameter's path, others stay):")
    else:
        p = "middle_corridor.capacity" if cfg.has("middle_corridor.capacity") else cfg.paths()[0]
        c = cfg.get(p).central
        series = {hz.start: c, min(hz.start + 6, hz.end): min(2 * c, domain(p)[1]) if c else 1.0}
        about = ("A parameter over time, by year, interpolated:",)
    out.append(Section("paths", about, ("paths:", f"  {p}: {_flow(series)}")))
    route = cfg.route_names[0] if cfg.route_names else None
    kinds = ", ".join(events.KINDS)
    examples = []
    if route is not None:
        examples.append({"type": "route_disruption", "target": route, "at": hz.start + 3.0,
                         "duration": 0.5, "magnitude": 0.5, "probability": 0.3})  # fmt: skip
    examples.append({"type": "sanctions_package", "at": hz.start + 2.0, "magnitude": 0.1})
    out.append(Section(
        "events", ("Things that happen: when (decimal year), how long (years), how big, how",
                   f"likely. Types: {kinds} (docs/scenarios.md);",
                   f"a list written here replaces {source}'s events:"),
        ("events:", *(f"  - {_flow(e)}" for e in examples)),
    ))  # fmt: skip
    kept = [u.model_dump(mode="json", exclude_none=True) for u in sc.uncertainties]
    extra = []
    for p in free[1:2]:
        lo, hi = domain(p)
        c = cfg.get(p).central
        low, high = max(lo, c - 0.25 * (abs(c) or 1)), min(hi, c + 0.25 * (abs(c) or 1))
        extra.append({"parameter": p, "dist": "uniform", "low": round(low, 6),
                      "high": round(high, 6)})  # fmt: skip
    out.append(Section(
        "uncertainties", ("Parameters drawn anew in each run (uniform, triangular, truncnormal,",
                          "lognormal, choice); a list written here replaces the whole of",
                          f"{source}'s, so its own are copied here first:"),
        ("uncertainties:", *(f"  - {_flow(u)}" for u in [*kept, *extra])),
    ))  # fmt: skip
    out.append(Section(
        "outputs", ("Keep only these outputs (default: every variable, `docs/results.md`):",),
        ("outputs: [balance_index, outcome, captured, alignment, leverage, position]",),
    ))  # fmt: skip
    at = float(hz.start + (hz.end - hz.start) // 2)
    out.append(Section(
        "expect", ("The directions `simulate check` tests, against a scenario or the start",
                   f"(not inherited from {source}):"),
        ("expect:", f"  against: {source}", f"  at: {at:g}",
         "  outcomes: {leverage:russia: down, balance_index: up}",
         "  why: Say which mechanism should move each outcome."),
    ))  # fmt: skip
    return out


def starter(name: str, loaded: LoadedScenario, source: str) -> str:
    """The text of a new scenario file named ``name`` that extends ``source``.

    Args:
        name: The new scenario's name (it names its result file).
        loaded: The scenario it starts from.
        source: How the file names it in ``extends:`` (a shipped name or a relative path).
    """
    base = loaded.scenario
    head = [
        f"# {name}: a scenario built on {source}. Everything not written here comes from",
        f"# {source} ({base.horizon.start}-{base.horizon.end} by {base.horizon.step}, "
        f"{base.runs} runs, seed {base.seed}).",
        "# Uncomment and edit a section to change it; mappings merge into the scenario's,",
        "# lists replace its. The format: docs/scenarios.md. Then:",
        f"#   simulate validate {name}.yaml",
        f"#   simulate run {source} {name}.yaml     # the change against {source}",
        "",
        f"name: {name}",
        f"extends: {source}",
        "description: >-",
        f"  {source}, changed: say what changes and why (the sources of each number).",
    ]
    body: list[str] = []
    for s in sections(loaded, source):
        about = textwrap.wrap(" ".join(s.about), width=WIDTH - 2, break_on_hyphens=False)
        body += ["", *(f"# {line}" for line in about), *(f"# {line}" for line in s.lines)]
    return "\n".join([*head, *body]) + "\n"
