"""Compare result files: summary statistics per file and differences against a reference.

The statistics are pure functions of arrays (:func:`describe`, :func:`difference`,
:func:`superiority`, :func:`proportion`); :func:`compare` applies them to loaded
results. For each variable, entity and time: per file the mean, median and 5-95%
interval; against the first file the difference of means with a bootstrap 95%
confidence interval, the probability that a run of the other file exceeds a run of
the reference, and a Mann-Whitney U p-value. For ``captured``: the probability of
balancing failure with a Wilson 95% interval, and the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from simulate import resultview as rv
from simulate.errors import InputError
from simulate.results import Results
from simulate.summary import wilson

#: Variables compared when none are chosen.
DEFAULT_VARIABLES = (
    "balance_index", "alignment", "leverage", "oil_via_russia_share", "trade_share",
    "corridor_volume", "sanctions_exposure", "captured",
)  # fmt: skip
SUMMARY_ONLY = "n/a (summary file)"


def describe(x: np.ndarray) -> dict[str, float]:
    """Mean, median and the 5% and 95% quantiles of per-run values."""
    x = np.asarray(x, dtype=float)
    q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
    return {"n": int(x.size), "mean": float(x.mean()), "median": float(q50),
            "p05": float(q05), "p95": float(q95)}  # fmt: skip


def proportion(x: np.ndarray) -> dict[str, float]:
    """The share of runs where a 0/1 outcome is 1, with its Wilson 95% interval."""
    x = np.asarray(x, dtype=float)
    lo, hi = wilson(float(x.sum()), int(x.size))
    return {"n": int(x.size), "mean": float(x.mean()), "median": float(np.median(x)),
            "p05": lo, "p95": hi}  # fmt: skip


def difference(ref: np.ndarray, other: np.ndarray, seed: int = 0,
               resamples: int = 999) -> dict[str, float]:  # fmt: skip
    """Difference of means (other - ref) with a percentile bootstrap 95% interval."""
    a, b = np.asarray(ref, dtype=float), np.asarray(other, dtype=float)
    d = float(b.mean() - a.mean())
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return {"diff": d, "diff_lo": d, "diff_hi": d}
    res = stats.bootstrap(
        (b, a), lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis),
        n_resamples=resamples, method="percentile", vectorized=True,
        rng=np.random.default_rng(seed),
    )  # fmt: skip
    return {"diff": d, "diff_lo": float(res.confidence_interval.low),
            "diff_hi": float(res.confidence_interval.high)}  # fmt: skip


def superiority(ref: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """P(a run of ``other`` exceeds a run of ``ref``) (ties count half) and the MWU p-value."""
    a, b = np.asarray(ref, dtype=float), np.asarray(other, dtype=float)
    if np.ptp(np.concatenate([a, b])) == 0:
        return {"p_superiority": 0.5, "mannwhitney_p": 1.0}
    res = stats.mannwhitneyu(b, a, alternative="two-sided")
    return {"p_superiority": float(res.statistic) / (a.size * b.size),
            "mannwhitney_p": float(res.pvalue)}  # fmt: skip


def common_times(results: Sequence[Results]) -> tuple[np.ndarray, bool]:
    """Period times every file has, and whether the files' horizons differ."""
    sets = [set(np.round(rv.times(r), 9)) for r in results]
    common = np.array(sorted(set.intersection(*sets)))
    return common, any(s != sets[0] for s in sets)


def compare(
    results: Sequence[Results], variables: Sequence[str] | None = None,
    at: Sequence[float] | None = None, seed: int = 0,
) -> tuple[list[dict[str, Any]], list[str]]:  # fmt: skip
    """Compare each file with the first one.

    Returns:
        Rows (one per variable, entity, time and file) and notes for the reader.
    """
    if len(results) < 2:
        raise InputError("compare needs at least two result files", field="FILES")
    common, differ = common_times(results)
    if len(common) == 0:
        raise InputError("the files have no period in common", field="FILES")
    notes = [f"horizons differ: compared on the {len(common)} common periods "
             f"{common[0]:g}-{common[-1]:g}"] if differ else []  # fmt: skip
    ats = [float(common[-1])] if not at else [rv.nearest_time(results[0], t) for t in at]
    for t in ats:
        if not np.any(np.isclose(common, t)):
            raise InputError(f"time {t:g} is not a period of every file", field="--at")
    variables = list(variables or DEFAULT_VARIABLES)
    for res in results:
        for var in variables:
            rv.check(res, var)
    if any(r.keep == "summary" for r in results):
        notes.append("summary files keep per-run values only at the horizon's end; "
                     f"tests needing runs elsewhere show {SUMMARY_ONLY}")  # fmt: skip
    rows = []
    for var in variables:
        for ent in rv.entities(results[0], var):
            for res in results[1:]:
                rv.check(res, var, ent)
            for t in ats:
                rows.extend(_rows_for(results, var, ent, t, seed))
    return rows, notes


def _rows_for(results, var, ent, t, seed) -> list[dict[str, Any]]:  # noqa: ANN001
    binary = var == "captured"
    runs = [rv.run_values(r, var, ent, t) for r in results]
    rows = []
    for k, (res, x) in enumerate(zip(results, runs, strict=True)):
        row: dict[str, Any] = {"variable": var, "entity": ent, "time": t,
                               "scenario": rv.label(res), "file": str(res.path or "")}  # fmt: skip
        if x is not None:
            row.update(proportion(x) if binary else describe(x))
        else:
            s = rv.quantiles_over_time(res, var, ent)
            s = s.loc[np.isclose(s.index, t)].iloc[0]
            row.update({"n": int(res.metadata.get("runs", 0)), "mean": float(s["mean"]),
                        "median": float(s["p50"]), "p05": float(s["p05"]),
                        "p95": float(s["p95"])})  # fmt: skip
        if k > 0:
            row["diff"] = row["mean"] - rows[0]["mean"]
            ref = runs[0]
            if x is None or ref is None:
                row.update(diff_lo=SUMMARY_ONLY, diff_hi=SUMMARY_ONLY,
                           p_superiority=SUMMARY_ONLY, mannwhitney_p=SUMMARY_ONLY)  # fmt: skip
            else:
                row.update(difference(ref, x, seed))
                row.update(superiority(ref, x) if not binary else
                           {"p_superiority": None, "mannwhitney_p": None})  # fmt: skip
        rows.append(row)
    return rows


def max_abs_difference(rows: Sequence[dict[str, Any]]) -> float:
    """The largest absolute difference of means in a comparison (0 if none)."""
    diffs = [abs(r["diff"]) for r in rows if isinstance(r.get("diff"), float)]
    return max(diffs, default=0.0)
