"""Global sensitivity analysis of a scenario's outcome over its declared uncertainties.

Sobol (Saltelli sampling, SALib ``sample.sobol`` / ``analyze.sobol``) or Morris
elementary effects (``sample.morris`` / ``analyze.morris``), on the batched driver.

The maths is SALib's; this module only maps a scenario to a SALib *problem*
(:func:`simulate.running.experiment.uncertainty_bounds`), draws the design
(:func:`design`), runs it (design row *i* = run *i*, see
:mod:`simulate.running.experiment`) and turns SALib's output into ranked rows
(:func:`indices`). :func:`design` and :func:`indices` are pure functions of
plain data, testable on a known function without the model.

Every seed, 0 included, gives the same design and the same indices and confidence
intervals on every call. SALib's samplers and ``analyze.morris`` take any integer;
``analyze.sobol`` takes a seed of 0 for "no seed" and would bootstrap its intervals
unseeded, so it gets a fresh generator of the seed instead (:func:`sobol_rng`).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from simulate.errors import InputError
from simulate.running import experiment as ex

METHODS = ("sobol", "morris", "ensemble")
#: Grid levels of the Morris design (SALib's default).
MORRIS_LEVELS = 4


def check_samples(method: str, n: int, second_order: bool = False) -> None:
    """Refuse an unknown method or a sample size or option it cannot work with.

    Raises:
        InputError: for an unknown method, a Sobol N that is not a power of two
            of at least 16, fewer than 4 Morris trajectories, or second order
            with Morris.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {METHODS}", field="method")
    if method == "sobol" and (n < 16 or n & (n - 1)):
        raise InputError(f"Sobol needs a sample size that is a power of two >= 16 (got {n})",
                         field="samples")  # fmt: skip
    if method == "morris" and n < 4:
        raise InputError(f"Morris needs at least 4 trajectories (got {n})", field="samples")
    if method == "ensemble" and n < 200:
        raise InputError(f"the ensemble method reads given data: at least 200 runs (got {n})",
                         field="samples")  # fmt: skip
    if second_order and method != "sobol":
        raise InputError("second-order indices come with the sobol method only",
                         field="second_order")  # fmt: skip


def design_size(method: str, n: int, k: int, second_order: bool = False) -> int:
    """Rows of the design: Sobol N(k+2) (N(2k+2) with S2), Morris N(k+1), an ensemble N."""
    if method == "ensemble":
        return n
    if method == "sobol":
        return n * (2 * k + 2 if second_order else k + 2)
    return n * (k + 1)


def sobol_rng(seed: int) -> np.random.Generator:
    """The generator ``analyze.sobol`` bootstraps with for ``seed``: a new one per call.

    For a seed that is not 0 it draws exactly what ``analyze.sobol`` draws when given
    the integer (it seeds :func:`numpy.random.default_rng` with it); for 0, which
    ``analyze.sobol`` reads as "no seed", it is just as reproducible.
    """
    return np.random.default_rng(seed)


def design(problem: dict[str, Any], method: str, n: int, seed: int,
           second_order: bool = False) -> np.ndarray:  # fmt: skip
    """The SALib design for ``problem`` (rows x variables), a pure function of ``seed``."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method == "sobol":
        return sobol_sample.sample(problem, n, calc_second_order=second_order, seed=seed)
    return morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=seed)


def indices(problem: dict[str, Any], method: str, x: np.ndarray, y: np.ndarray, seed: int,
            second_order: bool = False) -> tuple[list[dict], list[dict]]:  # fmt: skip
    """SALib's indices as rows ranked by importance, and the S2 pairs (Sobol only).

    Sobol rows carry S1, ST and their 95% confidence half-widths, ranked by ST;
    Morris rows carry mu*, its 95% confidence half-width, sigma and mu, ranked by mu*.
    The confidence intervals are bootstrapped from ``seed`` (through :func:`sobol_rng`
    for Sobol), so they too are a pure function of the inputs, for every seed.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    names = problem["names"]
    pairs: list[dict] = []
    if method == "sobol":
        si = sobol_analyze.analyze(problem, y, calc_second_order=second_order,
                                   seed=sobol_rng(seed), print_to_console=False)  # fmt: skip
        rows = [{"parameter": n, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                 "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])}
                for j, n in enumerate(names)]  # fmt: skip
        rows.sort(key=lambda r: -r["ST"])
        if second_order:
            pairs = [{"pair": [names[i], names[j]], "S2": float(si["S2"][i, j]),
                      "S2_conf": float(si["S2_conf"][i, j])}
                     for i in range(len(names)) for j in range(i + 1, len(names))]  # fmt: skip
        return rows, pairs
    si = morris_analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed,
                                print_to_console=False)  # fmt: skip
    rows = [{"parameter": n, "mu_star": float(si["mu_star"][j]),
             "mu_star_conf": float(si["mu_star_conf"][j]), "sigma": float(si["sigma"][j]),
             "mu": float(si["mu"][j])} for j, n in enumerate(names)]  # fmt: skip
    rows.sort(key=lambda r: -r["mu_star"])
    return rows, pairs


def given_data_indices(names: list[str], x: np.ndarray, y: np.ndarray, seed: int,
                       resamples: int = 20) -> list[dict]:  # fmt: skip
    """First-order Sobol indices and Borgonovo's delta from given data, ranked by S1.

    For an ensemble whose inputs are not a designed sample (a posterior's vectors, the
    priors' draws): SALib's ``analyze.delta`` (Plischke, Borgonovo and Smith 2013)
    estimates each input's first-order Sobol index S1 and its moment-independent delta
    from the runs as they are, with bootstrap confidence half-widths (``resamples``).
    Inputs are taken as independent: a posterior's correlations are not attributed.
    """
    from SALib.analyze import delta

    lo, hi = x.min(axis=0), x.max(axis=0)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[float(a), float(b)] for a, b in zip(lo, hi, strict=True)]}
    si = delta.analyze(problem, x, y, num_resamples=resamples, seed=seed,
                       print_to_console=False)  # fmt: skip
    key = "delta" if "delta" in si else "delta_raw"  # SALib 1.6 names it delta_raw
    rows = [{"parameter": n, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
             "delta": float(si[key][j]), "delta_conf": float(si[f"{key}_conf"][j])}
            for j, n in enumerate(names)]  # fmt: skip
    rows.sort(key=lambda r: -r["S1"])
    return rows


def analyse(
    scenario: str | Path | dict, *, method: str = "sobol", samples: int = 256,
    outcome: str = "balance_index", at: float | None = None, seed: int | None = None,
    second_order: bool = False, progress: Any = None, output: str | None = None,
    **executor: Any,
) -> dict[str, Any]:  # fmt: skip
    """Run the sensitivity design of a scenario and return its ranked indices.

    Args:
        scenario: Scenario path or mapping; its ``uncertainties`` are the inputs.
        method: ``"sobol"`` or ``"morris"``.
        samples: Sobol base sample N (a power of two) or Morris trajectories.
        outcome: ``VARIABLE[:ENTITY]`` read at ``at``.
        at: Period start (a year); default the horizon's last period.
        seed: Seed of the design and the runs (default the scenario's).
        second_order: Also Sobol S2 (doubles the design).
        progress: ``progress(total)`` returning ``update(done)``, or None.
        output: Deprecated name of ``outcome``.
        **executor: Passed on to :func:`simulate.running.ensemble.run_chunks`.

    Returns:
        Plain data: scenario, method, samples, runs, outcome, time, seed,
        ``indices`` (ranked rows) and ``second_order`` (S2 pairs); ``output``
        repeats ``outcome`` for readers of earlier versions.

    Raises:
        InputError: bad method, N, variable, entity or year; no uncertainties;
            an outcome that does not vary over the design.
    """
    if output is not None:
        warnings.warn("analyse(output=...) is deprecated; use outcome=...", DeprecationWarning,
                      stacklevel=2)  # fmt: skip
        outcome = output
    check_samples(method, samples, second_order)
    base = ex.load_for_design(scenario, 1, seed)
    parsed = ex.parse_outcome(outcome, base)
    t = ex.period_index(base, at)
    if method == "ensemble":
        return _on_ensemble(scenario, samples, parsed, t, seed, progress, **executor)
    names, bounds = ex.uncertainty_bounds(base)
    size = design_size(method, samples, len(names), second_order)
    spec = ex.load_for_design(scenario, size, seed)
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    s = spec.scenario.seed
    x = design(problem, method, samples, s % 2**32, second_order)
    update = progress(len(x)) if progress is not None else None
    y = ex.evaluate(spec, names, x, parsed, t, progress=update, **executor)
    if np.ptp(y) == 0:
        raise InputError(f"{parsed.label} does not vary over the design; nothing to attribute",
                         field="outcome")  # fmt: skip
    rows, pairs = indices(problem, method, x, y, s % 2**32, second_order)
    return {"scenario": spec.scenario.name, "method": method, "samples": samples,
            "runs": len(x), "outcome": parsed.label, "output": parsed.label,
            "time": float(spec.times[t]), "seed": s, "indices": rows,
            "second_order": pairs}  # fmt: skip


def _on_ensemble(scenario: Any, runs: int, parsed: Any, t: int, seed: int | None,
                 progress: Any, **executor: Any) -> dict[str, Any]:  # fmt: skip
    """Indices from the scenario's own ensemble (its posterior and priors as drawn)."""
    spec = ex.load_for_design(scenario, runs, seed, point=False)
    names, x = ex.ensemble_inputs(spec, range(runs))
    update = progress(runs) if progress is not None else None
    y = ex.evaluate_runs(spec, parsed, t, progress=update, **executor)
    if np.ptp(y) == 0:
        raise InputError(f"{parsed.label} does not vary over the runs; nothing to attribute",
                         field="outcome")  # fmt: skip
    s = spec.scenario.seed
    rows = given_data_indices(names, x, y, s % 2**32)
    return {"scenario": spec.scenario.name, "method": "ensemble", "samples": runs,
            "runs": runs, "outcome": parsed.label, "output": parsed.label,
            "time": float(spec.times[t]), "seed": s, "indices": rows,
            "second_order": []}  # fmt: skip
