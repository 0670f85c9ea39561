"""Actors in their own files: a power or a transit state that a scenario or a config adds.

An actor file (``configs/actors/<name>.yaml``) holds one actor: its kind (``power`` or
``transit``), label, the instruments a power holds, the routes whose path crosses it,
and its parameters, each with a value, a unit and its provenance (a seed quote, an
observed figure of the history file, or an assumption with its reason and a prior),
exactly as in a config. A scenario adds actors with ``actors: [turkey, usa]``; a config
with an entry of its ``actors:`` mapping that names the file instead of describing the
actor (``turkey: actors/turkey.yaml``). A name is a shipped actor file; a path (one
with a folder or a ``.yaml`` suffix) is read relative to the file that names it.

What an added actor changes, and nothing else (no code):

* its parameter group joins the config, and its name the routes it crosses;
* a power's trade and FDI inflow at the start were counted in the hedger's rest of the
  world, and are carved out of it (``rest_of_world``, see
  :data:`simulate.scenarios.parameters.CARVED`), so Kazakhstan's total trade and FDI at
  the start stay what was observed.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulate.errors import InputError
from simulate.io import shipped, yamlio
from simulate.scenarios.parameters import Config, Parameter, config_from_mapping

#: Fields an actor file describes the actor with (the rest is its parameter group).
_DESCRIBES = ("kind", "label", "instruments", "crosses")


class ActorFile(BaseModel):
    """One actor and its parameters, as a file holds them."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = 1
    name: str = Field(description="The actor's name: its parameter group and entity label")
    kind: Literal["power", "transit"]
    label: str
    description: str = ""
    instruments: list[str] = Field(default_factory=list)
    crosses: list[str] = Field(default_factory=list, description="Routes whose path crosses it")
    parameters: dict[str, Parameter]


def folder() -> Path:
    """The folder of the shipped actor files."""
    return shipped.folder("configs") / "actors"


def shipped_names() -> list[str]:
    """The names of the shipped actors."""
    d = folder()
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def is_file_ref(ref: str) -> bool:
    """True when ``ref`` names a file (a folder or a YAML suffix), not a shipped actor."""
    return not shipped.is_name(ref)


def locate(ref: str, base: str | Path | None = None) -> Path:
    """The actor file ``ref`` names: a shipped actor's name, or a path relative to ``base``.

    Raises:
        InputError: no such shipped actor (the message lists them).
    """
    if is_file_ref(ref):
        return Path(ref) if base is None or os.path.isabs(ref) else Path(base) / ref
    found = folder() / f"{ref}.yaml"
    if not found.is_file():
        from simulate.scenarios.domains import suggestion

        names = shipped_names()
        raise InputError(f"no shipped actor {ref!r}{suggestion(ref, names)}; shipped: "
                         f"{', '.join(names) or 'none'} (or give a file path)")  # fmt: skip
    return found


def read(path: str | Path) -> tuple[ActorFile, yamlio.Located]:
    """An actor file, validated (errors name the file, line and field); cached per version."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        raise InputError("actor file not found", file=str(p)) from None
    return _read(str(p), mtime)


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> tuple[ActorFile, yamlio.Located]:
    del mtime_ns  # part of the cache key: an edited file is read again
    located = yamlio.load_file(path)
    if not isinstance(located.data, dict):
        raise InputError("an actor file is a YAML mapping", file=located.file, line=1)
    try:
        actor = ActorFile.model_validate(located.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise InputError(err["msg"], file=located.file, line=located.line_of(loc),
                         field=".".join(str(x) for x in loc) or None) from None  # fmt: skip
    return actor, located


def add(data: dict[str, Any], actor: ActorFile, path: Path) -> dict[str, Any]:
    """Config data (a plain mapping) with ``actor`` added: its description, its parameter
    group, and its name on the routes it crosses (the config validates the rest)."""
    if actor.name in data.get("actors", {}):
        raise InputError(f"the config already has an actor {actor.name!r}", file=str(path),
                         field="name")  # fmt: skip
    out = copy.deepcopy(data)
    out["actors"][actor.name] = {
        **{k: copy.deepcopy(getattr(actor, k)) for k in _DESCRIBES},
        "rest_of_world": actor.kind == "power", "file": str(path),
    }  # fmt: skip
    out.setdefault("parameters", {})[actor.name] = {
        k: v.model_dump(mode="json", exclude_none=True) for k, v in actor.parameters.items()}
    return out


def expand(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Config data whose ``actors:`` entries that name a file are replaced by that actor."""
    named = {k: v for k, v in (data.get("actors") or {}).items() if isinstance(v, str)}
    if not named:
        return data
    out = dict(data, actors={k: v for k, v in data["actors"].items() if k not in named})
    for key, ref in named.items():
        path = locate(ref, base)
        actor, _ = read(path)
        if actor.name != key:
            raise InputError(f"actors.{key} names the file of actor {actor.name!r}",
                             file=str(path), field="name")  # fmt: skip
        out = add(out, actor, path)
    return out


def with_actors(config: Config, refs: Sequence[str], base: str | Path | None = None) -> Config:
    """``config`` with the actors of ``refs`` added (see the module docstring).

    An actor the config already has from the same file is not added twice.

    Raises:
        InputError: an unknown actor or a file that does not fit the config (naming the
            actor file, its line and field where the problem is the actor's).
    """
    if not refs:
        return config
    return _with_actors(config, tuple(str(locate(r, base)) for r in refs))


def _with_actors(config: Config, paths: tuple[str, ...]) -> Config:
    data = config.model_dump(mode="json", exclude_none=True)
    located: dict[str, yamlio.Located] = {}
    for p in paths:
        actor, loc = read(p)
        if actor.name in data["actors"] and data["actors"][actor.name].get("file") == p:
            continue
        data = add(data, actor, Path(p))
        located[actor.name] = loc
    try:
        return config_from_mapping(data)
    except InputError as exc:
        raise _in_actor_file(exc, located) from None


def _in_actor_file(exc: InputError, located: dict[str, yamlio.Located]) -> InputError:
    """A config error about an added actor, named at its file and line."""
    parts = (exc.field or "").split(".")
    for name, loc in located.items():
        if parts[:2] == ["parameters", name]:
            field = ("parameters", *parts[2:])
            return InputError(exc.message, file=loc.file, line=loc.line_of(field),
                              field=".".join(field))  # fmt: skip
        if name in exc.message:
            return InputError(exc.message, file=loc.file, line=1)
    return exc
