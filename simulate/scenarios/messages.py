"""Schema validation errors as one clear message: file, line, field, what was expected.

Pydantic reports every problem of a document; the user gets the most useful one.
An unknown field comes before a missing one (``horizn:`` is a misspelt
``horizon``, not a missing horizon), with the closest known name suggested; a
boolean where a number belongs says so; values echoed back are short.
"""

from __future__ import annotations

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
    raw = tuple(err["loc"])
    tags = _tags(model)
    loc = tuple(x for x in raw if x not in tags and x != "[key]")
    origin = _nearest(origins, loc)
    return InputError(
        _message(err, model, raw, tags), file=origin.file if origin else name,
        line=origin.line if origin else None, field=".".join(str(x) for x in loc) or None,
        via=getattr(origin, "via", ()) if origin else (),
    )  # fmt: skip


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


def _tags(model: type[BaseModel]) -> set[str]:
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
