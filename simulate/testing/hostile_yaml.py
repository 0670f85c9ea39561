"""Hostile YAML text for :func:`simulate.testing.hostile.hostile_scenarios`.

Tags other than plain data, unquoted dates, merge and duplicate keys, deep nesting,
recursive aliases and alias bombs, syntax errors and oversized files, and files
named by ``extends:`` or ``config:`` that are special files, system files, symlink
loops, cycles or broken themselves.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from simulate.io.limits import MAX_DEPTH, MAX_FILE_BYTES
from simulate.scenarios.parameters import DEFAULT_CONFIG
from simulate.testing.hostile import SCENARIO, HostileCase, as_yaml, case


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
    text = as_yaml(data)
    key = draw(st.sampled_from(["runs", "seed", "description", "name", "extra_field"]))
    value = draw(st.sampled_from(_TAGGED))
    if key == "extra_field":
        text += f"extra_field: {value}\n"
    else:
        text = _replace_value(text, key, value)
    if draw(st.booleans()):  # a %TAG directive redefining the !! handle
        text = "%TAG !! tag:example.com,2000:\n---\n" + text
    return case(draw, "yaml.tag", text, key)


@st.composite
def _yaml_date(draw: st.DrawFn, data: dict) -> HostileCase:
    text = as_yaml(data)
    key = draw(st.sampled_from(["runs", "seed"]))
    value = draw(st.sampled_from(["2024-00-10", "2024-02-30", "2024-01-01", "2024-1-1 10:00"]))
    return case(draw, "yaml.date", _replace_value(text, key, value), key)


@st.composite
def _yaml_merge(draw: st.DrawFn, data: dict) -> HostileCase:
    hz = data["horizon"]
    text = as_yaml({k: v for k, v in data.items() if k != "horizon"})
    text += (f"defaults: &d {{start: {hz['start']}, end: {hz['end']}}}\n"
             f"horizon: {{<<: *d, step: {hz['step']}}}\n")  # fmt: skip
    return case(draw, "yaml.merge", text, "horizon")


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
    return case(draw, "yaml.deep", as_yaml(text) + f"{key}: {value}\n", key)


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
    return case(draw, "yaml.alias", as_yaml(text) + f"{key}:{value}\n", key)


@st.composite
def _yaml_duplicate(draw: st.DrawFn, data: dict) -> HostileCase:
    text = as_yaml(data)
    if draw(st.booleans()):
        key = draw(st.sampled_from(["runs", "seed", "name"]))
        value = {"runs": "0", "seed": "3", "name": "other"}[key]
        text = text + f"{key}: {value}\n"
        return case(draw, "yaml.duplicate_key", text, key, also=("duplicate",))
    hz = data["horizon"]
    text = as_yaml({k: v for k, v in data.items() if k != "horizon"})
    text += f"horizon:\n  start: {hz['start']}\n  end: {hz['end']}\n  start: {hz['start'] + 1}\n"
    return case(draw, "yaml.duplicate_key", text, "horizon.start", also=("duplicate",))


@st.composite
def _yaml_syntax(draw: st.DrawFn, data: dict) -> HostileCase:
    text = as_yaml(data)
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
        return case(draw, "yaml.syntax", text.encode() + b"extra: \xff\xfe\n", None)
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
    return case(draw, "yaml.syntax", text, field_, line=line)




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
    return case(draw, f"reference.{key}", as_yaml(data), field_, files=files, specials=specials,
                 file=file, also=also)




TEXT_MUTATIONS = (_yaml_tag, _yaml_date, _yaml_merge, _yaml_deep, _yaml_alias, _yaml_duplicate,
                  _yaml_syntax, _reference)  # fmt: skip
