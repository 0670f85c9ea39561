"""Model-level properties from the design brief, over hypothesis-generated scenarios."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.model.batch import simulate_runs
from simulate.model.dynamics import CHANNELS, INSTRUMENTS
from simulate.running.runner import prepare
from simulate.testing import strategies as mst

SHARES = ("alignment", "leverage", "trade_share", "oil_route_share", "oil_via_russia_share",
          "balance_index", "sanctions_exposure", "compliance", "export_transit_share",
          "oil_transit_share", "position", "closeness", "outcome",
          *(f"leverage_{c}" for c in CHANNELS), *(f"pressure_{j}" for j in INSTRUMENTS))
FLOWS = ("trade", "fdi_inflow", "corridor_volume", "northern_volume", "capacity",
         "oil_route_flow", "total_trade", "oil_export_income", "pressure", "inducement")


@given(mst.scenarios())
def test_outputs_are_valid_for_every_valid_scenario(data):
    spec = prepare(data)
    out = simulate_runs(spec, range(spec.scenario.runs), spec.scenario.seed)
    for name, arr in out.items():
        assert np.all(np.isfinite(arr)), name
    np.testing.assert_allclose(out["alignment"].sum(axis=-1), 1.0, atol=1e-9)
    for name in SHARES:
        assert np.all((out[name] >= -1e-12) & (out[name] <= 1 + 1e-12)), name
    for name in FLOWS:
        assert np.all(out[name] >= 0), name
    assert set(np.unique(out["captured"])) <= {0.0, 1.0}
    assert np.all(np.diff(out["captured"], axis=1) >= 0), "capture is absorbing"
    np.testing.assert_allclose(out["outcome"].sum(axis=-1), 1.0)  # one class per period
    assert np.all(out["captured"][..., 0] >= out["outcome"][..., -len(spec.powers):].sum(-1))


@given(mst.scenarios(max_runs=2))
@settings(max_examples=10)
def test_same_scenario_and_seed_give_identical_results(data):
    spec = prepare(data)
    a = simulate_runs(spec, [0, 1], spec.scenario.seed)
    b = simulate_runs(prepare(data), [0, 1], spec.scenario.seed)
    for k in a:
        assert np.array_equal(a[k], b[k])


@given(mst.scenarios(max_runs=3), st.integers(0, 6))
@settings(max_examples=10)
def test_a_run_does_not_depend_on_the_other_runs(data, i):
    spec = prepare(data)
    alone = simulate_runs(spec, [i], spec.scenario.seed)
    together = simulate_runs(spec, [3, i, 9], spec.scenario.seed)
    for k in alone:
        assert np.array_equal(alone[k][0], together[k][1])


@given(mst.scenarios(max_runs=2), st.floats(0.0, 40.0), st.floats(0.0, 30.0))
@settings(max_examples=20)
def test_more_middle_corridor_capacity_never_raises_russian_transit(data, oil, freight):
    spec = prepare(data)
    for p in ("trans_caspian.capacity", "middle_corridor.capacity"):
        data.get("paths", {}).pop(p, None)
        data["parameters"].pop(p, None)
        data["uncertainties"] = [u for u in data["uncertainties"] if u["parameter"] != p]
    spec = prepare(data)
    tc, mc = spec.base["trans_caspian.capacity"], spec.base["middle_corridor.capacity"]
    # both fixed (a config range would otherwise be drawn in one and not the other)
    same = dict(data, parameters={**data["parameters"], "trans_caspian.capacity": tc,
                                  "middle_corridor.capacity": mc})  # fmt: skip
    more = dict(data, parameters={**data["parameters"], "trans_caspian.capacity": tc + oil,
                                  "middle_corridor.capacity": mc + freight})  # fmt: skip
    spec = prepare(same)
    a = simulate_runs(spec, [0, 1], spec.scenario.seed)
    b = simulate_runs(prepare(more), [0, 1], spec.scenario.seed)
    j = spec.powers.index("russia")
    assert np.all(b["oil_via_russia_share"] <= a["oil_via_russia_share"] + 1e-12)
    assert np.all(b["leverage_transit"][..., j] <= a["leverage_transit"][..., j] + 1e-12)


@given(mst.scenarios(max_runs=2), st.sampled_from(["cpc", "druzhba"]), st.floats(0.05, 1.0))
@settings(max_examples=20)
def test_disrupting_a_russian_route_lowers_its_flow_while_it_lasts(data, route, loss):
    data["events"] = []
    hz = data["horizon"]
    at = hz["start"] + 1.0
    hit = dict(data, events=[{"type": "route_disruption", "target": route, "at": at,
                              "duration": 1.0, "magnitude": loss}])  # fmt: skip
    spec = prepare(data)
    a = simulate_runs(spec, [0, 1], spec.scenario.seed)
    b = simulate_runs(prepare(hit), [0, 1], spec.scenario.seed)
    k = spec.routes.index(route)
    during = (spec.times >= at) & (spec.times < at + 1.0)
    share_a, share_b = a["oil_route_share"][:, during, k], b["oil_route_share"][:, during, k]
    assert np.all(share_b <= share_a + 1e-12)
    # strictly lower wherever the cut capacity is below what flowed before
    cap = spec.base[f"{route}.capacity"] if f"{route}.capacity" not in spec.paths else None
    if cap is not None and f"{route}.capacity" not in {u["parameter"] for u in
                                                         data["uncertainties"]}:  # fmt: skip
        total = spec.base["kazakhstan.oil_exports"]
        binding = share_a * total > cap * (1 - loss) + 1e-9
        assert np.all(share_b[binding] < share_a[binding])
    assert np.array_equal(a["oil_route_share"][:, ~during & (spec.times < at)],
                          b["oil_route_share"][:, ~during & (spec.times < at)])  # fmt: skip
