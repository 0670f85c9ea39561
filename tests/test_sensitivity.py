"""simulate sensitivity: SALib's maths on a known function, the command, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.analysis.sensitivity import check_samples, design, design_size, indices
from simulate.cli.main import main
from simulate.running import experiment as ex
from simulate.running.runner import prepare

from .conftest import SCENARIOS, write

UNCERTAIN = {"russia.capacity_growth", "china.capacity_growth", "kazakhstan.balance_preference",
             "kazakhstan.choice_noise", "kazakhstan.oil_price", "kazakhstan.sanctions_easing"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_bad_input(r, *words):
    """Exit 2, exactly one ``error:`` line on stderr naming ``words``, no traceback."""
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert "Traceback" not in r.output and r.stdout == ""


@pytest.fixture
def short(tmp_path):
    """The baseline over 2024-2027 with its five uncertainties."""
    return write(tmp_path, "short.yaml", f"name: short\nextends: {SCENARIOS / 'baseline.yaml'}\n"
                 "horizon: {start: 2024, end: 2027, step: quarter}\n")  # fmt: skip


# --- the maths, without the model --------------------------------------------------------


def test_sobol_recovers_the_indices_of_a_linear_function():
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x = design(problem, "sobol", 1024, seed=1)
    assert x.shape == (design_size("sobol", 1024, 3), 3)
    rows, _ = indices(problem, "sobol", x, 4 * x[:, 0] + 2 * x[:, 1], seed=1)
    got = {r["parameter"]: r for r in rows}
    assert [r["parameter"] for r in rows][:2] == ["a", "b"]
    assert got["a"]["S1"] == pytest.approx(0.8, abs=0.05)
    assert got["b"]["ST"] == pytest.approx(0.2, abs=0.05)
    assert abs(got["c"]["ST"]) < 0.02 and got["c"]["ST_conf"] >= 0


def test_sobol_second_order_finds_an_interaction():
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[-1, 1]] * 3}
    x = design(problem, "sobol", 512, seed=2, second_order=True)
    assert len(x) == design_size("sobol", 512, 3, second_order=True)
    _, pairs = indices(problem, "sobol", x, x[:, 0] * x[:, 1], seed=2, second_order=True)
    top = max(pairs, key=lambda p: p["S2"])
    assert top["pair"] == ["a", "b"] and top["S2"] > 0.7


def test_morris_ranks_by_mu_star():
    problem = {"num_vars": 2, "names": ["small", "big"], "bounds": [[0, 1]] * 2}
    x = design(problem, "morris", 20, seed=3)
    assert len(x) == design_size("morris", 20, 2)
    rows, _ = indices(problem, "morris", x, 0.1 * x[:, 0] + 3 * x[:, 1], seed=3)
    assert [r["parameter"] for r in rows] == ["big", "small"]
    assert rows[0]["mu_star"] == pytest.approx(3.0, rel=1e-6)


@pytest.mark.parametrize("method, n, second", [("fast", 64, False), ("sobol", 48, False),
                                                ("sobol", 8, False), ("morris", 3, False),
                                                ("morris", 8, True)])  # fmt: skip
def test_check_samples_refuses(method, n, second):
    from simulate.errors import InputError

    with pytest.raises(InputError):
        check_samples(method, n, second)


def test_uncertainties_map_to_bounds_clipped_to_the_domain(tmp_path):
    p = write(tmp_path, "u.yaml", "name: u\nhorizon: {start: 2024, end: 2025, step: year}\n"
              "uncertainties:\n"
              "  - {parameter: russia.capacity_growth, dist: uniform, low: -0.03, high: 0.01}\n"
              "  - {parameter: kazakhstan.inertia, dist: lognormal, median: 0.6,"
              " sigma: 0.5}\n"
              "  - {parameter: china.capacity_growth, dist: truncnormal, mean: 0, sd: 0.1,"
              " low: -0.02, high: 0.02}\n")  # fmt: skip
    names, bounds = ex.uncertainty_bounds(prepare(p))
    assert names == ["russia.capacity_growth", "kazakhstan.inertia", "china.capacity_growth"]
    assert bounds[0] == [-0.03, 0.01]
    assert bounds[1] == [pytest.approx(0.6 * np.exp(-1)), 1.0]  # median*e^(2 sigma) > 1: clipped
    assert bounds[2] == [-0.02, 0.02]


# --- the command -------------------------------------------------------------------------


def test_sobol_ranks_the_uncertainties_with_confidence_intervals(short, tmp_path):
    out, png = tmp_path / "s.json", tmp_path / "s.png"
    r = invoke("sensitivity", short, "-N", "32", "-o", out, "--plot", png, "--quiet")
    assert r.exit_code == 0, r.output
    assert "S1 (95% CI)" in r.stdout and "kazakhstan.balance_preference" in r.stdout
    res = json.loads(out.read_text())
    assert res["runs"] == 32 * (len(UNCERTAIN) + 2) and res["time"] == 2027.75
    assert {row["parameter"] for row in res["indices"]} == UNCERTAIN
    sts = [row["ST"] for row in res["indices"]]
    assert sts == sorted(sts, reverse=True)
    assert sum(row["ST"] for row in res["indices"]) > 0  # the balance index responds
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob(".*.part"))


def test_sensitivity_is_reproducible_and_executor_independent(short):
    a = invoke("sensitivity", short, "-N", "16", "--json")
    b = invoke("sensitivity", short, "-N", "16", "--json", "--workers", "2", "--chunk", "20")
    assert a.exit_code == 0 and b.exit_code == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_morris_json_and_svg(short, tmp_path):
    r = invoke("sensitivity", short, "--method", "morris", "-N", "6", "--json", "--outcome",
               "leverage:russia", "--at", "2026", "--plot", tmp_path / "m.svg")  # fmt: skip
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    assert m["runs"] == 6 * (len(UNCERTAIN) + 1) and m["time"] == 2026.0
    assert m["outcome"] == "leverage:russia"
    assert all(row["mu_star"] >= 0 and "sigma" in row for row in m["indices"])
    assert m["indices"][0]["parameter"] == "russia.capacity_growth"
    assert (tmp_path / "m.svg").read_text().lstrip().startswith("<?xml")


def test_output_is_a_deprecated_name_of_outcome(short):
    new = invoke("sensitivity", short, "--method", "morris", "-N", "4", "--json",
                 "--outcome", "leverage:russia")  # fmt: skip
    old = invoke("sensitivity", short, "--method", "morris", "-N", "4", "--json",
                 "--output", "leverage:russia")  # fmt: skip
    assert new.exit_code == 0 and old.exit_code == 0, old.output
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert old.stderr.strip().splitlines() == [
        "warning: --output is deprecated; use --outcome (same meaning)"]
    assert new.stderr == ""
    help_text = invoke("sensitivity", "--help").stdout
    assert "--outcome" in help_text and "--output" not in help_text
    both = invoke("sensitivity", short, "--outcome", "leverage:russia", "--output", "gdp")
    assert both.exit_code == 2 and both.stdout == ""
    assert both.stderr.strip().splitlines()[-1] == (
        "error: --outcome: give --outcome only (--output is its old name)")


def test_the_outcome_keyword_of_analyse_has_a_deprecated_old_name(short):
    from simulate.analysis.sensitivity import analyse

    kw = {"method": "morris", "samples": 4}
    with pytest.warns(DeprecationWarning, match="outcome"):
        old = analyse(short, output="leverage:russia", **kw)
    assert old == analyse(short, outcome="leverage:russia", **kw)
    assert old["outcome"] == old["output"] == "leverage:russia"


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_seed_0_gives_the_same_indices_and_intervals_on_every_call(short, method):
    from simulate.analysis.sensitivity import analyse

    n = 16 if method == "sobol" else 4
    a, b = (analyse(short, method=method, samples=n, seed=0) for _ in range(2))
    assert a["seed"] == 0
    assert a["indices"] == b["indices"]  # S1, ST and their CIs (mu*, its CI), exactly


def test_the_sobol_analysis_is_seeded_by_every_seed_0_included():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}
    x = design(problem, "sobol", 64, seed=0)
    y = x[:, 0] + 0.5 * x[:, 1] ** 2
    for seed in (0, 5, 2**32 - 1):
        first, _ = indices(problem, "sobol", x, y, seed=seed)
        again, _ = indices(problem, "sobol", x, y, seed=seed)
        assert first == again, seed


def test_second_order_indices_are_printed(short):
    r = invoke("sensitivity", short, "-N", "16", "--second-order", "-q")
    assert r.exit_code == 0, r.output
    assert "S2 (95% CI)" in r.stdout and " x " in r.stdout


@pytest.mark.parametrize("args, words", [
    (["--method", "fast"], ["--method", "fast"]),
    (["-N", "10"], ["--samples", "power of two"]),
    (["--method", "morris", "-N", "2"], ["--samples"]),
    (["--method", "morris", "--second-order"], ["--second-order"]),
    (["--outcome", "happiness"], ["--outcome", "happiness"]),
    (["--outcome", "leverage:mars"], ["--outcome", "mars"]),
    (["--outcome", "balance_index:russia"], ["--outcome"]),
    (["--at", "2050"], ["--at", "2050"]),
    (["--plot", "chart.gif"], ["--plot", ".png"]),
    (["-o", "/no/such/folder/s.json"], ["-o", "does not exist"]),
])  # fmt: skip
def test_sensitivity_bad_input_exits_2(short, args, words):
    assert_bad_input(invoke("sensitivity", short, *args), *words)


def test_sensitivity_without_uncertainties_exits_2(tmp_path):
    p = write(tmp_path, "plain.yaml",
              "name: plain\nhorizon: {start: 2024, end: 2026, step: year}\n")
    assert_bad_input(invoke("sensitivity", p, "-N", "16"), "no uncertainties")


def test_sensitivity_refuses_choice_uncertainties(tmp_path):
    p = write(tmp_path, "c.yaml", "name: c\nhorizon: {start: 2024, end: 2026, step: year}\n"
              "uncertainties:\n"
              "  - {parameter: russia.reactivity, dist: choice, values: [0.5, 1.5]}\n")
    assert_bad_input(invoke("sensitivity", p, "-N", "16"), "choice", "russia.reactivity")


def test_sensitivity_of_a_missing_scenario_exits_2(tmp_path):
    assert_bad_input(invoke("sensitivity", tmp_path / "nope.yaml"), "not found")
