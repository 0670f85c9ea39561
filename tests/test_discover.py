"""simulate discover: PRIM on a known box, the command, and bad input."""

from __future__ import annotations

import builtins
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulate.analysis.discover import INSTALL_HINT, latin_hypercube, prim_box
from simulate.cli.main import main

from .conftest import SCENARIOS, write
from .test_sensitivity import assert_bad_input

pytest.importorskip("ema_workbench")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def short(tmp_path):
    """The baseline over 2024-2027 with its four uncertainties."""
    return write(tmp_path, "short.yaml", f"name: short\nextends: {SCENARIOS / 'baseline.yaml'}\n"
                 "horizon: {start: 2024, end: 2027, step: quarter}\n")  # fmt: skip


def test_latin_hypercube_is_seeded_and_stratified():
    a = latin_hypercube([[0, 1], [-1, 1]], 50, seed=4)
    assert np.array_equal(a, latin_hypercube([[0, 1], [-1, 1]], 50, seed=4))
    assert a[:, 1].min() >= -1 and a[:, 1].max() <= 1
    assert sorted(np.floor(a[:, 0] * 50).astype(int)) == list(range(50))  # one per stratum


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((800, 3)), columns=["a", "b", "c"])
    y = ((x.a > 0.6) & (x.b < 0.5)).to_numpy()
    res = prim_box(x, y, threshold=0.95)
    box = res["box"]
    assert box["meets_threshold"] and box["density"] >= 0.95 and box["coverage"] > 0.8
    lims = {r["parameter"]: r for r in box["restricted"]}
    assert set(lims) == {"a", "b"}
    assert lims["a"]["low"] == pytest.approx(0.6, abs=0.05)
    assert lims["b"]["high"] == pytest.approx(0.5, abs=0.05)
    traj = res["trajectory"]
    assert traj[0]["coverage"] == 1.0 and traj[0]["density"] == pytest.approx(y.mean())
    assert traj[-1]["density"] >= traj[0]["density"]


def test_a_smaller_minimum_mass_isolates_a_rare_outcome():
    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.random((4000, 2)), columns=["a", "b"])
    y = ((x.a < 0.05) & (x.b > 0.9)).to_numpy()  # 0.5% of runs
    coarse, fine = prim_box(x, y, 0.8), prim_box(x, y, 0.8, mass_min=0.002)
    assert not coarse["box"]["meets_threshold"]
    assert fine["box"]["meets_threshold"] and fine["box"]["coverage"] > 0.5


def test_prim_reports_the_densest_box_when_none_meets_the_threshold():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.random((400, 2)), columns=["a", "b"])
    res = prim_box(x, rng.random(400) < 0.1, threshold=0.9)
    assert not res["box"]["meets_threshold"]
    assert res["box"]["density"] == max(t["density"] for t in res["trajectory"])


def test_discover_finds_the_box_where_russian_leverage_stays_high(short):
    r = invoke("discover", short, "--outcome", "leverage:russia>0.255", "--runs", "400", "--json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert 0 < res["share"] < 1 and res["runs"] == 400
    assert res["box"]["density"] >= 0.8 > res["share"]
    assert {b["parameter"] for b in res["box"]["restricted"]} == {"russia.capacity_growth"}
    assert res["trajectory"][0]["coverage"] == 1.0


def test_discover_prints_box_and_trajectory(short):
    r = invoke("discover", short, "--outcome", "leverage:russia>=0.255", "--runs", "300",
               "--threshold", "0.9", "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    for words in ("coverage", "density", "russia.capacity_growth", "peeling trajectory", "yes"):
        assert words in r.stdout
    again = invoke("discover", short, "--outcome", "leverage:russia>=0.255", "--runs", "300",
                   "--threshold", "0.9", "-q", "--workers", "2", "--chunk", "100")  # fmt: skip
    assert again.stdout == r.stdout


@pytest.mark.parametrize("args, words", [
    (["--outcome", "leverage:russia>5"], ["--outcome", "never happens"]),
    (["--outcome", "leverage:russia<5"], ["--outcome", "always happens"]),
    (["--outcome", "captured"], ["--outcome", "never happens"]),
    (["--outcome", "happiness>1"], ["--outcome", "happiness"]),
    (["--outcome", "leverage:mars>0.1"], ["--outcome", "mars"]),
    (["--outcome", "leverage:russia=1"], ["--outcome"]),
    (["--outcome", "balance_index"], ["--outcome", "captured or a threshold"]),
    (["--threshold", "0"], ["--threshold"]),
    (["--threshold", "1.5"], ["--threshold"]),
    (["--mass-min", "0"], ["--mass-min"]),
    (["--at", "2031"], ["--at"]),
])  # fmt: skip
def test_discover_bad_input_exits_2(short, args, words):
    assert_bad_input(invoke("discover", short, "--runs", "40", *args), *words)


def test_discover_without_uncertainties_exits_2(tmp_path):
    p = write(tmp_path, "plain.yaml",
              "name: plain\nhorizon: {start: 2024, end: 2026, step: year}\n")
    assert_bad_input(invoke("discover", p), "no uncertainties")


def test_discover_says_how_to_install_ema_workbench(short, monkeypatch):
    real = builtins.__import__

    def no_ema(name, *args, **kwargs):
        if name.startswith("ema_workbench"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ema)
    r = invoke("discover", short, "--runs", "40")
    assert_bad_input(r, "pip install", "ema_workbench")
    assert INSTALL_HINT in r.stderr


def test_without_runs_the_design_has_the_scenarios_runs(tmp_path):
    path = write(tmp_path, "s.yaml", f"name: s\nextends: {SCENARIOS / 'baseline.yaml'}\n"
                 "runs: 120\n")  # fmt: skip
    r = invoke("discover", path, "--outcome", "leverage:russia>0.22", "--json", "-q")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["runs"] == 120
