"""A posterior sample of the calibrated parameters, by ABC-SMC (pyabc).

The parameters a config marks ``calibrate: true`` are fitted to the observed history of
the fit years and the article figures (``configs/targets.yaml``) by approximate Bayesian
computation with sequential Monte Carlo (Toni et al. 2009; Beaumont et al. 2009), as
pyabc implements it (Schälte et al. 2022, *Bioinformatics* 38(20)). Why ABC: the model
has no likelihood one could write down (positions, routes and trade interact through
thresholds and capacities), but it simulates fast; ABC needs only simulations and a
distance, and pyabc is maintained and runs on process pools and Dask.

* **Priors** are the parameters' ``prior:`` blocks, set by their reasons before any fit.
* **Each particle** runs the fit scenario (its horizon cut after the last fit year) for
  ``runs_per_particle`` runs; every other assumption is drawn from its prior in each run,
  so the posterior integrates over what the record cannot tell apart.
* **The distance** is the root mean square of the targets' relative misses (zero inside
  an observed range: :func:`simulate.analysis.observed.relative_miss`).
* **Generations** shrink the tolerance to the median distance of the last one, until
  the tolerance or the acceptance rate falls below its floor or the generations run out.

The last generation's weighted particles are resampled (systematic resampling, seeded)
into ``vectors`` equally weighted vectors: the posterior sample that ensembles take
their calibrated values from, run *i* vector *i* mod its size.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulate.analysis.calibrate import Problem
from simulate.analysis.observed import relative_miss
from simulate.errors import InputError
from simulate.scenarios.parameters import domain, prior_support

#: Particles per generation.
DEFAULT_POPULATION = 1000
#: Generations at most.
DEFAULT_GENERATIONS = 6
#: Runs each particle simulates.
DEFAULT_RUNS_PER_PARTICLE = 2
#: Vectors in the posterior sample written.
DEFAULT_VECTORS = 1000
#: Stop when fewer than this share of the proposals is accepted.
MIN_ACCEPTANCE = 0.02
#: Particles draw their run indices from [0, RUN_SPACE).
RUN_SPACE = 4096


def rms_relative_miss(model: np.ndarray, goal: np.ndarray) -> float:
    """The distance of ABC: root mean square of the relative misses of each target
    (zero inside an observed range; ``goal`` is (targets, 2), low and high)."""
    miss = relative_miss(np.asarray(model, dtype=float), goal[:, 0], goal[:, 1])
    return float(np.sqrt(np.mean(np.square(miss))))


def ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights: (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.square(w).sum()) if w.size and w.sum() > 0 else 0.0


def systematic_resample(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of ``n`` draws from the weighted particles, by systematic resampling
    (one uniform offset, n evenly spaced points on the cumulative weights): unbiased and
    with less noise than independent draws."""
    w = np.asarray(weights, dtype=float)
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    u0 = np.random.default_rng(seed).random() / n
    return np.searchsorted(cum, u0 + np.arange(n) / n, side="right").clip(0, len(w) - 1)


def scipy_rv(prior: Any) -> tuple[str, tuple[float, ...]]:
    """The scipy.stats name and arguments of a config prior (for pyabc.RV)."""
    if prior.dist == "uniform":
        return "uniform", (prior.low, prior.high - prior.low)
    if prior.dist == "triangular":
        span = prior.high - prior.low
        return "triang", ((prior.mode - prior.low) / span, prior.low, span)
    if prior.dist == "truncnormal":
        return "truncnorm", ((prior.low - prior.mean) / prior.sd,
                             (prior.high - prior.mean) / prior.sd, prior.mean, prior.sd)
    return "lognorm", (prior.sigma, 0.0, prior.median)


@dataclass
class Simulator:
    """One particle's simulation, picklable for process pools and Dask workers."""

    problem: Problem
    names: dict[str, str]  # pyabc's names -> parameter paths

    def __call__(self, pars: dict[str, float]) -> dict[str, Any]:
        values = {}
        for key, path in self.names.items():
            lo, hi = domain(path)
            values[path] = float(np.clip(pars[key], lo, hi))
        # a particle's runs: drawn from pyabc's generator in the worker, as its parameters
        runs = np.random.randint(0, RUN_SPACE, size=DEFAULT_RUNS_PER_PARTICLE)
        model = self.problem.measure(values, runs, self.problem.seed, point=False)
        return {"model": model}


def _distance(goal: np.ndarray):  # noqa: ANN202 - pyabc calls it with two dicts
    def distance(x: dict[str, Any], x0: dict[str, Any]) -> float:
        del x0
        return rms_relative_miss(x["model"], goal)

    return distance


def posterior(problem: Problem, *, population: int = DEFAULT_POPULATION,
              generations: int = DEFAULT_GENERATIONS, vectors: int = DEFAULT_VECTORS,
              workers: int = 1, scheduler: str | None = None, seed: int | None = None,
              ) -> dict[str, Any]:  # fmt: skip
    """Run ABC-SMC on ``problem`` and return the posterior sample and its diagnostics.

    Args:
        problem: The fit (:func:`simulate.analysis.calibrate.problem`).
        population: Particles per generation.
        generations: Generations at most.
        vectors: Equally weighted vectors to resample the last generation into.
        workers: Processes (1: this process, reproducible for a seed).
        scheduler: A Dask scheduler address (``tcp://host:8786``) to sample on instead.
        seed: Seed of the sampler (default the targets file's).

    Returns:
        ``paths``, ``sample`` (vectors x parameters), ``priors`` (per path: dist and its
        5/50/95% points), ``generations`` (per generation: epsilon, particles, proposals,
        acceptance, ESS), ``simulations``, ``seconds``, and what was fitted.

    Raises:
        InputError: a calibrated parameter without a prior, or pyabc missing.
    """
    import time

    try:
        import pyabc
    except ImportError:  # pragma: no cover - a dependency
        raise InputError("simulate calibrate needs pyabc (pip install pyabc)",
                         field="calibrate") from None
    missing = [p for p in problem.free if problem.cfg.get(p).prior is None]
    if missing:
        raise InputError(f"{missing} are calibrated but have no prior; give each a prior "
                         "with its reason", field="calibrate")  # fmt: skip
    seed = problem.seed if seed is None else int(seed)
    names = {f"p{k}": p for k, p in enumerate(problem.free)}
    prior = pyabc.Distribution(**{
        key: pyabc.RV(*(lambda n, a: (n, *a))(*scipy_rv(problem.cfg.get(p).prior)))
        for key, p in names.items()})  # fmt: skip
    np.random.seed(seed % 2**32)
    sampler = _sampler(pyabc, workers, scheduler)
    abc = pyabc.ABCSMC(Simulator(problem, names), prior, _distance(problem.goal),
                       population_size=population, sampler=sampler,
                       eps=pyabc.MedianEpsilon())  # fmt: skip
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = "sqlite:///" + os.path.join(tmp, "abc.db")
        abc.new(db, {"model": np.zeros(len(problem.goal))})
        history = abc.run(max_nr_populations=generations, min_acceptance_rate=MIN_ACCEPTANCE)
        gens = _generations(history)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        total = int(history.total_nr_simulations)
    seconds = time.perf_counter() - start
    cols = [frame[key].to_numpy(dtype=float) for key in names]
    particles = np.column_stack(cols)
    idx = systematic_resample(np.asarray(weights), vectors, seed)
    sample = particles[idx]
    return {"paths": list(problem.free), "sample": sample, "weights_ess": ess(weights),
            "prior_objects": {p: problem.cfg.get(p).prior for p in problem.free},
            "priors": {p: _prior_summary(problem.cfg.get(p).prior) for p in problem.free},
            "generations": gens, "simulations": total, "seconds": seconds,
            "population": population, "runs_per_particle": DEFAULT_RUNS_PER_PARTICLE,
            "seed": seed, "last_year": problem.last_year,
            "targets": [t["name"] for t in problem.everything]}  # fmt: skip


def _sampler(pyabc: Any, workers: int, scheduler: str | None) -> Any:
    if scheduler:
        from distributed import Client

        return pyabc.sampler.DaskDistributedSampler(dask_client=Client(scheduler))
    if workers > 1:
        return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    return pyabc.sampler.SingleCoreSampler()


def _generations(history: Any) -> list[dict[str, Any]]:
    pops = history.get_all_populations()
    out = []
    for _, row in pops.iterrows():
        t = int(row["t"])
        if t < 0:
            continue  # pyabc's calibration population
        _, w = history.get_distribution(m=0, t=t)
        particles = int(len(w))
        proposals = int(row["samples"])
        out.append({"generation": t, "epsilon": float(row["epsilon"]), "particles": particles,
                    "proposals": proposals, "acceptance": particles / max(proposals, 1),
                    "ess": ess(np.asarray(w))})  # fmt: skip
    return out


def _prior_summary(prior: Any) -> dict[str, Any]:
    from simulate.model.randomness import inverse_cdf

    q = inverse_cdf(prior, np.array([0.05, 0.5, 0.95]))
    lo, hi = prior_support(prior)
    return {"dist": prior.dist, "q05": float(q[0]), "median": float(q[1]), "q95": float(q[2]),
            "support": [lo, hi]}


def summary_rows(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Per calibrated parameter: the prior's and the posterior's median and 90% interval,
    and how much narrower the posterior is (1 - its 90% width / the prior's)."""
    rows = []
    for k, p in enumerate(res["paths"]):
        col = res["sample"][:, k]
        q05, med, q95 = np.quantile(col, [0.05, 0.5, 0.95])
        pr = res["priors"][p]
        width = pr["q95"] - pr["q05"]
        rows.append({"parameter": p, "prior": pr, "posterior": {
            "q05": float(q05), "median": float(med), "q95": float(q95)},
            "narrowed": 1.0 - (q95 - q05) / width if width > 0 else math.nan})  # fmt: skip
    return rows


def write_sample(res: dict[str, Any], path: str | Path) -> str:
    """Write the sample as CSV (``#`` comment lines first), atomically; return its SHA-256."""
    from simulate.results.files import atomic_path

    lines = [f"# posterior sample of simulate calibrate: {len(res['sample'])} vectors, ABC-SMC "
             f"(pyabc), fit years up to {res['last_year']}, seed {res['seed']}",
             ",".join(res["paths"])]  # fmt: skip
    lines += [",".join(f"{v:.10g}" for v in row) for row in res["sample"]]
    text = "\n".join(lines) + "\n"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_markdown(res: dict[str, Any], sample_name: str) -> str:
    """The calibration report: convergence per generation, then prior against posterior."""
    lines = [f"ABC-SMC (pyabc) on the fit years up to {res['last_year']} and the article figures "
             f"({len(res['targets'])} targets): {res['population']} particles per generation, "
             f"{res['runs_per_particle']} runs per particle (every other assumption drawn from "
             f"its prior), seed {res['seed']}; {res['simulations']:,} simulations in "
             f"{res['seconds']:.0f} s. The last generation's weighted particles (effective "
             f"sample size {res['weights_ess']:.0f}) are resampled into {len(res['sample'])} "
             f"equally weighted vectors, `{sample_name}`.", "",
             "Distance: root mean square of the targets' relative misses (zero inside an "
             "observed range). Tolerance: the median distance of the previous generation.", "",
             "| generation | tolerance | particles | proposals | acceptance | ESS |",
             "|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for g in res["generations"]:
        lines.append(f"| {g['generation']} | {g['epsilon']:.4g} | {g['particles']} | "
                     f"{g['proposals']} | {g['acceptance']:.3f} | {g['ess']:.0f} |")
    lines += ["", "| parameter | prior | prior median [90%] | posterior median [90%] | "
              "narrowed |", "|---|---|---:|---:|---:|"]  # fmt: skip
    for r in summary_rows(res):
        pr, po = r["prior"], r["posterior"]
        lines.append(f"| `{r['parameter']}` | {pr['dist']} | {pr['median']:.4g} "
                     f"[{pr['q05']:.4g}, {pr['q95']:.4g}] | {po['median']:.4g} "
                     f"[{po['q05']:.4g}, {po['q95']:.4g}] | {r['narrowed']:.0%} |")
    lines += ["", "*Narrowed*: 1 - the posterior's 90% width / the prior's: how much the "
              "record tells about the parameter (0%: nothing)."]
    return "\n".join(lines) + "\n"


def plot(res: dict[str, Any], path: str | Path) -> None:
    """Prior against posterior, one panel per calibrated parameter (PNG or SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simulate.model.randomness import inverse_cdf
    from simulate.results.files import atomic_path

    n = len(res["paths"])
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for k, p in enumerate(res["paths"]):
        ax = axes[k // cols][k % cols]
        prior = res["prior_objects"][p]
        draws = inverse_cdf(prior, (np.arange(4000) + 0.5) / 4000)
        ax.hist(draws, bins=40, density=True, alpha=0.4, label="prior", color="#888888")
        ax.hist(res["sample"][:, k], bins=40, density=True, alpha=0.7, label="posterior",
                color="#1f77b4")  # fmt: skip
        ax.set_title(p, fontsize=9)
        ax.tick_params(labelsize=8)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png", dpi=110)
    plt.close(fig)
