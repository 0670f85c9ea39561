"""Actors and routes from YAML alone: a throwaway power, transit state and gas route.

The files are written here, in the test, as a user writes them; the package's code is
not touched. Both drivers, the rest point, compare, report, explain and the dashboard's
ensemble run on them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.model.mesa_model import BalancingModel
from simulate.model.preparation import prepare
from simulate.scenarios.parameters import load_config, with_power
from simulate.scenarios.scenario import load

from .test_rest import drift, still

DEFAULT = Path(__file__).resolve().parent.parent / "configs" / "default.yaml"


def _figure(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit, "assumption": "A test figure."}


def power_file(folder: Path, name: str = "atlantis", trade: float = 5.0,
               fdi: float = 1.0) -> Path:  # fmt: skip
    """A power that holds secondary sanctions and inducements, on the Trans-Caspian route."""
    cfg = load_config()
    issues = cfg.issue_names
    params = {
        "trade": _figure(trade, "USD bn/yr"), "trade_growth": _figure(0.02, "1/yr"),
        "partner_dependence": _figure(0.05, "share"), "fdi_inflow": _figure(fdi, "USD bn/yr"),
        "finance_tie": _figure(0.3, "share"), "security_tie": _figure(0.0, "share"),
        "identity_tie": _figure(0.1, "share"), "capacity": _figure(0.6, "index"),
        "capacity_growth": _figure(0.01, "1/yr"), "reactivity": _figure(1.0, "per unit"),
        "transit_reliance": _figure(0.0, "share"), "sanctioned": _figure(0.0, "0/1"),
        "reexport_potential": _figure(0.0, "USD bn/yr"), "oil_trade_share": _figure(0.3, "share"),
        "secondary_sanctions_max": _figure(0.2, "share"),
        "secondary_sanctions_cost": _figure(0.01, "per effort"),
        "inducement_max": _figure(0.1, "share"), "inducement_cost": _figure(0.02, "per effort"),
        **{f"ideal_{i}": _figure(0.7, "index") for i in issues},
        **{f"salience_{i}": _figure(0.4, "index") for i in issues},
    }  # fmt: skip
    text = yaml.safe_dump({
        "name": name, "kind": "power", "label": name.title(),
        "instruments": ["secondary_sanctions", "inducement"], "crosses": ["trans_caspian"],
        "parameters": params}, sort_keys=False)  # fmt: skip
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def transit_file(folder: Path, reach: float = 0.4) -> Path:
    """A transit state on the Trans-Caspian route and the corridor, within Russia's reach."""
    prior = {"dist": "uniform", "low": 0.0, "high": 0.8, "reason": "a test prior of a width"}
    text = yaml.safe_dump({
        "name": "lemuria", "kind": "transit", "label": "Lemuria",
        "crosses": ["trans_caspian", "middle_corridor"],
        "parameters": {"reach_russia": {**_figure(reach, "share"), "prior": prior}}})
    path = folder / "lemuria.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def gas_config(folder: Path) -> Path:
    """A config overlay: a gas pipeline across Russia, and the hedger's gas exports."""
    route = {k: _figure(v, u) for k, (v, u) in {
        "capacity": (20.0, "bcm/yr"), "preference": (1.0, "weight"), "other_use": (0.0, "bcm/yr"),
        "build_lag": (3.0, "years"), "build_cost": (0.5, "USD bn per bcm/yr"),
        "build_rate": (0.0, "bcm/yr a year")}.items()}  # fmt: skip
    text = yaml.safe_dump({
        "extends": str(DEFAULT), "name": "with-gas",
        "routes": {"gas_line": {"label": "a gas line", "commodity": "gas", "crosses": ["russia"]}},
        "parameters": {"gas_line": route, "kazakhstan": {
            "gas_exports": _figure(15.0, "bcm/yr"),
            "gas_export_weight": _figure(0.1, "share")}}}, sort_keys=False)  # fmt: skip
    path = folder / "gas.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A folder with the throwaway actors, the gas overlay and a scenario using them."""
    folder = tmp_path_factory.mktemp("world")
    power_file(folder)
    transit_file(folder)
    gas_config(folder)
    scenario = {"name": "thrown", "config": "gas.yaml",
                "actors": ["atlantis.yaml", "lemuria.yaml"],
                "horizon": {"start": 2024, "end": 2030, "step": "quarter"}, "runs": 20, "seed": 5}
    (folder / "thrown.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    cut = {"extends": "thrown.yaml", "name": "thrown_cut", "events": [
        {"type": "coercion_campaign", "target": "russia", "instrument": "transit_disruption",
         "at": 2026.0, "duration": 1.0, "magnitude": 0.4}]}  # fmt: skip
    (folder / "thrown_cut.yaml").write_text(yaml.safe_dump(cut), encoding="utf-8")
    return folder


def test_an_actor_and_a_route_from_yaml_join_the_axes(world):
    spec = prepare(world / "thrown.yaml")
    assert spec.powers == ["russia", "china", "eu", "atlantis"]
    assert spec.crossed == [*spec.powers, "lemuria"]
    assert spec.routes[-1] == "gas_line" and spec.commodities == ["oil", "gas", "freight"]
    assert spec.config.path("trans_caspian") == ["atlantis", "lemuria"]
    assert spec.config.path("middle_corridor") == ["lemuria"]


def test_both_drivers_agree_with_a_thrown_actor_and_route(world):
    spec = prepare(world / "thrown_cut.yaml", runs=3)
    batch = simulate_runs(spec, [0, 1, 2], spec.scenario.seed)
    for i in (0, 2):
        mesa_run = BalancingModel.from_spec(spec, run=i).run()
        for name, arr in batch.items():
            np.testing.assert_allclose(mesa_run[name], arr[i], atol=1e-9, rtol=0, err_msg=name)


def test_the_start_is_a_rest_point_with_a_thrown_actor_and_route(world):
    scenario = still(config=str(world / "gas.yaml"),
                     actors=[str(world / "atlantis.yaml"), str(world / "lemuria.yaml")],
                     parameters={"kazakhstan.choice_noise": 0.0})  # fmt: skip
    worst = drift(simulate_runs(prepare(scenario), range(3), 11))
    assert max(worst.values()) < 1e-9, {k: v for k, v in worst.items() if v >= 1e-9}


def test_what_crosses_each_actor_is_shown_per_commodity(world):
    spec = prepare(world / "thrown.yaml", runs=2)
    out = simulate_runs(spec, [0, 1], 5)
    share = out["transit_share"]
    col = spec.entities("commodity_actor").index
    np.testing.assert_allclose(share[..., col("oil/russia")], out["oil_via_russia_share"][..., 0])
    route = spec.entities("route").index
    oil = out["oil_route_flow"][..., :5].sum(axis=-1)
    np.testing.assert_allclose(share[..., col("oil/lemuria")],
                               out["oil_route_flow"][..., route("trans_caspian")] / oil)
    np.testing.assert_allclose(share[..., col("gas/russia")], 1.0)  # the one gas line
    freight = out["corridor_volume"][..., 0] + out["northern_volume"][..., 0]
    np.testing.assert_allclose(share[..., col("freight/lemuria")],
                               out["corridor_volume"][..., 0] / freight)
    np.testing.assert_allclose(share[..., col("freight/russia")],
                               out["northern_volume"][..., 0] / freight)


def test_a_powers_reach_through_a_transit_state_raises_its_transit_leverage(world, tmp_path):
    """Russia's reach over the routes across a transit state (pressure on Baku, its navy on
    the Caspian) is leverage over the exports on them; without reach there is none."""
    common = {"horizon": {"start": 2024, "end": 2025, "step": "year"}, "runs": 2, "seed": 1}
    none = prepare({"name": "n", "actors": [str(transit_file(tmp_path, 0.0))], **common},
                   point=True)  # fmt: skip
    some = prepare({"name": "s", "actors": [str(world / "lemuria.yaml")], **common}, point=True)
    a, b = (simulate_runs(s, [0, 1], 1)["leverage_transit"][..., 0] for s in (none, some))
    assert np.all(b > a)


def test_an_added_powers_trade_and_fdi_are_carved_out_of_the_rest_of_the_world(world):
    """Kazakhstan's total trade and the other powers' shares at the start do not change when
    a power joins: its trade was counted in the rest of the world."""
    base = still(years=2, parameters={"kazakhstan.choice_noise": 0.0})
    more = still(years=2, actors=[str(world / "atlantis.yaml")],
                 parameters={"kazakhstan.choice_noise": 0.0})  # fmt: skip
    a, b = (simulate_runs(prepare(s, point=True), [0], 1) for s in (base, more))
    np.testing.assert_allclose(b["total_trade"][0, 0], a["total_trade"][0, 0], rtol=1e-12)
    np.testing.assert_allclose(b["trade_share"][0, 0, :3], a["trade_share"][0, 0, :3],
                               rtol=1e-12)  # fmt: skip
    assert b["trade"][0, 0, 3] == pytest.approx(5.0)


def test_a_power_whose_trade_exceeds_the_rest_of_the_world_is_refused(tmp_path):
    big = power_file(tmp_path, "goliath", trade=500.0)
    with pytest.raises(InputError, match="carved out of"):
        load({"name": "x", "horizon": {"start": 2024, "end": 2025, "step": "year"},
              "actors": [str(big)]})  # fmt: skip


def test_an_actor_file_with_a_missing_parameter_names_its_file(tmp_path):
    path = power_file(tmp_path)
    data = yaml.safe_load(path.read_text())
    del data["parameters"]["capacity"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match="missing model parameters") as err:
        load({"name": "x", "horizon": {"start": 2024, "end": 2025, "step": "year"},
              "actors": [str(path)]})  # fmt: skip
    assert err.value.file == str(path)


def test_an_unknown_shipped_actor_is_refused_with_the_shipped_names():
    with pytest.raises(InputError, match="no shipped actor 'atlantis'"):
        load({"name": "x", "horizon": {"start": 2024, "end": 2025, "step": "year"},
              "actors": ["atlantis"]})  # fmt: skip


def test_a_config_overlay_names_an_actor_by_its_file(world, tmp_path):
    overlay = tmp_path / "with.yaml"
    overlay.write_text(yaml.safe_dump({
        "extends": str(DEFAULT), "name": "with-atlantis",
        "actors": {"atlantis": str(world / "atlantis.yaml")}}))  # fmt: skip
    cfg = load_config(overlay)
    assert cfg.powers == ["russia", "china", "eu", "atlantis"]
    assert cfg.actors["atlantis"].rest_of_world and "atlantis" in cfg.path("trans_caspian")


def test_compare_report_and_explain_read_results_with_thrown_actors(world, tmp_path):
    runner = CliRunner()
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    for scen, out in (("thrown.yaml", a), ("thrown_cut.yaml", b)):
        r = runner.invoke(main, ["run", str(world / scen), "-o", str(out), "--quiet",
                                 "--no-threshold-check"])  # fmt: skip
        assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["compare", str(a), str(b), "-v", "transit_share", "-v", "trade"])
    assert r.exit_code == 0, r.output
    assert "freight/lemuria" in r.output and "atlantis" in r.output
    r = runner.invoke(main, ["report", str(a), str(b), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert "atlantis" in (tmp_path / "r.html").read_text(encoding="utf-8")
    r = runner.invoke(main, ["explain", str(b), str(a)])
    assert r.exit_code == 0, r.output
    assert "alignment with atlantis" in r.output


def test_the_dashboards_ensemble_runs_with_thrown_actors(world):
    from simulate.dashboard import fans
    from simulate.model.modelspec import loaded_scenario

    ens = fans.ensemble(loaded_scenario(str(world / "thrown.yaml")), {"atlantis.capacity": 0.8},
                        runs=8)  # fmt: skip
    assert "atlantis" in ens.labels["alignment"]
    assert ens.fans["alignment"].values.shape[-1] == 4


def test_with_power_copies_values_but_no_sources():
    cfg = with_power(load_config(), "copy", like="eu")
    for name, par in cfg.parameters["copy"].items():
        assert par.sources is None and par.observed is None and par.prior is None, name
        assert "placeholder" in par.assumption and "eu" in par.assumption
    assert cfg.get("copy.trade").central == load_config().get("eu.trade").central
