"""Shipped configs and scenarios: found from any folder, run by name, a real path wins."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.errors import InputError
from simulate.io import shipped
from simulate.scenarios.parameters import CONFIG_DIR, DEFAULT_CONFIG

from .conftest import ROOT, SCENARIOS


def test_in_a_checkout_the_repository_folders_are_the_shipped_ones():
    assert shipped.folder("scenarios") == SCENARIOS
    assert shipped.folder("configs") == CONFIG_DIR == ROOT / "configs"
    assert DEFAULT_CONFIG.is_file()
    assert shipped.scenario_names() == sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def test_a_bare_name_is_a_shipped_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shipped.resolve_scenario("middle_corridor") == SCENARIOS / "middle_corridor.yaml"


def test_a_real_path_wins_over_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text("name: mine\n")
    assert shipped.resolve_scenario("baseline").resolve() == tmp_path / "baseline"
    # a path with a folder or a suffix is never looked up among the shipped scenarios
    assert shipped.resolve_scenario("middle_corridor.yaml").name == "middle_corridor.yaml"
    assert not shipped.resolve_scenario("middle_corridor.yaml").exists()
    assert str(shipped.resolve_scenario("x/baseline")) == "x/baseline"


def test_an_unknown_name_lists_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="shipped: baseline, .*middle_corridor"):
        shipped.resolve_scenario("middle_coridor")


def test_run_and_validate_take_names_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["run", "middle_corridor", "-n", "2", "-o", "mc.parquet", "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "mc.parquet").is_file()
    r = CliRunner().invoke(main, ["validate", "cpc_disruption"])
    assert r.exit_code == 0 and "cpc_disruption" in r.output
    r = CliRunner().invoke(main, ["run", "nonesuch", "-n", "2"])
    assert r.exit_code == 2 and "no shipped scenario" in r.output


def test_list_shipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["list", "--shipped", "--json"])
    assert r.exit_code == 0, r.output
    assert [row["name"] for row in json.loads(r.output)] == shipped.scenario_names()
    r = CliRunner().invoke(main, ["list"])
    assert r.exit_code == 2 and "--shipped" in r.output
    r = CliRunner().invoke(main, ["list", str(SCENARIOS), "--shipped"])
    assert r.exit_code == 2


def test_extends_a_shipped_scenario_by_name_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text("name: mine\nextends: baseline\nruns: 3\n")
    from simulate.scenarios.scenario import load

    loaded = load(tmp_path / "mine.yaml")
    assert loaded.scenario.horizon.end == 2040 and loaded.scenario.runs == 3
    assert loaded.where(("horizon",)).file.endswith("baseline.yaml")
    assert loaded.notes == []


def test_a_scenario_beside_the_file_wins_over_the_shipped_one(tmp_path):
    (tmp_path / "baseline.yaml").write_text(
        "name: baseline\nhorizon: {start: 2024, end: 2026, step: year}\n")
    (tmp_path / "mine.yaml").write_text("name: mine\nextends: baseline\n")
    from simulate.scenarios.scenario import load

    assert load(tmp_path / "mine.yaml").scenario.horizon.end == 2026


def test_a_copied_scenario_extending_a_file_name_uses_the_shipped_file_with_a_note(tmp_path):
    copy = tmp_path / "mc.yaml"
    copy.write_text((SCENARIOS / "middle_corridor.yaml").read_text())  # extends: baseline.yaml
    r = CliRunner().invoke(main, ["validate", str(copy)])
    assert r.exit_code == 0, r.output
    assert "baseline.yaml is not beside" in r.output and "shipped baseline" in r.output


def test_extends_an_unknown_name_suggests_the_closest_shipped_one(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: bad\nextends: basline\n")
    r = CliRunner().invoke(main, ["validate", str(tmp_path / "bad.yaml")])
    assert r.exit_code == 2
    assert "bad.yaml:2: extends:" in r.output and "did you mean 'baseline'" in r.output


def test_check_takes_a_shipped_name_and_its_reference_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nextends: middle_corridor\nexpect:\n  against: baseline\n  at: 2035\n"
        "  outcomes: {corridor_volume: up}\n")  # fmt: skip
    for target in ("middle_corridor", "mine.yaml"):
        r = CliRunner().invoke(main, ["check", target, "--runs", "4", "--json"])
        assert r.exit_code == 0, r.output
        assert all(f["verdict"] == "pass" for f in json.loads(r.stdout))
