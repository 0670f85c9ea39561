"""Search the continuous levers for the Pareto front of balance against cost (NSGA-II).

Many-objective robust decision making (Kasprzyk et al. 2013) searches for the policies no
other beats on every objective before stress-testing them. The decision variables are
the settings of one actor's levers that take a ``range`` (from each lever's first year);
the objectives are the mean objective over a subset of the futures (the first ``runs``
of each scenario, the same for every candidate) and the policy's cost. The search is
NSGA-II (Deb et al. 2002) as implemented by pymoo (Blank and Deb 2020), seeded, so the
same call gives the same front. The front's policies are then run over every future.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from simulate.analysis import robust
from simulate.analysis.policyruns import Futures
from simulate.errors import InputError
from simulate.scenarios import levers as lv
from simulate.scenarios.policies import Policy

#: Digits a setting of the front is rounded to (a Mt/yr to 1e-4 is more than enough).
DIGITS = 4


def continuous(futures: Futures, actor: str) -> list[str]:
    """The levers of ``actor`` that take a range (the search's variables)."""
    levers = futures.scenarios[0].scenario.levers
    return [k for k, v in levers.items() if v.actor == actor and v.range is not None]


def policy_of(futures: Futures, names: Sequence[str], x: Sequence[float], label: str) -> Policy:
    """The policy setting ``names`` to ``x``, each from its lever's first year."""
    loaded = futures.scenarios[0]
    hz = loaded.scenario.horizon
    return Policy(label, {n: lv.Setting(round(float(v), DIGITS),
                                        lv.earliest(loaded.scenario.levers[n], hz))
                          for n, v in zip(names, x, strict=True)})  # fmt: skip


def measure(futures: Futures, policies: list[Policy], years: Sequence[float], kind: str,
            **executor: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Mean objective, satisficing share and cost of each policy over ``futures``."""
    from simulate.analysis.decide import cost_of, evaluate

    ev = evaluate(futures, policies, years, kind, **executor)
    costs = np.array([sum(cost_of(list(futures.scenarios), p).values()) for p in policies])
    return ev.objective.mean(axis=1), robust.satisficing(ev.satisfied), costs


def search(futures: Futures, years: Sequence[float], kind: str, actor: str, *,
           population: int = 16, generations: int = 8, runs: int = 100, progress: Any = None,
           **executor: Any) -> dict[str, Any]:  # fmt: skip
    """NSGA-II over ``actor``'s continuous levers; the front, re-run over every future.

    Args:
        futures: The futures (the search uses the first ``runs`` of each scenario).
        years: The years outcomes are judged at.
        kind: The objective.
        actor: Whose levers are searched.
        population: Candidates per generation.
        generations: Generations.
        runs: Runs of each scenario the search evaluates candidates on.
        progress: ``progress(total)`` returning ``update(done)``, or None.
        **executor: As for :func:`simulate.analysis.policyruns.run`.

    Returns:
        The variables, the budget, and the front: each policy's settings, cost, mean
        objective and satisficing share over every future, cheapest first (``front_1``...).

    Raises:
        InputError: no continuous lever, or pymoo missing.
    """
    names = continuous(futures, actor)
    if not names:
        raise InputError(f"{actor} has no lever with a range to search", field="search")
    try:
        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.core.problem import Problem
        from pymoo.optimize import minimize
    except ImportError:
        raise InputError("the search needs pymoo: pip install pymoo", field="search") from None
    levers = futures.scenarios[0].scenario.levers
    low = np.array([levers[n].range.low for n in names])
    high = np.array([levers[n].range.high for n in names])
    small = futures.first(runs)
    count = [0]
    update = progress(population * generations) if progress is not None else None

    class Levers(Problem):
        def _evaluate(self, x: np.ndarray, out: dict, *args: Any, **kwargs: Any) -> None:
            cands = [policy_of(futures, names, row, f"candidate_{k}") for k, row in enumerate(x)]
            mean, _, cost = measure(small, cands, years, kind, **executor)
            out["F"] = np.column_stack([-mean, cost])
            count[0] += len(x)
            if update is not None:
                update(min(count[0], population * generations))

    problem = Levers(n_var=len(names), n_obj=2, xl=low, xu=high)
    seed = int(futures.seeds[0] % 2**31)
    found = minimize(problem, NSGA2(pop_size=population), ("n_gen", generations), seed=seed,
                     verbose=False)  # fmt: skip
    xs = np.unique(np.round(np.atleast_2d(found.X), DIGITS), axis=0)
    front = [policy_of(futures, names, row, f"found_{k + 1}") for k, row in enumerate(xs)]
    mean, sat, cost = measure(futures, front, years, kind, **executor)
    rows = [{"policy": p.name, "settings": {k: s.value for k, s in p.settings.items()},
             "cost": float(c), "objective_mean": float(m), "satisficing": float(s)}
            for p, m, s, c in zip(front, mean, sat, cost, strict=True)]  # fmt: skip
    rows.sort(key=lambda r: (r["cost"], -r["objective_mean"]))
    keep = robust.pareto(np.array([r["objective_mean"] for r in rows]),
                         np.array([r["cost"] for r in rows]))
    kept = [{**r, "policy": f"front_{k + 1}"}
            for k, r in enumerate(r for r, ok in zip(rows, keep, strict=True) if ok)]
    return {"actor": actor, "levers": names, "population": population,
            "generations": generations, "evaluations": count[0], "runs_per_scenario": runs,
            "objectives": ["objective_mean (max)", "cost (min)"], "front": kept}  # fmt: skip
