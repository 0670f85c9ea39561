"""Robustness measures of policies over paired futures: pure functions of an outcome matrix.

Rows are policies, columns futures (the same futures for every policy). Following
McPhail et al. (2018), more than one family is reported, because they answer different
questions and can rank policies differently:

* **satisficing** (Simon; Lempert et al. 2003's robust decision making): the share of
  futures where a policy meets a threshold, here that the run is *balanced* at every year
  asked for. A function of the policy's own row.
* **regret** (Savage): in each future, how far the policy's objective falls short of the
  best policy's in that future; reported as its mean and its maximum (minimax regret).
  It is the one measure that depends on which other policies are compared, by definition.
* **worst decile**: the 10th percentile of the objective over futures, a percentile
  measure of how badly the policy does when it does badly. A function of its own row.

:func:`pareto` marks the policies no other beats on every objective (Kasprzyk et al. 2013).
"""

from __future__ import annotations

import numpy as np

from simulate.results.summary import wilson

#: The percentile of the objective reported as the worst decile.
WORST = 10.0
#: The objectives a future's outcome can be judged by, in words.
OBJECTIVES = {
    "balance_index": "the balance index (normalised entropy of alignment), mean over the years",
    "balanced": "the share of the years at which the run is balanced",
}


def objective(balance: np.ndarray, balanced: np.ndarray, kind: str) -> np.ndarray:
    """Each policy's objective in each future, from (policies x futures x years) arrays of
    the balance index and of being balanced: their mean over the years."""
    if kind not in OBJECTIVES:
        raise ValueError(f"unknown objective {kind!r}; expected one of {list(OBJECTIVES)}")
    chosen = balance if kind == "balance_index" else balanced
    return np.asarray(chosen, dtype=float).mean(axis=-1)


def probability(hits: np.ndarray) -> list[dict[str, float]]:
    """Per row of 0/1 ``hits`` (policies x futures): the share and its 95% Wilson interval."""
    out = []
    for row in np.asarray(hits, dtype=float):
        k, n = float(row.sum()), len(row)
        low, high = wilson(k, n)
        out.append({"p": k / n if n else float("nan"), "low": low, "high": high})
    return out


def satisficing(ok: np.ndarray) -> np.ndarray:
    """The share of futures where each policy meets the threshold (policies,)."""
    return np.asarray(ok, dtype=float).mean(axis=1)


def regret(objective: np.ndarray) -> np.ndarray:
    """Each policy's shortfall from the best policy in each future (policies x futures, ≥ 0)."""
    obj = np.asarray(objective, dtype=float)
    return obj.max(axis=0, keepdims=True) - obj


def worst_decile(objective: np.ndarray) -> np.ndarray:
    """The 10th percentile of each policy's objective over the futures (policies,)."""
    return np.percentile(np.asarray(objective, dtype=float), WORST, axis=1)


def pareto(benefit: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Which points no other point dominates, more benefit and less cost (bool per point).

    A point is dominated when another has at least its benefit at no more cost and is
    strictly better in one of the two.
    """
    b, c = np.asarray(benefit, dtype=float), np.asarray(cost, dtype=float)
    better_or_equal = (b[None, :] >= b[:, None]) & (c[None, :] <= c[:, None])
    strictly = (b[None, :] > b[:, None]) | (c[None, :] < c[:, None])
    return ~np.any(better_or_equal & strictly, axis=1)


def ranking(satisfied: np.ndarray, mean_regret: np.ndarray, cost: np.ndarray,
            names: list[str]) -> list[int]:  # fmt: skip
    """Policy indices from the most robust: the highest satisficing share, then the lowest
    mean regret, then the lowest cost, then the name."""
    return sorted(range(len(names)), key=lambda i: (-round(float(satisfied[i]), 12),
                                                    round(float(mean_regret[i]), 12),
                                                    round(float(cost[i]), 12), names[i]))
