"""Hostile inputs: what an attacker (or an unlucky user) hands the command line.

Each :class:`HostileCase` is a set of files to create (scenarios, configs,
result files, FIFOs, symlinks, folders) and a command line that uses them. The
tool's contract says every one of them is refused: exit code 2, at most two lines
of message naming the file (where there is one), the field and, where there is
one, the line; never a traceback, a hang or a large allocation. The cases are
built with ``st.composite`` from the shipped scenarios (or any valid scenario
you pass), so they shrink to the smallest input that breaks the contract::

    from hypothesis import given
    from simulate.testing import strategies as mst

    @given(mst.hostile_scenarios())
    def test_refused(case, tmp_path):
        argv = case.materialise(tmp_path)   # files written, paths filled in
        ...                                 # invoke simulate with argv

This module builds hostile scenarios; :mod:`simulate.testing.hostile_cli` builds
hostile result files and command-line arguments.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from simulate import yamlio
from simulate.limits import (
    MAX_DEPTH,
    MAX_EVENTS,
    MAX_FILE_BYTES,
    MAX_OUTPUTS,
    MAX_PATH_POINTS,
    MAX_UNCERTAINTIES,
)
from simulate.parameters import DEFAULT_CONFIG, Config, domain, load_config

SCENARIO = "scenario.yaml"


@dataclass(frozen=True)
class HostileCase:
    """One hostile input: files, a command line, and what the refusal must name.

    Attributes:
        kind: The class of input, e.g. ``yaml.tag`` or ``result.metadata``.
        argv: The command line; ``{dir}`` stands for the folder of the files.
        files: File name -> content to write (bytes or text).
        specials: File name -> ``("fifo",)``, ``("dir",)`` or ``("symlink", target)``.
        file: The file name the message must contain (None: no file involved).
        field: Text the message must contain to name the field (None: no field).
        line: True when the message must give a line (``file:LINE:``).
        also: Further texts the message must contain.
    """

    kind: str
    argv: tuple[str, ...]
    files: Mapping[str, bytes | str] = field(default_factory=dict)
    specials: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    file: str | None = None
    field: str | None = None
    line: bool = False
    also: tuple[str, ...] = ()

    def materialise(self, folder: str | Path) -> list[str]:
        """Create the files in ``folder``; return the command line with paths filled in."""
        folder = Path(folder)
        for name, content in self.files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (folder / name).write_bytes(data)
        for name, spec in self.specials.items():
            path = folder / name
            if spec[0] == "fifo":
                os.mkfifo(path)
            elif spec[0] == "dir":
                path.mkdir()
            elif spec[0] == "symlink":
                path.symlink_to(spec[1])
        return [a.replace("{dir}", str(folder)) for a in self.argv]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:  # short, for hypothesis' falsifying examples
        sizes = {k: len(v) for k, v in self.files.items()}
        return (f"HostileCase({self.kind!r}, argv={self.argv!r}, files={sizes}, "
                f"specials={dict(self.specials)!r}, file={self.file!r}, field={self.field!r})")


_BASES: list[dict[str, Any]] = []
_CONFIG: list[Config] = []


def _cfg() -> Config:
    if not _CONFIG:
        _CONFIG.append(load_config())
    return _CONFIG[0]


def shipped_scenarios() -> list[dict[str, Any]]:
    """The shipped scenarios, resolved (``extends`` merged), as plain data."""
    if not _BASES:
        from simulate import scenario

        folder = Path(__file__).resolve().parents[2] / "scenarios"
        for path in sorted(folder.glob("*.yaml")):
            data = scenario.load(path).resolved()
            data.pop("config", None)
            _BASES.append(data)
        if not _BASES:  # an installed package without the scenarios folder
            _BASES.append({"name": "minimal", "description": "a valid scenario",
                           "horizon": {"start": 2024, "end": 2030, "step": "quarter"},
                           "runs": 10, "seed": 1})  # fmt: skip
    return _BASES


def _commands(draw: st.DrawFn) -> tuple[str, ...]:
    """How the scenario is handed over: validated, or run (refused before any work)."""
    return draw(st.sampled_from([
        ("validate", f"{{dir}}/{SCENARIO}"),
        ("run", f"{{dir}}/{SCENARIO}", "-n", "2", "-q", "-o", "{dir}/out.parquet"),
    ]))  # fmt: skip


def _text(data: Any) -> str:
    return yamlio.dumps(data)


def _case(draw: st.DrawFn, kind: str, text: str | bytes, field: str | None, line: bool = True,
          **extra: Any) -> HostileCase:  # fmt: skip
    files = {SCENARIO: text, **extra.pop("files", {})}
    return HostileCase(kind, _commands(draw) if "argv" not in extra else extra.pop("argv"),
                       files=files, file=extra.pop("file", SCENARIO), field=field, line=line,
                       **extra)  # fmt: skip


def _event(draw: st.DrawFn, data: dict) -> dict:
    cfg, hz = _cfg(), data["horizon"]
    kind = draw(st.sampled_from(["route_disruption", "capacity_shift", "sanctions_package"]))
    ev = {"type": kind, "at": float(hz["start"] + 1), "duration": 1.0, "magnitude": 0.2}
    if kind == "route_disruption":
        ev["target"] = cfg.route_names[0]
    elif kind == "capacity_shift":
        ev["target"] = cfg.powers[0]
    return ev


def _model_params() -> list[str]:
    cfg = _cfg()
    return [p for p in cfg.paths() if cfg.get(p).role == "model"]


def _with_one(draw: st.DrawFn, data: dict, section: str) -> tuple[dict, Any]:
    """``data`` with at least one entry in ``section``; returns the data and the entry's key."""
    data = copy.deepcopy(data)
    if section == "events":
        if not data.get("events"):
            data["events"] = [_event(draw, data)]
        return data, draw(st.integers(0, len(data["events"]) - 1))
    if section == "uncertainties":
        if not data.get("uncertainties"):
            p = "kazakhstan.choice_noise"
            data["uncertainties"] = [{"parameter": p, "dist": "uniform", "low": 0.05,
                                      "high": 0.1}]  # fmt: skip
            for sec in ("parameters", "paths"):
                (data.get(sec) or {}).pop(p, None)
        return data, draw(st.integers(0, len(data["uncertainties"]) - 1))
    taken = {u["parameter"] for u in data.get("uncertainties", [])}
    taken |= set(data.get("paths", {})) | set(data.get("parameters", {}))
    if not data.get(section):
        p = draw(st.sampled_from([p for p in _model_params() if p not in taken]))
        c = _cfg().get(p).central
        data[section] = {p: c} if section == "parameters" else {
            p: {data["horizon"]["start"]: c, data["horizon"]["end"]: c}}
    return data, draw(st.sampled_from(sorted(data[section])))


def _leaf(draw: st.DrawFn, data: dict) -> tuple[dict, tuple, str]:
    """A numeric field of the scenario: (data, path to it, its dotted name)."""
    where = draw(st.sampled_from(["runs", "seed", "horizon.start", "horizon.end", "event",
                                  "parameter", "path", "uncertainty"]))  # fmt: skip
    if where in ("runs", "seed"):
        return copy.deepcopy(data), (where,), where
    if where.startswith("horizon"):
        key = where.split(".")[1]
        return copy.deepcopy(data), ("horizon", key), where
    if where == "event":
        data, i = _with_one(draw, data, "events")
        key = draw(st.sampled_from(["at", "duration", "magnitude", "probability"]))
        return data, ("events", i, key), f"events.{i}.{key}"
    if where == "uncertainty":
        data, i = _with_one(draw, data, "uncertainties")
        u = data["uncertainties"][i]
        key = draw(st.sampled_from([k for k in u if k not in ("parameter", "dist")]))
        if isinstance(u[key], list):
            return data, ("uncertainties", i, key, 0), f"uncertainties.{i}.{key}"
        return data, ("uncertainties", i, key), f"uncertainties.{i}.{key}"
    if where == "parameter":
        data, p = _with_one(draw, data, "parameters")
        return data, ("parameters", p), f"parameters.{p}"
    data, p = _with_one(draw, data, "paths")
    year = draw(st.sampled_from(sorted(data["paths"][p])))
    return data, ("paths", p, year), f"paths.{p}"


def _set(data: dict, path: tuple, value: Any) -> dict:
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return data


@st.composite
def _bool_number(draw: st.DrawFn, data: dict) -> HostileCase:
    data, path, name = _leaf(draw, data)
    return _case(draw, "value.boolean", _text(_set(data, path, draw(st.booleans()))), name)


@st.composite
def _non_finite(draw: st.DrawFn, data: dict) -> HostileCase:
    data, path, name = _leaf(draw, data)
    value = draw(st.sampled_from([float("nan"), float("inf"), float("-inf")]))
    if path[0] == "paths" and draw(st.booleans()):  # the year itself
        series = data["paths"][path[1]]
        series[value] = series.pop(path[2])
    else:
        _set(data, path, value)
    return _case(draw, "value.non_finite", _text(data), name)


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
    data = _set(copy.deepcopy(data), tuple(name.split(".")), value)
    return _case(draw, "value.wrong_type", _text(data), name)


@st.composite
def _out_of_domain(draw: st.DrawFn, data: dict) -> HostileCase:
    cfg = _cfg()
    p = draw(st.sampled_from(_model_params()))
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
    return _case(draw, "value.out_of_domain", _text(data), name, also=("admissible range",))


def _misspell(draw: st.DrawFn, word: str) -> str:
    how = draw(st.sampled_from(["drop", "double", "swap"]))
    i = draw(st.integers(1, len(word) - 2))
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if word[i] != word[i + 1] else word + "x"


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
        data, i = _with_one(draw, data, "events")
        node, prefix = data["events"][i], f"events.{i}."
        key = draw(st.sampled_from(["magnitude", "duration", "target" if "target" in node
                                    else "magnitude"]))  # fmt: skip
    else:
        data, i = _with_one(draw, data, "uncertainties")
        node, prefix = data["uncertainties"][i], f"uncertainties.{i}."
        key = draw(st.sampled_from([k for k in node if k not in ("dist",) and len(k) > 3]))
    bad = _misspell(draw, key)
    if key not in node:
        node[key] = node.get(key)
    node[bad] = node.pop(key)
    return _case(draw, "field.misspelt", _text(data), prefix + bad,
                 also=("unknown field", f"did you mean '{key}'"))


@st.composite
def _unknown_parameter(draw: st.DrawFn, data: dict) -> HostileCase:
    section = draw(st.sampled_from(["parameters", "paths", "uncertainties"]))
    data, key = _with_one(draw, data, section)
    real = set(_cfg().paths())
    if section == "uncertainties":
        p = data["uncertainties"][key]["parameter"]
        bad = _misspell(draw, p)
        bad = bad if bad not in real else bad + "x"
        data["uncertainties"][key]["parameter"] = bad
        name = f"uncertainties.{key}.parameter"
    else:
        bad = _misspell(draw, key)
        bad = bad if bad not in real else bad + "x"
        data[section][bad] = data[section].pop(key)
        name = f"{section}.{bad}"
    return _case(draw, "field.unknown_parameter", _text(data), name, also=("unknown parameter",))


@st.composite
def _event_target(draw: st.DrawFn, data: dict) -> HostileCase:
    cfg, hz = _cfg(), data["horizon"]
    kind = draw(st.sampled_from(["sanctions_package", "route_disruption", "capacity_shift",
                                 "trade_shift", "investment_pledge", "coercion_campaign"]))
    wrong = {"sanctions_package": ["mars", cfg.route_names[0]],
             "route_disruption": ["mars", cfg.powers[0], None]}.get(
        kind, ["mars", cfg.route_names[0], None])  # fmt: skip
    ev = {"type": kind, "at": float(hz["start"] + 1), "duration": 1.0, "magnitude": 0.2,
          "target": draw(st.sampled_from(wrong))}  # fmt: skip
    data = copy.deepcopy(data)
    data["events"] = [*data.get("events", []), ev]
    i = len(data["events"]) - 1
    return _case(draw, "event.target", _text(data), f"events.{i}.target")


@st.composite
def _event_outside(draw: st.DrawFn, data: dict) -> HostileCase:
    data, i = _with_one(draw, data, "events")
    hz, ev = data["horizon"], data["events"][i]
    if draw(st.booleans()):
        ev["at"] = float(hz["end"] + 1 + draw(st.integers(0, 50)))
    else:
        ev["at"], ev["duration"] = float(hz["start"] - 5 - draw(st.integers(0, 50))), 1.0
    return _case(draw, "event.outside_horizon", _text(data), f"events.{i}.at",
                 also=("horizon",))


@st.composite
def _outputs(draw: st.DrawFn, data: dict) -> HostileCase:
    from simulate.variables import VARIABLES

    data = copy.deepcopy(data)
    how = draw(st.sampled_from(["twice", "unknown", "too_many"]))
    names = draw(st.lists(st.sampled_from(sorted(VARIABLES)), min_size=1, max_size=4,
                          unique=True))  # fmt: skip
    if how == "twice":
        data["outputs"] = [*names, names[0]]
        return _case(draw, "outputs.duplicate", _text(data), f"outputs.{len(names)}",
                     also=("twice",))
    if how == "unknown":
        data["outputs"] = [*names, _misspell(draw, names[0]) + "_x"]
        return _case(draw, "outputs.unknown", _text(data), f"outputs.{len(names)}")
    data["outputs"] = names * (MAX_OUTPUTS // len(names) + 1)
    return _case(draw, "limit.outputs", _text(data), "outputs", also=("limit",))


@st.composite
def _too_many(draw: st.DrawFn, data: dict) -> HostileCase:
    section = draw(st.sampled_from(["events", "uncertainties", "path_points"]))
    data, key = _with_one(draw, data, "events" if section == "events" else
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
    return _case(draw, "limit.count", _text(data), name, also=("limit",))


@st.composite
def _bad_name(draw: st.DrawFn, data: dict) -> HostileCase:
    data = copy.deepcopy(data)
    data["name"] = draw(st.sampled_from(["../../somewhere/x", "/tmp/abs", "a b", "x" * 65, "",
                                         ".hidden", "-x", "x/y", "nul\x00name", "é"]))
    return _case(draw, "field.name", _text(data), "name")


@st.composite
def _conflict(draw: st.DrawFn, data: dict) -> HostileCase:
    data, p = _with_one(draw, data, "parameters")
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
    return _case(draw, "rule.one_setting", _text(data), f"parameters.{p}", also=(other,))


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
        data, i = _with_one(draw, data, "events")
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
    return _case(draw, "value.out_of_range", _text(data), name)


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
    return _case(draw, "resources.estimate", _text(data), "runs", line=False, argv=argv,
                 also=("needs about",))


DATA_MUTATIONS = (_bool_number, _non_finite, _wrong_type, _out_of_domain, _misspelt_field,
                  _unknown_parameter, _event_target, _event_outside, _outputs, _too_many,
                  _bad_name, _conflict, _out_of_range, _too_big)  # fmt: skip


def _line_of(text: str, key: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if line.startswith(f"{key}:"))


def _replace_value(text: str, key: str, value: str) -> str:
    """Replace the value of top-level ``key`` (a one-line value) in block YAML ``text``."""
    lines = text.splitlines()
    i = _line_of(text, key) - 1
    end = i + 1
    while end < len(lines) and lines[end].startswith(" "):  # the rest of a multi-line value
        end += 1
    lines[i:end] = [f"{key}: {value}"]
    return "\n".join(lines) + "\n"


_TAGGED = ["!!timestamp '2024-02-30'", "!!bool 'maybe'", "!!int 'abc'", "!!int '0x'",
           "!!float 'x'", "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=",
           "!!set {a, b}", "!!omap [a: 1]", "!foo 1", "!!str [1]", "!!null 'x'"]  # fmt: skip


@st.composite
def _yaml_tag(draw: st.DrawFn, data: dict) -> HostileCase:
    text = _text(data)
    key = draw(st.sampled_from(["runs", "seed", "description", "name", "extra_field"]))
    value = draw(st.sampled_from(_TAGGED))
    if key == "extra_field":
        text += f"extra_field: {value}\n"
    else:
        text = _replace_value(text, key, value)
    if draw(st.booleans()):  # a %TAG directive redefining the !! handle
        text = "%TAG !! tag:example.com,2000:\n---\n" + text
    return _case(draw, "yaml.tag", text, key)


@st.composite
def _yaml_date(draw: st.DrawFn, data: dict) -> HostileCase:
    text = _text(data)
    key = draw(st.sampled_from(["runs", "seed"]))
    value = draw(st.sampled_from(["2024-00-10", "2024-02-30", "2024-01-01", "2024-1-1 10:00"]))
    return _case(draw, "yaml.date", _replace_value(text, key, value), key)


@st.composite
def _yaml_merge(draw: st.DrawFn, data: dict) -> HostileCase:
    hz = data["horizon"]
    text = _text({k: v for k, v in data.items() if k != "horizon"})
    text += (f"defaults: &d {{start: {hz['start']}, end: {hz['end']}}}\n"
             f"horizon: {{<<: *d, step: {hz['step']}}}\n")  # fmt: skip
    return _case(draw, "yaml.merge", text, "horizon")


@st.composite
def _yaml_deep(draw: st.DrawFn, data: dict) -> HostileCase:
    depth = draw(st.sampled_from([MAX_DEPTH + 1, 100, 900, 1500, 5000]))
    key = draw(st.sampled_from(["description", "unknown_field", "parameters", "events"]))
    shape = draw(st.sampled_from(["list", "map", "block"]))
    if shape == "list":
        value = "[" * depth + "]" * depth
    elif shape == "map":
        value = "{a: " * depth + "1" + "}" * depth
    else:
        value = "".join("\n" + "  " * (i + 1) + "a:" for i in range(min(depth, 400))) + " 1"
    text = {k: v for k, v in data.items() if k != key}
    return _case(draw, "yaml.deep", _text(text) + f"{key}: {value}\n", key)


@st.composite
def _yaml_alias(draw: st.DrawFn, data: dict) -> HostileCase:
    key = draw(st.sampled_from(["description", "unknown_field", "events"]))
    how = draw(st.sampled_from(["recursive_list", "recursive_map", "laughs"]))
    if how == "recursive_list":
        value = " &a [*a]"
    elif how == "recursive_map":
        value = " &a {k: *a}"
    else:
        levels = draw(st.integers(6, 12))
        value = "\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]" + "".join(
            f"\n  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels))
    text = {k: v for k, v in data.items() if k != key}
    return _case(draw, "yaml.alias", _text(text) + f"{key}:{value}\n", key)


@st.composite
def _yaml_duplicate(draw: st.DrawFn, data: dict) -> HostileCase:
    text = _text(data)
    if draw(st.booleans()):
        key = draw(st.sampled_from(["runs", "seed", "name"]))
        value = {"runs": "0", "seed": "3", "name": "other"}[key]
        text = text + f"{key}: {value}\n"
        return _case(draw, "yaml.duplicate_key", text, key, also=("duplicate",))
    hz = data["horizon"]
    text = _text({k: v for k, v in data.items() if k != "horizon"})
    text += f"horizon:\n  start: {hz['start']}\n  end: {hz['end']}\n  start: {hz['start'] + 1}\n"
    return _case(draw, "yaml.duplicate_key", text, "horizon.start", also=("duplicate",))


@st.composite
def _yaml_syntax(draw: st.DrawFn, data: dict) -> HostileCase:
    text = _text(data)
    how = draw(st.sampled_from(["unclosed", "tab", "control", "utf8", "empty", "comments",
                                "list", "scalar", "two_docs", "too_big", "quote", "colon"]))
    field_, line = None, True
    if how == "unclosed":
        text += "extra: [1, 2\n"
    elif how == "tab":
        text += "extra:\n\t- 1\n"
    elif how == "control":
        text += "extra: \x07bell\n"
    elif how == "utf8":
        return _case(draw, "yaml.syntax", text.encode() + b"extra: \xff\xfe\n", None)
    elif how == "empty":
        text = ""
    elif how == "comments":
        text = "# nothing but a comment\n"
    elif how == "list":
        text = "- a\n- b\n"
    elif how == "scalar":
        text = "just text\n"
    elif how == "two_docs":
        text = text + "---\n" + text
    elif how == "too_big":
        text += ("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
        line = False
    elif how == "quote":
        text += "extra: 'unclosed\n"
    else:
        text += "extra: a: b: c\n"
    return _case(draw, "yaml.syntax", text, field_, line=line)


TEXT_MUTATIONS = (_yaml_tag, _yaml_date, _yaml_merge, _yaml_deep, _yaml_alias, _yaml_duplicate,
                  _yaml_syntax)  # fmt: skip


def _laughs(levels: int = 10) -> str:
    return "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, levels))


@st.composite
def _reference(draw: st.DrawFn, data: dict) -> HostileCase:
    """``extends:`` or ``config:`` pointing somewhere it must not, or at a broken file."""
    key = draw(st.sampled_from(["extends", "config"]))
    target = draw(st.sampled_from([
        "wrong_type", "empty", "nul", "too_long", "missing", "folder", "fifo", "dev_zero",
        "proc", "not_yaml", "symlink_loop", "symlink_device", "broken_inside", "laughs",
        "cycle",
    ]))  # fmt: skip
    data = copy.deepcopy(data)
    files: dict[str, bytes | str] = {}
    specials: dict[str, tuple[str, ...]] = {}
    file, field_, also = SCENARIO, key, ()
    value: Any = f"{target}.yaml"  # relative to the scenario, like any extends or config
    if target == "wrong_type":
        value = draw(st.sampled_from([1.5, [1, 2], {"a": 1}, True, 7]))
    elif target == "empty":
        value = draw(st.sampled_from(["", "   "]))
    elif target == "nul":
        value = "a\x00b.yaml"
    elif target == "too_long":
        value = "x" * draw(st.sampled_from([256, 300, 5000])) + ".yaml"
    elif target == "folder":
        specials["folder.yaml"] = ("dir",)
    elif target == "fifo":
        specials["fifo.yaml"] = ("fifo",)
    elif target == "dev_zero":
        value = "/dev/zero"
    elif target == "proc":
        value = draw(st.sampled_from(["/proc/self/environ", "/proc/self/status",
                                      "/proc/self/cmdline"]))  # fmt: skip
    elif target == "not_yaml":
        value = "notes.txt"
        files["notes.txt"] = "name: x\n"
    elif target == "symlink_loop":
        specials["symlink_loop.yaml"] = ("symlink", "other_loop.yaml")
        specials["other_loop.yaml"] = ("symlink", "symlink_loop.yaml")
    elif target == "symlink_device":
        specials["symlink_device.yaml"] = ("symlink", "/dev/zero")
    elif target == "broken_inside":  # an error inside the named file names both files
        inner = "bogus_field: 1\n" if key == "extends" else DEFAULT_CONFIG.read_text().replace(
            "schema_version: 1", "schema_version: 1\nbogus_field: 1", 1)  # fmt: skip
        files["broken_inside.yaml"] = inner
        file, field_, also = "broken_inside.yaml", "bogus_field", (SCENARIO,)
    elif target == "laughs":
        files["laughs.yaml"] = _laughs()
        file, field_, also = "laughs.yaml", None, (SCENARIO,)
    elif target == "cycle":
        if key == "extends":
            files["cycle.yaml"] = f"extends: {SCENARIO}\n"
            file, also = "cycle.yaml", ("cycle",)
        else:
            value, field_ = SCENARIO, None  # a scenario is not a config
    data[key] = value
    return _case(draw, f"reference.{key}", _text(data), field_, files=files, specials=specials,
                 file=file, also=also)


@st.composite
def hostile_scenarios(draw: st.DrawFn, bases: list[dict] | None = None) -> HostileCase:
    """A hostile scenario: a shipped (or given) valid scenario with one hostile change.

    Args:
        bases: Valid scenarios as plain data (default: the shipped scenarios, resolved).
    """
    data = draw(st.sampled_from(bases or shipped_scenarios()))
    mutation = draw(st.sampled_from((*DATA_MUTATIONS, *TEXT_MUTATIONS, _reference)))
    case = draw(mutation(data))
    return case
