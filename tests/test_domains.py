"""One domain check for YAML, --set and the API: the same value gets the same answer everywhere."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import simulate
from simulate.cli.main import main
from simulate.errors import InputError
from simulate.running.runner import prepare
from simulate.scenarios import domains, scenario
from simulate.scenarios.parameters import domain
from simulate.testing import strategies as mst

from .conftest import SCENARIOS

SHORT = {"name": "short", "description": "t", "runs": 2, "seed": 1,
         "horizon": {"start": 2024, "end": 2026, "step": "year"}}  # fmt: skip


@st.composite
def path_and_value(draw: st.DrawFn) -> tuple[str, float]:
    """A parameter path and a value inside, at the edge of, or outside its domain."""
    path = draw(st.sampled_from(mst.model_parameters()))
    lo, hi = domain(path)
    finite_hi = hi if math.isfinite(hi) else lo + 10
    value = draw(st.one_of(
        st.floats(lo, finite_hi), st.sampled_from([lo, hi, lo - 1e-9, lo - 1, hi + 1]),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    ))  # fmt: skip
    return path, value


def _yaml_verdict(path: str, value: float) -> str | None:
    try:
        scenario.load({**SHORT, "parameters": {path: value}})
    except InputError as exc:
        return exc.message
    return None


def _api_verdict(path: str, value: float) -> str | None:
    try:
        prepare(dict(SHORT), overrides={path: value})
    except InputError as exc:
        return exc.message
    return None


@given(path_and_value())
def test_yaml_and_overrides_give_the_same_answer_for_the_same_value(case):
    path, value = case
    yaml_says, api_says = _yaml_verdict(path, value), _api_verdict(path, value)
    assert yaml_says == api_says
    lo, hi = domain(path)
    assert (yaml_says is None) == (math.isfinite(value) and lo <= value <= hi)


@pytest.mark.parametrize("setting, words", [
    ("kazakhstan.inertia=2", "outside the admissible range [0, 1]"),
    ("russia.capacity=nan", "finite number"), ("russia.capacity=-inf", "finite number"),
    ("rusia.capacity=1", "did you mean 'russia.capacity'"),
    ("russia.charm=1", "unknown parameter"),
])  # fmt: skip
def test_set_is_checked_like_the_scenario(tmp_path, setting, words):
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "baseline.yaml"), "-n", "2", "-q",
                                  "--set", setting, "-o", str(tmp_path / "x.parquet")])
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error: --set: ") and words in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.parquet").exists()


@pytest.mark.parametrize("value", [True, "0.5", None, [0.5]])
def test_the_api_refuses_what_is_not_a_number(value):
    with pytest.raises(InputError, match="must be a number"):
        simulate.run_scenario(dict(SHORT), overrides={"russia.capacity": value})


def test_a_run_with_set_is_named_after_the_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    base = [str(SCENARIOS / "baseline.yaml"), "-n", "2", "-q", "--json"]
    first = json.loads(CliRunner().invoke(main, ["run", *base]).output)
    changed = json.loads(CliRunner().invoke(main, ["run", *base, "--set",
                                                   "russia.capacity=0.6"]).output)  # fmt: skip
    (name,) = changed
    assert list(first) == ["baseline"] and name.startswith("baseline-set-")
    assert changed[name]["file"] == f"results/{name}.parquet"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == sorted(
        ["baseline.parquet", f"{name}.parquet"])
    meta = simulate.load_results(tmp_path / changed[name]["file"]).metadata
    assert meta["scenario"]["name"] == name
    assert meta["scenario"]["parameters"]["russia.capacity"] == 0.6
    again = json.loads(CliRunner().invoke(main, ["run", *base, "--set",
                                                 "russia.capacity=0.6"]).output)  # fmt: skip
    assert list(again) == [name]  # the same change, the same name


def test_suggestion_names_the_closest_path():
    assert domains.suggestion("rusia.capacity", mst.model_parameters()) == (
        " (did you mean 'russia.capacity'?)")
    assert domains.suggestion("zzzz", mst.model_parameters()) == ""
