"""Policies: settings of a scenario's levers, from a policies file or one lever at a time.

A policies file is YAML::

    description: What Astana could do
    policies:
      fleet: {caspian_buildout: 1.0}                      # from the lever's first year
      fleet_late: {caspian_buildout: {value: 1.0, start: 2030}}
      fleet_and_controls: {caspian_buildout: 1.0, export_controls: 0.7}

Each setting is a value among the lever's options (or inside its range) and a start year
from the lever's first year to the horizon's end. The reference policy
:data:`DO_NOTHING` (every lever at its status quo) is always there, first. Errors name the
file, the line and the field (``policies.fleet.caspian_buildout.value``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulate.errors import InputError, raise_all
from simulate.io import yamlio
from simulate.io.limits import MAX_ERRORS, NAME_PATTERN, echo
from simulate.scenarios import levers as lv
from simulate.scenarios.domains import suggestion
from simulate.scenarios.scenario import LoadedScenario

#: The reference policy: every lever at its status quo.
DO_NOTHING = "do_nothing"
#: Most policies one file may hold.
MAX_POLICIES = 500


@dataclass(frozen=True)
class Policy:
    """A named setting of levers; levers it leaves out stay at their status quo."""

    name: str
    settings: dict[str, lv.Setting] = field(default_factory=dict)

    def describe(self) -> str:
        """The settings in words (``caspian_buildout = 1 from 2025``), or ``status quo``."""
        return ", ".join(f"{k} = {s.value:g} from {s.start:g}" for k, s in self.settings.items()
                         ) or "every lever at its status quo"  # fmt: skip


def do_nothing() -> Policy:
    """The reference policy."""
    return Policy(DO_NOTHING)


def load(path: str | Path, loaded: LoadedScenario) -> list[Policy]:
    """The policies of a file, checked against the scenario's levers, after :func:`do_nothing`.

    Raises:
        InputError: naming file, line and field (several: every problem at once).
    """
    return parse(yamlio.load_file(path), loaded)


def parse(located: yamlio.Located, loaded: LoadedScenario) -> list[Policy]:
    """The policies of parsed YAML (see :func:`load`)."""
    data, file = located.data, located.file or "<policies>"

    def err(message: str, where: tuple) -> InputError:
        return InputError(message, file=file, line=located.line_of(where),
                          field=".".join(map(str, where)) or None)  # fmt: skip

    if not isinstance(data, dict) or not isinstance(data.get("policies"), dict):
        raise err("a policies file is a mapping with 'policies:', a mapping of names to "
                  "settings", ("policies",) if isinstance(data, dict) else ())  # fmt: skip
    extra = [k for k in data if k not in ("policies", "description")]
    if extra:
        raise err(f"unknown field {echo(extra[0])}; expected policies and description",
                  (extra[0],))  # fmt: skip
    if len(data["policies"]) > MAX_POLICIES:
        raise err(f"{len(data['policies']):,} policies; the limit is {MAX_POLICIES}",
                  ("policies",))  # fmt: skip
    out, problems = [do_nothing()], []
    for name, settings in data["policies"].items():
        found = list(_problems(name, settings, loaded))
        problems += [err(m, ("policies", name, *w)) for m, w in found]
        if not found:
            out.append(Policy(name, _settings(settings, loaded)))
    raise_all(problems, MAX_ERRORS)
    return out


def _problems(name: Any, settings: Any, loaded: LoadedScenario) -> Iterator[tuple[str, tuple]]:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        yield ("a policy's name is a plain identifier (letters, digits, _ and -, starting "
               f"with a letter), got {echo(name)}", ())  # fmt: skip
        return
    if name == DO_NOTHING:
        if settings not in (None, {}):
            yield f"{DO_NOTHING} is the reference: every lever at its status quo", ()
        return
    if not isinstance(settings, dict) or not settings:
        yield "a policy is a mapping of lever names to settings", ()
        return
    declared = loaded.scenario.levers
    for lever, raw in settings.items():
        if lever not in declared:
            yield (f"unknown lever {echo(lever)}{suggestion(str(lever), declared)}; the scenario "
                   f"declares {sorted(declared) or 'none'}", (lever,))  # fmt: skip
            continue
        if isinstance(raw, dict):
            bad = [k for k in raw if k not in ("value", "start")]
            if bad or "value" not in raw:
                yield "a setting is a number, or {value: NUMBER, start: YEAR}", (lever,)
                continue
        value, start = _parts(raw, declared[lever], loaded)
        for k, x in (("value", value), ("start", start)):
            if isinstance(x, bool) or not isinstance(x, int | float):
                yield f"a {k} is a number, got {echo(x)}", (lever, k) if isinstance(raw, dict) \
                    else (lever,)  # fmt: skip
                break
        else:
            problem = lv.setting_problem(declared[lever], lv.Setting(value, start),
                                         loaded.scenario.horizon)  # fmt: skip
            if problem:
                yield problem[0], (lever, problem[1]) if isinstance(raw, dict) else (lever,)


def _parts(raw: Any, lever: Any, loaded: LoadedScenario) -> tuple[Any, Any]:
    first = lv.earliest(lever, loaded.scenario.horizon)
    if isinstance(raw, dict):
        return raw.get("value"), raw.get("start", first)
    return raw, first


def _settings(settings: dict, loaded: LoadedScenario) -> dict[str, lv.Setting]:
    out = {}
    for lever, raw in settings.items():
        value, start = _parts(raw, loaded.scenario.levers[lever], loaded)
        out[lever] = lv.Setting(float(value), float(start))
    return out


def one_at_a_time(loaded: LoadedScenario, actor: str | None = None) -> list[Policy]:
    """:func:`do_nothing` and one policy per setting of each lever of ``actor`` (default:
    every actor) alone, from the lever's first year: each option that departs from the
    status quo, or a range's midpoint and top. Named ``<lever>_<value>``."""
    hz = loaded.scenario.horizon
    out = [do_nothing()]
    for name, lever in loaded.scenario.levers.items():
        if actor is not None and lever.actor != actor:
            continue
        values = lever.options if lever.options is not None else [
            (lever.range.low + lever.range.high) / 2, lever.range.high]  # fmt: skip
        for v in values:
            setting = lv.Setting(float(v), lv.earliest(lever, hz))
            if lv.moved(loaded, name, setting):
                out.append(Policy(f"{name}_{float(v):g}", {name: setting}))
    return out
