"""Compose a scenario from its file and every file it ``extends``, remembering origins.

A scenario given by the bare name of a shipped scenario (``middle_corridor``, when no
file of that name is here) is that shipped file (:func:`simulate.io.shipped.resolve_scenario`).
Each layer (the scenario, its parent, the parent's parent...) is read with the
limits of :mod:`simulate.io.yamlio`; ``extends:`` and ``config:`` are resolved
relative to the file that names them, and must be regular YAML files; ``extends:``
may also name a shipped scenario (``extends: baseline``, see
:func:`simulate.io.shipped.named_from`). Mappings
merge deeply, everything else is replaced. The rule "a parameter is set by at most
one of ``parameters``, ``paths`` and ``uncertainties``" holds across layers: the
child's setting wins over the parent's and a note says so. Every merged value keeps
its :class:`Origin` (file, line, and the chain of files that led there), so any
later error names the file and line where the value was written and how that file
was reached.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulate.errors import InputError
from simulate.io import shipped, yamlio
from simulate.io.limits import MAX_EXTENDS, MAX_PATH_POINTS, SECTION_LIMITS
from simulate.io.shipped import named_from
from simulate.io.yamlio import Located, Ref

#: The sections that may each set a parameter, and what a setting there is called.
SETTINGS = {"parameters": "fixed value", "paths": "time path", "uncertainties": "uncertainty"}


@dataclass(frozen=True)
class Origin:
    """Where a merged value was written: file and line (and how that file was reached)."""

    file: str
    line: int | None
    via: tuple[str, ...] = ()


@dataclass
class Composed:
    """A scenario's merged data, the origin of each key path, and notes for the user.

    ``file`` names the scenario in messages: its path, or ``<scenario>`` for a mapping.
    """

    data: dict[str, Any]
    origins: dict[tuple, Origin]
    notes: list[str] = field(default_factory=list)
    file: str = "<scenario>"


def deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` into ``base``: mappings recursively, everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def compose(source: str | Path | dict) -> Composed:
    """Read a scenario (a file, a shipped scenario's name or a mapping) and everything it
    extends, merged.

    Raises:
        InputError: naming file, line and field (and the chain of ``extends``); a bare
            name that is neither a file here nor a shipped scenario.
    """
    if not isinstance(source, dict):
        source = shipped.resolve_scenario(source)  # a shipped scenario's name: its file
    if isinstance(source, dict):
        file = "<scenario>"
        located = yamlio.from_data(source, file)
        base_dir, chain = Path.cwd(), ()
    else:
        file = str(source)
        located = yamlio.load_file(source)
        real = os.path.realpath(source)
        base_dir, chain = Path(real).parent, (real,)
    out = _layer(located, base_dir, chain, ())
    out.data = _normalise_path_years(out.data)
    out.file = file
    check_finite(out.data, out.origins, located.file or "<scenario>")
    return out


def _fail(message: str, located: Located, path: tuple, via: tuple[str, ...]) -> InputError:
    return InputError(message, file=located.file, line=located.line_of(path),
                      field=".".join(map(str, path)) or None, via=via)  # fmt: skip


def _layer(located: Located, base_dir: Path, chain: tuple[str, ...],
           via: tuple[str, ...]) -> Composed:  # fmt: skip
    """One file's data merged over everything it extends."""
    data = located.data
    if data is None:
        raise InputError("the file is empty; expected a scenario mapping", file=located.file,
                         line=1, via=via)  # fmt: skip
    if not isinstance(data, dict):
        raise InputError(f"the top level must be a mapping of fields, got "
                         f"{type(data).__name__}", file=located.file, line=1,
                         via=via)  # fmt: skip
    _check_sections(located, via)
    origins = {p: Origin(located.file or "<scenario>", ln, via) for p, ln in located.lines.items()}
    data = dict(data)
    if isinstance(data.get("config"), str):
        name = _file_name(data["config"], located, ("config",), via)
        data["config"] = os.path.join(base_dir, name)
    elif "config" in data and data["config"] is not None:
        raise _fail("expected a file path (text)", located, ("config",), via)
    if isinstance(data.get("actors"), list):  # an actor file, relative to this file
        from simulate.scenarios.actors import is_file_ref

        data["actors"] = [os.path.join(base_dir, _file_name(a, located, ("actors", i), via))
                          if isinstance(a, str) and is_file_ref(a) else a
                          for i, a in enumerate(data["actors"])]  # fmt: skip
    parent = data.get("extends")
    if parent is None:
        return Composed(data, origins)
    if not isinstance(parent, str):
        raise _fail("expected a file path (text)", located, ("extends",), via)
    name = _file_name(parent, located, ("extends",), via)
    ref = Ref(located.file or "<scenario>", located.line_of(("extends",)), "extends")
    joined, shipped_note = named_from(name, base_dir)
    if shipped.is_name(name) and not os.path.lexists(joined):
        from simulate.scenarios.domains import suggestion

        known = shipped.scenario_names()
        raise _fail(f"no scenario {name}.yaml beside this file and no shipped scenario of that "
                    f"name{suggestion(name, known)} (shipped: {', '.join(known) or 'none'})",
                    located, ("extends",), via)  # fmt: skip
    real = os.path.realpath(joined)
    if real in chain:
        cycle = " -> ".join(_short(p) for p in (*chain, real))
        raise _fail(f"extends cycle: {cycle}", located, ("extends",), via)
    if len(chain) >= MAX_EXTENDS:
        raise _fail(f"more than {MAX_EXTENDS} files in the extends chain", located,
                    ("extends",), via)  # fmt: skip
    text = yamlio.read_text(joined, named_at=ref)
    inner_via = (*via, str(ref))
    try:
        plocated = yamlio.loads(text, yamlio.show_path(Path(joined)))
    except InputError as exc:
        raise InputError(exc.message, file=exc.file, line=exc.line, field=exc.field,
                         via=inner_via) from None  # fmt: skip
    parent_layer = _layer(plocated, Path(real).parent, (*chain, real), inner_via)
    # a child inherits the world, not the parent's declared expectations
    pdata = {k: v for k, v in parent_layer.data.items() if k not in ("extends", "expect")}
    porigins = parent_layer.origins
    notes = list(parent_layer.notes)
    if shipped_note:
        notes.append(f"{_at(origins.get(('extends',)))}: extends: {shipped_note}")
    pdata, porigins = _child_settings_win(pdata, porigins, data, origins, notes)
    merged = deep_merge(pdata, data)
    merged.pop("extends", None)
    porigins.update(origins)
    return Composed(merged, porigins, notes)


def _file_name(value: str, located: Located, path: tuple, via: tuple[str, ...]) -> str:
    if not value.strip():
        raise _fail("expected a file path, got an empty text", located, path, via)
    if "\x00" in value:
        raise _fail("the file name contains a NUL byte", located, path, via)
    return value


def _short(path: str) -> str:
    return os.path.basename(path) or path


def _check_sections(located: Located, via: tuple[str, ...]) -> None:
    """Refuse a section with more entries than its limit, before any work on it."""
    for key, (limit, what) in SECTION_LIMITS.items():
        value = located.data.get(key)
        if isinstance(value, list | dict) and len(value) > limit:
            raise _fail(f"{len(value):,} {what}; the limit is {limit:,}", located, (key,), via)
    paths = located.data.get("paths")
    for name, series in paths.items() if isinstance(paths, dict) else ():
        if isinstance(series, dict) and len(series) > MAX_PATH_POINTS:
            raise _fail(f"{len(series):,} points in one path; the limit is "
                        f"{MAX_PATH_POINTS:,}", located, ("paths", name), via)  # fmt: skip


def _settings_of(data: dict) -> dict[str, dict[str, Any]]:
    """Which parameters each section sets: section -> {parameter: key in that section}."""
    out: dict[str, dict[str, Any]] = {s: {} for s in SETTINGS}
    for section in ("parameters", "paths"):
        if isinstance(data.get(section), dict):
            out[section] = {p: p for p in data[section] if isinstance(p, str)}
    if isinstance(data.get("uncertainties"), list):
        for i, u in enumerate(data["uncertainties"]):
            if isinstance(u, dict) and isinstance(u.get("parameter"), str):
                out["uncertainties"].setdefault(u["parameter"], i)
    return out


def _child_settings_win(pdata: dict, porigins: dict[tuple, Origin], child: dict,
                        corigins: dict[tuple, Origin], notes: list[str],
                        ) -> tuple[dict, dict[tuple, Origin]]:  # fmt: skip
    """Drop the parent's setting of every parameter the child sets in another section.

    A child that gives its own ``uncertainties`` replaces the parent's list anyway
    (lists are replaced, not merged): nothing of that list is dropped or noted.
    """
    mine, theirs = _settings_of(child), _settings_of(pdata)
    if "uncertainties" in child:
        theirs["uncertainties"] = {}
    drop: dict[str, set] = {s: set() for s in SETTINGS}
    for section, params in mine.items():
        for p, key in params.items():
            for other in SETTINGS:
                if other != section and p in theirs[other]:
                    drop[other].add(theirs[other][p])
                    c = corigins.get((section, key)) or corigins.get((section,))
                    o = porigins.get((other, theirs[other][p])) or porigins.get((other,))
                    notes.append(f"{_at(c)}: {section} {p} replaces the {SETTINGS[other]} of "
                                 f"{p} in {_at(o)}")  # fmt: skip
    if not any(drop.values()):
        return pdata, porigins
    pdata = dict(pdata)
    origins = dict(porigins)
    for section in ("parameters", "paths"):
        if drop[section]:
            pdata[section] = {k: v for k, v in pdata[section].items() if k not in drop[section]}
    if drop["uncertainties"]:
        kept = [i for i in range(len(pdata["uncertainties"])) if i not in drop["uncertainties"]]
        pdata["uncertainties"] = [pdata["uncertainties"][i] for i in kept]
        origins = {p: o for p, o in origins.items() if p[:1] != ("uncertainties",) or len(p) == 1}
        for new, old in enumerate(kept):
            for p, o in porigins.items():
                if p[:2] == ("uncertainties", old):
                    origins[("uncertainties", new, *p[2:])] = o
    return pdata, origins


def _at(origin: Origin | None) -> str:
    if origin is None:
        return "<scenario>"
    return f"{origin.file}:{origin.line}" if origin.line else origin.file


def _normalise_path_years(data: dict) -> dict:
    """Path years written as text that reads as a number (from JSON) become numbers."""
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return data
    out = {}
    for p, series in paths.items():
        if isinstance(series, dict):
            series = {_year(k): v for k, v in series.items()}
        out[p] = series
    return {**data, "paths": out}


def _year(key: Any) -> Any:
    if isinstance(key, str):
        try:
            return float(key)
        except ValueError:
            return key
    return key


def check_finite(data: Any, origins: dict[tuple, Origin], name: str, path: tuple = ()) -> None:
    """Refuse NaN and infinite numbers anywhere in a scenario (as values or path years).

    Parameter values (``parameters`` and ``paths``) are left to the domain check of
    :mod:`simulate.scenarios.domains`, which answers them as it answers ``--set``.
    """
    if _domain_checked(path):
        return
    if isinstance(data, float) and not math.isfinite(data):
        raise _not_finite(data, origins, name, path)
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, float) and not math.isfinite(k):  # a path year, say
                raise _not_finite(k, origins, name, path + (k,))
            check_finite(v, origins, name, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            check_finite(v, origins, name, path + (i,))


def _not_finite(x: float, origins: dict[tuple, Origin], name: str, path: tuple) -> InputError:
    o = _nearest(origins, path)
    return InputError(f"{x} is not a finite number", file=o.file if o else name,
                      line=o.line if o else None, field=".".join(map(str, path)) or None,
                      via=o.via if o else ())  # fmt: skip


def _domain_checked(path: tuple) -> bool:
    return (len(path) == 2 and path[0] == "parameters") or (len(path) == 3 and path[0] == "paths")


def _nearest(origins: dict[tuple, Origin], path: tuple) -> Origin | None:
    while path:
        if path in origins:
            return origins[path]
        path = path[:-1]
    return origins.get(())
