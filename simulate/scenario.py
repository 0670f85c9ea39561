"""Load a scenario: YAML -> ``extends`` merged -> schema-checked -> checked against the config.

Errors are :class:`~simulate.errors.InputError` naming the file, line and field.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulate import yamlio
from simulate.dynamics import INSTRUMENTS
from simulate.errors import InputError
from simulate.parameters import Config, domain, load_config
from simulate.schema import Scenario

#: Which events need a target, and of what kind.
EVENT_TARGETS = {
    "route_disruption": "route",
    "sanctions_package": None,
    "investment_pledge": "power",
    "capacity_shift": "power",
    "coercion_campaign": "power",
    "trade_shift": "power",
    "security_shift": "power",
}


@dataclass(frozen=True)
class Origin:
    """Where a merged value was written: file and line."""

    file: str
    line: int | None


@dataclass
class LoadedScenario:
    """A validated scenario, its config, and where each field came from."""

    scenario: Scenario
    config: Config
    origins: dict[tuple, Origin]
    file: str

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


def deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` into ``base``: mappings recursively, everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(located: yamlio.Located) -> dict:
    if located.data is None:
        raise InputError("the file is empty; expected a scenario mapping", file=located.file,
                         line=1)  # fmt: skip
    if not isinstance(located.data, dict):
        raise InputError(
            f"the top level must be a mapping of fields, got {type(located.data).__name__}",
            file=located.file, line=1,
        )  # fmt: skip
    return located.data


def _collect(
    located: yamlio.Located, base_dir: Path, chain: tuple[str, ...]
) -> tuple[dict, dict[tuple, Origin]]:
    """Return merged data and origins for ``located`` and everything it extends."""
    data = _read(located)
    origins = {p: Origin(located.file or "<scenario>", ln) for p, ln in located.lines.items()}
    parent = data.get("extends")
    if parent is None:
        return data, origins
    if not isinstance(parent, str):
        raise InputError("expected a file path", file=located.file,
                         line=located.line_of(("extends",)), field="extends")  # fmt: skip
    parent_path = (base_dir / parent).resolve()
    if str(parent_path) in chain:
        cycle = " -> ".join([*chain, str(parent_path)])
        raise InputError(f"extends cycle: {cycle}", file=located.file,
                         line=located.line_of(("extends",)), field="extends")  # fmt: skip
    if not parent_path.is_file():
        raise InputError(f"extended scenario not found: {parent_path}", file=located.file,
                         line=located.line_of(("extends",)), field="extends")  # fmt: skip
    pdata, porigins = _collect(
        yamlio.load_file(parent_path), parent_path.parent, (*chain, str(parent_path))
    )
    inherited = {k: v for k, v in pdata.items() if k not in ("extends", "expect")}
    merged = deep_merge(inherited, data)
    merged.pop("extends", None)
    porigins.update(origins)
    # paths to a parent's config are relative to the parent file
    if "config" in pdata and "config" not in data:
        merged["config"] = str((parent_path.parent / pdata["config"]).resolve())
    return merged, porigins


def load(source: str | Path | dict, *, config: Config | None = None) -> LoadedScenario:
    """Load and validate a scenario from a YAML file or a plain mapping.

    Args:
        source: A path to a YAML file, or the scenario as a mapping.
        config: A parameter config to use instead of the scenario's own.

    Raises:
        InputError: naming file, line and field for anything invalid.
    """
    if isinstance(source, dict):
        located = yamlio.Located(data=copy.deepcopy(source), file="<scenario>")
        base_dir, name = Path.cwd(), "<scenario>"
    else:
        path = Path(source)
        located = yamlio.load_file(path)
        base_dir, name = path.resolve().parent, str(path)
    chain = () if isinstance(source, dict) else (str(Path(source).resolve()),)
    data, origins = _collect(located, base_dir, chain)
    if data.get("config") and not Path(data["config"]).is_absolute() and "config" in located.lines:
        data["config"] = str((base_dir / data["config"]).resolve())
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        # discriminated unions add the tag name into loc; drop it for the user
        loc = tuple(x for x in loc if x not in ("uniform", "triangular", "truncnormal",
                                                 "lognormal", "choice", "Expect",
                                                 "list[Expect]"))  # fmt: skip
        origin = _origin(origins, loc, name)
        raise InputError(_message(err), file=origin.file, line=origin.line,
                         field=".".join(str(x) for x in loc) or None) from None  # fmt: skip
    if config is None:
        config = load_config(scenario.config) if scenario.config else load_config()
    loaded = LoadedScenario(scenario=scenario, config=config, origins=origins, file=name)
    check_against_config(loaded)
    return loaded


def _origin(origins: dict[tuple, Origin], loc: tuple, name: str) -> Origin:
    path = tuple(loc)
    while path:
        if path in origins:
            return origins[path]
        path = path[:-1]
    return origins.get((), Origin(name, None))


def _message(err: dict) -> str:
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] == "missing":
        return "required field is missing"
    if "input" in err and err["type"] not in ("value_error",):
        msg += f" (got {err['input']!r})"
    return msg


def check_against_config(loaded: LoadedScenario) -> None:
    """Check parameter paths, event targets and outputs against the config."""
    from simulate.variables import VARIABLES

    sc, cfg = loaded.scenario, loaded.config

    def fail(msg: str, path: tuple) -> None:
        o = loaded.where(path)
        raise InputError(msg, file=o.file, line=o.line, field=".".join(map(str, path)))

    def check_param(p: str, field: tuple) -> None:
        if not cfg.has(p):
            groups = ", ".join([*cfg.actors, *cfg.routes, "middle_corridor"])
            fail(f"unknown parameter {p!r}; expected <group>.<name> with group one of {groups} "
                 "(see `simulate params`)", field)  # fmt: skip
        if cfg.get(p).role != "model":
            fail(f"{p!r} is a reference figure, not used by the model", field)

    def check_value(p: str, v: float, field: tuple) -> None:
        lo, hi = domain(p)
        if not lo <= v <= hi:
            fail(f"{v} is outside the admissible range [{lo}, {hi}] of {p}", field)

    for key in ("initial", "parameters"):
        for p, v in getattr(sc, key).items():
            check_param(p, (key, p))
            check_value(p, v, (key, p))
    for p, series in sc.paths.items():
        check_param(p, ("paths", p))
        if not series:
            fail("a path needs at least one year: value pair", ("paths", p))
        for year, v in series.items():
            check_value(p, v, ("paths", p, year))
    drawn: set[str] = set()
    for i, u in enumerate(sc.uncertainties):
        check_param(u.parameter, ("uncertainties", i, "parameter"))
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
        kind = EVENT_TARGETS[ev.type]
        names = {"route": cfg.route_names, "power": cfg.powers}.get(kind or "", [])
        if kind and ev.target not in names:
            fail(f"{ev.type} needs a target {kind}, one of {names} (got {ev.target!r})",
                 ("events", i, "target"))  # fmt: skip
        if ev.type == "route_disruption" and not 0 <= ev.magnitude <= 1:
            fail("a route disruption's magnitude is the share of capacity lost, in [0, 1]",
                 ("events", i, "magnitude"))  # fmt: skip
        if ev.type == "security_shift" and not -1 <= ev.magnitude <= 1:
            fail("a security shift adds to the power's security tie (a share), in [-1, 1]",
                 ("events", i, "magnitude"))  # fmt: skip
        if ev.type in ("capacity_shift", "trade_shift") and ev.magnitude <= -1:
            fail("a relative change must be greater than -1", ("events", i, "magnitude"))
        if ev.instrument is not None and ev.type != "coercion_campaign":
            fail("only a coercion_campaign names an instrument", ("events", i, "instrument"))
        if ev.instrument is not None and ev.instrument not in INSTRUMENTS:
            fail(f"unknown instrument {ev.instrument!r}; expected one of {list(INSTRUMENTS)}",
                 ("events", i, "instrument"))  # fmt: skip
        if ev.type == "route_disruption" and ev.duration is None:
            fail("a route disruption needs a duration in years", ("events", i, "duration"))
    for i, v in enumerate(sc.outputs or []):
        if v not in VARIABLES:
            fail(f"unknown output {v!r}; expected one of {sorted(VARIABLES)}", ("outputs", i))
    for k, exp in enumerate(sc.expectations):
        where = ("expect", k) if isinstance(sc.expect, list) else ("expect",)
        _check_expect(exp, sc.horizon, cfg, lambda m, f, w=where: fail(m, (*w, *f)))


def _check_expect(exp: Any, hz: Any, cfg: Config, fail: Any) -> None:
    """Each expected outcome names a variable (and entity) the model outputs."""
    from simulate.variables import VARIABLES

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
