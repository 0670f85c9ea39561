"""The Mesa driver: Mesa's own tools, agreement with the batched driver, actors as data."""

from __future__ import annotations

import mesa
import numpy as np
import pytest
from hypothesis import given, settings

from simulate.model.batch import simulate_runs
from simulate.model.mesa_model import BalancingModel
from simulate.running.runner import prepare
from simulate.scenarios.parameters import config_from_mapping, with_power
from simulate.scenarios.scenario import load
from simulate.testing import strategies as mst

from .conftest import SCENARIOS


def test_runs_under_mesa_batch_run(small_scenario):
    spec = prepare(small_scenario)
    rows = mesa.batch_run(BalancingModel, parameters={"scenario": spec, "run": range(3)},
                          iterations=1, max_steps=100, data_collection_period=1,
                          display_progress=False)  # fmt: skip
    n_agents = len(spec.powers) + 1
    assert len(rows) == 3 * (len(spec.times) + 1) * n_agents  # per run, step and agent
    last = [r for r in rows if r["Step"] == len(spec.times)]
    assert {r["run"] for r in last} == {0, 1, 2}
    assert all(0 <= r["balance_index"] <= 1 for r in last)
    direct = BalancingModel.from_spec(spec, run=2).run()
    mesa_row = next(r for r in last if r["run"] == 2)
    assert mesa_row["alignment[russia]"] == pytest.approx(direct["alignment"][-1, 0], abs=1e-12)
    assert mesa_row["time"] == spec.times[-1]


def test_datacollector_has_every_variable_and_entity(small_scenario):
    spec = prepare(small_scenario)
    model = BalancingModel.from_spec(spec)
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == len(spec.times) + 1  # the state at the start, then every period
    assert {"alignment[china]", "oil_route_share[cpc]", "balance_index", "captured"} <= set(frame)
    np.testing.assert_allclose(frame["time"], [spec.times[0] - spec.dt, *spec.times])


def _assert_same(a: dict, b: dict) -> None:
    for name in a:
        np.testing.assert_allclose(a[name], b[name], atol=1e-9, rtol=0, err_msg=name)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_drivers_agree_on_every_shipped_scenario(path):
    spec = prepare(path, runs=3)
    batch = simulate_runs(spec, [0, 1, 2], spec.scenario.seed)
    for i in (0, 2):
        mesa_run = BalancingModel.from_spec(spec, run=i).run()
        _assert_same(mesa_run, {k: v[i] for k, v in batch.items()})


@given(mst.scenarios(max_runs=2, max_years=3))
@settings(max_examples=15)
def test_drivers_agree_on_generated_scenarios(data):
    spec = prepare(data)
    batch = simulate_runs(spec, [0, 1], spec.scenario.seed)
    _assert_same(BalancingModel(spec, run=1).run(), {k: v[1] for k, v in batch.items()})


def _with_fifth_power(config, name="turkey"):
    return with_power(config, name, like="eu")


def test_a_fifth_actor_runs_without_code_changes(config, small_scenario):
    cfg = _with_fifth_power(config)
    spec = prepare(load(small_scenario, config=cfg))
    out = simulate_runs(spec, [0, 1], 3)
    assert out["alignment"].shape[-1] == len(config.powers) + 1 == 4  # with kazakhstan: 5 actors
    np.testing.assert_allclose(out["alignment"].sum(axis=-1), 1.0)
    mesa_out = BalancingModel(spec, run=1, seed=3).run()
    _assert_same(mesa_out, {k: v[1] for k, v in out.items()})


def _reordered(config):
    """The same config with powers and routes listed in reverse order."""
    data = config.model_dump(mode="json", exclude_none=True)
    data["actors"] = dict(reversed(list(data["actors"].items())))
    data["routes"] = dict(reversed(list(data["routes"].items())))
    data["parameters"] = dict(reversed(list(data["parameters"].items())))
    return config_from_mapping(data)


@given(mst.scenarios(max_runs=2, max_years=3))
@settings(max_examples=10)
def test_reordering_actors_in_the_config_only_reorders_outputs(config, data):
    spec_a = prepare(load(data, config=config))
    spec_b = prepare(load(data, config=_reordered(config)))
    a = simulate_runs(spec_a, [0, 1], spec_a.scenario.seed)
    b = simulate_runs(spec_b, [0, 1], spec_b.scenario.seed)
    for name, arr in a.items():
        labels_a, labels_b = spec_a.entities_of(name), spec_b.entities_of(name)
        assert sorted(labels_a) == sorted(labels_b), name
        other = b[name][..., [labels_b.index(e) for e in labels_a]]
        np.testing.assert_allclose(arr, other, atol=1e-9, err_msg=name)


def test_middle_corridor_lowers_oil_via_russia_and_russian_leverage_by_2035():
    import simulate

    base = simulate.run_scenario(SCENARIOS / "baseline.yaml", runs=100)
    mc = simulate.run_scenario(SCENARIOS / "middle_corridor.yaml", runs=100)
    for var, ent in (("oil_via_russia_share", ""), ("leverage", "russia")):
        b, m = base.at(var, ent, 2035.0), mc.at(var, ent, 2035.0)
        assert m.mean() < b.mean(), var
        assert (m <= b + 1e-12).all(), f"{var}: the same run should never be worse off"
