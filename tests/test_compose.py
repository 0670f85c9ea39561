"""Scenario composition: extends and config, origins through the chain, rules and messages."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

import simulate
from simulate.cli.main import main
from simulate.errors import InputError
from simulate.scenarios import scenario
from simulate.scenarios.parameters import DEFAULT_CONFIG

from .conftest import SCENARIOS, write

GOOD = """\
name: t
description: test
horizon: {start: 2024, end: 2030, step: year}
runs: 2
seed: 1
"""


def _error(path) -> InputError:  # noqa: ANN001
    with pytest.raises(InputError) as info:
        scenario.load(path)
    return info.value


def test_config_is_found_relative_to_the_file_that_names_it(tmp_path, monkeypatch):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "mine.yaml").write_text(DEFAULT_CONFIG.read_text())
    (tmp_path / "cfg" / "posterior.csv").write_bytes(
        (DEFAULT_CONFIG.parent / "posterior.csv").read_bytes())
    (tmp_path / "sc").mkdir()
    write(tmp_path / "sc", "base.yaml", GOOD + "config: ../cfg/mine.yaml\n")
    child = write(tmp_path / "sc", "child.yaml", "extends: base.yaml\nname: child\n")
    monkeypatch.chdir("/")
    loaded = scenario.load(child)
    assert loaded.scenario.config == os.path.join(tmp_path / "sc", "../cfg/mine.yaml")


def test_a_missing_config_is_reported_at_the_line_that_names_it(tmp_path):
    path = write(tmp_path, "s.yaml", GOOD + "config: nowhere.yaml\n")
    err = _error(path)
    assert (err.file, err.line, err.field) == (str(path), 6, "config")
    assert "file not found" in err.message


def test_an_error_in_an_extended_file_names_the_file_and_the_chain(tmp_path):
    write(tmp_path, "grand.yaml", GOOD + "colour: red\n")
    write(tmp_path, "parent.yaml", "extends: grand.yaml\nname: parent\n")
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\n")
    text = _error(child).format()
    assert text.startswith(f"{tmp_path / 'grand.yaml'}:6: colour: unknown field")
    assert f"via {child}:2: extends -> {tmp_path / 'parent.yaml'}:1: extends" in text


def test_an_error_in_a_config_names_the_scenario_that_chose_it(tmp_path):
    bad = DEFAULT_CONFIG.read_text().replace("hedger: kazakhstan", "hedger: mars", 1)
    write(tmp_path, "bad_config.yaml", bad)
    path = write(tmp_path, "s.yaml", GOOD + "config: bad_config.yaml\n")
    err = _error(path)
    assert err.file.endswith("bad_config.yaml") and err.via == (f"{path}:6: config",)


@pytest.mark.parametrize("value", ["1.5", "[1, 2]", "{a: 1}", "true", "''", '"a\\0b.yaml"',
                                   "x" * 300 + ".yaml", "/dev/zero", "/proc/self/environ"])
@pytest.mark.parametrize("key", ["extends", "config"])
def test_a_bad_reference_is_refused_at_the_line_that_names_it(tmp_path, key, value):
    path = write(tmp_path, "s.yaml", GOOD + f"{key}: {value}\n")
    err = _error(path)
    assert (err.file, err.line, err.field) == (str(path), 6, key)


def test_a_child_parameter_replaces_the_parents_uncertainty_and_says_so(tmp_path):
    # the natural way to write "Russia erodes faster" on top of the baseline
    child = write(tmp_path, "faster.yaml", f"extends: {SCENARIOS / 'baseline.yaml'}\n"
                  "name: faster\nruns: 4\nparameters:\n  russia.capacity_growth: -0.05\n")
    loaded = scenario.load(child)
    assert all(u.parameter != "russia.capacity_growth" for u in loaded.scenario.uncertainties)
    assert len(loaded.notes) == 1
    assert "faster.yaml:5" in loaded.notes[0] and "baseline.yaml:13" in loaded.notes[0]
    res = simulate.run_scenario(child, point=True)  # the config's priors not drawn
    cap = res.frame.query("variable == 'capacity' and entity == 'russia'")
    assert cap.groupby("run")["value"].last().nunique() == 1  # no longer drawn per run


def test_a_child_with_its_own_uncertainties_gets_no_note(tmp_path):
    child = write(tmp_path, "c.yaml", f"extends: {SCENARIOS / 'baseline.yaml'}\nname: c\n"
                  "paths:\n  china.capacity_growth: {2024: 0.0, 2040: -0.02}\nuncertainties:\n"
                  "  - {parameter: russia.capacity_growth, dist: uniform, low: -0.03, high: 0}\n")
    loaded = scenario.load(child)
    assert loaded.notes == []
    assert [u.parameter for u in loaded.scenario.uncertainties] == ["russia.capacity_growth"]
    assert all(not scenario.load(p).notes for p in sorted(SCENARIOS.glob("*.yaml")))


def test_a_child_uncertainty_replaces_the_parents_value(tmp_path):
    write(tmp_path, "base.yaml", GOOD + "parameters:\n  russia.capacity: 0.7\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nuncertainties:\n"
                  "  - {parameter: russia.capacity, dist: uniform, low: 0.5, high: 0.9}\n")
    loaded = scenario.load(child)
    assert "russia.capacity" not in loaded.scenario.parameters and loaded.notes


def test_one_file_setting_a_parameter_twice_is_refused_naming_both_lines(tmp_path):
    path = write(tmp_path, "s.yaml", GOOD + "parameters:\n  russia.capacity: 0.7\nuncertainties:"
                 "\n  - {parameter: russia.capacity, dist: uniform, low: 0.5, high: 0.9}\n")
    err = _error(path)
    assert err.line == 7 and err.field == "parameters.russia.capacity"
    assert "line 9" in err.message


@pytest.mark.parametrize("text, field, hint", [
    (GOOD.replace("horizon:", "horizn:"), "horizn", "horizon"),
    (GOOD + "events:\n  - {type: sanctions_package, at: 2025, magnitdue: 0.1}\n",
     "events.0.magnitdue", "magnitude"),
    (GOOD + "uncertainties:\n  - {parameter: russia.capacity, dist: uniform, low: 0.5, hgih: 1}\n",
     "uncertainties.0.hgih", "high"),
    (GOOD + "parameters:\n  rusia.capacity: 0.5\n", "parameters.rusia.capacity",
     "russia.capacity"),
    (GOOD + "outputs: [balance_indx]\n", "outputs.0", "balance_index"),
])  # fmt: skip
def test_a_misspelling_gets_a_suggestion(tmp_path, text, field, hint):
    err = _error(write(tmp_path, "s.yaml", text))
    assert err.field == field and f"did you mean '{hint}'" in err.message


@pytest.mark.parametrize("event, words", [
    ("{type: sanctions_package, target: mars, at: 2025, magnitude: 0.1}", "takes no target"),
    ("{type: sanctions_package, target: cpc, at: 2025, magnitude: 0.1}", "takes no target"),
    ("{type: sanctions_package, at: 2050, magnitude: 0.1}", "after the horizon 2024-2030"),
    ("{type: capacity_shift, target: eu, at: 2010, duration: 2, magnitude: 0.1}",
     "before the horizon 2024-2030"),
])  # fmt: skip
def test_an_event_that_cannot_happen_is_refused(tmp_path, event, words):
    err = _error(write(tmp_path, "s.yaml", GOOD + f"events:\n  - {event}\n"))
    assert err.line == 7 and err.field.startswith("events.0") and words in err.message


@pytest.mark.parametrize("line, field", [
    ("runs: true", "runs"), ("seed: false", "seed"), ("runs: 2.0", "runs"),
    ("events: [{type: sanctions_package, at: 2025, magnitude: .nan}]", "events.0.magnitude"),
    ("events: [{type: sanctions_package, at: 2025, magnitude: true}]", "events.0.magnitude"),
    ("parameters: {russia.capacity: .inf}", "parameters.russia.capacity"),
    ("paths: {russia.capacity: {.nan: 0.5}}", "paths.russia.capacity"),
    ("uncertainties: [{parameter: russia.capacity, dist: uniform, low: -.inf, high: 1}]",
     "uncertainties.0.low"),
    ("outputs: [balance_index, balance_index]", "outputs.1"),
])  # fmt: skip
def test_booleans_non_finite_numbers_and_repeats_are_refused(tmp_path, line, field):
    text = GOOD.replace("runs: 2\n", "") if line.startswith("runs") else GOOD
    text = text.replace("seed: 1\n", "") if line.startswith("seed") else text
    err = _error(write(tmp_path, "s.yaml", text + line + "\n"))
    assert err.field is not None and err.field.startswith(field) and err.line


@pytest.mark.parametrize("name", ["../../somewhere/x", "/tmp/abs", "a b", "x" * 65, "-x"])
def test_a_name_is_a_plain_identifier(tmp_path, name):
    err = _error(write(tmp_path, "s.yaml", GOOD.replace("name: t", f"name: {json.dumps(name)}")))
    assert err.field == "name" and "plain identifier" in err.message


def test_list_shows_invalid_files_and_carries_on(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("name: t", "name: a"))
    write(tmp_path, "b.yaml", "x: " + "[" * 2000 + "]" * 2000 + "\n")
    write(tmp_path, "c.yaml", GOOD.replace("name: t", "name: c") + "runs: 3\n")
    os.mkfifo(tmp_path / "d.yaml")
    write(tmp_path, "e.yaml", GOOD.replace("name: t", "name: e"))
    r = CliRunner().invoke(main, ["list", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    rows = {row["file"]: row["name"] for row in json.loads(r.output)}
    assert rows == {"a.yaml": "a", "b.yaml": "INVALID", "c.yaml": "INVALID", "d.yaml": "INVALID",
                    "e.yaml": "e"}
