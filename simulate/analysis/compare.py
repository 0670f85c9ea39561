"""Compare result files: summary statistics per file and differences against a reference.

The statistics are pure functions of arrays (:func:`describe`, :func:`proportion`,
:func:`difference`, :func:`superiority`); :func:`compare` applies them to loaded
results. For each variable, entity and time: per file the mean, median and 5-95%
interval; against the first file the difference of means with a bootstrap 95%
confidence interval, the probability that a run of the other file exceeds a run of
the reference, and a Mann-Whitney U p-value. For 0/1 variables (each outcome class,
``captured``): the probability with a Wilson 95% interval, and the difference.

Summary files (``keep: summary``) give means and quantiles at every time, but per-run
values only at the horizon's end; elsewhere the tests that need runs are reported as
:data:`SUMMARY_ONLY`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import stats

from simulate.errors import InputError
from simulate.results import view as rv
from simulate.results.files import Results
from simulate.results.summary import PROBABILITY, paired_difference, wilson
from simulate.scenarios.variables import KEY_OUTCOMES, VARIABLES, is_binary

#: What the tests that need every run show where a summary file lacks them.
SUMMARY_ONLY = "n/a (summary file)"
#: Bootstrap resamples: enough for a 95% percentile interval to two digits, and fast.
RESAMPLES = 999


def describe(x: np.ndarray) -> dict[str, float]:
    """Mean, median and the 5% and 95% quantiles of per-run values."""
    x = np.asarray(x, dtype=float)
    q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
    return {"n": int(x.size), "mean": float(x.mean()), "median": float(q50),
            "p05": float(q05), "p95": float(q95), "constant": bool(np.ptp(x) == 0)}  # fmt: skip


def proportion(x: np.ndarray) -> dict[str, float]:
    """The share of runs where a 0/1 outcome is 1, with its Wilson 95% interval.

    The interval is returned as ``p05``/``p95`` so it lines up with :func:`describe`.
    """
    x = np.asarray(x, dtype=float)
    lo, hi = wilson(float(x.sum()), int(x.size))
    return {"n": int(x.size), "mean": float(x.mean()), "median": float(np.median(x)),
            "p05": lo, "p95": hi}  # fmt: skip


def difference(
    ref: np.ndarray, other: np.ndarray, seed: int = 0, resamples: int = RESAMPLES
) -> dict[str, float]:
    """Difference of means (other - ref) with a percentile bootstrap 95% interval.

    The two samples are resampled independently (``scipy.stats.bootstrap``), seeded
    so the same inputs always give the same interval. Samples without spread give
    a zero-width interval at the difference.
    """
    a, b = np.asarray(ref, dtype=float), np.asarray(other, dtype=float)
    d = float(b.mean() - a.mean())
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return {"diff": d, "diff_lo": d, "diff_hi": d}
    res = stats.bootstrap(
        (b, a), lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis),
        n_resamples=resamples, method="percentile", vectorized=True,
        batch=max(1, 2_000_000 // max(a.size, b.size)),  # bounded memory for big ensembles
        rng=np.random.default_rng(seed),
    )  # fmt: skip
    return {"diff": d, "diff_lo": float(res.confidence_interval.low),
            "diff_hi": float(res.confidence_interval.high)}  # fmt: skip


def superiority(ref: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """P(a run of ``other`` exceeds a run of ``ref``), ties counted half, and the MWU p-value.

    The probability is the Mann-Whitney U statistic of ``other`` divided by
    ``n_ref * n_other``; swapping the samples gives ``1 - P`` and the same p-value.
    """
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
    at: Sequence[float] | None = None, seed: int = 0, entities: Sequence[str] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:  # fmt: skip
    """Compare each file with the first one.

    Args:
        results: Loaded result files; the first is the reference.
        variables: Variables to compare (default the key outcomes,
            :data:`simulate.scenarios.variables.KEY_OUTCOMES`).
        at: Period start times (default: the last period every file has).
        seed: Seed of the bootstrap.
        entities: Only these entities (powers, routes); variables without entities
            are always kept.

    Returns:
        Rows (one per variable, entity, time and file, the reference first) and notes
        for the reader.

    Raises:
        InputError: Fewer than two files, an unknown variable or entity, or a time that
            is not a period of every file (naming the file and the option).
    """
    if len(results) < 2:
        raise InputError("compare needs at least two result files", field="FILES")
    common, differ = common_times(results)
    if len(common) == 0:
        raise InputError("the files have no period in common", field="FILES")
    notes = [f"horizons differ: compared on the {len(common)} common periods "
             f"{common[0]:g}-{common[-1]:g}"] if differ else []  # fmt: skip
    ats = [float(common[-1])] if not at else list(dict.fromkeys(_period(results, t) for t in at))
    variables = list(dict.fromkeys(variables or _probabilities_first(KEY_OUTCOMES)))
    for res in results:
        for var in variables:
            rv.check(res, var)
    chosen = _entities(results[0], variables, entities)
    if any(r.keep == "summary" for r in results):
        notes.append("summary files keep per-run values only at the horizon's end; "
                     f"tests needing runs elsewhere show {SUMMARY_ONLY}")  # fmt: skip
    views = [_restrict(r, variables, ats) for r in results]
    pairs = [paired(results[0], r) for r in results]
    rows = []
    for var, ents in chosen.items():
        for ent in ents:
            for res in views[1:]:
                rv.check(res, var, ent)
            for t in ats:
                rows.extend(_rows_for(views, var, ent, t, seed, pairs))
    return rows, notes


def _probabilities_first(variables: Sequence[str]) -> list[str]:
    """The 0/1 variables (outcome classes, ``captured``) first, the others in order."""
    return [v for v in variables if is_binary(v)] + [v for v in variables if not is_binary(v)]


def paired(ref: Results, other: Results) -> bool:
    """Whether two files ran the same runs with the same seed (run *i* shares its draws)."""
    a, b = ref.metadata, other.metadata
    return (a.get("seed") is not None and a.get("seed") == b.get("seed")
            and a.get("runs") == b.get("runs")
            and a.get("randomness") == b.get("randomness"))  # fmt: skip


def heading(results: Sequence[Results], ats: Sequence[float]) -> str:
    """One line on what is compared: the years, each file's runs and seed, and pairing."""
    names = [rv.label(r) for r in results]
    runs = {n: r.metadata.get("runs") for n, r in zip(names, results, strict=True)}
    seeds = {n: r.metadata.get("seed") for n, r in zip(names, results, strict=True)}
    years = ", ".join(f"{t:g}" for t in ats)
    same_runs = len(set(runs.values())) == 1
    runs_text = (f"{next(iter(runs.values())):,} runs each" if same_runs
                 else "runs " + ", ".join(f"{n} {v:,}" for n, v in runs.items()))  # fmt: skip
    seed_text = (f"seed {next(iter(seeds.values()))}" if len(set(seeds.values())) == 1
                 else "seeds " + ", ".join(f"{n} {v}" for n, v in seeds.items()))  # fmt: skip
    pairs = [paired(results[0], r) for r in results[1:]]
    how = ("paired: run i of each file shares its random draws" if all(pairs)
           else "not paired (the runs or seeds differ)" if not any(pairs)
           else "paired where the runs and seed match the first file")  # fmt: skip
    return f"Compared at {years}; {runs_text}, {seed_text}; {how}."


def _period(results: Sequence[Results], t: float) -> float:
    """The period starting at ``t`` in every file (an error names the first file without)."""
    found = [rv.nearest_time(r, t) for r in results]
    return found[0]


def _entities(
    res: Results, variables: Sequence[str], entities: Sequence[str] | None
) -> dict[str, list[str]]:
    """Entities to compare per variable; every requested entity must occur somewhere."""
    chosen = {v: rv.entities(res, v) for v in variables}
    if not entities:
        return chosen
    known = {e for ents in chosen.values() for e in ents if e}
    unknown = [e for e in entities if e not in known]
    if unknown:
        raise InputError(f"no entity {unknown[0]!r} in the chosen variables (they have "
                         f"{sorted(known)})", file=res.path, field="entities")  # fmt: skip
    return {v: [e for e in ents if not e or e in entities] for v, ents in chosen.items()}


def _restrict(res: Results, variables: Sequence[str], ats: Sequence[float]) -> Results:
    """The rows of the chosen variables at the chosen times (one scan instead of many)."""
    f = res.frame
    at_time = np.isclose(f["time"].to_numpy()[:, None], np.asarray(ats)[None, :]).any(axis=1)
    return replace(res, frame=f[at_time & f["variable"].isin(variables).to_numpy()])


def _rows_for(results, var, ent, t, seed, pairs) -> list[dict[str, Any]]:  # noqa: ANN001
    binary = is_binary(var)
    unit = PROBABILITY if binary else VARIABLES[var].unit if var in VARIABLES else ""
    runs = [rv.run_values(r, var, ent, t) for r in results]
    rows: list[dict[str, Any]] = []
    for k, (res, x) in enumerate(zip(results, runs, strict=True)):
        row: dict[str, Any] = {"variable": var, "entity": ent, "unit": unit, "time": t,
                               "scenario": rv.label(res), "file": str(res.path or "")}  # fmt: skip
        if x is not None:
            row.update(proportion(x) if binary else describe(x))
        else:
            s = rv.quantiles_over_time(res, var, ent)
            s = s.loc[np.isclose(s.index, t)].iloc[0]
            n = int(res.metadata.get("runs", 0))
            row.update({"n": n, "mean": float(s["mean"]), "median": float(s["p50"]),
                        "p05": float(s["p05"]), "p95": float(s["p95"])})  # fmt: skip
            if binary:  # the share captured times n is the count: the Wilson interval is exact
                row["p05"], row["p95"] = wilson(round(row["mean"] * n), n)
        if k > 0:
            row["diff"] = row["mean"] - rows[0]["mean"]
            ref = runs[0]
            if x is None or ref is None:
                row.update(diff_lo=SUMMARY_ONLY, diff_hi=SUMMARY_ONLY, paired=False,
                           excludes_zero=None, p_superiority=SUMMARY_ONLY,
                           mannwhitney_p=SUMMARY_ONLY)  # fmt: skip
            else:
                if pairs[k] and len(x) == len(ref):
                    d = paired_difference(ref, x)
                    row.update(diff_lo=d.low, diff_hi=d.high, paired=True)
                else:
                    row.update(difference(ref, x, seed), paired=False)
                row["excludes_zero"] = row["diff_lo"] > 0 or row["diff_hi"] < 0
                row.update(superiority(ref, x) if not binary else
                           {"p_superiority": None, "mannwhitney_p": None})  # fmt: skip
        rows.append(row)
    return rows


def largest_difference(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The row with the largest absolute difference of means (None if no row has one)."""
    diffs = [r for r in rows if isinstance(r.get("diff"), float)]
    return max(diffs, key=lambda r: abs(r["diff"]), default=None)


def max_abs_difference(rows: Sequence[dict[str, Any]]) -> float:
    """The largest absolute difference of means in a comparison (0 if none)."""
    row = largest_difference(rows)
    return abs(row["diff"]) if row else 0.0
