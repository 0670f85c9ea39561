"""The Mesa driver as Mesa's tools use it: keyword parameters, seeding, reporters, batch_run."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pytest
import yaml

from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.model.mesa_model import RUN_SPACE, BalancingModel
from simulate.running.runner import prepare

from .conftest import SCENARIOS


@pytest.fixture
def small_file(tmp_path, small_scenario):
    """The small scenario as a file, named as batch_run users name scenarios (a string)."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({**small_scenario, "extends": str(SCENARIOS / "baseline.yaml")}))
    return str(path)


def _batched(source, run: int, seed: int | None = None, **overrides) -> dict:
    spec = prepare(source, overrides=overrides or None)
    s = spec.scenario.seed if seed is None else seed
    return {k: v[0] for k, v in simulate_runs(spec, [run], s).items()}


def test_default_model_is_a_fresh_run_of_the_baseline():
    a, b = BalancingModel(), BalancingModel()
    assert a.spec.scenario.name == "baseline"
    assert a.scenario_seed == a.spec.scenario.seed
    assert 0 <= a.run_index < RUN_SPACE and a.run_index != b.run_index
    assert a.steps == 0 and a.running


def test_a_parameter_by_dotted_path_matches_the_batched_driver(small_file):
    model = BalancingModel(small_file, seed=5, run=3, **{"russia.capacity": 0.7})
    out = model.run()
    ref = _batched(small_file, 3, seed=5, **{"russia.capacity": 0.7})
    for name, arr in ref.items():
        np.testing.assert_allclose(out[name], arr, atol=1e-9, rtol=0, err_msg=name)
    assert model.parameters == {"russia.capacity": 0.7}
    assert out["capacity"][0, 0] < BalancingModel(small_file, seed=5, run=3).run()["capacity"][0, 0]


def test_every_scalar_model_parameter_is_a_keyword(small_file, config):
    paths = [p for p in config.paths() if config.get(p).role == "model"]
    assert len(paths) > 50
    for path in paths:
        value = float(config.get(path).central)
        model = BalancingModel(small_file, run=0, **{path: value})
        assert model.spec.scenario.parameters[path] == value, path


@pytest.mark.parametrize(("params", "says"), [
    ({"russia.no_such_thing": 1.0}, "unknown parameter 'russia.no_such_thing'"),
    ({"kazakhstan.resolve": -1.0}, "outside the admissible range"),
    ({"kazakhstan.resolve": "high"}, "must be a number"),
])  # fmt: skip
def test_bad_parameters_are_input_errors(small_file, params, says):
    with pytest.raises(InputError, match=says):
        BalancingModel(small_file, **params)


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"seed": -1}, "seed"), ({"run": 1.5}, "run"), ({"run": 1, "rng": 3}, "not both"),
])  # fmt: skip
def test_bad_seeds_and_runs_are_input_errors(small_file, kwargs, says):
    with pytest.raises(InputError, match=says):
        BalancingModel(small_file, **kwargs)


def test_seed_alone_is_run_zero_and_rng_draws_a_run_reproducibly(small_file):
    assert BalancingModel(small_file, seed=9).run_index == 0
    a, b = BalancingModel(small_file, rng=42), BalancingModel(small_file, rng=42)
    assert a.run_index == b.run_index != BalancingModel(small_file, rng=43).run_index
    out = a.run()
    np.testing.assert_allclose(out["alignment"], _batched(small_file, a.run_index)["alignment"],
                               atol=1e-9, rtol=0)  # fmt: skip


def test_the_start_is_collected_with_time_and_mesa_step_counter(small_file):
    model = BalancingModel(small_file, run=1)
    spec = model.spec
    model.run()
    n = len(spec.times)
    assert model.steps == n + 1 and not model.running  # the closing step records nothing
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == n + 1
    np.testing.assert_allclose(frame["time"], [spec.times[0] - spec.dt, *spec.times])
    assert set(frame["run"]) == {1}
    # with no departure from the start, the first period stays where the start was
    assert frame["alignment[russia]"].iloc[0] == pytest.approx(
        _batched(small_file, 1)["alignment"][0, 0], abs=0.05)


def test_agent_reporters_give_each_power_its_variables_and_the_hedger_its_positions(small_file):
    model = BalancingModel(small_file, run=0)
    model.run()
    agents = model.datacollector.get_agent_vars_dataframe()
    n = len(model.spec.times)
    assert len(agents) == (n + 1) * (len(model.spec.powers) + 1)
    last = agents.xs(n, level="Step").set_index("actor")
    model_last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    for power in model.spec.powers:
        for var in ("alignment", "leverage", "pressure", "trade"):
            assert last.loc[power, var] == model_last[f"{var}[{power}]"], (power, var)
        assert math.isnan(last.loc[power, "position_war_stance"])
    hedger = last.loc[model.spec.hedger]
    for issue in model.spec.issues:
        assert hedger[f"position_{issue}"] == model_last[f"position[{issue}]"]
    assert math.isnan(hedger["alignment"])


@pytest.mark.parametrize("processes", [1, 2])
def test_batch_run_sweeps_a_parameter_as_mesas_docs_do(small_file, processes):
    sweep = [0.2, 1.0]
    rows = mesa.batch_run(
        BalancingModel,
        parameters={"scenario": small_file, "kazakhstan.balance_preference": sweep},
        iterations=2, max_steps=100, number_processes=processes, data_collection_period=1,
        display_progress=False,
    )  # fmt: skip
    spec = prepare(small_file)
    n, n_agents = len(spec.times), len(spec.powers) + 1
    assert len(rows) == len(sweep) * 2 * (n + 1) * n_agents
    final = [r for r in rows if r["Step"] == n and r["actor"] == "russia"]
    assert len(final) == 4
    for value in sweep:
        runs = {r["run"] for r in final if r["kazakhstan.balance_preference"] == value}
        assert len(runs) == 2, "each iteration is a distinct run"
    for r in final:  # each row is its run of the scenario, by the batched driver
        ref = _batched(small_file, r["run"], **{"kazakhstan.balance_preference":
                                                r["kazakhstan.balance_preference"]})
        assert r["alignment[russia]"] == pytest.approx(ref["alignment"][-1, 0], abs=1e-9)
        assert r["alignment"] == r["alignment[russia]"]  # the agent's own reporter
        assert r["time"] == spec.times[-1]
    start = {r["time"] for r in rows if r["Step"] == 0}
    assert start == {spec.times[0] - spec.dt}
    assert all(isinstance(r["scenario"], str) for r in rows)


def test_solaraviz_reaches_every_parameter():
    pytest.importorskip("solara", reason="Mesa's visualisation needs the 'dashboard' extra")
    from mesa.visualization import Slider
    from mesa.visualization.solara_viz import _check_model_params

    params = {"scenario": "middle_corridor",
              "kazakhstan.balance_preference": Slider("balance preference", 0.5, 0.0, 2.0, 0.1),
              "middle_corridor.capacity": Slider("corridor capacity", 6.0, 0.0, 30.0, 1.0)}
    _check_model_params(BalancingModel.__init__, params)  # raises for an unknown name
    model = BalancingModel(**{k: (v.value if isinstance(v, Slider) else v)
                              for k, v in params.items()})  # fmt: skip
    assert model.spec.scenario.parameters["middle_corridor.capacity"] == 6.0
