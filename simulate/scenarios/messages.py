"""Schema validation errors as clear messages: file, line, field, what was expected.

Pydantic reports every problem of a document. :func:`validation_errors` gives each
field's problem once (the loader puts them in the order of the files, with the
problems found against the config); :func:`validation_error` the most
useful one alone. An unknown field comes before a missing one (``horizn:`` is a
misspelt ``horizon``, not a missing horizon), with the closest known name suggested; a
boolean where a number belongs says so; values echoed back are short. Where a field
takes one of two shapes (``expect:`` is a block or a list of blocks), only the shape
the user wrote is reported.
"""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from simulate.errors import InputError
from simulate.io.limits import echo
from simulate.scenarios.domains import suggestion

_NAME_RULE = ("a name is a plain identifier: letters, digits, _ and -, starting with a letter, "
              "at most 64 characters (it names the result file)")  # fmt: skip


def validation_error(exc: ValidationError, model: type[BaseModel], origins: dict,
                     name: str) -> InputError:  # fmt: skip
    """The most useful error of ``exc`` as an :class:`InputError` at its file and line."""
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    return _error(err, model, tags_of(model), origins, name)


def validation_errors(exc: ValidationError, model: type[BaseModel], origins: dict,
                      name: str) -> list[InputError]:  # fmt: skip
    """Every field's problem in ``exc``, once each, in the order pydantic found them.

    Returns:
        One :class:`InputError` per field (for a field with several problems, the most
        useful, as :func:`validation_error` chooses); sort them with
        :func:`simulate.errors.in_file_order`.
    """
    tags = tags_of(model)
    errors = _the_shape_written(exc.errors(), _members(model))
    best: dict[tuple, dict] = {}
    for err in errors:
        loc = clean_loc(err["loc"], tags)
        if loc not in best or (err["type"] == "extra_forbidden"
                               and best[loc]["type"] != "extra_forbidden"):  # fmt: skip
            best[loc] = err
    # a misspelt field is one problem, not also its correct name reported missing
    for loc, err in list(best.items()):
        if err["type"] == "extra_forbidden":
            meant = difflib.get_close_matches(str(loc[-1]), _fields_at(model, tuple(
                err["loc"])[:-1]), n=1, cutoff=0.6)  # fmt: skip
            missing = (*loc[:-1], meant[0]) if meant else None
            if missing in best and best[missing]["type"] == "missing":
                del best[missing]
    return [_error(err, model, tags, origins, name) for err in best.values()]


def clean_loc(raw: Any, tags: set[str]) -> tuple:
    """A pydantic error location as the field path a user wrote (union tags left out)."""
    return tuple(x for x in raw if x not in tags and x != "[key]")


def _error(err: dict, model: type[BaseModel], tags: set[str], origins: dict,
           name: str) -> InputError:  # fmt: skip
    raw = tuple(err["loc"])
    loc = clean_loc(raw, tags)
    origin = _nearest(origins, loc)
    return InputError(
        _message(err, model, raw, tags), file=origin.file if origin else name,
        line=origin.line if origin else None, field=".".join(str(x) for x in loc) or None,
        via=getattr(origin, "via", ()) if origin else (),
    )  # fmt: skip


def _members(model: type[BaseModel]) -> set[str]:
    """The names pydantic gives the members of a plain union (``Expect``, ``list[Expect]``)."""
    return {n for m in _all_models(model) for n in (m.__name__, f"list[{m.__name__}]")}


def _the_shape_written(errors: list[dict], members: set[str]) -> list[dict]:
    """Errors of a plain union's other members left out: a member whose only complaint is
    that the value is not of its shape (a list where a block was written) goes."""
    branches: dict[tuple, dict[str, list[dict]]] = {}
    for err in errors:
        raw = tuple(err["loc"])
        k = next((i for i, x in enumerate(raw) if x in members), None)
        if k is not None:
            branches.setdefault(raw[:k], {}).setdefault(raw[k], []).append(err)
    drop: set[int] = set()
    for by_member in branches.values():
        if len(by_member) < 2:
            continue
        shapeless = {m for m, errs in by_member.items()
                     if all(len(e["loc"]) == len(errs[0]["loc"]) and e["type"].endswith("_type")
                            and str(e["loc"][-1]) == m for e in errs)}  # fmt: skip
        if shapeless and len(shapeless) < len(by_member):
            drop.update(id(e) for m in shapeless for e in by_member[m])
    return [e for e in errors if id(e) not in drop]


def _message(err: dict, model: type[BaseModel], raw: tuple, tags: set[str]) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        known = _fields_at(model, raw[:-1])
        return f"unknown field {echo(raw[-1])}{suggestion(str(raw[-1]), known)}"
    if kind == "missing":
        return "required field is missing"
    if raw[:1] == ("name",) and kind in ("string_pattern_mismatch", "string_too_long"):
        return f"{_NAME_RULE}; got {echo(value)}"
    if isinstance(value, bool) and kind in ("int_type", "float_type", "int_parsing",
                                            "float_parsing"):  # fmt: skip
        return f"expected a number, got {str(value).lower()} (a boolean)"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "literal_error" and isinstance(value, str):
        choices = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        return f"{msg} (got {echo(value)}){suggestion(value, choices)}"
    if kind.startswith("union_tag") and isinstance(value, dict):
        got = value.get("dist")
        return f"{msg}{suggestion(got, sorted(tags)) if isinstance(got, str) else ''}"
    if "input" in err and kind != "value_error" and not isinstance(value, dict | list):
        msg += f" (got {echo(value)})"
    return msg


def tags_of(model: type[BaseModel]) -> set[str]:
    """Discriminator values pydantic puts into an error's location (``uniform`` ...)."""
    out: set[str] = set()
    for m in _all_models(model):
        for f in m.model_fields.values():
            args = typing.get_args(f.annotation)
            if typing.get_origin(f.annotation) is typing.Literal and f.is_required() and \
                    len(args) == 1:  # fmt: skip
                out.update(str(a) for a in args)
        # a plain union (``Expect | list[Expect]``) puts its member's name into the location
        out.update({m.__name__, f"list[{m.__name__}]"})
    return out


def _all_models(model: type[BaseModel], seen: set | None = None) -> list[type[BaseModel]]:
    seen = seen if seen is not None else set()
    if model in seen:
        return []
    seen.add(model)
    out = [model]
    for f in model.model_fields.values():
        for m in _models_in(f.annotation):
            out += _all_models(m, seen)
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through lists, dicts, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _models_in(arg)
    return out


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at ``loc`` (for suggestions)."""
    models = [model]
    for part in loc:
        if isinstance(part, int) or part == "[key]":
            continue
        narrowed = [m for m in models if _tag_of(m) == part]
        if narrowed:
            models = narrowed
            continue
        nxt: list[type[BaseModel]] = []
        for m in models:
            f = m.model_fields.get(str(part))
            if f is not None:
                nxt += _models_in(f.annotation)
        if not nxt:
            return []
        models = nxt
    return sorted({n for m in models for n in m.model_fields})


def _tag_of(model: type[BaseModel]) -> str | None:
    f = model.model_fields.get("dist")
    if f is not None and typing.get_origin(f.annotation) is typing.Literal:
        return str(typing.get_args(f.annotation)[0])
    return None


def _nearest(origins: dict, loc: tuple) -> Any:
    path = tuple(loc)
    while path:
        if path in origins:
            return origins[path]
        path = path[:-1]
    return origins.get(())
