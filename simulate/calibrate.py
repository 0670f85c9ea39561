"""Calibration: fit the config's ``calibrate: true`` parameters to figures from the articles.

Targets (``configs/targets.yaml``) name a model variable, entity (``*`` sums over
entities) and period start, the article figure and its verbatim source. The fit
minimises relative residuals (model / target - 1) with bounded least squares
(``scipy.optimize.least_squares``) on the targets' scenario, using the mean of a
fixed ensemble (``runs`` and ``seed`` in the targets file), so it is deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares

from simulate import yamlio
from simulate.errors import InputError
from simulate.parameters import DEFAULT_CONFIG, domain, load_config, parse_config
from simulate.results import entities_of
from simulate.scenario import load
from simulate.variables import VARIABLES


def read_targets(path: str | Path) -> dict[str, Any]:
    """Load and check a targets file (errors name file, line and field)."""
    located = yamlio.load_file(path)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise InputError("expected a mapping with a 'targets' list", file=path, line=1)
    for k, t in enumerate(data["targets"]):
        line = located.line_of(("targets", k))
        for key in ("name", "variable", "time", "value", "sources"):
            if key not in t:
                raise InputError(f"missing {key!r}", file=path, line=line,
                                 field=f"targets.{k}.{key}")  # fmt: skip
        if t["variable"] not in VARIABLES:
            raise InputError(f"no model variable {t['variable']!r} to match", file=path,
                             line=located.line_of(("targets", k, "variable")) or line,
                             field=f"targets.{k}.variable")  # fmt: skip
    for p, b in (data.get("bounds") or {}).items():
        lo, hi = domain(p)
        line = located.line_of(("bounds", p))
        if not (isinstance(b, list) and len(b) == 2 and lo <= b[0] < b[1] <= hi):
            raise InputError(f"bounds {b} must be [low, high] inside the domain [{lo}, {hi}]",
                             file=path, line=line, field=f"bounds.{p}")  # fmt: skip
    data["_file"] = str(path)
    data["_located"] = located
    return data


def _model_values(spec, targets: list[dict], runs: int, seed: int) -> np.ndarray:  # noqa: ANN001
    from simulate.batch import simulate_runs

    out = simulate_runs(spec, range(runs), seed)
    vals = []
    for t in targets:
        k = int(np.argmin(np.abs(spec.times - float(t["time"]))))
        arr = out[t["variable"]][:, k, :]
        ent = t.get("entity", "")
        col = arr.sum(axis=1) if ent == "*" else arr[:, entities_of(spec, t["variable"]).index(ent)]
        vals.append(float(col.mean()))
    return np.array(vals)


def calibrate(targets_path: str | Path, config_path: str | Path | None = None) -> dict[str, Any]:
    """Fit and return the fitted values and the fit table (plain data)."""
    from simulate.runner import prepare

    tg = read_targets(targets_path)
    cfg = load_config(config_path)
    free = [p for p in cfg.paths() if cfg.get(p).calibrate]
    if not free:
        raise InputError("no parameter is marked calibrate: true", file=config_path or
                         DEFAULT_CONFIG, field="calibrate")  # fmt: skip
    bounds = tg.get("bounds") or {}
    for p in bounds:
        if p not in free:
            raise InputError(f"{p} is not a calibrate: true parameter of the config",
                             file=targets_path, line=tg["_located"].line_of(("bounds", p)),
                             field=f"bounds.{p}")  # fmt: skip
    lo = np.array([bounds.get(p, domain(p))[0] for p in free], dtype=float)
    hi = np.array([bounds.get(p, domain(p))[1] for p in free], dtype=float)
    x0 = np.clip([cfg.get(p).central for p in free], lo, hi)
    scen = (Path(targets_path).parent / tg.get("scenario", "../scenarios/baseline.yaml")).resolve()
    loaded = load(scen, config=cfg)
    runs, seed = int(tg.get("runs", 40)), int(tg.get("seed", 0))
    targets = tg["targets"]
    for k, t in enumerate(targets):
        ents = entities_of(prepare(loaded), t["variable"])
        if t.get("entity", "") not in [*ents, "*"]:
            raise InputError(f"{t['variable']} has no entity {t.get('entity')!r} ({ents})",
                             file=targets_path, line=tg["_located"].line_of(("targets", k)),
                             field=f"targets.{k}.entity")  # fmt: skip
    goal = np.array([float(t["value"]) for t in targets])

    def model(x: np.ndarray) -> np.ndarray:
        spec = prepare(loaded, runs=runs, seed=seed, overrides=dict(zip(free, x, strict=True)))
        return _model_values(spec, targets, runs, seed)

    fit = least_squares(lambda x: model(x) / goal - 1.0, x0, bounds=(lo, hi), x_scale="jac",
                        diff_step=1e-3, max_nfev=200)  # fmt: skip
    before, after = model(x0), model(fit.x)
    table = [{"target": t["name"], "variable": t["variable"], "entity": t.get("entity", ""),
              "time": float(t["time"]), "value": float(t["value"]), "model_before": float(b),
              "model": float(a), "residual": float(a - t["value"]),
              "relative": float(a / t["value"] - 1), "source": t["sources"][0]["seed"]}
             for t, b, a in zip(targets, before, after, strict=True)]  # fmt: skip
    return {"parameters": {p: {"before": float(v0), "fitted": float(v),
                               "bounds": [float(l_), float(h_)]}
                           for p, v0, v, l_, h_ in zip(free, x0, fit.x, lo, hi, strict=True)},
            "fit": table, "cost": float(fit.cost), "evaluations": int(fit.nfev),
            "scenario": str(scen), "runs": runs, "seed": seed}  # fmt: skip


def fitted_config_text(config_path: str | Path | None, result: dict[str, Any],
                       targets_path: str | Path) -> str:  # fmt: skip
    """The config YAML with fitted values (provenance kept, assumptions annotated)."""
    path = Path(config_path or DEFAULT_CONFIG)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for p, r in result["parameters"].items():
        group, _, name = p.partition(".")
        par = data["parameters"][group][name]
        par.pop("low", None)
        par.pop("high", None)
        par["value"] = round(r["fitted"], 6)
        note = (f" Calibrated to the targets in {Path(targets_path).name} "
                f"(was {r['before']:g}; simulate calibrate).")  # fmt: skip
        par["assumption"] = par.get("assumption", "").split(" Calibrated to")[0] + note
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    parse_config(yamlio.loads(text, "<calibrated>"))  # the result must be a valid config
    return "# Calibrated by `simulate calibrate`; see the .fit.md beside this file.\n" + text


def fit_markdown(result: dict[str, Any]) -> str:
    """The fit report as a Markdown table."""
    lines = ["| target | model variable | time | article | model before | model after | "
             "residual |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in result["fit"]:
        var = f"{r['variable']}[{r['entity']}]" if r["entity"] else r["variable"]
        lines.append(f"| {r['target']} ({r['source'][:3]}) | {var} | {r['time']:g} | "
                     f"{r['value']:g} | {r['model_before']:.4g} | {r['model']:.4g} | "
                     f"{r['residual']:+.3g} ({r['relative']:+.1%}) |")  # fmt: skip
    lines += ["", "| parameter | before | fitted | bounds |", "|---|---:|---:|---|"]
    for p, r in result["parameters"].items():
        lines.append(f"| {p} | {r['before']:g} | {r['fitted']:.4g} | {r['bounds']} |")
    return "\n".join(lines) + "\n"
