"""The command line, driven with click's CliRunner."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from simulate.cli.main import main

from .conftest import SCENARIOS


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_run_writes_the_result_file_and_prints_a_summary(tmp_path):
    out = tmp_path / "mc.parquet"
    r = invoke("run", SCENARIOS / "middle_corridor.yaml", "--runs", "5", "-o", out)
    assert r.exit_code == 0, r.output
    assert "balance_index" in r.output and "P(captured)" in r.output
    assert f"wrote {out}" in r.output
    assert pd.read_parquet(out)["run"].nunique() == 5


def test_run_two_scenarios_side_by_side(tmp_path):
    r = invoke("run", SCENARIOS / "baseline.yaml", SCENARIOS / "middle_corridor.yaml",
               "--runs", "3", "-o", tmp_path)  # fmt: skip
    assert r.exit_code == 0, r.output
    header = r.output.splitlines()[1]
    assert "baseline" in header and "middle_corridor" in header
    assert (tmp_path / "baseline.parquet").exists()
    assert (tmp_path / "middle_corridor.parquet").exists()


def test_a_bad_scenario_among_several_stops_the_command_before_any_runs(tmp_path):
    r = invoke("run", SCENARIOS / "baseline.yaml", tmp_path / "missing.yaml", "--runs", "3",
               "-o", tmp_path)  # fmt: skip
    assert r.exit_code == 2 and "missing.yaml" in r.output
    assert not (tmp_path / "baseline.parquet").exists()  # nothing ran, nothing written
    assert "run/s" not in r.output


def test_run_summary_answers_what_changed_with_units_and_paired_intervals(tmp_path):
    r = invoke("run", SCENARIOS / "baseline.yaml", SCENARIOS / "middle_corridor.yaml",
               "--runs", "20", "--seed", "4", "-o", tmp_path)  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("Values at 2040.75") and "20 runs each, seed 4" in lines[0]
    assert "paired" in lines[0]
    assert lines[1].split() == ["outcome", "(at", "horizon", "end)", "unit", "baseline",
                                "middle_corridor", "change", "vs", "baseline"]  # fmt: skip
    rows = {line.split()[0]: line for line in lines[3:] if line and not line.startswith("-")}
    assert list(rows)[0] == "P(balanced)", "the outcome-class probabilities come first"
    volume = rows["corridor_volume"].split()
    # the build-out's freight: an interval per scenario and for the paired change, real
    assert volume[1] == "Mt/yr" and rows["corridor_volume"].count(" [") == 3
    assert volume[-1] == "*"
    lev = rows["leverage[russia]"]
    assert lev.rstrip().endswith("*") and lev.count(" [") == 3, lev


def test_run_json_keeps_every_figure_of_the_summary(tmp_path):
    r = invoke("run", SCENARIOS / "baseline.yaml", SCENARIOS / "middle_corridor.yaml",
               "--runs", "6", "-o", tmp_path, "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    base, mc = payload["baseline"], payload["middle_corridor"]
    assert base["at"] == 2040.75 and base["runs"] == 6 and base["seed"] == mc["seed"]
    row = next(x for x in mc["summary"] if x["outcome"] == "leverage[russia]")
    assert row["unit"] == "index 0-1" and {"mean", "p05", "p95", "constant"} <= set(row)
    change = row["change"]
    assert change["against"] == "baseline" and change["paired"] is True
    assert change["low"] <= change["mean"] <= change["high"]
    assert change["excludes_zero"] == (change["low"] > 0 or change["high"] < 0)
    assert all("change" not in x for x in base["summary"])


def test_run_set_overrides_a_parameter(tmp_path):
    r = invoke("run", SCENARIOS / "baseline.yaml", "--runs", "2", "--set", "russia.capacity=0.5",
               "-o", tmp_path / "a.parquet", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    (name,) = payload  # the modified run is named after the change, not as the original
    assert name.startswith("baseline-set-") and payload[name]["file"].endswith("a.parquet")
    from simulate import load_results

    meta = load_results(tmp_path / "a.parquet").metadata
    assert meta["scenario"]["parameters"]["russia.capacity"] == 0.5
    assert meta["scenario"]["name"] == name


def test_run_mesa_engine_matches_batch(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert invoke("run", SCENARIOS / "baseline.yaml", "-n", "2", "-o", a, "-q").exit_code == 0
    assert invoke("run", SCENARIOS / "baseline.yaml", "-n", "2", "-o", b, "-q",
                  "--engine", "mesa").exit_code == 0  # fmt: skip
    keys = ["run", "variable", "entity", "time"]
    fa = pd.read_parquet(a).sort_values(keys).reset_index(drop=True)
    fb = pd.read_parquet(b).sort_values(keys).reset_index(drop=True)
    assert fa[keys].equals(fb[keys])
    assert (fa["value"] - fb["value"]).abs().max() < 1e-9


def test_bad_options_exit_2_without_traceback(tmp_path):
    cases = [
        ("run", SCENARIOS / "baseline.yaml", "--set", "nonsense"),
        ("run", SCENARIOS / "baseline.yaml", "--set", "russia.charm=1", "-o", tmp_path / "x.pq"),
        ("run", SCENARIOS / "baseline.yaml", "--runs", "-3"),
        ("run", SCENARIOS / "baseline.yaml", "-o", tmp_path / "missing" / "x.parquet"),
        ("run", tmp_path / "nope.yaml"),
        ("params", "--actor", "mars"),
        ("list", tmp_path / "nofolder"),
    ]
    for args in cases:
        r = invoke(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output
    assert not list(tmp_path.glob("**/*.pq")) and not list(tmp_path.glob("**/*.parquet"))


def test_validate_and_list_the_shipped_scenarios():
    r = invoke("validate", *sorted(SCENARIOS.glob("*.yaml")))
    assert r.exit_code == 0 and r.output.count("ok:") == len(list(SCENARIOS.glob("*.yaml")))
    r = invoke("list", SCENARIOS)
    assert r.exit_code == 0 and "middle_corridor" in r.output and "2024-2040" in r.output
    rows = json.loads(invoke("list", SCENARIOS, "--json").output)
    assert {row["name"] for row in rows} >= {"baseline", "cpc_disruption"}


def test_params_marks_assumptions_and_shows_disagreement():
    r = invoke("params")
    assert r.exit_code == 0
    assert "ASSUMPTION" in r.output and "OBSERVED 2023 (range: sources disagree)" in r.output
    r = invoke("params", "--actor", "eu", "--sources")
    assert "eu.trade" in r.output and "002_" in r.output and "000_" in r.output
    assert "OBSERVED 2022: trade_eu" in r.output
    rows = json.loads(invoke("params", "--json").output)
    assert all(row["sources"] or row["assumption"] or row["observed"] for row in rows)
    r = invoke("params", "--at-start", "--actor", "russia")
    assert r.exit_code == 0 and "russia.trade = 26 .. 28.5" in r.output
    assert "The Astana Times" in r.output and "kazakhstan." not in r.output


def test_set_replaces_an_uncertainty_on_the_same_parameter(tmp_path):
    import simulate

    # a point run: only the scenario's uncertainties are drawn, not the config's priors
    res = simulate.run_scenario(SCENARIOS / "baseline.yaml", runs=5, point=True,
                                overrides={"russia.capacity_growth": 0.02})  # fmt: skip
    cap = res.frame.query("variable == 'capacity' and entity == 'russia'")
    per_run = cap.groupby("run").value.last()
    assert per_run.nunique() == 1  # no longer drawn per run
