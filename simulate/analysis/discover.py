"""Scenario discovery: which ranges of the uncertainties make an outcome likely (PRIM).

The uncertainties are sampled with a seeded Latin hypercube over their ranges
(:func:`latin_hypercube`), row *i* run as run *i* of the scenario (its own
seeded noise, see :mod:`simulate.running.experiment`); PRIM (the maintained
implementation in ``ema_workbench.analysis.prim``) then peels boxes towards the
runs where the outcome happens. :func:`prim_box` is a pure function of the
design and the 0/1 outcome, testable without the model.

The reported box is, on PRIM's peeling trajectory, the one with the highest
coverage whose density reaches ``threshold`` (PRIM's minimum density); when no
box does, the densest box is reported and flagged ``meets_threshold: false``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simulate.errors import InputError
from simulate.running import experiment as ex

INSTALL_HINT = ("scenario discovery needs the EMA Workbench (ema_workbench), which is not "
                "installed; install it with: pip install 'multivector[ema]' "
                "(or: pip install ema_workbench)")  # fmt: skip
#: PRIM's default minimum mass of a box (share of runs).
MASS_MIN = 0.05


def require_prim() -> Any:
    """Import ``ema_workbench.analysis.prim`` or fail with how to install it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise InputError(INSTALL_HINT, field="discover") from None
    return prim


def latin_hypercube(bounds: list[list[float]], n: int, seed: int) -> np.ndarray:
    """``n`` points of a seeded Latin hypercube scaled to ``bounds`` (rows x variables)."""
    lo, hi = np.array(bounds, dtype=float).T
    return qmc.scale(qmc.LatinHypercube(d=len(bounds), seed=seed).random(n), lo, hi)


def prim_box(x: pd.DataFrame, y: np.ndarray, threshold: float,
             mass_min: float = MASS_MIN) -> dict[str, Any]:  # fmt: skip
    """Run PRIM on design ``x`` and boolean outcome ``y``; return the box and trajectory.

    ``mass_min`` is the smallest share of runs a box may hold (PRIM stops peeling
    there); a rare outcome needs a small one for a dense box.

    Returns:
        ``box``: coverage, density, mass, index on the trajectory, whether it
        meets the threshold, ``limits`` (low/high per uncertainty with the
        sampled range) and ``restricted`` (the limits that cut the range);
        ``trajectory``: coverage, density, mass and restricted dimensions of
        every box PRIM peeled.
    """
    prim = require_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # PRIM counts cases of interest as y >= threshold and replaces a final box below
        # the threshold by the whole space; a tiny threshold keeps the whole trajectory
        # (cases of interest stay y == 1) and the box is chosen on it below.
        found = prim.Prim(x, np.asarray(y, dtype=float), threshold=1e-9,
                          mass_min=mass_min).find_box()
    traj = found.peeling_trajectory.reset_index(drop=True)
    ok = traj.index[traj["density"] >= threshold - 1e-12]
    meets = len(ok) > 0
    i = int(traj.loc[ok, "coverage"].idxmax()) if meets else int(traj["density"].idxmax())
    lims = found.box_lims[i]
    limits = []
    for c in x.columns:
        lo, hi = float(lims[c].iloc[0]), float(lims[c].iloc[1])
        full_lo, full_hi = float(x[c].min()), float(x[c].max())
        limits.append({"parameter": c, "low": lo, "high": hi, "full_low": full_lo,
                       "full_high": full_hi,
                       "restricted": lo > full_lo + 1e-12 or hi < full_hi - 1e-12})  # fmt: skip
    row = traj.loc[i]
    return {
        "box": {"index": i, "coverage": float(row["coverage"]), "density": float(row["density"]),
                "mass": float(row["mass"]), "meets_threshold": meets, "threshold": threshold,
                "limits": limits, "restricted": [r for r in limits if r["restricted"]]},
        "trajectory": [{"box": int(k), "coverage": float(r["coverage"]),
                        "density": float(r["density"]), "mass": float(r["mass"]),
                        "restricted_dims": int(r["res_dim"])} for k, r in traj.iterrows()],
    }  # fmt: skip


def discover(
    scenario: str | Path | dict, *, outcome: str = "captured", runs: int | None = None,
    at: float | None = None, seed: int | None = None, threshold: float = 0.8,
    mass_min: float = MASS_MIN, progress: Any = None, inputs: str = "design",
    **executor: Any,
) -> dict[str, Any]:  # fmt: skip
    """Find the box of uncertainty space where ``outcome`` happens.

    Args:
        scenario: Scenario path or mapping; its ``uncertainties`` span the space.
        outcome: ``captured`` or ``VARIABLE[:ENTITY](>|>=|<|<=)NUMBER``.
        runs: Latin hypercube size (default the scenario's runs).
        at: Period start (a year); default the horizon's last period.
        seed: Seed of the design and the runs (default the scenario's).
        threshold: PRIM's minimum box density, in (0, 1].
        mass_min: PRIM's minimum box mass (share of runs), in (0, 1).
        progress: ``progress(total)`` returning ``update(done)``, or None.
        inputs: ``"design"``: a Latin hypercube over the scenario's uncertainties;
            ``"ensemble"``: the scenario's own runs as they are, with every input each
            drew (the posterior's vector, the priors, the uncertainties) as the space.
        **executor: Passed on to :func:`simulate.running.ensemble.run_chunks`.

    Returns:
        Plain data: scenario, outcome, runs, time, share (of runs where the
        outcome happens), seed, inputs, and :func:`prim_box`'s ``box`` and
        ``trajectory``.

    Raises:
        InputError: ema_workbench missing; a bad outcome, year, threshold or mass; no
            uncertainties; an outcome that never or always happens.
    """
    require_prim()
    if not 0 < threshold <= 1:
        raise InputError(f"the threshold is a density in (0, 1] (got {threshold:g})",
                         field="threshold")  # fmt: skip
    if not 0 < mass_min < 1:
        raise InputError(f"the minimum mass is a share of runs in (0, 1) (got {mass_min:g})",
                         field="mass_min")  # fmt: skip
    if inputs not in ("design", "ensemble"):
        raise InputError(f"inputs are 'design' or 'ensemble' (got {inputs!r})", field="inputs")
    base = ex.load_for_design(scenario, 1, seed)
    if inputs == "design":
        names, bounds = ex.uncertainty_bounds(base)
    out = ex.parse_outcome(outcome, base, thresholded=True, field="outcome")
    if out.op is None and out.variable != "captured":
        raise InputError("the outcome must be captured or a threshold such as "
                         "'leverage:russia>0.6'", field="outcome")  # fmt: skip
    t = ex.period_index(base, at)
    n = runs or ex.prepare(scenario).scenario.runs  # base was sized for one row
    # a design's rows differ only in the inputs it sets (a point config); an ensemble's runs
    # in everything they draw
    spec = ex.load_for_design(scenario, n, seed, point=inputs == "design")
    s = spec.scenario.seed
    update = progress(n) if progress is not None else None
    if inputs == "ensemble":
        names, x = ex.ensemble_inputs(spec, range(n))
        y = ex.evaluate_runs(spec, out, t, progress=update, **executor) > 0.5
    else:
        x = latin_hypercube(bounds, n, s % 2**32)
        y = ex.evaluate(spec, names, x, out, t, progress=update, **executor) > 0.5
    share = float(y.mean())
    if share in (0.0, 1.0):
        raise InputError(f"{out.label} {'never' if share == 0 else 'always'} happens at "
                         f"{spec.times[t]:g} in the {n:,} runs: there is nothing to discover "
                         "(try more runs, another threshold or another year)",
                         field="outcome")  # fmt: skip
    found = prim_box(pd.DataFrame(x, columns=names), y, threshold, mass_min)
    return {"scenario": spec.scenario.name, "outcome": out.label, "runs": n,
            "time": float(spec.times[t]), "share": share, "seed": s, "inputs": inputs,
            **found}  # fmt: skip
