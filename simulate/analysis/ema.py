"""The EMA Workbench adapter: a scenario as an ``ema_workbench.Model``.

::

    from ema_workbench import perform_experiments
    from simulate.analysis import ema

    model = ema.model(
        "middle_corridor",
        uncertainties={"russia.capacity_growth": (-0.03, 0.01),
                       "kazakhstan.balance_preference": (0.05, 0.8)},
        outcomes=["balance_index", "leverage:russia", "leverage:russia>0.2"],
        runs=20, seed=1,
    )
    experiments, outcomes = perform_experiments(model, scenarios=50)

Each experiment runs the scenario ``runs`` times with the experiment's values as
parameter overrides (an override replaces any path or uncertainty the scenario declares
for that parameter) and its levers' settings as a policy (``levers="declared"`` makes
the scenario's own levers EMA levers, see :func:`declared_levers`), and returns, per
outcome, the mean over runs at the period starting at ``at`` (default: the last
period); a thresholded outcome (``leverage:russia>0.2``) gives the share of runs past
the threshold, and ``captured`` the probability of balancing failure. The scenario is
loaded once (:class:`simulate.Experiment`), in this process; worker processes of a
``MultiprocessingEvaluator`` receive it ready-made. Needs ``pip install 'multivector[ema]'``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simulate.errors import InputError
from simulate.results.files import entities_of
from simulate.running.experiment import Outcome, parse_outcome, period_index
from simulate.running.prepared import Experiment, Source
from simulate.scenarios import levers as lv
from simulate.scenarios.parameters import Config, domain

_OPS = {">": "gt", ">=": "ge", "<": "lt", "<=": "le"}


def _require() -> Any:
    try:
        import ema_workbench
    except ImportError:
        raise InputError("the EMA Workbench is not installed: pip install "
                         "'multivector[ema]'") from None  # fmt: skip
    return ema_workbench


def ema_name(path: str) -> str:
    """The EMA name of a parameter path (EMA names are identifiers): dots become ``_``."""
    return path.replace(".", "_")


def outcome_name(outcome: Outcome) -> str:
    """The default EMA name of an outcome: ``leverage_russia``, ``p_leverage_russia_gt_0_2``."""
    parts = [outcome.variable, outcome.entity]
    if outcome.op is not None:
        parts = ["p", *parts, _OPS[outcome.op], f"{outcome.threshold:g}"]
    return re.sub(r"\W+", "_", "_".join(p for p in parts if p)).strip("_")


def _parameters(ema: Any, given: Mapping[str, Any] | Sequence[Any] | None, field: str,
                exp: Experiment) -> list[Any]:  # fmt: skip
    """EMA parameters from ``{path: (low, high)}`` or ready-made EMA parameters."""
    if not given:
        return []
    if isinstance(given, Mapping):
        out = []
        for path, bounds in given.items():
            try:
                low, high = (float(b) for b in bounds)
            except (TypeError, ValueError):
                raise InputError(f"{path}: expected (low, high), got {bounds!r}",
                                 field=field) from None  # fmt: skip
            lo, hi = domain(path)
            if not lo <= low < high <= hi:
                raise InputError(f"{path}: need {lo} <= low < high <= {hi}, got ({low}, {high})",
                                 field=field)  # fmt: skip
            out.append(ema.RealParameter(ema_name(path), low, high, variable_name=path))
    else:
        out = list(given)
    for par in out:
        for path in par.variable_name:
            exp.spec(overrides={path: domain(path)[0]})  # unknown parameters fail here
    return out


def declared_levers(ema: Any, exp: Experiment, names: Sequence[str] | None = None) -> list[Any]:
    """The scenario's declared levers (all, or ``names``) as EMA levers, named by the lever:
    a ``CategoricalParameter`` of its options, or a ``RealParameter`` over its range. A
    setting acts from the lever's first year (:mod:`simulate.scenarios.levers`).

    Raises:
        InputError: the scenario declares no such lever.
    """
    declared = exp.loaded.scenario.levers
    chosen = list(declared) if names is None else list(names)
    unknown = [n for n in chosen if n not in declared]
    if unknown or not chosen:
        raise InputError(f"levers {unknown or 'none'}: the scenario declares "
                         f"{sorted(declared) or 'no levers'}", field="levers")  # fmt: skip
    out = []
    for name in chosen:
        lever = declared[name]
        if lever.options is not None:
            out.append(ema.CategoricalParameter(name, [float(v) for v in lever.options]))
        else:
            out.append(ema.RealParameter(name, lever.range.low, lever.range.high))
    return out


def _levers(ema: Any, given: Any, exp: Experiment) -> list[Any]:
    """EMA levers: the scenario's declared levers (``"declared"`` or a list of their
    names), or parameter overrides as :func:`_parameters` reads them."""
    if isinstance(given, str):
        if given != "declared":
            raise InputError(f"levers: 'declared', a list of declared lever names, or "
                             f"{{path: (low, high)}}; got {given!r}", field="levers")  # fmt: skip
        return declared_levers(ema, exp)
    if isinstance(given, Sequence) and given and all(isinstance(g, str) for g in given):
        return declared_levers(ema, exp, given)
    return _parameters(ema, given, "levers", exp)


def _outcomes(given: Sequence[str] | Mapping[str, str], exp: Experiment) -> dict[str, Outcome]:
    """Outcomes by EMA name, parsed and checked against the scenario's variables."""
    items = given.items() if isinstance(given, Mapping) else [(None, text) for text in given]
    out: dict[str, Outcome] = {}
    for name, text in items:
        try:
            parsed = parse_outcome(text, exp.spec(), thresholded=True, field="outcomes")
        except InputError:
            parsed = parse_outcome(text, exp.spec(), field="outcomes")
        key = name or outcome_name(parsed)
        if not key.isidentifier() or key in out:
            raise InputError(f"outcome name {key!r} is not a unique identifier; name it "
                             "with a mapping {name: expression}", field="outcomes")  # fmt: skip
        out[key] = parsed
    if not out:
        raise InputError("give at least one outcome", field="outcomes")
    return out


class ScenarioFunction:
    """The function an EMA model calls: overrides in, mean outcomes out (picklable).

    Args:
        experiment: The loaded scenario.
        outcomes: Outcomes by name.
        runs: Runs per experiment.
        seed: Seed of every experiment (default: the scenario's), so experiments differ
            only by their parameter values (common random numbers).
        at: Year (a period start) the outcomes are read at; default the last period.
        levers: The names of declared levers an experiment may set (the rest of its values
            are parameter overrides); every declared lever is applied, at the status quo
            when not set, so all experiments run the same futures.
    """

    def __init__(self, experiment: Experiment, outcomes: Mapping[str, Outcome], runs: int,
                 seed: int | None = None, at: float | None = None,
                 levers: Sequence[str] = ()) -> None:  # fmt: skip
        self.experiment = experiment
        self.outcomes = dict(outcomes)
        self.runs = runs
        self.seed = seed
        self.levers = tuple(levers)
        spec = experiment.spec(runs=runs, seed=seed)
        self.t_index = period_index(spec, at)
        self.columns = {k: entities_of(spec, o.variable).index(o.entity)
                        for k, o in self.outcomes.items()}  # fmt: skip

    def __call__(self, **values: float) -> dict[str, float]:
        """Run the ensemble with these lever settings and parameter values; the mean of
        each outcome."""
        from simulate.model.preparation import prepare
        from simulate.running.ensemble import run_chunks

        loaded = self.experiment.loaded
        hz = loaded.scenario.horizon
        policy = {k: lv.Setting(float(values.pop(k)), lv.earliest(loaded.scenario.levers[k], hz))
                  for k in self.levers if k in values}  # fmt: skip
        if self.levers:
            spec = prepare(lv.apply(loaded, policy), runs=self.runs, seed=self.seed,
                           overrides=values, point=self.experiment.point)  # fmt: skip
        else:
            spec = self.experiment.spec(runs=self.runs, seed=self.seed, overrides=values)
        values = {k: np.empty(self.runs) for k in self.outcomes}
        for idx, arrays in run_chunks(spec, range(self.runs), spec.scenario.seed):
            for k, o in self.outcomes.items():
                values[k][idx] = arrays[o.variable][:, self.t_index, self.columns[k]]
        return {k: float(o.apply(values[k]).mean()) for k, o in self.outcomes.items()}


def model(
    scenario: Source | Experiment,
    *,
    uncertainties: Mapping[str, Any] | Sequence[Any],
    outcomes: Sequence[str] | Mapping[str, str],
    levers: str | Mapping[str, Any] | Sequence[Any] | None = None,
    runs: int = 20,
    seed: int | None = None,
    at: float | None = None,
    config: str | Path | Config | None = None,
    name: str = "multivector",
) -> Any:
    """An ``ema_workbench.Model`` that runs ``scenario`` for each experiment.

    Args:
        scenario: A scenario file, shipped scenario name, mapping or :class:`Experiment`.
        uncertainties: ``{parameter path: (low, high)}`` (uniform ``RealParameter``\\ s
            named with :func:`ema_name`, e.g. ``russia_capacity_growth``), or EMA
            parameters whose ``variable_name`` is a parameter path.
        outcomes: ``VARIABLE[:ENTITY]`` or ``VARIABLE[:ENTITY](>|>=|<|<=)NUMBER``
            expressions (named with :func:`outcome_name`), or ``{name: expression}``.
        levers: Policy levers: ``"declared"`` (the scenario's own levers, named by the
            lever: :func:`declared_levers`), a list of declared lever names, or parameter
            overrides in the same forms as ``uncertainties``.
        runs: Runs per experiment (averaged).
        seed: Seed of every experiment (default: the scenario's).
        at: Year (a period start) at which outcomes are read; default the last period.
        config: A parameter config to use instead of the scenario's.
        name: The model's EMA name.

    Raises:
        InputError: An unknown parameter or variable, bounds outside a parameter's
            domain, or the Workbench missing.
    """
    ema = _require()
    exp = scenario if isinstance(scenario, Experiment) else Experiment(scenario, config=config)
    exp.spec(runs=runs, seed=seed)  # check runs and seed before anything else
    parsed = _outcomes(outcomes, exp)
    lever_params = _levers(ema, levers, exp)
    declared = [p.name for p in lever_params if p.name in exp.loaded.scenario.levers]
    fn = ScenarioFunction(exp, parsed, runs, seed, at, declared)
    m = ema.Model(name, function=fn)
    m.uncertainties = _parameters(ema, uncertainties, "uncertainties", exp)
    m.levers = lever_params
    m.outcomes = [ema.ScalarOutcome(k) for k in parsed]
    return m
