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

This module holds the case type, the building blocks and :func:`hostile_scenarios`;
the mutations live in :mod:`simulate.testing.hostile_values` (values and fields) and
:mod:`simulate.testing.hostile_yaml` (YAML text, files named by ``extends:``/``config:``);
:mod:`simulate.testing.hostile_cli` builds hostile result files and arguments.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from simulate.io import yamlio
from simulate.scenarios import events as event_kinds
from simulate.scenarios.parameters import Config, load_config

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
        field: Text the message must contain to name the field of a file (None: no field).
        option: The option or argument of the command line the message must name, for
            a bad command line (None: none).
        line: True when the message must give a line (``file:LINE:``).
        also: Further texts the message must contain.
    """

    kind: str
    argv: tuple[str, ...]
    files: Mapping[str, bytes | str] = field(default_factory=dict)
    specials: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    file: str | None = None
    field: str | None = None
    option: str | None = None
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
                f"specials={dict(self.specials)!r}, file={self.file!r}, field={self.field!r}, "
                f"option={self.option!r})")


_BASES: list[dict[str, Any]] = []
_CONFIG: list[Config] = []


def config() -> Config:
    """The shipped default config (loaded once)."""
    if not _CONFIG:
        _CONFIG.append(load_config())
    return _CONFIG[0]


def shipped_scenarios() -> list[dict[str, Any]]:
    """The shipped scenarios, resolved (``extends`` merged), as plain data."""
    if not _BASES:
        from simulate.scenarios import scenario

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


def commands(draw: st.DrawFn) -> tuple[str, ...]:
    """How the scenario is handed over: validated, or run (refused before any work)."""
    return draw(st.sampled_from([
        ("validate", f"{{dir}}/{SCENARIO}"),
        ("run", f"{{dir}}/{SCENARIO}", "-n", "2", "-q", "-o", "{dir}/out.parquet"),
    ]))  # fmt: skip


def as_yaml(data: Any) -> str:
    """Plain data as block YAML, one top-level key per line."""
    return yamlio.dumps(data)


def case(draw: st.DrawFn, kind: str, text: str | bytes, field: str | None, line: bool = True,
          **extra: Any) -> HostileCase:  # fmt: skip
    """A case whose scenario file holds ``text``; ``extra`` overrides files, argv, file..."""
    files = {SCENARIO: text, **extra.pop("files", {})}
    return HostileCase(kind, commands(draw) if "argv" not in extra else extra.pop("argv"),
                       files=files, file=extra.pop("file", SCENARIO), field=field, line=line,
                       **extra)  # fmt: skip


def valid_event(draw: st.DrawFn, data: dict) -> dict:
    """An event of any registered kind that ``data``'s horizon and the default config accept."""
    cfg, hz = config(), data["horizon"]
    kind = event_kinds.KINDS[draw(st.sampled_from(list(event_kinds.KINDS)))]
    ev = {"type": kind.name, "at": float(hz["start"] + 1), "duration": 1.0,
          "magnitude": valid_magnitude(kind)}  # fmt: skip
    if kind.needs_target:
        ev["target"] = event_kinds.target_names(cfg, kind.target)[0]
    return ev


def valid_magnitude(kind: event_kinds.EventKind) -> float:
    """A magnitude ``kind`` accepts: 0.2, or the nearest end of its sample range."""
    low, high = kind.sample
    return min(max(0.2, low), high)


def model_parameters() -> list[str]:
    """The default config's model parameters."""
    cfg = config()
    return [p for p in cfg.paths() if cfg.get(p).role == "model"]


def with_one(draw: st.DrawFn, data: dict, section: str) -> tuple[dict, Any]:
    """``data`` with at least one entry in ``section``; returns the data and the entry's key."""
    data = copy.deepcopy(data)
    if section == "events":
        if not data.get("events"):
            data["events"] = [valid_event(draw, data)]
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
        p = draw(st.sampled_from([p for p in model_parameters() if p not in taken]))
        c = config().get(p).central
        data[section] = {p: c} if section == "parameters" else {
            p: {data["horizon"]["start"]: c, data["horizon"]["end"]: c}}
    return data, draw(st.sampled_from(sorted(data[section])))


def numeric_field(draw: st.DrawFn, data: dict) -> tuple[dict, tuple, str]:
    """A numeric field of the scenario: (data, path to it, its dotted name)."""
    where = draw(st.sampled_from(["runs", "seed", "horizon.start", "horizon.end", "event",
                                  "parameter", "path", "uncertainty"]))  # fmt: skip
    if where in ("runs", "seed"):
        return copy.deepcopy(data), (where,), where
    if where.startswith("horizon"):
        key = where.split(".")[1]
        return copy.deepcopy(data), ("horizon", key), where
    if where == "event":
        data, i = with_one(draw, data, "events")
        key = draw(st.sampled_from(["at", "duration", "magnitude", "probability"]))
        return data, ("events", i, key), f"events.{i}.{key}"
    if where == "uncertainty":
        data, i = with_one(draw, data, "uncertainties")
        u = data["uncertainties"][i]
        key = draw(st.sampled_from([k for k in u if k not in ("parameter", "dist")]))
        if isinstance(u[key], list):
            return data, ("uncertainties", i, key, 0), f"uncertainties.{i}.{key}"
        return data, ("uncertainties", i, key), f"uncertainties.{i}.{key}"
    if where == "parameter":
        data, p = with_one(draw, data, "parameters")
        return data, ("parameters", p), f"parameters.{p}"
    data, p = with_one(draw, data, "paths")
    year = draw(st.sampled_from(sorted(data["paths"][p])))
    return data, ("paths", p, year), f"paths.{p}"


def set_at(data: dict, path: tuple, value: Any) -> dict:
    """``data`` with ``value`` at key ``path`` (changed in place)."""
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return data


def misspell(draw: st.DrawFn, word: str) -> str:
    """``word`` with one letter dropped, doubled or swapped (never the first or last)."""
    how = draw(st.sampled_from(["drop", "double", "swap"]))
    i = draw(st.integers(1, len(word) - 2))
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if word[i] != word[i + 1] else word + "x"


@st.composite
def hostile_scenarios(draw: st.DrawFn, bases: list[dict] | None = None) -> HostileCase:
    """A hostile scenario: a shipped (or given) valid scenario with one hostile change.

    Args:
        bases: Valid scenarios as plain data (default: the shipped scenarios, resolved).
    """
    from simulate.testing.hostile_values import DATA_MUTATIONS
    from simulate.testing.hostile_yaml import TEXT_MUTATIONS

    data = draw(st.sampled_from(bases or shipped_scenarios()))
    mutation = draw(st.sampled_from((*DATA_MUTATIONS, *TEXT_MUTATIONS)))
    return draw(mutation(data))

