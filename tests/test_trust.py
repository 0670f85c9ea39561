"""sensitivity, discover, calibrate: results users rely on, and bad input."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from simulate.cli import main
from simulate.parameters import load_config

from .conftest import ROOT, SCENARIOS


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def short(tmp_path):
    """The baseline over 2024-2027 with its four uncertainties."""
    p = tmp_path / "short.yaml"
    p.write_text(f"name: short\nextends: {SCENARIOS / 'baseline.yaml'}\n"
                 "horizon: {start: 2024, end: 2027, step: quarter}\n")  # fmt: skip
    return p


def test_sobol_ranks_the_uncertainties_with_confidence_intervals(short, tmp_path):
    out = tmp_path / "s.json"
    r = invoke("sensitivity", short, "-N", "64", "-o", out, "--plot", tmp_path / "s.png")
    assert r.exit_code == 0, r.output
    res = json.loads(out.read_text())
    assert res["runs"] == 64 * (4 + 2)
    sts = [row["ST"] for row in res["indices"]]
    assert sts == sorted(sts, reverse=True)
    assert {row["parameter"] for row in res["indices"]} == {
        "russia.capacity_growth", "china.capacity_growth", "kazakhstan.balance_preference",
        "kazakhstan.choice_noise"}  # fmt: skip
    assert res["indices"][0]["parameter"] == "kazakhstan.balance_preference"
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_sensitivity_is_reproducible_and_morris_runs(short):
    a = json.loads(invoke("sensitivity", short, "-N", "16", "--json").output)
    b = json.loads(invoke("sensitivity", short, "-N", "16", "--json").output)
    assert a == b
    m = json.loads(invoke("sensitivity", short, "--method", "morris", "-N", "6", "--json",
                          "--output", "leverage:russia").output)  # fmt: skip
    assert m["runs"] == 6 * 5 and all(r["mu_star"] >= 0 for r in m["indices"])


def test_sensitivity_runs_on_a_process_pool_with_the_same_numbers(short):
    a = json.loads(invoke("sensitivity", short, "-N", "16", "--json").output)
    b = json.loads(invoke("sensitivity", short, "-N", "16", "--json", "--workers", "2",
                          "--chunk", "20").output)  # fmt: skip
    assert a == b


@pytest.mark.parametrize("args, field", [
    (["--method", "fast"], "--method"), (["-N", "10"], "--samples"),
    (["--method", "morris", "-N", "2"], "--samples"), (["--output", "happiness"], "--output"),
    (["--output", "leverage:mars"], "--output"), (["--at", "2050"], "--at"),
])  # fmt: skip
def test_sensitivity_bad_input_exits_2(short, args, field):
    r = invoke("sensitivity", short, *args)
    assert r.exit_code == 2 and field in r.output and "Traceback" not in r.output


def test_sensitivity_without_uncertainties_exits_2(tmp_path):
    p = tmp_path / "plain.yaml"
    p.write_text("name: plain\nhorizon: {start: 2024, end: 2026, step: year}\n")
    r = invoke("sensitivity", p)
    assert r.exit_code == 2 and "no uncertainties" in r.output


def test_discover_finds_the_box_where_russian_leverage_stays_high(short):
    r = invoke("discover", short, "--outcome", "leverage:russia>0.24", "--runs", "600", "--json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)
    assert 0 < res["share"] < 1
    assert res["box"]["density"] > res["share"]
    restricted = {b["parameter"] for b in res["box"]["restricted"]}
    assert "russia.capacity_growth" in restricted
    assert res["trajectory"][0]["coverage"] == 1.0


@pytest.mark.parametrize("outcome", ["leverage:russia>5", "happiness>1", "leverage:russia=1"])
def test_discover_bad_outcome_exits_2(short, outcome):
    r = invoke("discover", short, "--outcome", outcome, "--runs", "50")
    assert r.exit_code == 2 and "--outcome" in r.output and "Traceback" not in r.output


def test_calibrate_writes_a_new_config_and_a_fit_report(tmp_path):
    out = tmp_path / "cal.yaml"
    targets = yaml.safe_load((ROOT / "configs" / "targets.yaml").read_text())
    targets["scenario"] = str(SCENARIOS / "history_2021.yaml")
    targets["runs"] = 8
    tfile = tmp_path / "targets.yaml"
    tfile.write_text(yaml.safe_dump(targets, allow_unicode=True))
    before = (ROOT / "configs" / "default.yaml").read_bytes()
    r = invoke("calibrate", "--targets", tfile, "-o", out)
    assert r.exit_code == 0, r.output
    assert (ROOT / "configs" / "default.yaml").read_bytes() == before
    cal = load_config(out)
    fitted = [p for p in cal.paths() if cal.get(p).calibrate]
    assert fitted and all("Calibrated to the targets" in cal.get(p).assumption for p in fitted)
    report = out.with_suffix(".fit.md").read_text()
    assert "China trade 2022" in report and "residual" in report


def test_calibrate_refuses_to_overwrite_without_in_place(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes((ROOT / "configs" / "default.yaml").read_bytes())
    r = invoke("calibrate", "--config", cfg, "-o", cfg)
    assert r.exit_code == 2 and "--in-place" in r.output


@pytest.mark.parametrize("edit, field", [
    (lambda t: t["targets"][0].update(variable="gdp"), "targets.0.variable"),
    (lambda t: t["bounds"].update({"kazakhstan.compliance_rate": [-1.0, 2.0]}),
     "bounds.kazakhstan.compliance_rate"),
    (lambda t: t["targets"][1].update(entity="mars"), "targets.1.entity"),
])  # fmt: skip
def test_calibrate_bad_targets_exit_2_with_file_line_and_field(tmp_path, edit, field):
    targets = yaml.safe_load((ROOT / "configs" / "targets.yaml").read_text())
    targets["scenario"] = str(SCENARIOS / "history_2021.yaml")
    edit(targets)
    tfile = tmp_path / "t.yaml"
    tfile.write_text(yaml.safe_dump(targets, allow_unicode=True, sort_keys=False))
    r = invoke("calibrate", "--targets", tfile, "-o", tmp_path / "out.yaml")
    assert r.exit_code == 2, r.output
    assert f"{tfile}:" in r.output and field in r.output
    assert not (tmp_path / "out.yaml").exists()


def test_calibration_targets_quote_the_articles_verbatim():
    from .conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    texts = {p.name: " ".join(p.read_text(encoding="utf-8").split()) for p in SEEDS.glob("*.txt")}
    targets = yaml.safe_load((ROOT / "configs" / "targets.yaml").read_text())["targets"]
    for t in targets:
        for src in t["sources"]:
            assert " ".join(src["quote"].split()) in texts[src["seed"]], t["name"]
