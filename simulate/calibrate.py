"""Calibration: fit the config's ``calibrate: true`` parameters to figures from the articles.

The targets (:mod:`simulate.targets`, ``configs/targets.yaml``) name article
figures and the model quantity each matches. The fit minimises the relative
residuals ``model / article - 1`` with bounded least squares
(``scipy.optimize.least_squares``, trust-region reflective) over the parameters'
bounds (the targets file's ``bounds``, else the parameter's domain). The model
value is the mean of a fixed ensemble (``runs`` runs with ``seed``, both from the
targets file) of the targets' scenario, so the objective is a deterministic
function of the parameters (common random numbers): the same inputs always give
the same fit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares

from simulate import targets as tg
from simulate import yamlio
from simulate.errors import InputError
from simulate.limits import echo
from simulate.parameters import DEFAULT_CONFIG, domain, load_config, parse_config
from simulate.scenario import load
from simulate.schema import MAX_RUNS

DEFAULT_RUNS = 40


def fit(
    objective: Callable[[np.ndarray], np.ndarray], goal: np.ndarray, x0: np.ndarray,
    lo: np.ndarray, hi: np.ndarray, max_evaluations: int = 200,
) -> tuple[np.ndarray, int, float]:  # fmt: skip
    """Bounded least squares of relative residuals ``objective(x) / goal - 1``.

    A pure function of its inputs (no model inside): testable on any vector
    function. Returns the fitted x, the number of evaluations and the cost
    (half the sum of squared relative residuals).
    """
    x0 = np.clip(np.asarray(x0, dtype=float), lo, hi)
    res = least_squares(lambda x: objective(x) / goal - 1.0, x0, bounds=(lo, hi),
                        x_scale="jac", diff_step=1e-3, max_nfev=max_evaluations)  # fmt: skip
    return res.x, int(res.nfev), float(res.cost)


def _free_parameters(cfg, config_path, data) -> tuple[list[str], np.ndarray, np.ndarray]:  # noqa: ANN001
    free = [p for p in cfg.paths() if cfg.get(p).calibrate]
    if not free:
        raise InputError("no parameter is marked calibrate: true",
                         file=config_path or DEFAULT_CONFIG, field="calibrate")  # fmt: skip
    sourced = [p for p in free if cfg.get(p).sources]
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


def calibrate(targets_path: str | Path, config_path: str | Path | None = None) -> dict[str, Any]:
    """Fit the ``calibrate: true`` parameters to the targets; return plain data.

    Returns:
        ``parameters`` (before, fitted, bounds per path), ``fit`` (one row per
        target: article value, model before and after, residual, relative
        residual, source), ``cost``, ``evaluations``, ``scenario``, ``runs``, ``seed``.

    Raises:
        InputError: with file, line and field for bad targets or bounds.
    """
    from simulate.batch import simulate_runs
    from simulate.results import entities_of
    from simulate.runner import prepare

    data = tg.read_targets(targets_path)
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
    scen = Path(os.path.join(Path(targets_path).parent, scen))
    loaded = load(scen, config=cfg)
    spec0 = prepare(loaded, runs=runs, seed=seed)
    resolved = tg.resolve(data, lambda v: entities_of(spec0, v), spec0.times, spec0.dt)
    goal = np.array([float(t["value"]) for t in data["targets"]])

    def model(x: np.ndarray) -> np.ndarray:
        spec = prepare(loaded, runs=runs, seed=seed, overrides=dict(zip(free, x, strict=True)))
        return tg.measure(simulate_runs(spec, range(runs), seed), resolved)

    x0 = np.clip([cfg.get(p).central for p in free], lo, hi)
    x, nfev, cost = fit(model, goal, x0, lo, hi)
    before, after = model(x0), model(x)
    table = [{"target": t["name"], "variable": t["variable"], "entity": _label(t.get("entity")),
              "per": bool(t.get("per")), "time": float(t["time"]), "value": float(t["value"]),
              "model_before": float(b), "model": float(a), "residual": float(a - t["value"]),
              "relative": float(a / t["value"] - 1), "source": t["sources"][0]["seed"]}
             for t, b, a in zip(data["targets"], before, after, strict=True)]  # fmt: skip
    return {"parameters": {p: {"before": float(v0), "fitted": float(v),
                               "bounds": [float(a), float(b)]}
                           for p, v0, v, a, b in zip(free, x0, x, lo, hi, strict=True)},
            "fit": table, "cost": cost, "evaluations": nfev, "scenario": str(scen),
            "runs": runs, "seed": seed}  # fmt: skip


def _int_in(x: Any, lo: int, hi: int) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi


def _label(entity: Any) -> str:
    if entity is None:
        return ""
    return "+".join(entity) if isinstance(entity, list) else str(entity)


def fitted_config_text(config_path: str | Path | None, result: dict[str, Any],
                       targets_path: str | Path) -> str:  # fmt: skip
    """The config as YAML with the fitted values; sources kept, assumptions annotated.

    A fitted parameter's range (``low``/``high``) is replaced by its value and its
    assumption text says it was calibrated, to which targets and from what value.
    """
    path = Path(config_path or DEFAULT_CONFIG)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for p, r in result["parameters"].items():
        group, _, name = p.partition(".")
        par = data["parameters"][group][name]
        was = f"{r['before']:g}"
        if "low" in par:
            was = f"the range {par.pop('low'):g}-{par.pop('high'):g}"
        par["value"] = round(r["fitted"], 6)
        note = (f" Calibrated to targets {Path(targets_path).name} ({len(result['fit'])} "
                f"article figures) by `simulate calibrate`; was {was}.")  # fmt: skip
        par["assumption"] = (par.get("assumption") or "").split(" Calibrated to")[0] + note
    if isinstance(data.get("name"), str):
        data["name"] = f"{data['name']}-calibrated"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    parse_config(yamlio.loads(text, "<calibrated>"))  # the result must be a valid config
    return ("# Calibrated by `simulate calibrate` from "
            f"{path.name}; the fit table is in the .fit.md beside this file.\n" + text)  # fmt: skip


def fit_markdown(result: dict[str, Any]) -> str:
    """The fit report: one row per target (article, model, residual), then the parameters."""
    lines = [f"Fit on {Path(result['scenario']).name}, mean of {result['runs']} runs "
             f"(seed {result['seed']}), {result['evaluations']} evaluations, "
             f"cost {result['cost']:.4g}.", "",
             "| target | model quantity | time | article | model before | model | residual |",
             "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in result["fit"]:
        q = f"{r['variable']}[{r['entity']}]" if r["entity"] else r["variable"]
        q += " (ratio)" if r["per"] else ""
        lines.append(f"| {r['target']} ({r['source'][:3]}) | {q} | {r['time']:g} | "
                     f"{r['value']:g} | {r['model_before']:.4g} | {r['model']:.4g} | "
                     f"{r['residual']:+.3g} ({r['relative']:+.1%}) |")  # fmt: skip
    lines += ["", "| parameter | before | fitted | bounds |", "|---|---:|---:|---|"]
    for p, r in result["parameters"].items():
        lines.append(f"| {p} | {r['before']:g} | {r['fitted']:.4g} | "
                     f"[{r['bounds'][0]:g}, {r['bounds'][1]:g}] |")  # fmt: skip
    return "\n".join(lines) + "\n"
