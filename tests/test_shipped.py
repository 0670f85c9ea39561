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
