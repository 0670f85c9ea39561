"""Where a policy fails: scenario discovery (PRIM) on the futures where it loses the balance.

The last step of many-objective robust decision making (Kasprzyk et al. 2013; Bryant and
Lempert 2010): after choosing a policy, find the region of the futures where it still
fails. The space is every input a future used: what each run drew (the posterior's
vector, the priors, the scenario's uncertainties and the config's ranges) and, for an
input a scenario fixes instead, the value it fixes (a path: its mean over the horizon);
with several scenarios, one 0/1 column per scenario says which future is which. An
ensemble draws a hundred or more inputs; the :data:`SCREEN` that best separate the
failing futures from the others (the largest ``|AUC - 0.5|``, the Mann-Whitney statistic
of each input, scale-free) are kept, and PRIM
(:func:`simulate.analysis.discover.prim_box`) peels towards the failures in them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simulate.analysis.policyruns import Futures
from simulate.errors import InputError
from simulate.scenarios.policies import Policy

#: PRIM's minimum density of the reported box (as `simulate discover`), and its minimum mass.
THRESHOLD, MASS_MIN = 0.8, 0.05
#: Inputs PRIM peels in: those that best separate failures from the rest.
SCREEN = 10


def inputs(futures: Futures, policy: Policy) -> pd.DataFrame:
    """Every input each future used under ``policy`` (futures x inputs), those that vary."""
    from simulate.model.randomness import draw_runs

    parts = []
    for s in range(len(futures.scenarios)):
        spec = futures.spec(s, policy)
        draws, _ = draw_runs(spec, spec.scenario.seed, np.arange(futures.runs[s]))
        parts.append((spec, draws.values))
    names = sorted({k for _, values in parts for k in values})
    columns: dict[str, np.ndarray] = {}
    for name in names:
        columns[name] = np.concatenate([
            np.asarray(values[name], dtype=float) if name in values
            else np.full(n, fixed_value(spec, name))
            for (spec, values), n in zip(parts, futures.runs, strict=True)])  # fmt: skip
    if len(futures.scenarios) > 1:
        which = futures.scenario_of()
        for s, name in enumerate(futures.names):
            columns[f"scenario={name}"] = (which == s).astype(float)
    frame = pd.DataFrame(columns)
    varies = [c for c in frame.columns if frame[c].notna().all() and np.ptp(frame[c]) > 0]
    return frame[varies]


def fixed_value(spec: Any, path: str) -> float:
    """The value a scenario runs an input it does not draw at: its path's mean over the
    periods, or its value in force (NaN when the config has no such parameter)."""
    if path in spec.paths:
        return float(np.mean(spec.paths[path]))
    return float(spec.base.get(path, np.nan))


def separation(x: pd.DataFrame, failed: np.ndarray) -> pd.Series:
    """How well each input separates the failing futures from the others: ``|AUC - 0.5|``,
    the Mann-Whitney statistic (0: no separation, 0.5: complete), by input."""
    from scipy.stats import rankdata

    failed = np.asarray(failed, dtype=bool)
    n1, n0 = int(failed.sum()), int((~failed).sum())
    ranks = rankdata(x.to_numpy(), axis=0)
    auc = (ranks[failed].sum(axis=0) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return pd.Series(np.abs(auc - 0.5), index=x.columns)


def screened(x: pd.DataFrame, failed: np.ndarray, keep: int = SCREEN) -> pd.DataFrame:
    """The ``keep`` inputs that best separate the failures (:func:`separation`), by score,
    ties by name."""
    score = separation(x, failed)
    order = sorted(x.columns, key=lambda c: (-round(float(score[c]), 12), c))
    return x[order[:keep]]


def where_fails(futures: Futures, policy: Policy, failed: np.ndarray, *,
                threshold: float = THRESHOLD,
                mass_min: float = MASS_MIN) -> dict[str, Any]:  # fmt: skip
    """PRIM's box of the futures where ``policy`` fails (``failed``: one bool per future).

    Returns:
        ``policy``, ``share`` (of futures that fail), ``inputs`` (how many), and PRIM's
        ``box`` and ``trajectory`` (:func:`simulate.analysis.discover.prim_box`); or a
        ``note`` instead when there is nothing to discover (the policy never or always
        fails) or the EMA Workbench is not installed.
    """
    from simulate.analysis.discover import prim_box, require_prim

    failed = np.asarray(failed, dtype=bool)
    share = float(failed.mean())
    out: dict[str, Any] = {"policy": policy.name, "share": share, "futures": int(failed.size)}
    if share in (0.0, 1.0):
        word = "never" if share == 0.0 else "always"
        return {**out, "note": f"{policy.name} {word} loses the balance in these futures: "
                "nothing to discover"}  # fmt: skip
    try:
        require_prim()
    except InputError as exc:
        return {**out, "note": exc.message}
    x = inputs(futures, policy)
    kept = screened(x, failed)
    found = prim_box(kept, failed, threshold, mass_min)
    return {**out, "inputs": int(x.shape[1]), "screened": list(kept.columns), **found}
