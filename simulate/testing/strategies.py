"""Hypothesis strategies for scenarios and parameter sets.

Use them to property-test your own scenarios, configs and extensions::

    from hypothesis import given
    from simulate.testing import strategies as mst
    import simulate

    @given(mst.scenarios(max_runs=3))
    def test_balance_index_in_unit_interval(scenario):
        res = simulate.run_scenario(scenario)
        v = res.frame.query("variable == 'balance_index'")["value"]
        assert v.between(0, 1).all()

These strategies draw only valid input: values within each parameter's domain
(:data:`simulate.scenarios.parameters.DOMAINS`), horizons with start < end, events of every
kind in :mod:`simulate.scenarios.events` aimed at real routes and powers, levers of every
kind in :mod:`simulate.scenarios.levers` (:func:`levers`) and policies that set them
(:func:`policies`). Pass ``config=`` to generate for your own config.

The hostile strategies draw input the tool must refuse (exit code 2, one short
message naming file, field and line; never a traceback or a hang), each a
:class:`~simulate.testing.hostile.HostileCase` of files and a command line:

* :func:`hostile_scenarios`: a shipped scenario with one hostile change (wrong
  types, booleans and NaN as numbers, values outside a domain, misspelt fields and
  parameters, bad events and outputs, YAML tags, dates, merge keys, duplicate keys,
  deep nesting, alias bombs, syntax errors, oversized files, ``extends:`` and
  ``config:`` aimed at FIFOs, devices, /proc, symlink loops or broken files, a run
  too big for the disk);
* :func:`hostile_result_files`: a damaged result file for ``compare``, ``report``,
  ``export`` and ``plot`` (metadata, columns, rows, the file itself);
* :func:`hostile_arguments`: odd options and outputs (``--set`` outside a domain,
  ``-o /dev/null``, ``--at nan`` ...);
* :func:`hostile_inputs`: any of them.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from simulate.scenarios import events as event_kinds
from simulate.scenarios import levers as lever_kinds
from simulate.scenarios.parameters import Config, domain, load_config
from simulate.testing.hostile import HostileCase, hostile_scenarios
from simulate.testing.hostile_cli import hostile_arguments, hostile_inputs, hostile_result_files

__all__ = [
    "HostileCase", "events", "horizons", "hostile_arguments", "hostile_inputs",
    "hostile_result_files", "hostile_scenarios", "levers", "model_parameters", "parameter_sets",
    "policies", "scenarios", "uncertainties",
]  # fmt: skip

_DEFAULT: list[Config] = []


def _config(config: Config | None) -> Config:
    if config is not None:
        return config
    if not _DEFAULT:
        _DEFAULT.append(load_config())
    return _DEFAULT[0]


def model_parameters(config: Config | None = None) -> list[str]:
    """The dotted paths of every parameter the equations use."""
    cfg = _config(config)
    return [p for p in cfg.paths() if cfg.get(p).role == "model"]


def _around(value: float, path: str) -> st.SearchStrategy[float]:
    """Values from 0.5x to 1.5x the config value (or near it when it is 0), within the domain."""
    lo, hi = domain(path)
    span = abs(value) * 0.5 if value != 0 else 0.05
    a, b = max(lo, value - span), min(hi, value + span)
    if a >= b:
        return st.just(float(a))
    return st.floats(a, b, allow_nan=False, allow_infinity=False)


@st.composite
def parameter_sets(draw: st.DrawFn, config: Config | None = None, max_size: int = 6) -> dict:
    """Overrides ``{path: value}`` for a few model parameters, each near its config value."""
    cfg = _config(config)
    paths = draw(st.lists(st.sampled_from(model_parameters(cfg)), max_size=max_size, unique=True))
    return {p: draw(_around(cfg.get(p).central, p)) for p in paths}


@st.composite
def horizons(draw: st.DrawFn, max_years: int = 6) -> dict:
    """A short horizon: start in 2020-2030, 2 to ``max_years`` years, yearly or quarterly."""
    start = draw(st.integers(2020, 2030))
    years = draw(st.integers(2, max_years))
    return {"start": start, "end": start + years - 1,
            "step": draw(st.sampled_from(["year", "quarter"]))}  # fmt: skip


@st.composite
def events(draw: st.DrawFn, horizon: dict, config: Config | None = None) -> dict:
    """One event inside ``horizon`` of any registered kind.

    Kinds come from :data:`simulate.scenarios.events.KINDS`.

    A kind that needs a target is aimed at a real one of its target kind; the magnitude
    lies in the kind's ``sample`` range, and each option the kind takes is set half the time.
    """
    cfg = _config(config)
    kind = event_kinds.KINDS[draw(st.sampled_from(list(event_kinds.KINDS)))]
    at = draw(st.floats(horizon["start"], horizon["end"] + 0.75).map(lambda x: round(x, 2)))
    ev: dict[str, Any] = {"type": kind.name, "at": at,
                          "duration": draw(st.floats(0.25, 4.0).map(lambda x: round(x, 2))),
                          "probability": draw(st.sampled_from([1.0, 0.5, 0.0, 0.9]))}
    if kind.needs_target:
        ev["target"] = draw(st.sampled_from(event_kinds.target_names(cfg, kind.target)))
    ev["magnitude"] = draw(st.floats(*kind.sample))
    for opt in kind.options:
        pool = list(opt.sample(cfg, ev.get("target")))
        if pool and draw(st.booleans()):
            ev[opt.name] = draw(st.sampled_from(pool))
    return ev  # fmt: skip


@st.composite
def uncertainties(draw: st.DrawFn, config: Config | None = None, max_size: int = 3,
                  exclude: tuple[str, ...] = ()) -> list:  # fmt: skip
    """Uncertainties over distinct model parameters (none in ``exclude``), every kind."""
    cfg = _config(config)
    free = [p for p in model_parameters(cfg) if p not in exclude]
    paths = draw(st.lists(st.sampled_from(free), max_size=max_size, unique=True))
    out = []
    for p in paths:
        lo, hi = domain(p)
        c = cfg.get(p).central
        a = max(lo, c - (abs(c) * 0.3 or 0.05))
        b = min(hi, c + (abs(c) * 0.3 or 0.05))
        if a >= b:
            continue
        mid = (a + b) / 2
        kind = draw(st.sampled_from(["uniform", "triangular", "truncnormal", "lognormal",
                                     "choice"]))  # fmt: skip
        if kind == "uniform":
            out.append({"parameter": p, "dist": kind, "low": a, "high": b})
        elif kind == "triangular":
            out.append({"parameter": p, "dist": kind, "low": a, "mode": mid, "high": b})
        elif kind == "truncnormal":
            out.append({"parameter": p, "dist": kind, "mean": mid, "sd": (b - a) / 4,
                        "low": a, "high": b})  # fmt: skip
        elif kind == "lognormal" and mid > 0 and lo <= mid:
            out.append({"parameter": p, "dist": kind, "median": mid, "sigma": 0.1})
        else:
            out.append({"parameter": p, "dist": "choice", "values": [a, mid, b]})
    return out


def _settings(draw: st.DrawFn, sample: st.SearchStrategy[float]) -> dict:
    """``options`` (one to three distinct values) or a ``range`` drawn from ``sample``."""
    values = sorted(set(draw(st.lists(sample, min_size=1, max_size=3))))
    if len(values) > 1 and draw(st.booleans()):
        return {"range": {"low": values[0], "high": values[-1]}}
    return {"options": values}


@st.composite
def levers(draw: st.DrawFn, horizon: dict, config: Config | None = None, max_size: int = 3,
           exclude: tuple[str, ...] = ()) -> dict:  # fmt: skip
    """Levers ``{name: lever}`` of every registered kind, valid within ``horizon``.

    Kinds come from :data:`simulate.scenarios.levers.KINDS`: a parameter kind sets one of
    the parameters its declaration samples (none in ``exclude``, e.g. a scenario's
    uncertainties), with settings near the config's value; an event lever sets an event
    of any registered kind aimed at a real target, with magnitudes in the kind's sample
    range. Starts lie inside the horizon (a kind that acts at the start only takes none).
    """
    cfg = _config(config)
    out: dict[str, Any] = {}
    for k in range(draw(st.integers(1, max_size))):
        kind = lever_kinds.KINDS[draw(st.sampled_from(list(lever_kinds.KINDS)))]
        lever: dict[str, Any] = {"kind": kind.name, "actor": draw(st.sampled_from(
            list(cfg.actors))), "description": "generated", "cost": draw(st.floats(0, 5)),
            "cost_source": "assumption: generated"}  # fmt: skip
        if kind.sets == "parameter":
            pool = [p for p in kind.sample(cfg) if p not in exclude]
            if not pool:
                continue
            path = draw(st.sampled_from(pool))
            lever["parameter"] = path
            lever.update(_settings(draw, _around(cfg.get(path).central, path)))
        else:
            ek = event_kinds.KINDS[draw(st.sampled_from(list(event_kinds.KINDS)))]
            event: dict[str, Any] = {"type": ek.name,
                                     "duration": draw(st.floats(0.25, 4.0).map(
                                         lambda x: round(x, 2)))}  # fmt: skip
            if ek.needs_target:
                event["target"] = draw(st.sampled_from(event_kinds.target_names(cfg, ek.target)))
            for opt in ek.options:
                pool = list(opt.sample(cfg, event.get("target")))
                if pool and draw(st.booleans()):
                    event[opt.name] = draw(st.sampled_from(pool))
            lever["event"] = event
            lo, hi = ek.sample
            lever.update(_settings(draw, st.floats(lo, hi).filter(
                lambda x, b=ek.magnitude: not b.refuses(x))))  # fmt: skip
        if not kind.at_start:
            lever["start"] = draw(st.integers(horizon["start"], horizon["end"]))
        out[f"lever_{k}"] = lever
    return out


@st.composite
def policies(draw: st.DrawFn, declared: dict, horizon: dict, max_size: int = 3) -> dict:
    """A policies file's ``policies:`` for the levers ``declared`` (as :func:`levers` draws
    them): up to ``max_size`` policies, each setting some levers to one of their options
    (or a value in their range) from a year between their start and the horizon's end."""
    out: dict[str, Any] = {}
    names = sorted(declared)
    for k in range(draw(st.integers(1, max_size))):
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names),
                               unique=True))  # fmt: skip
        settings: dict[str, Any] = {}
        for name in chosen:
            lever = declared[name]
            if "options" in lever:
                value = draw(st.sampled_from(lever["options"]))
            else:
                value = draw(st.floats(lever["range"]["low"], lever["range"]["high"]))
            first = lever.get("start", horizon["start"])
            start = draw(st.integers(int(first), horizon["end"])) if "start" in lever else first
            settings[name] = {"value": value, "start": start}
        out[f"policy_{k}"] = settings
    return out


@st.composite
def scenarios(
    draw: st.DrawFn, config: Config | None = None, max_runs: int = 3, max_years: int = 6,
    with_levers: bool = False,
) -> dict:
    """A complete, valid scenario mapping (pass it to ``simulate.run_scenario``); with
    ``with_levers``, with :func:`levers` too."""
    cfg = _config(config)
    hz = draw(horizons(max_years=max_years))
    data: dict[str, Any] = {
        "name": draw(st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)),
        "description": "generated",
        "horizon": hz,
        "runs": draw(st.integers(1, max_runs)),
        "seed": draw(st.integers(0, 2**32)),
        "initial": draw(parameter_sets(cfg, max_size=2)),
        "parameters": draw(parameter_sets(cfg)),
        "events": draw(st.lists(events(hz, cfg), max_size=3)),
    }
    data["uncertainties"] = draw(uncertainties(cfg, exclude=(*data["parameters"],
                                                             *data["initial"])))
    taken = (set(data["parameters"]) | set(data["initial"])
             | {u["parameter"] for u in data["uncertainties"]})
    free = [p for p in model_parameters(cfg) if p not in taken]
    if free and draw(st.booleans()):
        p = draw(st.sampled_from(free))
        c = cfg.get(p).central
        data["paths"] = {p: {hz["start"]: c, hz["end"]: draw(_around(c, p))}}
    if with_levers:
        data["levers"] = draw(levers(hz, cfg, exclude=tuple(u["parameter"]
                                                             for u in data["uncertainties"])))
    return data
