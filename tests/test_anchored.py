"""The model anchored to the world: the observed start, routes with physics, shocks with
memory, re-exports and the oil price (docs/MODEL.md sections 5 and 7.5-7.7)."""

from __future__ import annotations

import numpy as np
import pytest

from simulate.analysis.history import load_history
from simulate.analysis.startstate import check_start, start_rows, start_state
from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.running.runner import prepare
from simulate.scenarios.parameters import config_from_mapping, load_config

RUSSIA_ROUTES = ("cpc", "druzhba", "makhachkala")


def still(years: int = 8, runs: int = 4, **extra) -> dict:
    """A quarterly scenario from 2024 with no trend, no noise and no uncertainty."""
    trends = {f"{p}.{k}": 0.0 for p in ("russia", "china", "eu")
              for k in ("capacity_growth", "trade_growth")}  # fmt: skip
    return {"name": "still", "horizon": {"start": 2024, "end": 2024 + years - 1,
                                         "step": "quarter"}, "runs": runs, "seed": 3,
            "parameters": {**trends, "kazakhstan.choice_noise": 0.0,
                           **extra.pop("parameters", {})}, **extra}  # fmt: skip


def run(scenario: dict) -> tuple[object, dict[str, np.ndarray]]:
    spec = prepare(scenario, point=True)  # the config's values: the tests read them
    return spec, simulate_runs(spec, range(spec.scenario.runs), spec.scenario.seed)


def col(spec, out, variable: str, entity: str) -> np.ndarray:
    """One series, (runs, periods)."""
    return out[variable][..., spec.entities_of(variable).index(entity)]


def at(spec, year: float) -> int:
    return int(np.argmin(np.abs(spec.times - year)))


# --- the start ----------------------------------------------------------------------------


def test_every_observed_start_value_is_its_history_figure():
    rows = start_state()
    names = {r["parameter"] for r in rows}
    assert {"russia.trade", "china.trade", "eu.trade", "kazakhstan.oil_exports",
            "kazakhstan.oil_price", "china_pipeline.other_use"} <= names  # fmt: skip
    for r in rows:
        assert r["year"] in (2022, 2023) and r["basis"]
        assert all(f["observed"] is not None and f["sources"] for f in r["figures"])


def test_a_start_value_edited_without_its_history_figure_is_refused_with_its_line():
    data = load_config().model_dump(mode="json", exclude_none=True)
    data["parameters"]["kazakhstan"]["oil_exports"]["value"] = 75.0
    with pytest.raises(InputError, match=r"not the observed oil_exports_total 2023 \(70.5\)") as e:
        check_start(config_from_mapping(data), load_history())
    assert e.value.field == "parameters.kazakhstan.oil_exports.observed"


def test_the_start_routes_carry_the_observed_2023_flows():
    spec, out = run(still(years=2, runs=2))
    flows = {k: col(spec, out, "oil_route_flow", k)[:, 0] for k in spec.routes}
    total = sum(flows.values())
    np.testing.assert_allclose(total, 70.5, rtol=1e-9)
    assert flows["druzhba"] == pytest.approx(np.full(2, 9.2), rel=0.01)
    assert flows["china_pipeline"] == pytest.approx(np.full(2, 1.2), rel=0.1)
    assert np.all((flows["trans_caspian"] >= 0.95) & (flows["trans_caspian"] <= 1.45))
    # Russian oil to China is transit, not Kazakh exports
    transit = col(spec, out, "oil_transit_flow", "china_pipeline")[:, 0]
    np.testing.assert_allclose(transit, 9.989)
    cap = col(spec, out, "oil_route_capacity", "china_pipeline")[:, 0]
    assert np.all(flows["china_pipeline"] + transit <= cap + 1e-9)


def test_start_rows_name_the_basis_of_a_range():
    rows = {r["parameter"]: r for r in start_rows(load_config(), load_history())}
    china = rows["china.trade"]
    assert (china["low"], china["high"]) == (31.4, 41.0)
    assert "China's customs" in china["basis"] and "Kazakh statistics" in china["basis"]


# --- routes -------------------------------------------------------------------------------


def test_an_outage_loses_exports_and_a_cut_is_rerouted_only_as_fast_as_contracts_move():
    """Nobody rebooks for a storm: an outage's oil is lost while it lasts. A power's cut is
    meant to last: exports move to spare capacity elsewhere, part of the way a quarter."""
    outage = [{"type": "route_disruption", "target": "cpc", "at": 2026.0, "duration": 0.5,
               "magnitude": 0.6}]  # fmt: skip
    cut = [{"type": "coercion_campaign", "target": "russia", "instrument": "transit_disruption",
            "at": 2026.0, "duration": 1.0, "magnitude": 0.6}]  # fmt: skip
    spec, base = run(still())
    _, storm = run(still(events=outage))
    _, chosen = run(still(events=cut))
    t = at(spec, 2026.0)
    shipped = lambda o, ks: sum(col(spec, o, "oil_route_flow", k)[:, t] for k in ks)  # noqa: E731
    others = [k for k in spec.routes if k not in RUSSIA_ROUTES]
    lost = shipped(base, spec.routes) - shipped(storm, spec.routes)
    cpc_cap = col(spec, base, "oil_route_available", "cpc")[:, t]
    np.testing.assert_allclose(lost, col(spec, base, "oil_route_flow", "cpc")[:, t]
                               - 0.4 * cpc_cap, rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(shipped(storm, others), shipped(base, others), rtol=1e-9)
    spare = sum(col(spec, base, "oil_route_available", k)[:, t]
                - col(spec, base, "oil_route_flow", k)[:, t] for k in others)  # fmt: skip
    moved = shipped(chosen, others) - shipped(base, others)
    contract_time = spec.base["kazakhstan.contract_time"]
    assert np.all(moved > 0)
    assert np.all(moved <= (1 - np.exp(-spec.dt / contract_time)) * spare + 1e-9)


def test_capacity_ordered_arrives_after_its_construction_delay():
    # 4 Mt/yr of capacity a year, ordered through 2025 (four quarters)
    order = {"trans_caspian.build_rate": {2024.99: 0.0, 2025.0: 4.0, 2025.99: 4.0, 2026.0: 0.0}}
    spec, out = run(still(years=10, paths=order))
    cap = col(spec, out, "oil_route_capacity", "trans_caspian")
    lag = spec.base["trans_caspian.build_lag"]
    start = cap[:, 0]
    assert np.all(cap[:, at(spec, 2025.5)] - start < 0.2)  # little within half a year
    done = cap[:, -1] - start
    np.testing.assert_allclose(done, 4.0, rtol=0.05)  # the whole order, eventually
    half = at(spec, 2025.5 + lag)
    assert np.all((cap[:, half] - start > 1.0) & (cap[:, half] - start < 3.5))
    cost = out["capacity_investment"][:, at(spec, 2025.5), 0]
    np.testing.assert_allclose(cost, 4.0 * spec.base["trans_caspian.build_cost"])


def test_corridor_tonnage_reaches_new_capacity_only_after_its_ramp():
    more = {"middle_corridor.capacity": 4.0, "middle_corridor.transit_days": 10.0}
    spec, out = run(still(years=10, parameters=more))
    vol = out["corridor_volume"][..., 0]
    start = vol[:, 0]
    assert np.all(vol[:, 0] < 3.5)  # a quarter in: most of the way still to go
    assert np.all(vol[:, at(spec, 2026.0)] < 3.9)
    np.testing.assert_allclose(vol[:, -1], 4.0, rtol=0.02)  # then at the capacity
    assert np.all(np.diff(vol, axis=1) >= -1e-12) and np.all(start > 2.6)


# --- shocks with memory -------------------------------------------------------------------


def test_a_deliberate_cut_moves_kazakhstan_further_from_russia_than_an_outage_of_the_same_size():
    """The same share of the same routes for the same year: chosen, or an accident."""
    accident = [{"type": "route_disruption", "target": k, "at": 2025.0, "duration": 1.0,
                 "magnitude": 0.6} for k in RUSSIA_ROUTES]  # fmt: skip
    chosen = [{"type": "coercion_campaign", "target": "russia", "instrument": "transit_disruption",
               "at": 2025.0, "duration": 1.0, "magnitude": 0.6}]  # fmt: skip
    spec, a = run(still(years=8, events=accident))
    _, b = run(still(years=8, events=chosen))
    for year in (2026.5, 2030.0):
        t = at(spec, year)
        assert np.all(col(spec, b, "alignment", "russia")[:, t]
                      < col(spec, a, "alignment", "russia")[:, t])  # fmt: skip
        assert np.all(col(spec, b, "position", "route_diversification")[:, t]
                      > col(spec, a, "position", "route_diversification")[:, t])  # fmt: skip
    t = at(spec, 2030.0)
    assert np.all(col(spec, b, "revealed_intent", "russia")[:, t] > 0.2)
    assert np.all(col(spec, a, "revealed_intent", "russia")[:, t] == 0.0)


def test_the_memory_of_an_outage_orders_capacity_that_stays():
    outage = [{"type": "route_disruption", "target": "cpc", "at": 2025.0, "duration": 0.5,
               "magnitude": 0.6}]  # fmt: skip
    spec, base = run(still(years=12))
    _, hit = run(still(years=12, events=outage))
    built = lambda o: col(spec, o, "oil_route_capacity", "trans_caspian")  # noqa: E731
    assert np.all(built(hit)[:, -1] > built(base)[:, -1] + 0.05)
    assert np.all(hit["transit_risk"][:, -1, 0] == pytest.approx(base["transit_risk"][:, -1, 0],
                                                                 abs=1e-3))  # fmt: skip


# --- trade and the oil price --------------------------------------------------------------


def test_reexports_rise_with_sanctions_and_fall_with_enforcement():
    tighter = {"type": "sanctions_package", "at": 2025.0, "magnitude": 0.3}
    spec, base = run(still(years=4))
    _, more = run(still(years=4, events=[tighter]))
    _, enforced = run(still(years=4, events=[tighter],
                            parameters={"kazakhstan.position_sanctions_enforcement": 0.9}))
    t = at(spec, 2027.0)
    x = lambda o: col(spec, o, "reexport_trade", "russia")[:, t]  # noqa: E731
    assert np.all(x(more) > x(base)) and np.all(x(enforced) < x(more))
    assert np.all(col(spec, base, "reexport_trade", "china") == 0.0)


def test_a_cheaper_barrel_lowers_income_and_eu_trade_and_weighs_route_costs_more():
    spec, dear = run(still(years=6, parameters={"kazakhstan.oil_price": 100.0}))
    _, cheap = run(still(years=6, parameters={"kazakhstan.oil_price": 50.0}))
    t = -1
    assert np.all(cheap["oil_export_income"][:, t, 0] < dear["oil_export_income"][:, t, 0])
    assert np.all(col(spec, cheap, "trade", "eu")[:, t] < col(spec, dear, "trade", "eu")[:, t])
    assert np.all(col(spec, cheap, "position", "route_diversification")[:, t]
                  < col(spec, dear, "position", "route_diversification")[:, t])  # fmt: skip
