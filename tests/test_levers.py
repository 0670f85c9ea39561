"""Levers: declared once, checked against the config and horizon, applied without unpairing runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from simulate.cli.main import main
from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.model.preparation import prepare
from simulate.model.randomness import draw_runs
from simulate.scenarios import levers as lv
from simulate.scenarios import scenario, schema
from simulate.testing import strategies as mst

from .conftest import ROOT, SCENARIOS, write

HEAD = ("name: t\nextends: {base}\nhorizon: {{start: 2024, end: 2030, step: quarter}}\n"
        "runs: 4\nlevers:\n")  # fmt: skip
LEVER = """\
  fleet:
    kind: programme
    actor: kazakhstan
    parameter: trans_caspian.build_rate
    options: [0.0, 1.0]
    start: 2026
    description: ports and tankers
"""


@pytest.fixture(scope="module")
def baseline():
    """The shipped baseline, with its levers."""
    return scenario.load(SCENARIOS / "baseline.yaml")


def _file(tmp_path, body: str):
    return write(tmp_path, "t.yaml", HEAD.format(base=SCENARIOS / "baseline.yaml") + body)


def _validate(path):
    return CliRunner().invoke(main, ["validate", str(path)])


def test_every_shipped_scenario_that_extends_the_baseline_inherits_its_levers(baseline):
    for name in ("russian_pressure", "china_dependency", "middle_corridor"):
        child = scenario.load(SCENARIOS / f"{name}.yaml")
        assert child.scenario.levers == baseline.scenario.levers
    actors = {lever.actor for lever in baseline.scenario.levers.values()}
    assert actors == {"kazakhstan", "eu", "russia", "china"}
    kazakh = {k for k, v in baseline.scenario.levers.items() if v.actor == "kazakhstan"}
    assert kazakh >= {"caspian_buildout", "china_outlet", "export_controls",
                      "investment_screening", "security_stance"}


@pytest.mark.parametrize(("body", "line", "field", "words"), [
    (LEVER.replace("trans_caspian.build_rate", "trans_caspain.build_rate"), 9,
     "levers.fleet.parameter", "unknown parameter 'trans_caspain.build_rate'"),
    (LEVER.replace("options: [0.0, 1.0]", "options: [0.0, -1.0]"), 10,
     "levers.fleet.options.1", "outside the admissible range"),
    (LEVER.replace("start: 2026", "start: 2019"), 11, "levers.fleet.start",
     "before the horizon 2024-2030"),
    (LEVER + "    cost: cheap\n    cost_source: 'assumption: x'\n", 13, "levers.fleet.cost",
     "valid number"),
    (LEVER.replace("kind: programme", "kind: position").replace("    start: 2026\n", ""), 9,
     "levers.fleet.parameter",
     "a position lever sets one of kazakhstan's positions"),
    (LEVER.replace("actor: kazakhstan", "actor: turkey"), 8, "levers.fleet.actor",
     "unknown actor 'turkey'"),
])  # fmt: skip
def test_a_bad_lever_is_one_line_naming_file_line_and_field(tmp_path, body, line, field, words):
    path = _file(tmp_path, body)
    r = _validate(path)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:{line}: {field}: "), lines
    assert words in lines[0]


def test_a_lever_on_a_parameter_the_scenario_draws_as_an_uncertainty_is_refused(tmp_path):
    body = LEVER.replace("trans_caspian.build_rate", "russia.capacity_growth").replace(
        "kind: programme", "kind: parameter") + "    cost: 0.0\n    cost_source: an assumption\n"
    with pytest.raises(InputError, match="a lever or an uncertainty, not both"):
        scenario.load(_file(tmp_path, body))


def test_a_position_lever_acts_at_the_horizons_start_only(tmp_path):
    body = ("  controls:\n    kind: position\n    actor: kazakhstan\n"
            "    parameter: kazakhstan.position_sanctions_enforcement\n    options: [0.7]\n"
            "    start: 2027\n    cost: 0.1\n    cost_source: 'assumption: x'\n"
            "    description: export controls\n")  # fmt: skip
    with pytest.raises(InputError, match="reads it only there") as found:
        scenario.load(_file(tmp_path, body))
    assert found.value.field == "levers.controls.start"


def test_a_lever_survives_load_dump_load(tmp_path, baseline):
    again = scenario.load(scenario.dump(baseline.scenario))
    assert again.scenario.levers == baseline.scenario.levers


def _outputs(loaded, policy, runs=range(6)):
    spec = prepare(lv.apply(loaded, policy), runs=len(runs))
    spec = dataclasses.replace(spec, outputs=["position", "oil_route_capacity", "balance_index"])
    return spec, simulate_runs(spec, list(runs), spec.scenario.seed)


def test_a_programme_changes_nothing_before_its_start_and_adds_capacity_after(baseline):
    spec, before = _outputs(baseline, {})
    _, after = _outputs(baseline, {"caspian_buildout": lv.Setting(2.0, 2030.0)})
    early = spec.times < 2030
    for v in before:
        np.testing.assert_array_equal(before[v][:, early], after[v][:, early])
    k = spec.routes.index("trans_caspian")
    assert np.all(after["oil_route_capacity"][:, -1, k] > before["oil_route_capacity"][:, -1, k])


def test_the_status_quo_fixes_a_drawn_parameter_and_leaves_every_other_draw(baseline):
    plain = prepare(baseline, runs=8)
    fixed = prepare(lv.apply(baseline, {}), runs=8)
    path = "kazakhstan.position_sanctions_enforcement"
    assert path in plain.priors and path not in fixed.priors
    assert fixed.base[path] == baseline.config.get(path).central
    a, _ = draw_runs(plain, 1, range(8))
    b, _ = draw_runs(fixed, 1, range(8))
    for k, v in b.values.items():
        np.testing.assert_array_equal(a.values[k], v)
    np.testing.assert_array_equal(a.occurs, b.occurs)


def test_an_event_lever_adds_its_event_after_the_scenarios_own_and_keeps_every_draw():
    loaded = scenario.load(SCENARIOS / "russian_pressure.yaml")
    moved = lv.apply(loaded, {"russia_transit_pressure": lv.Setting(0.25, 2027.0)})
    added = moved.scenario.events[-1]
    assert len(moved.scenario.events) == len(loaded.scenario.events) + 1
    assert (added.type, added.at, added.magnitude, added.probability) == (
        "coercion_campaign", 2027.0, 0.25, 1.0)
    assert added.instrument == "transit_disruption" and added.duration == 3.0
    a, _ = draw_runs(prepare(lv.apply(loaded, {}), runs=5), 3, range(5))
    b, _ = draw_runs(prepare(moved, runs=5), 3, range(5))
    np.testing.assert_array_equal(a.occurs, b.occurs[:, : a.occurs.shape[1]])


def test_a_policys_cost_is_the_unit_cost_times_the_change_times_the_years(baseline):
    got = lv.cost(baseline, {"caspian_buildout": lv.Setting(2.0, 2030.0),
                             "export_controls": lv.Setting(0.85, 2024.0),
                             "china_investment": lv.Setting(40.0, 2025.0)})  # fmt: skip
    build = baseline.config.get("trans_caspian.build_cost").central
    assert got["kazakhstan"] == pytest.approx(build * 2.0 * 11 + 0.05 * 0.35 * 17)
    assert got["china"] == pytest.approx(0.125 * 40.0 * 8)
    assert lv.cost(baseline, {"caspian_buildout": lv.Setting(0.0, 2025.0)}) == {}


def test_a_setting_outside_the_levers_options_range_or_years_is_named(baseline):
    levers, hz = baseline.scenario.levers, baseline.scenario.horizon
    assert lv.setting_problem(levers["cpc_expansion"], lv.Setting(0.5, 2025), hz)[1] == "value"
    assert lv.setting_problem(levers["caspian_buildout"], lv.Setting(3.0, 2025), hz)[1] == "value"
    assert lv.setting_problem(levers["caspian_buildout"], lv.Setting(1.0, 2024), hz)[1] == "start"
    assert lv.setting_problem(levers["export_controls"], lv.Setting(0.7, 2026), hz)[1] == "start"
    assert lv.setting_problem(levers["caspian_buildout"], lv.Setting(1.5, 2031), hz) is None


def test_the_lever_tables_of_the_docs_are_current():
    for name in lv.DOCS:
        assert lv.table() in (ROOT / "docs" / name).read_text()


THROWAWAY = lv.LeverKind("tariff", "parameter", admits=lambda cfg, p: None,
                         sample=lambda cfg: ["kazakhstan.barrels_per_tonne"], target_doc="a price",
                         effect_doc="a step", cost_doc="per dollar")  # fmt: skip


def test_a_registered_kind_reaches_the_schema_the_checks_the_strategies_and_the_docs(
        monkeypatch, tmp_path):  # fmt: skip
    import json

    from hypothesis import find

    monkeypatch.setitem(lv.KINDS, THROWAWAY.name, THROWAWAY)
    enum = json.loads(schema.json_schema())["$defs"]["Lever"]["properties"]["kind"]["enum"]
    assert "tariff" in enum
    body = ("  price:\n    kind: tariff\n    actor: kazakhstan\n    parameter: "
            "kazakhstan.barrels_per_tonne\n    options: [7.0, 7.5]\n    start: 2026\n"
            "    cost: 0.0\n    cost_source: 'assumption: x'\n    description: a price floor\n"
            )  # fmt: skip
    loaded = scenario.load(_file(tmp_path, body))
    assert loaded.scenario.levers["price"].kind == "tariff"
    assert "| `tariff` | a price | a step | per dollar |" in lv.table()
    hz = {"start": 2024, "end": 2030, "step": "year"}
    drawn = find(mst.levers(hz), lambda d: any(v["kind"] == "tariff" for v in d.values()))
    assert any(v.get("parameter") == "kazakhstan.barrels_per_tonne" for v in drawn.values())


@settings(max_examples=10)
@given(mst.scenarios(max_runs=2, max_years=4, with_levers=True))
def test_generated_levers_validate_and_a_generated_policy_leaves_runs_alone_before_it(data):
    loaded = scenario.load(data)
    hz = data["horizon"]
    start = {k: v.get("start", hz["start"]) for k, v in data["levers"].items()}
    policy = {k: lv.Setting(float((v.get("options") or [v.get("range", {}).get("high")])[-1]),
                            float(start[k])) for k, v in data["levers"].items()}  # fmt: skip
    first = min(start.values())
    base_spec = prepare(lv.apply(loaded, {}))
    moved_spec = prepare(lv.apply(loaded, policy))
    a = simulate_runs(base_spec, range(data["runs"]), data["seed"])
    b = simulate_runs(moved_spec, range(data["runs"]), data["seed"])
    early = base_spec.times < first - lv.STEP_LEAD
    for v in ("position", "balance_index"):
        np.testing.assert_array_equal(a[v][:, early], b[v][:, early])
