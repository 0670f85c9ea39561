"""Load a scenario: YAML -> ``extends`` merged -> schema-checked -> checked against the config.

Errors are :class:`~simulate.errors.InputError` naming the file, line and field. A file
that reads as YAML is checked whole: every problem of the schema and of the checks
against the config is reported at once (:class:`~simulate.errors.InputErrors`, one line
each, up to :data:`~simulate.io.limits.MAX_ERRORS`). Fields the schema refuses are left
out of the checks against the config, which cannot read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulate.errors import InputError, in_file_order, raise_all
from simulate.io.limits import MAX_ERRORS, echo
from simulate.scenarios import domains, events, levers
from simulate.scenarios import rules as scenario_rules
from simulate.scenarios.compose import Origin, compose
from simulate.scenarios.parameters import Config, load_config
from simulate.scenarios.scenario_config import config_for
from simulate.scenarios.schema import Scenario
from simulate.scenarios.validation import validate


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


def load(source: str | Path | Mapping[str, Any] | LoadedScenario, *,
         config: Config | str | Path | None = None) -> LoadedScenario:  # fmt: skip
    """Load and validate a scenario: the one way in, for every kind of source.

    A file is read (a bare name that is no file here is the shipped scenario of that
    name), merged with what it ``extends``, checked against the schema, given its config
    and actors, and checked against them; a scenario loaded before only takes another
    config, and is checked against it.

    Args:
        source: A path to a YAML file, a shipped scenario's name, the scenario as a
            mapping, or a scenario loaded before.
        config: A parameter config (or its file) to use instead of the scenario's own;
            the scenario's actors are added to it.

    Raises:
        InputError: naming file, line and field for anything invalid.
    """
    if isinstance(config, str | Path):
        config = load_config(config)
    if isinstance(source, LoadedScenario):
        if config is None:
            return source
        scenario, origins, problems = source.scenario, source.origins, []
        file, notes = source.file, list(source.notes)
    else:
        composed = compose(dict(source) if isinstance(source, Mapping) else source)
        checked = validate(composed)
        scenario, origins, problems = checked.scenario, checked.origins, checked.problems
        file, notes = composed.file, composed.notes
    loaded = None
    if scenario is not None:  # what the schema accepts is checked against the config
        loaded = LoadedScenario(scenario=scenario, config=config_for(scenario, origins, config),
                                origins=origins, file=file, notes=notes)  # fmt: skip
        problems = [*problems, *config_problems(loaded)]
    raise_all(in_file_order(problems, file), MAX_ERRORS)
    if loaded is None:
        raise AssertionError("unreachable: a scenario that does not validate has problems")
    return loaded


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
