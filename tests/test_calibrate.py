"""simulate calibrate: the fit on a known function, targets, the command, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from simulate import targets as tg
from simulate.calibrate import fit
from simulate.cli import main
from simulate.parameters import load_config

from .conftest import ROOT, SCENARIOS, SEEDS
from .test_sensitivity import assert_bad_input

TARGETS = ROOT / "configs" / "targets.yaml"
DEFAULT = ROOT / "configs" / "default.yaml"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def targets_file(tmp_path, edit=None, runs=4):
    """The shipped targets, fitted on few runs, optionally edited; returns the path."""
    data = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    data["scenario"] = str(SCENARIOS / "history_2021.yaml")
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
    assert all({"value", "model", "residual"} <= set(row) for row in res["fit"])
    cost_before = sum((row["model_before"] / row["value"] - 1) ** 2 for row in res["fit"]) / 2
    assert res["cost"] <= cost_before + 1e-12
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
    (lambda t: t["bounds"].update({"kazakhstan.fdi_alignment_elasticity": [-1.0, 2.0]}),
     "bounds.kazakhstan.fdi_alignment_elasticity"),
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
    cfg.write_text(DEFAULT.read_text(encoding="utf-8").replace("calibrate: true",
                                                               "calibrate: false"))
    assert_bad_input(invoke("calibrate", "--config", cfg, "--targets", targets_file(tmp_path),
                            "-o", tmp_path / "o.yaml"), "calibrate: true")  # fmt: skip
    assert_bad_input(invoke("calibrate", "--targets", targets_file(tmp_path),
                            "-o", tmp_path / "no" / "o.yaml"), "does not exist")  # fmt: skip
