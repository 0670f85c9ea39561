"""Scenario discovery: which ranges of the uncertainties make an outcome likely (PRIM).

The uncertainties are sampled with a seeded Latin hypercube over their ranges,
each row run as one run of the scenario; PRIM (``ema_workbench.analysis.prim``)
then peels boxes towards the runs where the outcome happens.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simulate import experiment as ex
from simulate.errors import InputError


def _prim() -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise InputError("scenario discovery needs ema_workbench: pip install ema_workbench "
                         "(or pip install 'multivector[test]')", field="discover") from None
    return prim


def latin_hypercube(bounds: list[list[float]], n: int, seed: int) -> np.ndarray:
    """``n`` points of a seeded Latin hypercube scaled to ``bounds``."""
    lo, hi = np.array(bounds).T
    return qmc.scale(qmc.LatinHypercube(d=len(bounds), seed=seed).random(n), lo, hi)


def discover(
    scenario: str | Path | dict, *, outcome: str = "captured", runs: int | None = None,
    at: float | None = None, seed: int | None = None, threshold: float = 0.8,
    progress: Any = None, **executor: Any,
) -> dict[str, Any]:  # fmt: skip
    """Find the boxes of uncertainty space where the outcome happens (plain data)."""
    prim = _prim()
    from simulate.runner import prepare

    base = prepare(scenario, seed=seed)
    names, bounds = ex.uncertainty_bounds(base)
    out = ex.parse_outcome(outcome, base, thresholded=True, field="--outcome")
    if out.op is None and out.variable != "captured":
        raise InputError("the outcome must be captured or a threshold such as "
                         "'leverage:russia>0.6'", field="--outcome")  # fmt: skip
    n = runs or base.scenario.runs
    x = latin_hypercube(bounds, n, base.scenario.seed % 2**32)
    spec = ex.load_for_design(scenario, n, seed)
    update = progress(n) if progress is not None else None
    y = ex.evaluate(spec, names, x, out, ex.period_index(spec, at), progress=update,
                    **executor) > 0.5  # fmt: skip
    share = float(y.mean())
    if share in (0.0, 1.0):
        raise InputError(f"{out.label} {'never' if share == 0 else 'always'} happens in the "
                         f"{n} runs; there is nothing to discover (try another threshold)",
                         field="--outcome")  # fmt: skip
    frame = pd.DataFrame(x, columns=names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(frame, y, threshold=threshold).find_box()
    traj = box.peeling_trajectory
    lims = box.box_lims[box._cur_box]
    limits = [{"parameter": c, "low": float(lims[c].iloc[0]), "high": float(lims[c].iloc[1]),
               "full_low": float(frame[c].min()), "full_high": float(frame[c].max())}
              for c in names]  # fmt: skip
    restricted = [r for r in limits if r["low"] > r["full_low"] + 1e-12
                  or r["high"] < r["full_high"] - 1e-12]  # fmt: skip
    return {
        "scenario": spec.scenario.name, "outcome": out.label, "runs": n,
        "time": float(spec.times[ex.period_index(spec, at)]), "share": share,
        "box": {"coverage": float(box.coverage), "density": float(box.density),
                "mass": float(box.mass), "restricted": restricted, "limits": limits},
        "trajectory": [{"box": int(r["id"]), "coverage": float(r["coverage"]),
                        "density": float(r["density"]), "mass": float(r["mass"]),
                        "restricted_dims": int(r["res_dim"])}
                       for _, r in traj.iterrows()],
    }  # fmt: skip
