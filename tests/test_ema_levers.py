"""The scenario's declared levers as EMA levers: EMA policies run the same futures as decide."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from simulate.analysis import decide as dc
from simulate.errors import InputError
from simulate.scenarios import levers as lv
from simulate.scenarios import scenario
from simulate.scenarios.policies import Policy

from .conftest import SCENARIOS

ema_workbench = pytest.importorskip("ema_workbench")
from simulate.analysis import ema  # noqa: E402

SHORT = {"name": "short", "description": "t", "extends": str(SCENARIOS / "russian_pressure.yaml"),
         "horizon": {"start": 2024, "end": 2030, "step": "quarter"}, "runs": 5, "seed": 9}


def test_declared_levers_become_ema_levers_named_by_the_lever():
    m = ema.model(SHORT, uncertainties={}, outcomes=["balance_index"], runs=2, levers="declared")
    kinds = {p.name: type(p).__name__ for p in m.levers}
    assert kinds["caspian_buildout"] == "RealParameter"
    assert kinds["cpc_expansion"] == "CategoricalParameter"
    assert set(kinds) == set(ema.Experiment(SHORT).loaded.scenario.levers)


def test_an_undeclared_lever_is_refused_when_the_model_is_built():
    with pytest.raises(InputError, match="declares") as found:
        ema.model(SHORT, uncertainties={}, outcomes=["balance_index"], levers=["fleet"])
    assert found.value.field == "levers"


def test_perform_experiments_with_policies_gives_what_decide_gives():
    from ema_workbench import Policy as EmaPolicy
    from ema_workbench import perform_experiments

    m = ema.model(SHORT, uncertainties={"china.capacity_growth": (-0.02, 0.02)},
                  outcomes={"b": "balance_index", "p": "outcome:balanced"}, runs=8, at=2030,
                  levers=["caspian_buildout", "security_stance"])  # fmt: skip
    chosen = [EmaPolicy("nothing", caspian_buildout=0.0, security_stance=0.7),
              EmaPolicy("fleet", caspian_buildout=2.0, security_stance=0.4)]
    np.random.seed(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments, outcomes = perform_experiments(m, scenarios=2, policies=chosen)
    assert list(experiments["policy"]) == ["nothing", "nothing", "fleet", "fleet"]
    growth = float(experiments["china_capacity_growth"].iloc[1])
    data = scenario.dump(scenario.load(SHORT).scenario)
    data["parameters"]["china.capacity_growth"] = growth  # as an EMA value is: an override
    data["uncertainties"] = [u for u in data["uncertainties"]
                             if u["parameter"] != "china.capacity_growth"]  # fmt: skip
    one = scenario.load(data)
    futures = dc.Futures((one,), (8,), (9,))
    policy = Policy("fleet", {"caspian_buildout": lv.Setting(2.0, 2025.0),
                              "security_stance": lv.Setting(0.4, 2024.0)})  # fmt: skip
    ev = dc.evaluate(futures, [policy], [2030])
    assert outcomes["b"][3] == pytest.approx(float(ev.balance[0, :, 0].mean()), abs=1e-12)
    assert outcomes["p"][3] == pytest.approx(float(ev.balanced[0, :, 0].mean()), abs=1e-12)
    assert outcomes["b"][3] != outcomes["b"][1], "the policy changes the outcome"
