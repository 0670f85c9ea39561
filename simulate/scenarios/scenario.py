"""Load a scenario: YAML -> ``extends`` merged -> schema-checked -> checked against the config.

Errors are :class:`~simulate.errors.InputError` naming the file, line and field. A file
that reads as YAML is checked whole: every problem of the schema and of the checks
against the config is reported at once (:class:`~simulate.errors.InputErrors`, one line
each, up to :data:`~simulate.io.limits.MAX_ERRORS`). Fields the schema refuses are left
out of the checks against the config, which cannot read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulate.errors import InputError, raise_all
from simulate.io import yamlio
from simulate.io.limits import MAX_ERRORS, echo
from simulate.scenarios import domains, events, levers
from simulate.scenarios import rules as scenario_rules
from simulate.scenarios.compose import Origin, compose
from simulate.scenarios.messages import clean_loc, tags_of, validation_errors
from simulate.scenarios.parameters import Config, load_config
from simulate.scenarios.schema import Scenario


@dataclass
class LoadedScenario:
    """A validated scenario, its config, and where each field came from."""

    scenario: Scenario
    config: Config
    origins: dict[tuple, Origin]
    file: str
    notes: list[str] = field(default_factory=list)

    def where(self, path: tuple) -> Origin:
        """The file and line of ``path`` or its nearest written ancestor."""
        path = tuple(path)
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path[:-1]
        return Origin(self.file, None)

    def resolved(self) -> dict[str, Any]:
        """The fully resolved scenario as plain data (extends merged, JSON-safe)."""
        return dump(self.scenario)


def load(source: str | Path | dict, *, config: Config | None = None) -> LoadedScenario:
    """Load and validate a scenario from a YAML file or a plain mapping.

    Args:
        source: A path to a YAML file, or the scenario as a mapping.
        config: A parameter config to use instead of the scenario's own.

    Raises:
        InputError: naming file, line and field for anything invalid.
    """
    composed = compose(source)
    name = "<scenario>" if isinstance(source, dict) else str(source)
    problems: list[InputError] = []
    try:
        scenario: Scenario | None = Scenario.model_validate(composed.data, strict=True)
        origins = composed.origins
    except ValidationError as exc:
        problems = validation_errors(exc, Scenario, composed.origins, name)
        # the rest of the file is still checked against the config, without those parts
        scenario, origins = _without_invalid(composed.data, composed.origins, exc)
    if scenario is None:
        raise_all(problems, MAX_ERRORS)
        raise AssertionError("unreachable: a scenario that does not validate has problems")
    if config is None:
        config = _scenario_config(scenario, origins)
    config = _with_actors(config, scenario, origins)
    loaded = LoadedScenario(scenario=scenario, config=config, origins=origins, file=name,
                            notes=composed.notes)  # fmt: skip
    raise_all(in_file_order([*problems, *config_problems(loaded)], name), MAX_ERRORS)
    return loaded


def in_file_order(errors: list[InputError], file: str) -> list[InputError]:
    """Errors by line, those of ``file`` first, then those of the files it extends."""
    return sorted(errors, key=lambda e: (e.file != file, e.file or "", e.line or 0))


#: Sections whose entries are checked one by one: an invalid entry is set aside alone.
_ENTRIES = ("initial", "parameters", "paths", "events", "uncertainties", "levers", "outputs")


def _without_invalid(data: dict, origins: dict[tuple, Origin], exc: ValidationError,
                     ) -> tuple[Scenario | None, dict[tuple, Origin]]:  # fmt: skip
    """The scenario without the fields and entries the schema refused, and their origins.

    Returns:
        The scenario that is left, validated, or None when what is left is not a
        scenario (a required field was refused); the origins, renumbered where list
        entries were left out.
    """
    tags = tags_of(Scenario)
    drop: set[tuple] = set()
    for err in exc.errors():
        loc = clean_loc(err["loc"], tags)
        if not loc:
            return None, origins
        drop.add(loc[:2] if loc[0] in _ENTRIES and len(loc) > 1 else loc[:1])
    data = dict(data)
    kept_origins = dict(origins)
    for key in {d[0] for d in drop}:
        gone = {d[1] for d in drop if d[0] == key and len(d) == 2}
        if (key,) in drop or key not in data:
            data.pop(key, None)
            continue
        value = data[key]
        if isinstance(value, dict):
            data[key] = {k: v for k, v in value.items() if k not in gone}
        elif isinstance(value, list):
            kept = [i for i in range(len(value)) if i not in gone]
            data[key] = [value[i] for i in kept]
            renumber = {old: new for new, old in enumerate(kept)}
            kept_origins = {p: o for p, o in kept_origins.items()
                            if not (p[:1] == (key,) and len(p) > 1)}  # fmt: skip
            for p, o in origins.items():
                if p[:1] == (key,) and len(p) > 1 and p[1] in renumber:
                    kept_origins[(key, renumber[p[1]], *p[2:])] = o
    try:
        return Scenario.model_validate(data, strict=True), kept_origins
    except ValidationError:
        return None, origins


def _scenario_config(scenario: Scenario, origins: dict[tuple, Origin]) -> Config:
    """The scenario's config; an error in it also names the scenario line that chose it."""
    if not scenario.config:
        return load_config()
    o = origins.get(("config",)) or Origin("<scenario>", None)
    ref = yamlio.Ref(o.file, o.line, "config")
    yamlio.read_text(scenario.config, named_at=ref)  # a missing or unreadable file, named here
    try:
        return load_config(scenario.config)  # an overlay's extends, actors named by file
    except InputError as exc:
        raise InputError(exc.message, file=exc.file, line=exc.line, field=exc.field,
                         via=(*o.via, str(ref))) from None  # fmt: skip


def _with_actors(config: Config, scenario: Scenario, origins: dict[tuple, Origin]) -> Config:
    """The config with the scenario's ``actors:`` added; an error also names the scenario line."""
    if not scenario.actors:
        return config
    from simulate.scenarios.actors import with_actors

    o = origins.get(("actors",)) or Origin("<scenario>", None)
    try:
        return with_actors(config, scenario.actors)
    except InputError as exc:
        ref = yamlio.Ref(o.file, o.line, "actors")
        raise InputError(exc.message, file=exc.file or o.file, line=exc.line if exc.file
                         else o.line, field=exc.field if exc.file else "actors",
                         via=(*o.via, str(ref)) if exc.file else o.via) from None  # fmt: skip


def with_config(loaded: LoadedScenario, config: Config) -> LoadedScenario:
    """``loaded`` run with another config: the scenario's actors added to it, and every field
    checked against it.

    Raises:
        InputError: what the scenario names that the config lacks (every problem).
    """
    config = _with_actors(config, loaded.scenario, loaded.origins)
    out = LoadedScenario(scenario=loaded.scenario, config=config, origins=loaded.origins,
                         file=loaded.file, notes=list(loaded.notes))  # fmt: skip
    check_against_config(out)
    return out


def check_against_config(loaded: LoadedScenario) -> None:
    """Check parameters, events and outputs with the config; every problem is reported.

    Raises:
        InputError: One problem; :class:`~simulate.errors.InputErrors` for several.
    """
    raise_all(config_problems(loaded), MAX_ERRORS)


def config_problems(loaded: LoadedScenario) -> list[InputError]:
    """Every problem of a schema-valid scenario against its config, in the file's order.

    Parameters, paths, uncertainties, events (:func:`simulate.scenarios.events.problems`),
    levers (:func:`simulate.scenarios.levers.problems`), outputs and expectations, then
    the rules of :mod:`simulate.scenarios.rules`.
    """
    from simulate.scenarios.variables import VARIABLES

    sc, cfg = loaded.scenario, loaded.config
    found: list[InputError] = []

    def fail(msg: str, path: tuple) -> None:
        o = loaded.where(path)
        found.append(InputError(msg, file=o.file, line=o.line, field=".".join(map(str, path)),
                                via=o.via))  # fmt: skip

    def check_param(p: str, field: tuple) -> bool:
        try:
            domains.parameter(cfg, p)
        except domains.DomainError as exc:
            fail(exc.message, field)
            return False
        return True

    def check_value(p: str, v: float, field: tuple) -> None:
        try:
            domains.value_in_domain(p, v)
        except domains.DomainError as exc:
            fail(exc.message, field)

    for key in ("initial", "parameters"):
        for p, v in getattr(sc, key).items():
            if check_param(p, (key, p)):
                check_value(p, v, (key, p))
    for p, series in sc.paths.items():
        if not check_param(p, ("paths", p)):
            continue
        if not series:
            fail("a path needs at least one year: value pair", ("paths", p))
        for year, v in series.items():
            check_value(p, v, ("paths", p, year))
    drawn: set[str] = set()
    for i, u in enumerate(sc.uncertainties):
        if not check_param(u.parameter, ("uncertainties", i, "parameter")):
            continue
        if u.parameter in sc.paths or u.parameter in drawn:
            fail(f"{u.parameter!r} already has a path or another uncertainty",
                 ("uncertainties", i, "parameter"))  # fmt: skip
        drawn.add(u.parameter)
        _check_distribution(u, lambda m, i=i: fail(m, ("uncertainties", i)))
        for bound in ("low", "high", "mode", "mean", "median"):
            if getattr(u, bound, None) is not None:
                check_value(u.parameter, getattr(u, bound), ("uncertainties", i, bound))
        for v in getattr(u, "values", None) or []:
            check_value(u.parameter, v, ("uncertainties", i, "values"))
    for i, ev in enumerate(sc.events):
        for message, name in events.problems(ev, cfg):
            fail(message, ("events", i, name))
    for name, lever in sc.levers.items():
        for message, where in levers.problems(name, lever, loaded):
            fail(message, ("levers", name, *where))
    for i, v in enumerate(sc.outputs or []):
        if v not in VARIABLES:
            fail(f"unknown output {echo(v)}{domains.suggestion(v, VARIABLES)}; expected one of "
                 f"{sorted(VARIABLES)}", ("outputs", i))  # fmt: skip
    for k, exp in enumerate(sc.expectations):
        where = ("expect", k) if isinstance(sc.expect, list) else ("expect",)
        _check_expect(exp, sc.horizon, cfg, lambda m, f, w=where: fail(m, (*w, *f)))
    seen = {e.field for e in found}  # a field gets one problem: the first check's
    found += [e for e in scenario_rules.problems(loaded) if e.field not in seen]
    return in_file_order(found, loaded.file)


def _check_expect(exp: Any, hz: Any, cfg: Config, fail: Any) -> None:
    """Each expected outcome names a variable (and entity) the model outputs."""
    from simulate.scenarios.variables import VARIABLES

    kinds = {"power": cfg.powers, "route": cfg.route_names, "issue": cfg.issue_names,
             "none": [""],
             "outcome_class": ["balanced", *(f"{k}:{p}" for k in ("leaning", "aligned")
                                       for p in cfg.powers)]}  # fmt: skip
    if not hz.start <= exp.at <= hz.end + 1:
        fail(f"{exp.at:g} is outside the horizon {hz.start}-{hz.end}", ("at",))
    for key in exp.outcomes:
        var, _, ent = key.partition(":")
        where = ("outcomes", key)
        if var not in VARIABLES or VARIABLES[var].entity == "issue_mechanism":
            fail(f"unknown outcome variable {var!r}", where)
            continue
        ents = kinds[VARIABLES[var].entity]
        if ent not in ents:
            want = "no entity" if ents == [""] else f"an entity out of {ents}"
            fail(f"{var} takes {want}, got {ent!r}", where)


def _check_distribution(u: Any, fail: Any) -> None:
    if u.dist in ("uniform", "truncnormal") and not u.low < u.high:
        fail("low must be below high")
    if u.dist == "triangular" and not u.low <= u.mode <= u.high or (
        u.dist == "triangular" and u.low == u.high
    ):
        fail("need low <= mode <= high and low < high")
    weights = u.weights if u.dist == "choice" else None
    if weights is not None and (
        len(weights) != len(u.values) or any(w < 0 for w in weights) or sum(weights) <= 0
    ):
        fail("weights must be non-negative, one per value, not all zero")


def dump(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain JSON-safe data that :func:`load` reads back unchanged."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    data["paths"] = {p: {float(k): v for k, v in s.items()} for p, s in scenario.paths.items()}
    return data


def dumps(scenario: Scenario) -> str:
    """A scenario as YAML text."""
    return yamlio.dumps(dump(scenario))
