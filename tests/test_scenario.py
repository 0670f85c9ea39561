"""Scenario loading: shipped scenarios, extends, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from simulate.cli.main import main
from simulate.errors import InputError
from simulate.scenarios import scenario
from simulate.scenarios.schema import MAX_RUNS, json_schema
from simulate.testing import strategies as mst

from .conftest import ROOT, SCENARIOS, write

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
REQUIRED = {"baseline", "middle_corridor", "cpc_disruption", "sanctions_tightening",
            "china_slowdown", "russia_recovery", "eu_global_gateway", "history_2021"}

GOOD = """\
name: t
description: test
horizon:
  start: 2024
  end: 2030
  step: year
runs: 2
seed: 1
"""


def test_required_scenarios_are_shipped():
    names = {scenario.load(p).scenario.name for p in SHIPPED}
    assert names >= REQUIRED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_validates_and_cites_a_seed(path):
    sc = scenario.load(path).scenario
    assert "seed 0" in sc.description, "descriptions name the articles that motivate them"


def test_published_json_schema_is_current():
    assert (ROOT / "docs" / "scenario.schema.json").read_text() == json_schema()


def test_extends_merges_deeply(tmp_path):
    write(tmp_path, "base.yaml", GOOD + "parameters:\n  russia.capacity: 0.7\n")
    child = write(tmp_path, "child.yaml",
                  "extends: base.yaml\nname: child\nhorizon: {end: 2035}\n"
                  "parameters:\n  china.capacity: 0.9\n")  # fmt: skip
    sc = scenario.load(child).scenario
    assert sc.name == "child" and sc.horizon.start == 2024 and sc.horizon.end == 2035
    assert sc.parameters == {"russia.capacity": 0.7, "china.capacity": 0.9}


@given(mst.scenarios())
@settings(max_examples=30)
def test_scenario_survives_load_dump_load(data):
    first = scenario.load(data).scenario
    again = scenario.load(scenario.dump(first)).scenario
    assert again == first
    assert scenario.load(json.loads(json.dumps(scenario.dump(again)))).scenario == first


def _error(tmp_path: Path, text: str, name: str = "bad.yaml") -> InputError:
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        scenario.load(path)
    return info.value


BAD = {
    "yaml_syntax": (GOOD + "parameters: {a: [1,\n", None, "invalid YAML"),
    "empty_file": ("", None, "empty"),
    "top_level_list": ("- a\n- b\n", None, "mapping"),
    "python_tag": (GOOD + "x: !!python/object/apply:os.system ['true']\n", None, "tag"),
    "unknown_field": (GOOD + "colour: red\n", "colour", "unknown field"),
    "wrong_type": (GOOD.replace("runs: 2", "runs: many"), "runs", "integer"),
    "unknown_parameter": (GOOD + "parameters:\n  russia.charm: 1\n", "parameters.russia.charm",
                          "unknown parameter"),
    "unknown_actor": (GOOD + "events:\n  - {type: capacity_shift, target: mars, at: 2025, "
                      "magnitude: 0.1}\n", "events.0.target", "target power"),
    "start_after_end": (GOOD.replace("end: 2030", "end: 2020"), "horizon", "before end"),
    "negative_duration": (GOOD + "events:\n  - {type: route_disruption, target: cpc, at: 2025, "
                          "duration: -1, magnitude: 0.5}\n", "events.0.duration", "greater than"),
    "probability_above_one": (GOOD + "events:\n  - {type: sanctions_package, at: 2025, "
                              "magnitude: 0.1, probability: 1.5}\n", "events.0.probability",
                              "less than or equal to 1"),
    "runs_zero": (GOOD.replace("runs: 2", "runs: 0"), "runs", "greater than or equal to 1"),
    "runs_above_limit": (GOOD.replace("runs: 2", f"runs: {MAX_RUNS + 1}"), "runs", "less than"),
    "horizon_too_long": (GOOD.replace("end: 2030", "end: 2190"), "horizon", "at most"),
    "value_outside_domain": (GOOD + "parameters:\n  kazakhstan.inertia: 1.5\n",
                             "parameters.kazakhstan.inertia", "admissible range"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_file_line_and_field(tmp_path, case):
    text, field, words = BAD[case]
    err = _error(tmp_path, text)
    assert err.file and err.file.endswith("bad.yaml")
    assert err.line is not None and err.line >= 1
    if field:
        assert err.field == field
    assert words.lower() in err.message.lower()


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_message_and_no_traceback(tmp_path, case):
    path = write(tmp_path, "bad.yaml", BAD[case][0])
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.count("error:") == 1 and "bad.yaml" in result.output


def test_error_line_points_at_the_field(tmp_path):
    err = _error(tmp_path, GOOD + "parameters:\n  russia.charm: 1\n")
    assert err.line == GOOD.count("\n") + 2


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path, "a.yaml", GOOD + "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nname: b\n")
    with pytest.raises(InputError, match="cycle") as info:
        scenario.load(tmp_path / "a.yaml")
    assert info.value.field == "extends" and info.value.line


def test_extends_missing_file_is_refused(tmp_path):
    err = _error(tmp_path, GOOD + "extends: nowhere.yaml\n")
    assert err.field == "extends" and "not found" in err.message


def test_run_with_bad_scenario_exits_2(tmp_path):
    path = write(tmp_path, "bad.yaml", BAD["unknown_field"][0])
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "r.parquet")])
    assert result.exit_code == 2 and "colour" in result.output
    assert not (tmp_path / "r.parquet").exists()
