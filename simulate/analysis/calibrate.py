"""Calibration: fit the config's ``calibrate: true`` parameters to the observed record.

The targets (:mod:`simulate.analysis.targets`, ``configs/targets.yaml``) are the observations
of the history file in the fit years (2021-2022 on the history scenario) and figures
from the articles, each with the model quantity it matches. An observed range scores
zero inside and the relative distance to its nearest bound outside; a single figure
scores ``model / figure - 1`` (:func:`simulate.analysis.observed.relative_miss`). The fit
minimises these residuals with bounded least squares (``scipy.optimize.least_squares``,
trust-region reflective) over the parameters' bounds (the targets file's ``bounds``,
else the parameter's domain).

Each evaluation runs the fit scenario on the *config with the trial values*, so the
rest point at the start is computed from them exactly as a run of the calibrated config
would (they are not departures from it). The horizon is cut after the last fit year:
the fit never simulates the held-out year. The model value is the mean of a fixed
ensemble (``runs`` runs with ``seed``, both from the targets file), so the objective
is a deterministic function of the parameters (common random numbers): the same inputs
always give the same fit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares

from simulate.analysis import targets as tg
from simulate.analysis.observed import absolute_miss, relative_miss
from simulate.errors import InputError
from simulate.io import yamlio
from simulate.io.limits import echo
from simulate.scenarios.parameters import DEFAULT_CONFIG, Config, domain, load_config, parse_config
from simulate.scenarios.scenario import LoadedScenario, load
from simulate.scenarios.schema import MAX_RUNS

DEFAULT_RUNS = 40


def fit(
    objective: Callable[[np.ndarray], np.ndarray], goal: np.ndarray, x0: np.ndarray,
    lo: np.ndarray, hi: np.ndarray, max_evaluations: int = 200,
) -> tuple[np.ndarray, int, float]:  # fmt: skip
    """Bounded least squares of the relative misses of ``objective(x)`` against ``goal``.

    ``goal`` is one figure per target (shape ``(n,)``) or an observed range per target
    (shape ``(n, 2)``, low and high). A pure function of its inputs (no model inside):
    testable on any vector function. Returns the fitted x, the number of evaluations
    and the cost (half the sum of squared relative misses).
    """
    goal = np.asarray(goal, dtype=float)
    low, high = (goal, goal) if goal.ndim == 1 else (goal[:, 0], goal[:, 1])
    x0 = np.clip(np.asarray(x0, dtype=float), lo, hi)
    res = least_squares(lambda x: relative_miss(objective(x), low, high), x0, bounds=(lo, hi),
                        x_scale="jac", diff_step=1e-3, max_nfev=max_evaluations)  # fmt: skip
    return res.x, int(res.nfev), float(res.cost)


def _free_parameters(cfg, config_path, data) -> tuple[list[str], np.ndarray, np.ndarray]:  # noqa: ANN001
    free = [p for p in cfg.paths() if cfg.get(p).calibrate]
    if not free:
        raise InputError("no parameter is marked calibrate: true",
                         file=config_path or DEFAULT_CONFIG, field="calibrate")  # fmt: skip
    sourced = [p for p in free if cfg.get(p).sources or cfg.get(p).observed]
    if sourced:
        raise InputError(f"{sourced} cite article sources; only assumptions are calibrated "
                         "(remove calibrate: true)", file=config_path or DEFAULT_CONFIG,
                         field="calibrate")  # fmt: skip
    bounds = data.get("bounds") or {}
    for p in bounds:
        if p not in free:
            raise InputError(f"{p} is not a calibrate: true parameter of the config",
                             file=data["_file"], line=data["_located"].line_of(("bounds", p)),
                             field=f"bounds.{p}")  # fmt: skip
    lo = np.array([bounds.get(p, domain(p))[0] for p in free], dtype=float)
    hi = np.array([bounds.get(p, domain(p))[1] for p in free], dtype=float)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        missing = [p for p, a, b in zip(free, lo, hi, strict=True) if not np.isfinite([a, b]).all()]
        raise InputError(f"give finite bounds for {missing} (their domain is unbounded)",
                         file=data["_file"], field="bounds")  # fmt: skip
    return free, lo, hi


def with_values(cfg: Config, values: dict[str, float]) -> Config:
    """A copy of ``cfg`` whose parameters at ``values``' paths hold those values (no range)."""
    out = cfg.model_copy(deep=True)
    for path, v in values.items():
        par = out.get(path)
        par.value, par.low, par.high = float(v), None, None
    return out


def _check_scenario_leaves_free(loaded: LoadedScenario, free: list[str]) -> None:
    """The fit scenario must not fix a calibrated parameter, or the fit could not move it."""
    sc = loaded.scenario
    fixed = {**{p: ("initial", p) for p in sc.initial},
             **{p: ("parameters", p) for p in sc.parameters},
             **{p: ("paths", p) for p in sc.paths},
             **{u.parameter: ("uncertainties", i) for i, u in enumerate(sc.uncertainties)}}
    for p in free:
        if p in fixed:
            o = loaded.where(fixed[p])
            raise InputError(f"the fit scenario sets {p}, a calibrate: true parameter, so the "
                             "fit could not move it; leave it to the config",
                             file=o.file, line=o.line, field=".".join(map(str, fixed[p])))


def _fit_horizon(loaded: LoadedScenario, last_year: int) -> LoadedScenario:
    """The scenario with its horizon cut after ``last_year`` (at least two years kept)."""
    hz = loaded.scenario.horizon
    end = min(hz.end, max(last_year, hz.start + 1))
    scenario = loaded.scenario.model_copy(update={"horizon": hz.model_copy(update={"end": end})})
    return LoadedScenario(scenario=scenario, config=loaded.config, origins=loaded.origins,
                          file=loaded.file)  # fmt: skip


@dataclass
class Problem:
    """What a fit needs: the parameters it moves, the fit scenario cut after the last fit
    year, the targets resolved on its grid and their observed bounds.

    Attributes:
        cfg: The config fitted (its ``calibrate: true`` parameters are ``free``).
        free: The parameters fitted, in config order.
        lo: Their lower bounds (the targets file's ``bounds``, else the domain).
        hi: Their upper bounds.
        loaded: The fit scenario, its horizon cut after the last fit year.
        everything: The targets, article figures first, then history observations.
        resolved: The targets resolved on the fit scenario's time grid.
        goal: (targets, 2): each target's observed low and high.
        excluded: History observations outside the fit scenario's horizon, with the reason.
        data: The targets file, as read.
        scenario: The fit scenario's file.
        runs: Runs per evaluation (least squares: common random numbers).
        seed: Their seed.
        last_year: The last fit year.
    """

    cfg: Config
    free: list[str]
    lo: np.ndarray
    hi: np.ndarray
    loaded: LoadedScenario
    everything: list[dict[str, Any]]
    resolved: list[Any]
    goal: np.ndarray
    excluded: list[dict[str, Any]]
    data: dict[str, Any]
    scenario: Path
    runs: int
    seed: int
    last_year: int

    def trial_config(self, values: dict[str, float]) -> Config:
        """The config with the trial values as its own (so the rest point is computed
        from them); their priors and any posterior are dropped, the other priors kept."""
        out = with_values(self.cfg, values)
        for path in values:
            out.get(path).prior = None
        out.posterior = None
        return out

    def measure(self, values: dict[str, float], runs: Any, seed: int, *,
                point: bool = True) -> np.ndarray:  # fmt: skip
        """Each target's model value: the mean over ``runs`` (run indices) of ``seed``.

        ``point``: every other assumption at its value (least squares); else each run
        draws the other assumptions from their priors (an ensemble, for ABC).
        """
        from simulate.model.batch import simulate_runs
        from simulate.model.preparation import prepare

        runs = [int(r) for r in runs]
        if not point:  # one spec drawing every prior; the trial values replace the draws
            spec = self._ensemble_spec(seed)
            size = max(runs) + 1
            fixed = {p: np.full(size, float(v)) for p, v in values.items()}
            return tg.measure(simulate_runs(spec, runs, seed, fixed), self.resolved)
        trial = LoadedScenario(scenario=self.loaded.scenario, config=self.trial_config(values),
                               origins=self.loaded.origins, file=self.loaded.file)  # fmt: skip
        spec = prepare(trial, runs=max(len(runs), 1), seed=seed, point=True)
        return tg.measure(simulate_runs(spec, runs, seed), self.resolved)

    def _ensemble_spec(self, seed: int) -> Any:
        """The fit scenario as an ensemble with no posterior: every prior drawn (built once)."""
        from simulate.model.preparation import prepare

        cached = self.__dict__.get("_spec")
        if cached is None:
            cfg = self.cfg.model_copy(deep=True)
            cfg.posterior = None
            trial = LoadedScenario(scenario=self.loaded.scenario, config=cfg,
                                   origins=self.loaded.origins, file=self.loaded.file)
            cached = prepare(trial, runs=1, seed=seed, point=False)
            cached.outputs = sorted({t["variable"] for t in self.everything})  # only those
            self.__dict__["_spec"] = cached
        return cached


def problem(targets_path: str | Path, config_path: str | Path | None = None,
            last_year: int | None = None) -> Problem:  # fmt: skip
    """Read the targets and the config and set up the fit (see :class:`Problem`).

    Args:
        targets_path: The calibration targets (``configs/targets.yaml``).
        config_path: The config to fit (default the shipped one).
        last_year: Fit only years up to this one (a rolling origin: 2021 fits 2019-2021
            and the article figures dated up to 2021); default the targets file's last.

    Raises:
        InputError: with file, line and field for bad targets, bounds or history, or a
            fit scenario that fixes a calibrated parameter.
    """
    from simulate.model.preparation import prepare
    from simulate.results.files import entities_of

    data = tg.read_targets(targets_path)
    if last_year is not None:
        data = _until(data, int(last_year), targets_path)
    cfg = load_config(config_path)
    free, lo, hi = _free_parameters(cfg, config_path, data)
    scen = data.get("scenario", "../scenarios/history_2021.yaml")
    runs, seed = data.get("runs", DEFAULT_RUNS), data.get("seed", 0)
    for field, value, ok in (("scenario", scen, isinstance(scen, str) and "\x00" not in scen),
                             ("runs", runs, _int_in(runs, 1, MAX_RUNS)),
                             ("seed", seed, _int_in(seed, 0, 2**63 - 1))):  # fmt: skip
        if not ok:
            raise InputError(f"expected {'a file path' if field == 'scenario' else 'an integer'}"
                             f", got {echo(value)}", file=targets_path, field=field)  # fmt: skip
    runs, seed = int(runs), int(seed)
    scen = Path(os.path.join(Path(targets_path).parent, scen))
    full = load(scen, config=cfg)
    _check_scenario_leaves_free(full, free)
    spec_full = prepare(full, runs=1, seed=seed, point=True)
    _, observed = tg.history_targets(data, lambda v: entities_of(spec_full, v))
    hz = full.scenario.horizon
    inside = [t for t in observed if hz.start <= t["year"] <= hz.end]
    excluded = [{"target": t["name"], "observed": _observed_text(t), "source": t["source"],
                 "reason": f"before the fit scenario's start ({hz.start})"
                 if t["year"] < hz.start else f"after its end ({hz.end})"}
                for t in observed if t not in inside]  # fmt: skip
    article = [{**t, "kind": "article", "source": t["sources"][0]["seed"]}
               for t in data["targets"]]  # fmt: skip
    history = [{**t, "kind": "history"} for t in inside]
    everything = [*article, *history]
    last = max(math.floor(tg.window_end(*_window(t)) - 1e-7) for t in everything)
    loaded = _fit_horizon(full, last)
    spec0 = prepare(loaded, runs=runs, seed=seed, point=True)
    resolved = [*tg.resolve(data, lambda v: entities_of(spec0, v), spec0.times, spec0.dt),
                *tg.resolve(data, lambda v: entities_of(spec0, v), spec0.times, spec0.dt,
                            targets=history)]  # fmt: skip
    goal = np.array([tg.bounds_of(t) for t in everything])
    return Problem(cfg, free, lo, hi, loaded, everything, resolved, goal, excluded, data, scen,
                   runs, seed, last)  # fmt: skip


def _until(data: dict[str, Any], year: int, where: str | Path) -> dict[str, Any]:
    """The targets with the fit years and article figures cut after ``year``."""
    out = dict(data)
    h = out.get("history")
    if h:
        first, last = h["years"]
        if year < first:
            raise InputError(f"the fit years start in {first}, after {year}", file=where,
                             field="history.years")  # fmt: skip
        out["history"] = {**h, "years": [first, min(last, year)]}
    out["targets"] = [t for t in data["targets"]
                      if math.floor(tg.window_end(*_window(t)) - 1e-7) <= year]  # fmt: skip
    return out


def calibrate(targets_path: str | Path, config_path: str | Path | None = None,
              last_year: int | None = None) -> dict[str, Any]:  # fmt: skip
    """Fit the ``calibrate: true`` parameters to the targets by least squares (a point).

    Returns:
        ``parameters`` (before, fitted, bounds, at_bound per path), ``fit`` (one row per
        target: kind, observed low/high, model before and after, residual, relative
        residual, source), ``excluded`` (history figures outside the fit scenario's
        horizon, with the reason), ``fit_years``, ``held_out``, ``cost``,
        ``evaluations``, ``scenario``, ``runs``, ``seed``.

    Raises:
        InputError: with file, line and field for bad targets, bounds or history, or a
            fit scenario that fixes a calibrated parameter.
    """
    pb = problem(targets_path, config_path, last_year)
    free, lo, hi, everything, goal = pb.free, pb.lo, pb.hi, pb.everything, pb.goal
    runs, seed = pb.runs, pb.seed

    def model(x: np.ndarray) -> np.ndarray:
        return pb.measure(dict(zip(free, x, strict=True)), range(runs), seed)

    x0 = np.clip([pb.cfg.get(p).central for p in free], lo, hi)
    x, nfev, cost = fit(model, goal, x0, lo, hi)
    before, after = model(x0), model(x)
    rel = relative_miss(after, goal[:, 0], goal[:, 1])
    table = fit_table(everything, goal, before, after, rel)
    params = {p: {"before": float(v0), "fitted": float(v), "bounds": [float(a), float(b)],
                  "at_bound": bool(np.isclose(v, a, rtol=0, atol=1e-6 * max(abs(b - a), 1))
                                   or np.isclose(v, b, rtol=0, atol=1e-6 * max(abs(b - a), 1)))}
              for p, v0, v, a, b in zip(free, x0, x, lo, hi, strict=True)}  # fmt: skip
    h = pb.data.get("history")
    hz = pb.loaded.scenario.horizon
    return {"parameters": params, "fit": table, "excluded": pb.excluded,
            "fit_years": list(h["years"]) if h else None, "held_out": pb.last_year + 1,
            "fit_horizon": [int(hz.start), int(hz.end)],
            "cost": cost, "evaluations": nfev, "scenario": str(pb.scenario), "runs": runs,
            "seed": seed}  # fmt: skip


def fit_table(everything: list[dict[str, Any]], goal: np.ndarray, before: np.ndarray,
              after: np.ndarray, rel: np.ndarray) -> list[dict[str, Any]]:  # fmt: skip
    """One row per target: observed, model before and after, residuals, source."""
    return [{"target": t["name"], "kind": t["kind"], "variable": t["variable"],
             "entity": _label(t.get("entity")), "per": bool(t.get("per")),
             "time": float(t["time"]), "low": float(g[0]), "high": float(g[1]),
             "observed": _observed_text(t), "model_before": float(b), "model": float(a),
             "residual": absolute_miss(float(a), float(g[0]), float(g[1])),
             "relative": float(r), "source": t["source"]}
            for t, g, b, a, r in zip(everything, goal, before, after, rel,
                                     strict=True)]  # fmt: skip


def _window(t: dict[str, Any]) -> tuple[float, float | None]:
    """The latest (time, span) a target reads: its own window or its denominator's."""
    own = (t["time"], t.get("span"))
    per = t.get("per")
    if not per:
        return own
    theirs = (per.get("time", t["time"]), per.get("span", t.get("span")))
    return max(own, theirs, key=lambda w: tg.window_end(*w) or 0.0)


def _observed_text(t: dict[str, Any]) -> str:
    low, high = tg.bounds_of(t)
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


def _int_in(x: Any, lo: int, hi: int) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi


def _label(entity: Any) -> str:
    if entity is None:
        return ""
    return "+".join(entity) if isinstance(entity, list) else str(entity)


def fitted_config_text(config_path: str | Path | None, result: dict[str, Any],
                       targets_path: str | Path, written_to: str | Path | None = None,
                       how: str = "`simulate calibrate`",
                       sample: str | Path | None = None) -> str:  # fmt: skip
    """The fitted config as YAML: an overlay on the config fitted, or the whole config.

    Written beside another file (``written_to`` not the config itself), it is an
    overlay: ``extends:`` the config fitted (relative to where it is written) and, per
    fitted parameter, its value and its assumption saying it was calibrated, to which
    targets and from what value; nothing else is repeated. Written over the config
    (``written_to`` is it, or None), it is the whole config with those values.
    """
    path = Path(config_path or DEFAULT_CONFIG)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if written_to is not None and Path(written_to).resolve() != path.resolve():
        return _overlay_text(path, data, result, targets_path, Path(written_to), how,
                             Path(sample) if sample is not None else None)
    kinds = [r["kind"] for r in result["fit"]]
    what = f"{kinds.count('article')} article figures"
    if result.get("fit_years"):
        first, last = result["fit_years"]
        what += f" and {kinds.count('history')} observed figures {first}-{last}"
    for p, r in result["parameters"].items():
        group, _, name = p.partition(".")
        par = data["parameters"][group][name]
        was = f"{r['before']:g}"
        if "low" in par:
            was = f"the range {par.pop('low'):g}-{par.pop('high'):g}"
        par["value"] = round(r["fitted"], 6)
        note = (f" Calibrated to targets {Path(targets_path).name} ({what}) by "
                f"`simulate calibrate`; was {was}.")  # fmt: skip
        par["assumption"] = (par.get("assumption") or "").split(" Calibrated to")[0] + note
    if isinstance(data.get("name"), str):
        data["name"] = f"{data['name']}-calibrated"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    parse_config(yamlio.loads(text, "<calibrated>"))  # the result must be a valid config
    return ("# Calibrated by `simulate calibrate` from "
            f"{path.name}; the fit table is in the .fit.md beside this file.\n" + text)  # fmt: skip


def _overlay_text(path: Path, data: dict[str, Any], result: dict[str, Any],
                  targets_path: str | Path, written_to: Path,
                  how: str = "`simulate calibrate`", sample: Path | None = None,
                  ) -> str:  # fmt: skip
    """The fitted values as an overlay on ``path`` (see :func:`fitted_config_text`)."""
    base = load_config(path)
    kinds = [r["kind"] for r in result["fit"]]
    what = f"{kinds.count('article')} article figures"
    if result.get("fit_years"):
        first, last = result["fit_years"]
        what += f" and {kinds.count('history')} observed figures {first}-{last}"
    params: dict[str, dict[str, Any]] = {}
    for p, r in result["parameters"].items():
        par = base.get(p)
        was = f"{r['before']:g}" if par.value is not None else f"the range {par.low:g}-{par.high:g}"
        params.setdefault(p.partition(".")[0], {})[p.partition(".")[2]] = {
            "value": round(r["fitted"], 6),
            "assumption": (par.assumption or "").split(" Calibrated to")[0]
            + f" Calibrated to targets {Path(targets_path).name} ({what}) by {how}; "
              f"was {was}.",
        }  # fmt: skip
    rel = os.path.relpath(path.resolve(), written_to.resolve().parent)
    overlay = {"extends": rel, "name": f"{data.get('name', 'config')}-calibrated",
               "description": f"The fitted values of `simulate calibrate` over {path.name}; "
                              "every other parameter is the base config's.",
               "parameters": params}  # fmt: skip
    if sample is not None:  # as an ensemble, run i takes vector i of the sample
        overlay["posterior"] = os.path.relpath(sample.resolve(), written_to.resolve().parent)
        overlay["description"] = (f"The posterior of `simulate calibrate` over {path.name}: "
                                  "as an ensemble, run i takes vector i of the sample; as a "
                                  "point (--config), the posterior medians below.")
    text = yaml.safe_dump(overlay, sort_keys=False, allow_unicode=True, width=100)
    return ("# Calibrated by `simulate calibrate`: an overlay on "
            f"{rel} with the fitted values only; the fit table is in the .fit.md beside "
            "this file.\n" + text)


def fit_markdown(result: dict[str, Any]) -> str:
    """The fit report: one row per target (observed, model before and after, residual),
    the observations left out, then the parameters against their bounds."""
    years = result.get("fit_years")
    span = f"observed {years[0]}-{years[1]} and article figures" if years else "article figures"
    lines = [f"Fit on {Path(result['scenario']).name} (simulated "
             f"{result['fit_horizon'][0]}-{result['fit_horizon'][1]}; {result['held_out']} is "
             f"held out), {span}; mean of {result['runs']} runs (seed {result['seed']}), "
             f"{result['evaluations']} evaluations, cost {result['cost']:.4g}.", "",
             "A range scores zero inside and the relative distance to its nearest bound "
             "outside; a single figure scores model / figure - 1.", "",
             "| target | source | model quantity | time | observed | model before | model | "
             "residual |", "|---|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in result["fit"]:
        q = f"{r['variable']}[{r['entity']}]" if r["entity"] else r["variable"]
        q += " (ratio)" if r["per"] else ""
        src = f"seed {r['source'][:3]}" if r["kind"] == "article" else r["source"]
        lines.append(f"| {r['target']} | {src} | {q} | {r['time']:g} | {r['observed']} | "
                     f"{r['model_before']:.4g} | {r['model']:.4g} | "
                     f"{r['residual']:+.3g} ({r['relative']:+.1%}) |")  # fmt: skip
    if result.get("excluded"):
        lines += ["", "Observed in the fit years but outside the fit scenario's horizon "
                  "(not fitted):", ""]  # fmt: skip
        lines += [f"- {e['target']}: {e['observed']} ({e['source']}): {e['reason']}"
                  for e in result["excluded"]]  # fmt: skip
    lines += ["", "| parameter | before | fitted | bounds | at a bound |",
              "|---|---:|---:|---|---|"]  # fmt: skip
    for p, r in result["parameters"].items():
        lines.append(f"| {p} | {r['before']:g} | {r['fitted']:.4g} | "
                     f"[{r['bounds'][0]:g}, {r['bounds'][1]:g}] | "
                     f"{'yes' if r['at_bound'] else ''} |")  # fmt: skip
    return "\n".join(lines) + "\n"
