"""Experiment: load once, run many; the same numbers as run_scenario; written results."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import simulate
from simulate.errors import InputError
from simulate.scenarios import scenario as scenario_mod
from simulate.scenarios.parameters import config_from_mapping, load_config

from .conftest import SCENARIOS

MC = SCENARIOS / "middle_corridor.yaml"
SHORT = {"name": "short", "description": "t", "extends": str(SCENARIOS / "baseline.yaml"),
         "horizon": {"start": 2024, "end": 2027, "step": "quarter"}, "runs": 6, "seed": 5}


@pytest.fixture(scope="module")
def exp():
    return simulate.Experiment(SHORT)


def _same(a: simulate.Results, b: simulate.Results) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    pd.testing.assert_frame_equal(a.extra["final"], b.extra["final"], check_exact=True)
    strip = lambda m: {k: v for k, v in m.items() if k != "created_utc"}  # noqa: E731
    assert strip(a.metadata) == strip(b.metadata)


@given(runs=st.integers(1, 12), seed=st.integers(0, 2**40),
       growth=st.none() | st.floats(-0.05, 0.05), keep=st.sampled_from(["runs", "summary"]))
@settings(max_examples=10, deadline=None)
def test_run_is_bit_identical_to_run_scenario(exp, runs, seed, growth, keep):
    overrides = None if growth is None else {"russia.capacity_growth": growth}
    _same(exp.run(runs=runs, seed=seed, overrides=overrides, keep=keep),
          simulate.run_scenario(SHORT, runs=runs, seed=seed, overrides=overrides, keep=keep))


def test_runs_do_not_leak_into_each_other(exp):
    first = exp.run()
    exp.run(runs=3, seed=1, overrides={"kazakhstan.balance_preference": 0.9})
    _same(exp.run(), first)
    assert first.metadata["runs"] == 6 and first.metadata["seed"] == 5


def test_the_scenario_is_read_once(monkeypatch):
    calls = []
    real = scenario_mod.load
    monkeypatch.setattr(scenario_mod, "load", lambda *a, **k: calls.append(a) or real(*a, **k))
    e = simulate.Experiment(MC)
    for growth in (-0.02, 0.0, 0.01):
        e.run(runs=2, overrides={"russia.capacity_growth": growth})
    assert len(calls) == 1


@pytest.mark.parametrize("kwargs, field", [
    ({"overrides": {"russia.nonesuch": 1.0}}, "overrides"),
    ({"overrides": {"russia.capacity_growth": "fast"}}, "overrides"),
    ({"runs": 0}, "runs"),
    ({"seed": -1}, "seed"),
])  # fmt: skip
def test_overrides_and_sizes_are_checked_as_on_the_command_line(exp, kwargs, field):
    with pytest.raises(InputError) as err:
        exp.run(**kwargs)
    assert err.value.field == field


def test_an_override_outside_the_domain_is_refused(exp):
    with pytest.raises(InputError, match="outside"):
        exp.run(overrides={"kazakhstan.inertia": 1.5})


def test_config_replaces_the_scenarios_own(tmp_path):
    base = load_config()
    data = base.model_dump(mode="json", exclude_none=True)
    data["name"] = "other"
    e = simulate.Experiment(SHORT, config=config_from_mapping(data))
    assert e.config.name == "other"
    assert e.run(runs=2).metadata["config"] == "other"


def test_a_shipped_scenario_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    e = simulate.Experiment("middle_corridor")
    assert e.name == "middle_corridor" and "middle_corridor" in repr(e)
    with pytest.raises(InputError, match="no shipped scenario"):
        simulate.Experiment("no_such_scenario")


def test_written_results_are_returned_and_read_lazily(tmp_path):
    out = tmp_path / "mc.parquet"
    res = simulate.run_scenario(SHORT, runs=4, output=out)
    assert res.path == out and not res.loaded
    assert res.frame.shape == simulate.load_results(out).frame.shape != (0, 0)
    assert res.loaded
    assert res.at("balance_index").index.tolist() == [0, 1, 2, 3]
    summary = simulate.run_scenario(SHORT, runs=4, keep="summary", output=tmp_path / "s.parquet")
    assert set(summary.frame["stat"]) >= {"mean", "p50", "final"}


def test_results_in_memory_build_their_frame_only_when_it_is_used(exp):
    res = exp.run(runs=2)
    assert res.path is None and not res.loaded
    assert res.at("balance_index").index.tolist() == [0, 1]
    assert not res.loaded, "reading one series must not build the tidy frame"
    assert not res.frame.empty and res.loaded


def test_simulate_run_builds_its_spec_once_and_checks_overrides_once(monkeypatch, tmp_path):
    """--runs, --seed and --set, and the outcome-threshold check, all from one built spec."""
    import simulate.model.preparation as preparation
    import simulate.model.spec as spec_mod
    from simulate.cli.main import main

    counts = {"build": 0, "check": 0}
    build, check = spec_mod.build, preparation.check_overrides

    def counted_build(*a, **k):  # noqa: ANN002, ANN003, ANN202
        counts["build"] += 1
        return build(*a, **k)

    def counted_check(*a, **k):  # noqa: ANN002, ANN003, ANN202
        counts["check"] += 1
        return check(*a, **k)

    monkeypatch.setattr(spec_mod, "build", counted_build)
    monkeypatch.setattr(preparation, "check_overrides", counted_check)
    r = CliRunner().invoke(main, ["run", "baseline", "--runs", "12", "--seed", "3", "--set",
                                  "russia.capacity=0.7", "-o", str(tmp_path / "a.parquet"),
                                  "--quiet", "--threshold-check"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert counts == {"build": 1, "check": 1}
