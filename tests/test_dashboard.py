"""The dashboard without a browser: levers, ensembles, charts, saving, the CLI."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.dashboard import charts, fans, levers, save
from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.model.modelspec import loaded_scenario
from simulate.running.runner import prepare
from simulate.scenarios.scenario import load

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline():
    return loaded_scenario(str(SCENARIOS / "baseline.yaml"))


@pytest.fixture(scope="module")
def corridor():
    return loaded_scenario(str(SCENARIOS / "middle_corridor.yaml"))


def test_levers_exist_in_the_config_within_their_domains(baseline):
    offered = levers.levers_of(baseline)
    assert [lv.path for lv in offered] == [lv.path for lv in levers.LEVERS]
    for lv in offered:
        assert lv.low < lv.high and lv.step > 0
        assert lv.low <= levers.setting(baseline, lv.path).value <= lv.high, lv.path


def test_settings_say_how_the_scenario_sets_each_lever(baseline, corridor):
    assert levers.setting(baseline, "kazakhstan.resolve").how == "fixed"
    assert levers.setting(baseline, "russia.capacity_growth").how == "uncertain"
    path = levers.setting(corridor, "middle_corridor.capacity")
    assert (path.how, path.value, path.note) == ("path", 24.0, "path 5.9 -> 24")


def test_only_moved_levers_depart(baseline, corridor):
    assert levers.departures(baseline, {"kazakhstan.resolve": 0.3}) == {}
    assert levers.departures(baseline, {"kazakhstan.resolve": 0.5}) == {"kazakhstan.resolve": 0.5}
    # a lever on an uncertainty or a path departs once moved, even to its central value
    assert levers.departures(baseline, {"russia.capacity_growth": -0.01})
    assert levers.departures(corridor, {"middle_corridor.capacity": 24.0})


def test_ensemble_quantiles_are_those_of_the_batched_runs(baseline):
    ens = fans.ensemble(baseline, {"kazakhstan.resolve": 0.5}, 50)
    spec = prepare(baseline, overrides={"kazakhstan.resolve": 0.5})
    out = simulate_runs(spec, range(50), spec.scenario.seed)
    np.testing.assert_allclose(ens.fans["alignment"].median(), np.median(out["alignment"], axis=0))
    probs = ens.fans["outcome"].values[0]
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert ens.fans["position"].labels == spec.issues
    assert ens.overrides == {"kazakhstan.resolve": 0.5} and ens.seed == spec.scenario.seed


def test_a_moved_lever_redraws_every_chart_against_the_same_runs_of_the_base(baseline):
    base = fans.ensemble(baseline, {}, 400)
    moved = fans.ensemble(baseline, {"russia.capacity_growth": 0.03}, 400)
    figures = charts.all_charts(moved, base)
    assert all(png.startswith(b"\x89PNG") for png in figures.values())
    (name, value, ref) = fans.headline(moved, base)[0]
    assert name == "alignment with russia" and value > ref  # Russia growing pulls alignment


def test_an_out_of_range_lever_is_an_input_error(baseline):
    with pytest.raises(InputError, match="outside the admissible range"):
        fans.ensemble(baseline, {"kazakhstan.sanctions_intensity": 1.5}, 10)


@pytest.mark.parametrize("moved", [
    {"kazakhstan.resolve": 0.6, "middle_corridor.capacity": 14.0},
    {"kazakhstan.balance_preference": 1.2},  # an uncertainty in the baseline
])  # fmt: skip
def test_a_saved_scenario_extends_the_base_and_runs_what_the_page_showed(tmp_path, baseline,
                                                                       moved):  # fmt: skip
    path = save.save(baseline, moved, tmp_path / "mine.yaml")
    text = path.read_text()
    assert "extends:" in text and "parameters:" in text
    saved = load(path)
    assert saved.scenario.parameters == {**baseline.scenario.parameters, **moved}
    ours = fans.ensemble(baseline, moved, 30)
    theirs = fans.ensemble(saved, {}, 30)
    np.testing.assert_array_equal(ours.fans["alignment"].values, theirs.fans["alignment"].values)


def test_a_lever_on_a_path_saves_the_resolved_scenario(tmp_path, corridor):
    moved = {"middle_corridor.capacity": 30.0}
    path = save.save(corridor, moved, tmp_path / "corridor30.yaml")
    saved = load(path)
    assert "extends:" not in path.read_text()
    assert "middle_corridor.capacity" not in saved.scenario.paths
    np.testing.assert_array_equal(fans.ensemble(corridor, moved, 20).fans["leverage"].values,
                                  fans.ensemble(saved, {}, 20).fans["leverage"].values)


def test_saving_refuses_bad_targets_and_leaves_no_partial_file(tmp_path, baseline):
    with pytest.raises(InputError, match=r"\.yaml"):
        save.save(baseline, {}, tmp_path / "mine.txt")
    with pytest.raises(InputError, match="extend"):
        save.save(baseline, {}, baseline.file)
    with pytest.raises(InputError):
        save.save(baseline, {}, tmp_path / "no" / "such" / "folder" / "x.yaml")
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_input_exits_2_with_one_message(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["dashboard", str(tmp_path / "missing.yaml"), "--port", "0"])
    assert r.exit_code == 2 and r.output.startswith("error:") and "Traceback" not in r.output
    r = runner.invoke(main, ["dashboard", "--runs", "0"])
    assert r.exit_code == 2 and "runs" in r.output
    r = runner.invoke(main, ["dashboard", "--port", "70000"])
    assert r.exit_code == 2 and "port" in r.output


def test_server_knows_the_assets_the_page_loads_and_finds_them_installed():
    pytest.importorskip("solara", reason="the dashboard needs the 'dashboard' extra")
    import solara.server.settings as settings

    from simulate.dashboard import server

    needed = server.needed_assets()
    assert any(n.startswith("@widgetti/solara-vuetify-app@") for n in needed)
    assert server.missing_assets(settings.assets.proxy_cache_dir) == []
    assert server.missing_assets(settings.assets.proxy_cache_dir / "nowhere") == needed


def test_a_port_in_use_is_an_input_error():
    from simulate.dashboard.server import bind

    first = bind(0)
    try:
        with pytest.raises(InputError, match="cannot listen"):
            bind(first.getsockname()[1])
    finally:
        first.close()


def test_a_lever_from_a_later_year_follows_the_scenario_until_then(baseline, corridor):
    fixed = levers.step_path(baseline, "kazakhstan.resolve", 0.6, 2030)
    assert fixed == {2024.0: 0.3, 2029.99: 0.3, 2030.0: 0.6}
    on_path = levers.step_path(corridor, "middle_corridor.capacity", 30.0, 2032)
    written = corridor.scenario.paths["middle_corridor.capacity"]
    assert on_path[2024] == written[2024] and on_path[2030] == written[2030]
    assert on_path[2032.0] == 30.0
    assert 2035 not in on_path, "the scenario's later points give way to the lever"
    spec = prepare(levers.apply(baseline, levers.changes(baseline, {"kazakhstan.resolve": 0.6},
                                                          {"kazakhstan.resolve": 2030})))
    series = spec.paths["kazakhstan.resolve"]
    assert np.all(series[spec.times < 2030] == 0.3) and np.all(series[spec.times >= 2030] == 0.6)


def test_a_lever_the_scenario_draws_per_run_applies_from_the_first_year(baseline):
    moved = levers.changes(baseline, {"russia.capacity_growth": 0.02},
                           {"russia.capacity_growth": 2030})  # fmt: skip
    assert not levers.can_start_later(baseline, "russia.capacity_growth")
    assert moved.parameters == {"russia.capacity_growth": 0.02} and moved.paths == {}
    assert moved.starts == {"russia.capacity_growth": 2024}


def test_a_lever_moved_from_a_year_changes_nothing_before_it(baseline):
    # a programme (capacity ordered per year) is drawn by no run, so the runs before the year
    # are the scenario's own to the bit; a lever on a drawn parameter holds the scenario's
    # value before its year (docs/dashboard.md)
    moved = levers.changes(baseline, {"trans_caspian.build_rate": 1.0},
                           {"trans_caspian.build_rate": 2030})  # fmt: skip
    base = fans.ensemble(baseline, {}, 40)
    later = fans.ensemble(baseline, moved.parameters, 40, moved.paths)
    before = base.times < 2030
    for var in ("alignment", "leverage"):
        np.testing.assert_array_equal(later.fans[var].values[:, before],
                                      base.fans[var].values[:, before])  # fmt: skip
        assert not np.array_equal(later.fans[var].values[:, ~before],
                                  base.fans[var].values[:, ~before])  # fmt: skip


def test_the_headline_names_the_largest_paired_changes_with_leverage(baseline):
    base = fans.ensemble(baseline, {}, 60)
    moved = fans.ensemble(baseline, {"middle_corridor.capacity": 30.0}, 60)
    found = fans.changes(moved, base)
    assert found and found[0].what == "leverage of russia" and found[0].difference.mean < 0
    sizes = [abs(c.difference.mean) for c in found]
    assert sizes == sorted(sizes, reverse=True)
    assert all(c.difference.paired and c.difference.excludes_zero for c in found)
    assert fans.changes(base, base) == []


def test_the_outcome_chart_says_when_one_class_holds_every_run(baseline):
    import dataclasses

    base = fans.ensemble(baseline, {}, 30)
    reached, whole, _ = charts.outcome_classes(base, base)
    assert whole is None and len(reached) > 1  # the ensemble's runs differ in class
    # every run balanced in every period, as a point config's runs of the baseline are
    probs = np.zeros_like(base.fans["outcome"].values)
    probs[..., base.fans["outcome"].labels.index("balanced")] = 1.0
    held = dataclasses.replace(base, fans={**base.fans, "outcome": fans.Fan(
        base.fans["outcome"].labels, probs)})  # fmt: skip
    reached, whole, never = charts.outcome_classes(held, held)
    assert whole == "balanced" and len(reached) == 1
    assert "aligned:russia" in never and "balanced" not in never
    assert charts.outcome_chart(held, held).startswith(b"\x89PNG")


def test_the_saved_scenario_reproduces_the_page_runs_included(tmp_path, monkeypatch):
    pytest.importorskip("solara", reason="the page needs the 'dashboard' extra")
    import simulate
    from simulate.dashboard import app

    source = str(SCENARIOS / "baseline.yaml")
    values = {"middle_corridor.capacity": 25.0, "kazakhstan.resolve": 0.5}
    starts = {"middle_corridor.capacity": 2031}
    view = app.compute(source, values, 120, starts)
    path = save.save(loaded_scenario(source), view.moved, tmp_path / "page.yaml", runs=120)
    saved = load(path)
    assert saved.scenario.runs == 120 and "extends: baseline" in path.read_text()
    res = simulate.run_scenario(path)
    for var in ("alignment", "leverage", "position"):
        fan = view.modified.fans[var]
        for j, ent in enumerate(fan.labels):
            at_end = res.at(var, ent).to_numpy()
            assert np.quantile(at_end, 0.5) == fan.median()[-1, j], (var, ent)
