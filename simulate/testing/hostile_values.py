"""Hostile values and fields for :func:`simulate.testing.hostile.hostile_scenarios`.

Each mutation takes a valid scenario (plain data) and returns a
:class:`~simulate.testing.hostile.HostileCase` whose scenario the tool must refuse:
booleans and NaN as numbers, wrong types, values outside a domain, misspelt fields
and parameters, events that cannot happen, repeated outputs, counts past a limit,
names that are not identifiers, a parameter set twice, values out of range, and a
run too large for the disk.
"""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from simulate.io.limits import MAX_EVENTS, MAX_OUTPUTS, MAX_PATH_POINTS, MAX_UNCERTAINTIES
from simulate.scenarios import events as event_kinds
from simulate.scenarios.parameters import domain
from simulate.testing.hostile import (
    SCENARIO,
    HostileCase,
    as_yaml,
    case,
    config,
    misspell,
    model_parameters,
    numeric_field,
    set_at,
    valid_magnitude,
    with_one,
)


@st.composite
def _bool_number(draw: st.DrawFn, data: dict) -> HostileCase:
    data, path, name = numeric_field(draw, data)
    return case(draw, "value.boolean", as_yaml(set_at(data, path, draw(st.booleans()))), name)


@st.composite
def _non_finite(draw: st.DrawFn, data: dict) -> HostileCase:
    data, path, name = numeric_field(draw, data)
    value = draw(st.sampled_from([float("nan"), float("inf"), float("-inf")]))
    if path[0] == "paths" and draw(st.booleans()):  # the year itself
        series = data["paths"][path[1]]
        series[value] = series.pop(path[2])
    else:
        set_at(data, path, value)
    return case(draw, "value.non_finite", as_yaml(data), name)


_WRONG = {
    "int": ["many", 2.5, [1, 2], {"a": 1}, None, "2024-00-10"],
    "str": [12, [1], {"a": 1}, True],
    "dict": [[1, 2], "text", 3, True],
    "list": ["text", 3, {"a": 1}, True],
}
_FIELDS = {"runs": "int", "seed": "int", "horizon.start": "int", "horizon.end": "int",
           "name": "str", "description": "str", "horizon.step": "str", "parameters": "dict",
           "paths": "dict", "events": "list", "uncertainties": "list", "outputs": "list",
           "horizon": "dict"}  # fmt: skip


@st.composite
def _wrong_type(draw: st.DrawFn, data: dict) -> HostileCase:
    name = draw(st.sampled_from(sorted(_FIELDS)))
    value = draw(st.sampled_from(_WRONG[_FIELDS[name]]))
    data = set_at(copy.deepcopy(data), tuple(name.split(".")), value)
    return case(draw, "value.wrong_type", as_yaml(data), name)


@st.composite
def _out_of_domain(draw: st.DrawFn, data: dict) -> HostileCase:
    cfg = config()
    p = draw(st.sampled_from(model_parameters()))
    lo, hi = domain(p)
    delta = draw(st.sampled_from([1e-6, 0.5, 1e9]))
    below = hi == float("inf") or draw(st.booleans())
    bad = lo - delta if below else hi + delta
    data = copy.deepcopy(data)
    for sec in ("paths",):
        data.get(sec, {}).pop(p, None)
    data["uncertainties"] = [u for u in data.get("uncertainties", []) if u["parameter"] != p]
    where = draw(st.sampled_from(["parameters", "paths"]))
    if where == "parameters":
        data.setdefault("parameters", {})[p] = bad
        name = f"parameters.{p}"
    else:
        data.get("parameters", {}).pop(p, None)
        hz = data["horizon"]
        data.setdefault("paths", {})[p] = {hz["start"]: cfg.get(p).central, hz["end"]: bad}
        name = f"paths.{p}"
    return case(draw, "value.out_of_domain", as_yaml(data), name, also=("admissible range",))


@st.composite
def _misspelt_field(draw: st.DrawFn, data: dict) -> HostileCase:
    data = copy.deepcopy(data)
    where = draw(st.sampled_from(["top", "horizon", "event", "uncertainty"]))
    if where == "top":
        key = draw(st.sampled_from(["horizon", "runs", "seed", "description", "events",
                                    "uncertainties", "parameters"]))  # fmt: skip
        node, prefix = data, ""
    elif where == "horizon":
        key, node, prefix = draw(st.sampled_from(["start", "step"])), data["horizon"], "horizon."
    elif where == "event":
        data, i = with_one(draw, data, "events")
        node, prefix = data["events"][i], f"events.{i}."
        key = draw(st.sampled_from(["magnitude", "duration", "target" if "target" in node
                                    else "magnitude"]))  # fmt: skip
    else:
        data, i = with_one(draw, data, "uncertainties")
        node, prefix = data["uncertainties"][i], f"uncertainties.{i}."
        key = draw(st.sampled_from([k for k in node if k not in ("dist",) and len(k) > 3]))
    bad = misspell(draw, key)
    if key not in node:
        node[key] = node.get(key)
    node[bad] = node.pop(key)
    return case(draw, "field.misspelt", as_yaml(data), prefix + bad,
                 also=("unknown field", f"did you mean '{key}'"))


@st.composite
def _unknown_parameter(draw: st.DrawFn, data: dict) -> HostileCase:
    section = draw(st.sampled_from(["parameters", "paths", "uncertainties"]))
    data, key = with_one(draw, data, section)
    real = set(config().paths())
    if section == "uncertainties":
        p = data["uncertainties"][key]["parameter"]
        bad = misspell(draw, p)
        bad = bad if bad not in real else bad + "x"
        data["uncertainties"][key]["parameter"] = bad
        name = f"uncertainties.{key}.parameter"
    else:
        bad = misspell(draw, key)
        bad = bad if bad not in real else bad + "x"
        data[section][bad] = data[section].pop(key)
        name = f"{section}.{bad}"
    return case(draw, "field.unknown_parameter", as_yaml(data), name, also=("unknown parameter",))


@st.composite
def _event_target(draw: st.DrawFn, data: dict) -> HostileCase:
    cfg, hz = config(), data["horizon"]
    kind = event_kinds.KINDS[draw(st.sampled_from(list(event_kinds.KINDS)))]
    own = event_kinds.target_names(cfg, kind.target)
    others = [n for t in event_kinds.TARGETS for n in event_kinds.target_names(cfg, t)
              if n not in own]  # fmt: skip
    wrong = ["mars", *others[:1], *([None] if kind.needs_target else [])]
    ev = {"type": kind.name, "at": float(hz["start"] + 1), "duration": 1.0,
          "magnitude": valid_magnitude(kind), "target": draw(st.sampled_from(wrong))}
    data = copy.deepcopy(data)
    data["events"] = [*data.get("events", []), ev]
    i = len(data["events"]) - 1
    return case(draw, "event.target", as_yaml(data), f"events.{i}.target")


@st.composite
def _event_outside(draw: st.DrawFn, data: dict) -> HostileCase:
    data, i = with_one(draw, data, "events")
    hz, ev = data["horizon"], data["events"][i]
    if draw(st.booleans()):
        ev["at"] = float(hz["end"] + 1 + draw(st.integers(0, 50)))
    else:
        ev["at"], ev["duration"] = float(hz["start"] - 5 - draw(st.integers(0, 50))), 1.0
    return case(draw, "event.outside_horizon", as_yaml(data), f"events.{i}.at",
                 also=("horizon",))


@st.composite
def _outputs(draw: st.DrawFn, data: dict) -> HostileCase:
    from simulate.scenarios.variables import VARIABLES

    data = copy.deepcopy(data)
    how = draw(st.sampled_from(["twice", "unknown", "too_many"]))
    names = draw(st.lists(st.sampled_from(sorted(VARIABLES)), min_size=1, max_size=4,
                          unique=True))  # fmt: skip
    if how == "twice":
        data["outputs"] = [*names, names[0]]
        return case(draw, "outputs.duplicate", as_yaml(data), f"outputs.{len(names)}",
                     also=("twice",))
    if how == "unknown":
        data["outputs"] = [*names, misspell(draw, names[0]) + "_x"]
        return case(draw, "outputs.unknown", as_yaml(data), f"outputs.{len(names)}")
    data["outputs"] = names * (MAX_OUTPUTS // len(names) + 1)
    return case(draw, "limit.outputs", as_yaml(data), "outputs", also=("limit",))


@st.composite
def _too_many(draw: st.DrawFn, data: dict) -> HostileCase:
    section = draw(st.sampled_from(["events", "uncertainties", "path_points"]))
    data, key = with_one(draw, data, "events" if section == "events" else
                          "uncertainties" if section == "uncertainties" else "paths")
    if section == "events":
        data["events"] = [data["events"][key]] * (MAX_EVENTS + 1)
        name = "events"
    elif section == "uncertainties":
        data["uncertainties"] = [data["uncertainties"][key]] * (MAX_UNCERTAINTIES + 1)
        name = "uncertainties"
    else:
        v = next(iter(data["paths"][key].values()))
        data["paths"][key] = {2000 + i / 100: v for i in range(MAX_PATH_POINTS + 1)}
        name = f"paths.{key}"
    return case(draw, "limit.count", as_yaml(data), name, also=("limit",))


@st.composite
def _bad_name(draw: st.DrawFn, data: dict) -> HostileCase:
    data = copy.deepcopy(data)
    data["name"] = draw(st.sampled_from(["../../somewhere/x", "/tmp/abs", "a b", "x" * 65, "",
                                         ".hidden", "-x", "x/y", "nul\x00name", "é"]))
    return case(draw, "field.name", as_yaml(data), "name")


@st.composite
def _conflict(draw: st.DrawFn, data: dict) -> HostileCase:
    data, p = with_one(draw, data, "parameters")
    hz = data["horizon"]
    c = data["parameters"][p]
    if draw(st.booleans()):
        data.setdefault("paths", {})[p] = {hz["start"]: c, hz["end"]: c}
        other = "paths"
    else:
        lo, hi = domain(p)
        a, b = max(lo, c - 0.01), min(hi, c + 0.01)
        data["uncertainties"] = [*data.get("uncertainties", []),
                                 {"parameter": p, "dist": "uniform", "low": a, "high": b}]
        other = "uncertainties"
    return case(draw, "rule.one_setting", as_yaml(data), f"parameters.{p}", also=(other,))


@st.composite
def _out_of_range(draw: st.DrawFn, data: dict) -> HostileCase:
    data = copy.deepcopy(data)
    hz = data["horizon"]
    what = draw(st.sampled_from(["runs", "seed", "order", "span", "year", "probability",
                                 "sd", "weights", "low_high", "dist"]))  # fmt: skip
    name = what
    if what == "runs":
        data["runs"] = draw(st.sampled_from([0, -5, 1_000_001, 10**30]))
    elif what == "seed":
        data["seed"] = draw(st.sampled_from([-1, 2**63, 10**40]))
    elif what == "order":
        hz["end"] = hz["start"] - draw(st.integers(0, 5))
        name = "horizon"
    elif what == "span":
        hz["end"] = hz["start"] + 100 + draw(st.integers(0, 50))
        name = "horizon"
    elif what == "year":
        hz["start"] = draw(st.sampled_from([1000, 1899, 2201, -2024]))
        name = "horizon.start"
    elif what == "probability":
        data, i = with_one(draw, data, "events")
        data["events"][i]["probability"] = draw(st.sampled_from([-0.1, 1.5, 100.0]))
        name = f"events.{i}.probability"
    else:
        p = "kazakhstan.choice_noise"
        for sec in ("parameters", "paths"):
            (data.get(sec) or {}).pop(p, None)
        u = {"sd": {"parameter": p, "dist": "truncnormal", "mean": 0.1, "sd": 0.0, "low": 0.0,
                    "high": 0.2},
             "weights": {"parameter": p, "dist": "choice", "values": [0.1, 0.2],
                         "weights": [1.0]},
             "low_high": {"parameter": p, "dist": "uniform", "low": 0.2, "high": 0.1},
             "dist": {"parameter": p, "dist": "unifrom", "low": 0.1, "high": 0.2}}[what]
        data["uncertainties"] = [x for x in data.get("uncertainties", [])
                                 if x["parameter"] != p] + [u]  # fmt: skip
        name = f"uncertainties.{len(data['uncertainties']) - 1}"
    return case(draw, "value.out_of_range", as_yaml(data), name)


@st.composite
def _too_big(draw: st.DrawFn, data: dict) -> HostileCase:
    """A valid scenario whose run would need far more disk or memory than there is."""
    data = copy.deepcopy(data)
    start = data["horizon"]["start"]
    data["horizon"] = {"start": start, "end": start + 99, "step": "month"}
    data["runs"] = 1_000_000
    data["events"] = []
    data["paths"] = {}
    data["uncertainties"] = [u for u in data.get("uncertainties", [])]
    argv = ("run", f"{{dir}}/{SCENARIO}", "-q", "-o", "{dir}/out.parquet")
    return case(draw, "resources.estimate", as_yaml(data), "runs", line=False, argv=argv,
                 also=("needs about",))


DATA_MUTATIONS = (_bool_number, _non_finite, _wrong_type, _out_of_domain, _misspelt_field,
                  _unknown_parameter, _event_target, _event_outside, _outputs, _too_many,
                  _bad_name, _conflict, _out_of_range, _too_big)  # fmt: skip
