"""Decide: judge policies over the futures the model cannot rule out (robust decision making).

Robust decision making (Lempert, Popper and Bankes 2003) judges a policy over many
futures, not one forecast; many-objective robust decision making (Kasprzyk et al. 2013)
adds a search for the Pareto front and scenario discovery where the chosen policy fails.
Here the futures are every run of every scenario given (each run takes its posterior
vector and draws its priors by its index and seed), the same for every policy
(:mod:`simulate.analysis.policyruns`). Per policy: the probability of each outcome class
at the years asked for, with Wilson intervals; its cost (:func:`simulate.scenarios.levers.cost`);
satisficing, regret and the worst decile of the objective (:mod:`simulate.analysis.robust`);
whether it is on the Pareto front of objective against cost; its paired difference from
doing nothing, with a 95% interval. The policies are ranked from the most robust.
Optional: a search of the continuous levers with NSGA-II (:mod:`simulate.analysis.search`)
and PRIM on the futures where the most robust policy loses the balance
(:mod:`simulate.analysis.failures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from simulate.analysis import robust
from simulate.analysis.policyruns import Futures
from simulate.analysis.policyruns import run as run_policies
from simulate.errors import InputError
from simulate.results.summary import paired_difference
from simulate.scenarios import levers as lv
from simulate.scenarios import policies as pol
from simulate.scenarios import scenario as scenario_mod
from simulate.scenarios.policies import Policy
from simulate.scenarios.scenario import LoadedScenario

#: The outputs a decision reads.
KEEP = ("outcome", "balance_index")


@dataclass
class Evaluation:
    """Every policy over every future: outcome classes and balance at the years asked for.

    Attributes:
        futures: The futures.
        policies: The policies, the reference first.
        years: The years (period starts).
        classes: The outcome-class labels.
        outcome: (policies, futures, years, classes) 0/1.
        balance: (policies, futures, years) balance index.
        kind: The objective (a key of :data:`simulate.analysis.robust.OBJECTIVES`).
        costs: Each policy's cost by actor (USD bn over the horizon, mean over scenarios).
    """

    futures: Futures
    policies: list[Policy]
    years: list[float]
    classes: list[str]
    outcome: np.ndarray
    balance: np.ndarray
    kind: str
    costs: list[dict[str, float]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The policies' names."""
        return [p.name for p in self.policies]

    @cached_property
    def balanced(self) -> np.ndarray:
        """Whether each run is balanced (policies, futures, years)."""
        return self.outcome[..., self.classes.index("balanced")] > 0.5

    @cached_property
    def objective(self) -> np.ndarray:
        """Each policy's objective in each future (policies, futures)."""
        return robust.objective(self.balance, self.balanced, self.kind)

    @cached_property
    def satisfied(self) -> np.ndarray:
        """Balanced at every year (policies, futures)."""
        return self.balanced.all(axis=-1)

    @cached_property
    def regret(self) -> np.ndarray:
        """Regret against the best policy in each future (policies, futures)."""
        return robust.regret(self.objective)

    @property
    def total_cost(self) -> np.ndarray:
        """Each policy's cost, every actor's together (policies,)."""
        return np.array([sum(c.values()) for c in self.costs])

    @cached_property
    def order(self) -> list[int]:
        """Policy indices from the most robust (:func:`simulate.analysis.robust.ranking`)."""
        return robust.ranking(robust.satisficing(self.satisfied), self.regret.mean(axis=1),
                              self.total_cost, self.names)  # fmt: skip


def load_scenarios(sources: Sequence[str | Path]) -> list[LoadedScenario]:
    """Load the scenarios of a decision; they must declare the same levers.

    Raises:
        InputError: a bad scenario; no levers; levers declared differently.
    """
    if not sources:
        raise InputError("give at least one scenario", field="scenarios")
    loaded = [scenario_mod.load(s) for s in sources]
    first = loaded[0]
    if not first.scenario.levers:
        raise InputError("the scenario declares no levers (a `levers:` section; the shipped "
                         "scenarios inherit the baseline's)", file=first.file,
                         field="levers")  # fmt: skip
    want = {k: v.model_dump() for k, v in first.scenario.levers.items()}
    for other in loaded[1:]:
        have = {k: v.model_dump() for k, v in other.scenario.levers.items()}
        if have != want:
            differ = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
            raise InputError(f"every scenario of a decision declares the same levers; "
                             f"{other.scenario.name} differs from {first.scenario.name} on "
                             f"{differ}", file=other.file, field="levers")  # fmt: skip
    return loaded


def policies_for(loaded: list[LoadedScenario], file: str | Path | None,
                 actor: str | None) -> list[Policy]:  # fmt: skip
    """The policies of ``file`` (checked against every scenario's horizon), or the
    reference and each setting of ``actor``'s levers alone (default actor: the hedger)."""
    if file is None:
        who = actor or loaded[0].config.hedger
        if who not in loaded[0].config.actors:
            raise InputError(f"unknown actor {who!r}; expected one of "
                             f"{list(loaded[0].config.actors)}", field="actor")  # fmt: skip
        return pol.one_at_a_time(loaded[0], who)
    found = [pol.load(file, one) for one in loaded]
    return found[0]


def futures_of(loaded: list[LoadedScenario], runs: int | None, seed: int | None,
               point: bool = False) -> Futures:  # fmt: skip
    """Each scenario's runs (its own, or ``runs``) with its seed (or ``seed``)."""
    return Futures(tuple(loaded), tuple(runs or s.scenario.runs for s in loaded),
                   tuple(seed if seed is not None else s.scenario.seed for s in loaded),
                   point)  # fmt: skip


def cost_of(loaded: list[LoadedScenario], policy: Policy) -> dict[str, float]:
    """The policy's cost by actor, the mean over the scenarios (their horizons may differ)."""
    each = [lv.cost(one, policy.settings) for one in loaded]
    actors = sorted({a for c in each for a in c})
    return {a: float(np.mean([c.get(a, 0.0) for c in each])) for a in actors}


def evaluate(futures: Futures, policies: list[Policy], years: Sequence[float],
             kind: str = "balance_index", *, progress: Any = None,
             **executor: Any) -> Evaluation:  # fmt: skip
    """Run every policy over every future and keep what the measures read."""
    if kind not in robust.OBJECTIVES:
        raise InputError(f"unknown objective {kind!r}; expected one of "
                         f"{list(robust.OBJECTIVES)}", field="objective")  # fmt: skip
    arrays = run_policies(futures, policies, years, KEEP, progress=progress, **executor)
    loaded = list(futures.scenarios)
    labels = ["balanced", *(f"{k}:{p}" for k in ("leaning", "aligned")
                            for p in loaded[0].config.powers)]  # fmt: skip
    return Evaluation(futures, list(policies), [float(y) for y in years], labels,
                      arrays["outcome"], arrays["balance_index"][..., 0], kind,
                      [cost_of(loaded, p) for p in policies])  # fmt: skip


def decided_parameters(loaded: list[LoadedScenario]) -> list[str]:
    """The parameters that levers set and some scenario's runs would draw."""
    out = []
    for lever in loaded[0].scenario.levers.values():
        p = lever.parameter
        if p is not None and any(lv.drawn(one, p) for one in loaded) and p not in out:
            out.append(p)
    return out


def summary(ev: Evaluation) -> dict[str, Any]:
    """The decision as plain data: every policy's measures, ranked from the most robust."""
    sat = robust.satisficing(ev.satisfied)
    mean_obj = ev.objective.mean(axis=1)
    front = robust.pareto(mean_obj, ev.total_cost)
    worst = robust.worst_decile(ev.objective)
    scen = ev.futures.scenario_of()
    ref = ev.names.index(pol.DO_NOTHING) if pol.DO_NOTHING in ev.names else None
    rows = []
    for rank, i in enumerate(ev.order, start=1):
        p = ev.policies[i]
        classes = {f"{y:g}": dict(zip(ev.classes, robust.probability(
            ev.outcome[i, :, t, :].T), strict=True)) for t, y in enumerate(ev.years)}  # fmt: skip
        rows.append({
            "rank": rank, "policy": p.name, "settings": {
                k: {"value": s.value, "start": s.start} for k, s in p.settings.items()},
            "describe": p.describe(), "cost": float(ev.total_cost[i]),
            "cost_by_actor": ev.costs[i], "classes": classes, "satisficing": float(sat[i]),
            "satisficing_by_scenario": {
                name: float(ev.satisfied[i, scen == s].mean())
                for s, name in enumerate(ev.futures.names)},
            "objective_mean": float(mean_obj[i]), "regret_mean": float(ev.regret[i].mean()),
            "regret_max": float(ev.regret[i].max()), "worst_decile": float(worst[i]),
            "front": bool(front[i]),
            "vs_reference": None if ref is None else {
                "satisficing": paired_difference(ev.satisfied[ref], ev.satisfied[i]).to_dict(),
                "objective": paired_difference(ev.objective[ref], ev.objective[i]).to_dict()},
        })  # fmt: skip
    return {
        "scenarios": [{"name": n, "runs": r, "seed": s} for n, r, s in
                      zip(ev.futures.names, ev.futures.runs, ev.futures.seeds, strict=True)],
        "futures": ev.futures.count, "years": ev.years, "objective": ev.kind,
        "objective_words": robust.OBJECTIVES[ev.kind], "classes": ev.classes,
        "reference": pol.DO_NOTHING, "most_robust": rows[0]["policy"], "policies": rows,
    }  # fmt: skip


def lever_table(loaded: LoadedScenario) -> list[dict[str, Any]]:
    """The levers: actor, kind, what they set, settings, status quo, unit cost and source."""
    out = []
    for name, lever in loaded.scenario.levers.items():
        per, source = lv.unit_cost(loaded, name)
        sets = lever.parameter or f"event {lever.event.type}"
        settings = [float(v) for v in lever.options] if lever.options is not None else {
            "low": lever.range.low, "high": lever.range.high}  # fmt: skip
        out.append({"lever": name, "actor": lever.actor, "kind": lever.kind, "sets": sets,
                    "unit": lever.unit, "settings": settings,
                    "start": lv.earliest(lever, loaded.scenario.horizon),
                    "status_quo": lv.status_quo(loaded, name), "unit_cost": per,
                    "cost_source": " ".join(source.split())})  # fmt: skip
    return out


def decide(
    scenarios: Sequence[str | Path], *, policies: str | Path | None = None,
    actor: str | None = None, at: Sequence[float] | None = None, runs: int | None = None,
    seed: int | None = None, objective: str = "balance_index", search: dict | None = None,
    discover: bool = True, progress: Any = None, **executor: Any,
) -> tuple[dict[str, Any], Evaluation]:  # fmt: skip
    """Judge policies over the scenarios' futures.

    Args:
        scenarios: Scenario files or shipped names; they declare the same levers.
        policies: A policies file (:mod:`simulate.scenarios.policies`); default the
            reference and each setting of ``actor``'s levers alone.
        actor: Whose levers the default policies and the search move (default the hedger).
        at: Years (period starts) at which outcomes are judged (default the last year's
            first period).
        runs: Runs of each scenario (default each scenario's own).
        seed: Seed of every scenario (default each scenario's own).
        objective: ``balance_index`` or ``balanced`` (see :data:`robust.OBJECTIVES`).
        search: Options of :func:`simulate.analysis.search.search` (``population``,
            ``generations``, ``runs``), or None for no search.
        discover: Run PRIM on the futures where the most robust policy loses the balance.
        progress: ``progress(total)`` returning ``update(done)``, or None.
        **executor: ``workers``, ``scheduler``, ``dask_local``, ``chunk``.

    Returns:
        The plain-data result (:func:`summary` plus levers, search, failures and notes)
        and the :class:`Evaluation` (for plots).

    Raises:
        InputError: bad scenarios, policies, years or options.
    """
    loaded = load_scenarios(scenarios)
    chosen = policies_for(loaded, policies, actor)
    futures = futures_of(loaded, runs, seed)
    years = list(at) if at else [float(loaded[0].scenario.horizon.end)]
    update = progress(futures.count * len(chosen)) if progress is not None else None
    ev = evaluate(futures, chosen, years, objective, progress=update, **executor)
    out = summary(ev)
    out["levers"] = lever_table(loaded[0])
    notes = [f"regret is measured against the best of these {len(chosen)} policies in each "
             "future: it is the one measure that changes when a policy is added"]
    decided = decided_parameters(loaded)
    if decided:
        notes.append("set by levers, so decided rather than drawn in every policy (at the "
                      f"status quo when a policy leaves them): {', '.join(decided)}")
    out["search"] = None
    if search is not None:
        from simulate.analysis.search import search as run_search

        who = actor or loaded[0].config.hedger
        out["search"] = run_search(futures, years, objective, who, progress=progress,
                                   **search, **executor)  # fmt: skip
    out["failures"] = None
    if discover:
        from simulate.analysis.failures import where_fails

        best = ev.order[0]
        out["failures"] = where_fails(futures, ev.policies[best], ~ev.satisfied[best])
    out["notes"] = notes
    return out, ev
