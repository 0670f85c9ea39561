"""simulate.analysis.ema: a scenario as an EMA Workbench model, equal to Experiment.run."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import simulate
from simulate.errors import InputError

from .conftest import SCENARIOS

ema_workbench = pytest.importorskip("ema_workbench")
from simulate.analysis import ema  # noqa: E402

SHORT = {"name": "short", "description": "t", "extends": str(SCENARIOS / "middle_corridor.yaml"),
         "horizon": {"start": 2024, "end": 2031, "step": "quarter"}, "runs": 5, "seed": 9}
UNC = {"russia.capacity_growth": (-0.03, 0.01), "kazakhstan.balance_preference": (0.05, 0.8)}


@pytest.fixture(scope="module")
def model():
    return ema.model(SHORT, uncertainties=UNC, runs=6, seed=2,
                     outcomes=["balance_index", "captured", "leverage:russia",
                               "leverage:russia>0.2", "oil_route_share:cpc"])  # fmt: skip


def test_names_are_identifiers(model):
    assert [u.name for u in model.uncertainties] == ["russia_capacity_growth",
                                                     "kazakhstan_balance_preference"]
    assert [o.name for o in model.outcomes] == ["balance_index", "captured", "leverage_russia",
                                                "p_leverage_russia_gt_0_2", "oil_route_share_cpc"]


def test_an_experiment_equals_the_mean_of_experiment_run(model):
    values = {"russia.capacity_growth": -0.02, "kazakhstan.balance_preference": 0.3}
    got = model.function(**values)
    res = simulate.Experiment(SHORT).run(runs=6, seed=2, overrides=values)
    lev = res.at("leverage", "russia")
    assert got["balance_index"] == res.at("balance_index").mean()
    assert got["captured"] == res.at("captured").mean()
    assert got["leverage_russia"] == lev.mean()
    assert got["p_leverage_russia_gt_0_2"] == (lev > 0.2).mean()
    assert got["oil_route_share_cpc"] == res.at("oil_route_share", "cpc").mean()


def test_outcomes_at_a_chosen_year_and_named_by_mapping():
    m = ema.model(SHORT, uncertainties=UNC, outcomes={"lev": "leverage:china"}, runs=3, at=2028)
    got = m.function(**{"russia.capacity_growth": 0.0})
    res = simulate.Experiment(SHORT).run(runs=3, overrides={"russia.capacity_growth": 0.0})
    assert got == {"lev": res.at("leverage", "china", 2028.0).mean()}


@pytest.mark.parametrize("kwargs, match", [
    ({"uncertainties": {"russia.nonesuch": (0, 1)}}, "unknown parameter"),
    ({"uncertainties": {"kazakhstan.inertia": (0.5, 1.5)}}, "low < high"),
    ({"uncertainties": {"russia.capacity_growth": 0.5}}, "expected \\(low, high\\)"),
    ({"outcomes": ["nonesuch"]}, "unknown variable"),
    ({"outcomes": ["leverage:mars"]}, "entity"),
    ({"outcomes": {"x": "balance_index", "not valid": "captured"}}, "identifier"),
    ({"outcomes": []}, "at least one"),
    ({"runs": 0}, "runs"),
    ({"at": 2050}, "period start"),
])  # fmt: skip
def test_bad_input_is_refused_when_the_model_is_built(kwargs, match):
    args = {"uncertainties": UNC, "outcomes": ["balance_index"], **kwargs}
    with pytest.raises(InputError, match=match):
        ema.model(SHORT, **args)


def test_the_function_survives_pickling(model):
    values = {"russia.capacity_growth": 0.005}
    again = pickle.loads(pickle.dumps(model.function))
    assert again(**values) == model.function(**values)


def test_one_and_two_processes_give_the_same_outcomes(model):
    from ema_workbench import MultiprocessingEvaluator, SequentialEvaluator

    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for evaluator, kw in ((SequentialEvaluator, {}), (MultiprocessingEvaluator,
                                                          {"n_processes": 2})):  # fmt: skip
            np.random.seed(7)
            with evaluator(model, **kw) as ev:
                results.append(ev.perform_experiments(scenarios=6))
    (x1, o1), (x2, o2) = results
    names = [u.name for u in model.uncertainties]
    pd.testing.assert_frame_equal(x1[names], x2[names])
    for k in o1:
        np.testing.assert_array_equal(o1[k], o2[k], err_msg=k)
    assert len(set(o1["leverage_russia"])) == 6  # the experiments differ
