"""Rules a schema-valid scenario must also keep, each failure naming file, line and field.

* a parameter takes one of a fixed value, a time path or an uncertainty (after
  ``extends`` is merged, where the child's choice has already replaced the parent's);
* an event's target fits its kind (an event without a required target may name one
  of its kind of target, never another kind or an unknown name; see
  :mod:`simulate.scenarios.events`);
* an event overlaps the horizon (else it could never happen);
* each output is listed once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulate.errors import InputError, raise_all
from simulate.scenarios import events
from simulate.scenarios.domains import suggestion

if TYPE_CHECKING:
    from simulate.scenarios.scenario import LoadedScenario


def check(loaded: LoadedScenario) -> None:
    """Apply every rule of this module; a broken one raises :class:`InputError` (several:
    :class:`~simulate.errors.InputErrors`)."""
    raise_all(problems(loaded))


def problems(loaded: LoadedScenario) -> list[InputError]:
    """Every broken rule of this module, one error each."""
    return [*_one_setting_each(loaded), *_events(loaded), *_outputs(loaded)]


def _fail(loaded: LoadedScenario, message: str, path: tuple) -> InputError:
    o = loaded.where(path)
    return InputError(message, file=o.file, line=o.line, field=".".join(map(str, path)),
                      via=getattr(o, "via", ()))  # fmt: skip


def _at(loaded: LoadedScenario, path: tuple, relative_to: tuple) -> str:
    o, ref = loaded.where(path), loaded.where(relative_to)
    if o.file == ref.file:
        return f"line {o.line}" if o.line else "the same file"
    return f"{o.file}:{o.line}" if o.line else o.file


def _one_setting_each(loaded: LoadedScenario) -> list[InputError]:
    found = []
    sc = loaded.scenario
    drawn = {u.parameter: i for i, u in reversed(list(enumerate(sc.uncertainties)))}
    for p in sc.parameters:
        for other, where in (("paths", ("paths", p)), ("uncertainties",
                             ("uncertainties", drawn.get(p), "parameter"))):  # fmt: skip
            if p in (sc.paths if other == "paths" else drawn):
                here = ("parameters", p)
                found.append(_fail(loaded, f"{p} is also given in {other} ("
                                   f"{_at(loaded, where, here)}); a parameter takes one of a "
                                   "fixed value, a time path or an uncertainty", here))  # fmt: skip
    return found


def _events(loaded: LoadedScenario) -> list[InputError]:
    found = []
    sc, cfg = loaded.scenario, loaded.config
    start, end = sc.horizon.start, sc.horizon.end + 1
    for i, ev in enumerate(sc.events):
        kind = events.kind(ev.type)
        names = events.target_names(cfg, kind.target)
        if not kind.needs_target and ev.target is not None and ev.target not in names:
            found.append(_fail(loaded, f"a {ev.type} takes no target or a {kind.target}, one of "
                               f"{names} (got {ev.target!r}){suggestion(ev.target, names)}",
                               ("events", i, "target")))  # fmt: skip
        length = events.length(ev)
        horizon = f"the horizon {sc.horizon.start}-{sc.horizon.end}"
        if ev.at >= end:
            found.append(_fail(loaded, f"the event starts at {ev.at:g}, after {horizon} ends; it "
                               "could never happen", ("events", i, "at")))  # fmt: skip
        elif ev.at + length <= start:
            found.append(_fail(loaded, f"the event ends at {ev.at + length:g}, before {horizon} "
                               "starts; it could never happen", ("events", i, "at")))  # fmt: skip
    return found


def _outputs(loaded: LoadedScenario) -> list[InputError]:
    found = []
    seen: dict[Any, int] = {}
    for i, name in enumerate(loaded.scenario.outputs or []):
        if name in seen:
            first = _at(loaded, ("outputs", seen[name]), ("outputs", i))
            found.append(_fail(loaded, f"{name!r} is listed twice (first at {first})",
                               ("outputs", i)))  # fmt: skip
            continue
        seen[name] = i
    return found
