"""simulate calibrate: the fit on a known function, targets, the command, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simulate.analysis import targets as tg
from simulate.analysis.calibrate import fit
from simulate.analysis.observed import relative_miss
from simulate.cli.main import main
from simulate.scenarios.parameters import load_config

from .conftest import ROOT, SCENARIOS, SEEDS
from .test_sensitivity import assert_bad_input

TARGETS = ROOT / "configs" / "targets.yaml"
DEFAULT = ROOT / "configs" / "default.yaml"
HISTORY = ROOT / "configs" / "history.yaml"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def targets_file(tmp_path, edit=None, runs=4):
    """The shipped targets, fitted on few runs, optionally edited; returns the path."""
    data = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    data["scenario"] = str(SCENARIOS / "history_2021.yaml")
    data["history"]["file"] = str(HISTORY)
    data["runs"] = runs
    if edit is not None:
        edit(data)
    p = tmp_path / "targets.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_fit_recovers_the_parameters_of_a_known_function():
    goal = np.array([3.0, 5.0, 1.0])
    model = lambda x: np.array([x[0] + x[1], 2 * x[0] + x[1], x[1] * 1.0])  # noqa: E731
    x, nfev, cost = fit(model, goal, np.array([0.5, 0.5]), np.array([0.0, 0.0]),
                        np.array([10.0, 10.0]))  # fmt: skip
    assert x == pytest.approx([2.0, 1.0], abs=1e-4) and cost < 1e-8 and nfev > 0


def test_fit_stays_inside_the_bounds():
    x, _, _ = fit(lambda x: np.array([x[0]]), np.array([5.0]), np.array([0.1]),
                  np.array([0.0]), np.array([1.0]))  # fmt: skip
    assert x[0] == pytest.approx(1.0)


def test_measure_sums_entities_averages_periods_and_divides():
    arr = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3)  # runs, periods, entities
    num = {"columns": [0, 2], "periods": [1, 2]}
    got = tg.measure({"v": arr}, [{"variable": "v", "num": num},
                                  {"variable": "v", "num": num,
                                   "den": {"columns": [1], "periods": [0]}}])  # fmt: skip
    expect = (arr[:, 1:3, 0] + arr[:, 1:3, 2]).mean()
    assert got == pytest.approx([expect, expect / arr[:, 0, 1].mean()])


def test_the_targets_quote_the_articles_verbatim():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    texts = {p.name: " ".join(p.read_text(encoding="utf-8").split()) for p in SEEDS.glob("*.txt")}
    for t in yaml.safe_load(TARGETS.read_text(encoding="utf-8"))["targets"]:
        for src in t["sources"]:
            assert " ".join(src["quote"].split()) in texts[src["seed"]], t["name"]


def test_calibrate_writes_a_new_config_and_a_fit_table(tmp_path):
    out = tmp_path / "cal.yaml"
    before = DEFAULT.read_bytes()
    r = invoke("calibrate", "--targets", targets_file(tmp_path), "-o", out, "--json")
    assert r.exit_code == 0, r.output
    assert DEFAULT.read_bytes() == before
    res = json.loads(r.stdout)
    assert [row["target"] for row in res["fit"]][:2] == ["China trade 2022",
                                                         "China trade growth 2021-2022"]
    assert all({"low", "high", "model", "residual", "relative", "kind"} <= set(row)
               for row in res["fit"])  # fmt: skip
    misses = relative_miss([r["model_before"] for r in res["fit"]],
                           [r["low"] for r in res["fit"]], [r["high"] for r in res["fit"]])
    assert res["cost"] <= (misses**2).sum() / 2 + 1e-12
    kinds = [r["kind"] for r in res["fit"]]
    assert kinds.count("article") == 6 and kinds.count("history") >= 10
    cal, base = load_config(out), load_config(DEFAULT)
    fitted = [p for p in cal.paths() if cal.get(p).calibrate]
    assert fitted == [p for p in base.paths() if base.get(p).calibrate]
    for p in fitted:
        assert "calibrated to targets" in cal.get(p).assumption.lower()
        lo, hi = res["parameters"][p]["bounds"]
        assert lo <= cal.get(p).value <= hi
    assert cal.get("china.trade").sources == base.get("china.trade").sources  # provenance kept
    table = out.with_suffix(".fit.md").read_text()
    assert "China trade 2022" in table and "residual" in table
    again = invoke("calibrate", "--targets", targets_file(tmp_path), "-o", tmp_path / "b.yaml")
    assert (tmp_path / "b.yaml").read_text() == out.read_text()  # deterministic
    assert "| target |" in again.stdout


def test_calibrate_in_place_is_the_only_way_to_overwrite(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(DEFAULT.read_bytes())
    (tmp_path / "posterior.csv").write_bytes((DEFAULT.parent / "posterior.csv").read_bytes())
    assert_bad_input(invoke("calibrate", "--config", cfg, "-o", cfg), "--in-place")
    assert cfg.read_bytes() == DEFAULT.read_bytes()
    r = invoke("calibrate", "--config", cfg, "--targets", targets_file(tmp_path), "--in-place")
    assert r.exit_code == 0, r.output
    assert cfg.read_bytes() != DEFAULT.read_bytes() and load_config(cfg)
    assert cfg.with_suffix(".fit.md").exists()


@pytest.mark.parametrize("edit, field", [
    (lambda t: t["targets"][0].update(variable="gdp"), "targets.0.variable"),
    (lambda t: t["targets"][0].pop("value"), "targets.0.value"),
    (lambda t: t["targets"][0].update(value=0), "targets.0.value"),
    (lambda t: t["targets"][0].update(sources=[{"seed": "000"}]), "targets.0.sources"),
    (lambda t: t["targets"][2].update(entity="mars"), "targets.2.entity"),
    (lambda t: t["targets"][1]["per"].update(entity=["mars"]), "targets.1.per.entity"),
    (lambda t: t["targets"][0].update(time=2040), "targets.0.time"),
    (lambda t: t["targets"][0].update(time=2022.1), "targets.0.time"),
    (lambda t: t["bounds"].update({"kazakhstan.oil_exports": [-1.0, 2.0]}),
     "bounds.kazakhstan.oil_exports"),
    (lambda t: t["bounds"].update({"russia.trade_growth": [0.5, 0.1]}),
     "bounds.russia.trade_growth"),
    (lambda t: t["bounds"].update({"russia.capacity": [0.1, 0.9]}), "bounds.russia.capacity"),
])  # fmt: skip
def test_calibrate_bad_targets_exit_2_with_file_line_and_field(tmp_path, edit, field):
    tfile = targets_file(tmp_path, edit)
    r = invoke("calibrate", "--targets", tfile, "-o", tmp_path / "out.yaml")
    assert_bad_input(r, f"{tfile}:", field)
    assert not (tmp_path / "out.yaml").exists()


def test_calibrate_bad_files_exit_2(tmp_path):
    assert_bad_input(invoke("calibrate", "--targets", tmp_path / "none.yaml",
                            "-o", tmp_path / "o.yaml"), "not found")  # fmt: skip
    cfg = tmp_path / "plain.yaml"
    (tmp_path / "posterior.csv").write_bytes((DEFAULT.parent / "posterior.csv").read_bytes())
    cfg.write_text(DEFAULT.read_text(encoding="utf-8").replace("calibrate: true",
                                                               "calibrate: false"))
    assert_bad_input(invoke("calibrate", "--config", cfg, "--targets", targets_file(tmp_path),
                            "-o", tmp_path / "o.yaml"), "calibrate: true")  # fmt: skip
    assert_bad_input(invoke("calibrate", "--targets", targets_file(tmp_path),
                            "-o", tmp_path / "no" / "o.yaml"), "does not exist")  # fmt: skip


def test_fit_scores_a_range_zero_inside_and_the_nearest_bound_outside():
    goal = np.array([[2.0, 4.0], [10.0, 10.0]])
    x, _, cost = fit(lambda x: np.array([x[0], 5.0 * x[0]]), goal, np.array([0.1]),
                     np.array([0.0]), np.array([10.0]))  # fmt: skip
    assert x[0] == pytest.approx(2.0, abs=1e-3) and cost == pytest.approx(0.0, abs=1e-8)
    assert relative_miss([1.0, 3.0, 8.0], [2.0, 2.0, 2.0], [4.0, 4.0, 4.0]) == \
        pytest.approx([-0.5, 0.0, 1.0])  # fmt: skip


def test_no_2023_figure_enters_the_shipped_fit():
    """The held-out year: no fit year, no article window and no simulated period in it."""
    from simulate.analysis.targets import HELD_OUT_YEAR, history_targets, read_targets, window_end
    from simulate.running.runner import prepare

    assert HELD_OUT_YEAR == 2023
    data = read_targets(TARGETS)
    assert data["history"]["years"][1] < HELD_OUT_YEAR
    for t in data["targets"]:
        for part in (t, {**t, **(t.get("per") or {})}):
            assert window_end(part["time"], part.get("span")) <= HELD_OUT_YEAR, t["name"]
    spec = prepare(SCENARIOS / "history_2021.yaml", runs=1)
    _, observed = history_targets(data, spec.entities_of)
    assert observed and all(t["year"] < HELD_OUT_YEAR for t in observed)
    shipped = (ROOT / "configs" / "calibrated.fit.md").read_text(encoding="utf-8")
    assert "2023 is held out" in shipped and "| 2023 |" not in shipped


def test_the_fit_never_simulates_the_held_out_year(tmp_path):
    r = invoke("calibrate", "--targets", targets_file(tmp_path), "-o", tmp_path / "c.yaml",
               "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["held_out"] == 2023 and res["fit_horizon"] == [2021, 2022]
    assert all(row["time"] < 2023 for row in res["fit"])
    # 2019 is observed and in the fit years, but before the scenario starts: listed, not fitted
    assert [e["target"] for e in res["excluded"]] == ["trade_china 2019"]
    assert not any(row["target"] == "trade_china 2019" for row in res["fit"])


@pytest.mark.parametrize("edit, field, words", [
    (lambda t: t["history"].update(years=[2019, 2023]), "history.years", "held out"),
    (lambda t: t["targets"][0].update(time=2023), "targets.0.time", "held out"),
    (lambda t: t["targets"][1]["per"].update(time=2023), "targets.1.per.time", "held out"),
    (lambda t: t["targets"][0].update(time=2022.5, span=1), "targets.0.time", "held out"),
    (lambda t: t["history"].update(years=[2017, 2022]), "history.years", "starts in 2019"),
    (lambda t: t["history"].update(years="2019-2022"), "history.years", "[first, last]"),
    (lambda t: t["targets"][5].update(low=1.5), "targets.5.low", "below high"),
    (lambda t: t["targets"][0].update(low=1.0), "targets.0.value", "not both"),
])  # fmt: skip
def test_targets_reaching_into_the_held_out_year_are_refused(tmp_path, edit, field, words):
    tfile = targets_file(tmp_path, edit)
    r = invoke("calibrate", "--targets", tfile, "-o", tmp_path / "out.yaml")
    assert_bad_input(r, f"{tfile}:", field, words)
    assert not (tmp_path / "out.yaml").exists()


def test_a_history_mapping_to_no_output_names_the_history_line(tmp_path):
    hist = tmp_path / "history.yaml"
    hist.write_text(HISTORY.read_text(encoding="utf-8").replace(
        "model: {variable: corridor_volume}", "model: {variable: corridor_tonnes}"),
        encoding="utf-8")  # fmt: skip
    tfile = targets_file(tmp_path, lambda t: t["history"].update(file=str(hist)))
    r = invoke("calibrate", "--targets", tfile, "-o", tmp_path / "out.yaml")
    assert_bad_input(r, f"{hist}:", "series.corridor_volume.model.variable", "corridor_tonnes")


def test_a_fit_scenario_that_fixes_a_calibrated_parameter_is_refused(tmp_path):
    scen = tmp_path / "h.yaml"
    text = (SCENARIOS / "history_2021.yaml").read_text(encoding="utf-8")
    scen.write_text(text.replace("  russia.capacity: 1.0\n",
                                 "  russia.capacity: 1.0\n  middle_corridor.risk_weight: 3\n"),
                    encoding="utf-8")  # fmt: skip
    tfile = targets_file(tmp_path, lambda t: t.update(scenario=str(scen)))
    r = invoke("calibrate", "--targets", tfile, "-o", tmp_path / "out.yaml")
    assert_bad_input(r, f"{scen}:", "initial.middle_corridor.risk_weight", "could not move it")


def test_trial_values_enter_the_rest_point_not_a_departure_from_it():
    """A calibrated value is the config's: with it and no event, nothing moves."""
    from simulate.analysis.calibrate import with_values
    from simulate.model.batch import simulate_runs
    from simulate.running.runner import prepare
    from simulate.scenarios.scenario import load

    cfg = with_values(load_config(DEFAULT), {"kazakhstan.rest_of_world_trade": 35.0,
                                             "kazakhstan.oil_exports": 62.0})
    assert cfg.get("kazakhstan.oil_exports").value == 62.0
    assert load_config(DEFAULT).get("kazakhstan.oil_exports").value == 70.5  # a copy
    still = {f"{p}.{k}": 0.0 for p in cfg.powers for k in ("capacity_growth", "trade_growth")}
    quiet = {"name": "q", "horizon": {"start": 2024, "end": 2026, "step": "quarter"},
             "runs": 2, "seed": 1, "parameters": {"kazakhstan.choice_noise": 0.0, **still}}
    out = simulate_runs(prepare(load(quiet, config=cfg)), [0, 1], 1)
    flows = out["oil_route_flow"].sum(axis=2)
    assert flows == pytest.approx(62.0)
    pos = out["position"]
    np.testing.assert_allclose(pos, np.broadcast_to(pos[:, :1], pos.shape), atol=1e-9)
    # the same values as departures from the default config's rest point do move it
    quiet["parameters"].update({"kazakhstan.rest_of_world_trade": 35.0,
                                "kazakhstan.oil_exports": 62.0})
    moved = simulate_runs(prepare(load(quiet)), [0, 1], 1)["position"]
    assert np.abs(moved[:, -1] - moved[:, 0]).max() > 1e-4
