"""Global sensitivity analysis of a scenario's outcome over its declared uncertainties.

Sobol (Saltelli sampling, SALib ``sample.sobol`` / ``analyze.sobol``) or Morris
elementary effects (``sample.morris`` / ``analyze.morris``), on the batched driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulate import experiment as ex
from simulate.errors import InputError

METHODS = ("sobol", "morris")
MORRIS_LEVELS = 4


def check_samples(method: str, n: int) -> None:
    """Refuse sample sizes the method cannot work with."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {METHODS}", field="--method")
    if method == "sobol" and (n < 16 or n & (n - 1)):
        raise InputError(f"Sobol needs --samples a power of two >= 16 (got {n})",
                         field="--samples")  # fmt: skip
    if method == "morris" and n < 4:
        raise InputError(f"Morris needs at least 4 trajectories (got {n})", field="--samples")


def analyse(
    scenario: str | Path | dict, *, method: str = "sobol", samples: int = 256,
    output: str = "balance_index", at: float | None = None, seed: int | None = None,
    second_order: bool = False, progress: Any = None, **executor: Any,
) -> dict[str, Any]:  # fmt: skip
    """Run the design and return the indices, ranked (plain data)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    check_samples(method, samples)
    base = ex.load_for_design(scenario, 1, seed)
    names, bounds = ex.uncertainty_bounds(base)
    outcome = ex.parse_outcome(output, base)
    t = ex.period_index(base, at)
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    s = base.scenario.seed
    if method == "sobol":
        x = sobol_sample.sample(problem, samples, calc_second_order=second_order, seed=s % 2**32)
    else:
        x = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=s % 2**32)
    spec = ex.load_for_design(scenario, len(x), seed)
    if progress is not None:
        progress = progress(len(x))
    y = ex.evaluate(spec, names, x, outcome, t, progress=progress, **executor)
    if np.ptp(y) == 0:
        raise InputError(f"{outcome.label} does not vary over the design; nothing to attribute",
                         field="--output")  # fmt: skip
    if method == "sobol":
        si = sobol_analyze.analyze(problem, y, calc_second_order=second_order,
                                   seed=s % 2**32, print_to_console=False)  # fmt: skip
        rows = [{"parameter": n, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                 "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])}
                for j, n in enumerate(names)]  # fmt: skip
        rows.sort(key=lambda r: -r["ST"])
        s2 = []
        if second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    s2.append({"pair": [names[i], names[j]], "S2": float(si["S2"][i, j]),
                               "S2_conf": float(si["S2_conf"][i, j])})  # fmt: skip
    else:
        si = morris_analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=s % 2**32,
                                    print_to_console=False)  # fmt: skip
        rows = [{"parameter": n, "mu_star": float(si["mu_star"][j]),
                 "mu_star_conf": float(si["mu_star_conf"][j]), "sigma": float(si["sigma"][j]),
                 "mu": float(si["mu"][j])} for j, n in enumerate(names)]  # fmt: skip
        rows.sort(key=lambda r: -r["mu_star"])
        s2 = []
    return {"scenario": spec.scenario.name, "method": method, "samples": samples,
            "runs": len(x), "output": outcome.label, "time": float(spec.times[t]),
            "seed": s, "indices": rows, "second_order": s2}  # fmt: skip


def bar_chart(result: dict[str, Any]) -> Any:
    """A horizontal bar chart of the indices with their confidence intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["indices"][::-1]
    names = [r["parameter"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    y = np.arange(len(rows))
    if result["method"] == "sobol":
        ax.barh(y + 0.2, [r["ST"] for r in rows], 0.4, xerr=[r["ST_conf"] for r in rows],
                color="#0072B2", label="total (ST)")  # fmt: skip
        ax.barh(y - 0.2, [r["S1"] for r in rows], 0.4, xerr=[r["S1_conf"] for r in rows],
                color="#E69F00", hatch="//", label="first order (S1)")  # fmt: skip
    else:
        ax.barh(y, [r["mu_star"] for r in rows], 0.5, xerr=[r["mu_star_conf"] for r in rows],
                color="#0072B2", label="mu*")  # fmt: skip
    ax.set_yticks(y, names)
    ax.legend(fontsize=8)
    ax.set_title(f"{result['method']} indices of {result['output']} at {result['time']:g}",
                 fontsize=10)  # fmt: skip
    fig.tight_layout()
    return fig
