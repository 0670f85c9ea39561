"""Deciding: policies judged over paired futures, robustness measures, search, failures, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simulate.analysis import decide as dc
from simulate.analysis import robust
from simulate.analysis.failures import screened, separation
from simulate.analysis.policy_explain import explain_policies
from simulate.cli.main import main
from simulate.errors import InputError
from simulate.scenarios import policies as pol

from .conftest import SCENARIOS, write

SHORT = "name: {name}\nextends: {base}\nhorizon: {{start: 2024, end: 2030, step: quarter}}\n"
POLICIES = """\
policies:
  fleet: {caspian_buildout: 2.0}
  again: {caspian_buildout: 2.0}
  late: {caspian_buildout: {value: 2.0, start: 2027}}
  controls: {export_controls: 0.85}
"""


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """The baseline and the Russian-pressure stress test over 2024-2030."""
    d = tmp_path_factory.mktemp("short")
    return [str(write(d, f"{n}.yaml", SHORT.format(name=f"short_{n}",
                                                   base=SCENARIOS / f"{n}.yaml")))
            for n in ("baseline", "russian_pressure")]  # fmt: skip


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory):
    return str(write(tmp_path_factory.mktemp("policies"), "policies.yaml", POLICIES))


@pytest.fixture(scope="module")
def decided(short, policy_file):
    """A decision over 2 x 24 futures."""
    return dc.decide(short, policies=policy_file, at=[2027, 2030], runs=24, discover=False)


def _row(res, name):
    return next(r for r in res["policies"] if r["policy"] == name)


# --- the measures, on matrices whose answers are known ----------------------------------------


def test_regret_is_zero_for_the_best_policy_in_each_future_and_positive_elsewhere():
    obj = np.array([[0.5, 0.9, 0.1], [0.7, 0.2, 0.1], [0.6, 0.9, 0.3]])
    np.testing.assert_allclose(robust.regret(obj), [[0.2, 0.0, 0.2], [0.0, 0.7, 0.2],
                                                    [0.1, 0.0, 0.0]])  # fmt: skip


def test_the_pareto_front_keeps_the_points_no_other_beats_on_both():
    benefit = np.array([0.9, 0.8, 0.9, 0.5, 0.95])
    cost = np.array([1.0, 0.0, 2.0, 0.5, 3.0])
    assert robust.pareto(benefit, cost).tolist() == [True, True, False, False, True]


def test_the_worst_decile_and_satisficing_read_only_the_policys_own_row():
    obj = np.vstack([np.arange(11) / 10, np.ones(11)])
    np.testing.assert_allclose(robust.worst_decile(obj), [0.1, 1.0])
    assert robust.satisficing(np.array([[1, 0, 1, 1], [0, 0, 0, 1]])).tolist() == [0.75, 0.25]


def test_the_ranking_puts_satisficing_first_then_regret_then_cost():
    order = robust.ranking(np.array([0.8, 0.9, 0.9, 0.9]), np.array([0.0, 0.2, 0.1, 0.1]),
                           np.array([0.0, 0.0, 5.0, 1.0]), ["a", "b", "c", "d"])  # fmt: skip
    assert order == [3, 2, 1, 0]


def test_a_probability_carries_its_wilson_interval():
    p = robust.probability(np.array([[1, 1, 0, 0], [0, 0, 0, 0]]))
    assert p[0]["p"] == 0.5 and p[0]["low"] < 0.5 < p[0]["high"]
    assert p[1]["p"] == 0.0 and p[1]["low"] == 0.0 and p[1]["high"] > 0.0


# --- decisions on the model --------------------------------------------------------------------


def test_two_runs_of_the_same_policies_give_the_same_numbers(short, policy_file, decided):
    again, _ = dc.decide(short, policies=policy_file, at=[2027, 2030], runs=24, discover=False)
    assert json.dumps(again, sort_keys=True) == json.dumps(decided[0], sort_keys=True)


def test_a_policy_against_an_identical_one_differs_by_nothing(decided):
    res, ev = decided
    i, j = ev.names.index("fleet"), ev.names.index("again")
    np.testing.assert_array_equal(ev.outcome[i], ev.outcome[j])
    np.testing.assert_array_equal(ev.balance[i], ev.balance[j])
    a, b = _row(res, "fleet"), _row(res, "again")
    for key in ("cost", "classes", "satisficing", "objective_mean", "regret_mean",
                "worst_decile", "vs_reference"):
        assert a[key] == b[key], key
    nothing = _row(res, pol.DO_NOTHING)["vs_reference"]
    assert nothing["satisficing"]["mean"] == 0.0 and nothing["satisficing"]["constant"]
    assert nothing["objective"]["mean"] == 0.0


def test_adding_a_policy_changes_no_other_policys_numbers(short, policy_file, decided, tmp_path):
    bigger = write(tmp_path, "more.yaml", POLICIES + "  screen: {investment_screening: 0.3}\n")
    res, ev = dc.decide(short, policies=str(bigger), at=[2027, 2030], runs=24, discover=False)
    old_res, old = decided
    for name in old.names:
        a, b = _row(old_res, name), _row(res, name)
        for key in ("cost", "classes", "satisficing", "satisficing_by_scenario",
                    "objective_mean", "worst_decile", "vs_reference", "settings"):
            assert a[key] == b[key], (name, key)
        i, k = old.names.index(name), ev.names.index(name)
        np.testing.assert_array_equal(old.objective[i], ev.objective[k])
    # regret is the one set-dependent measure: against the better of the old best and the new
    best = np.maximum(old.objective.max(axis=0), ev.objective[ev.names.index("screen")])
    for name in old.names:
        np.testing.assert_allclose(ev.regret[ev.names.index(name)],
                                   best - old.objective[old.names.index(name)])  # fmt: skip


def test_the_numbers_are_the_same_on_every_executor(short):
    loaded = dc.load_scenarios(short)
    chosen = pol.one_at_a_time(loaded[0])[:4]
    futures = dc.futures_of(loaded, 12, None)
    here = dc.evaluate(futures, chosen, [2030], chunk=5)
    pool = dc.evaluate(futures, chosen, [2030], workers=2, chunk=7)
    assert here.outcome.tobytes() == pool.outcome.tobytes()
    assert here.balance.tobytes() == pool.balance.tobytes()


def test_a_later_start_is_judged_on_the_same_futures_and_costs_less(decided):
    res, ev = decided
    late, fleet = _row(res, "late"), _row(res, "fleet")
    assert late["cost"] < fleet["cost"]
    i = ev.names.index("late")
    j = ev.names.index(pol.DO_NOTHING)
    first = ev.years.index(2027.0)
    np.testing.assert_array_equal(ev.balance[i][:, first], ev.balance[j][:, first])


def test_the_classes_at_each_year_add_up_to_one(decided):
    res, _ = decided
    for row in res["policies"]:
        for year in ("2027", "2030"):
            assert sum(c["p"] for c in row["classes"][year].values()) == pytest.approx(1.0)


def test_the_default_policies_set_each_of_the_actors_levers_alone(short):
    loaded = dc.load_scenarios(short)
    chosen = pol.one_at_a_time(loaded[0], "eu")
    assert chosen[0].name == pol.DO_NOTHING and not chosen[0].settings
    assert {n for p in chosen[1:] for n in p.settings} == {"eu_corridor_finance",
                                                            "eu_secondary_sanctions"}
    assert all(len(p.settings) == 1 for p in chosen[1:])


def test_a_decision_needs_the_same_levers_in_every_scenario(tmp_path, short):
    other = write(tmp_path, "other.yaml", SHORT.format(name="other", base=short[0])
                  + "levers:\n  cpc_expansion: {options: [0.0, 2.0]}\n")  # fmt: skip
    with pytest.raises(InputError, match="the same levers") as found:
        dc.load_scenarios([short[0], str(other)])
    assert "cpc_expansion" in found.value.message


# --- why a policy works, where it fails, and the search ------------------------------------------


def test_a_policys_mechanisms_add_up_to_its_difference_and_vanish_against_itself(
        short, policy_file):  # fmt: skip
    ex = explain_policies(short, "fleet", policies=policy_file, at=2030, runs=12)
    for item in ex["issues"]:
        assert sum(v for _, v in item.contributions) == pytest.approx(item.change, abs=1e-9)
    same = explain_policies(short, "fleet", "again", policies=policy_file, at=2030, runs=12)
    assert all(item.change == 0 and all(v == 0 for _, v in item.contributions)
               for item in same["issues"])  # fmt: skip
    assert all(row["difference"] == 0 for row in same["outcomes"])


def test_an_unknown_policy_is_named_with_the_known_ones(short, policy_file):
    with pytest.raises(InputError, match="no policy 'flet'") as found:
        explain_policies(short, "flet", policies=policy_file, runs=2)
    assert "did you mean 'fleet'" in found.value.message


def test_screening_keeps_the_inputs_that_separate_failures():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((400, 6)), columns=[f"x{k}" for k in range(6)])
    failed = (x["x4"] > 0.7).to_numpy()
    score = separation(x, failed)
    assert score.idxmax() == "x4" and score["x4"] > 0.3
    assert list(screened(x, failed, keep=1).columns) == ["x4"]


def test_where_the_most_robust_policy_fails_is_a_prim_box_over_the_futures_inputs(short):
    pytest.importorskip("ema_workbench")
    from simulate.analysis.failures import where_fails

    loaded = dc.load_scenarios(short)
    futures = dc.futures_of(loaded, 60, None)
    failed = np.zeros(futures.count, dtype=bool)
    failed[futures.scenario_of() == 1] = True  # every future of the second scenario
    found = where_fails(futures, pol.do_nothing(), failed)
    assert found["share"] == 0.5 and found["box"]["density"] == 1.0
    assert {"scenario=short_baseline", "scenario=short_russian_pressure"} <= set(
        found["screened"][:2])  # they separate the failures completely, as nothing else does
    assert any(r["parameter"].startswith("scenario=") for r in found["box"]["restricted"])
    assert where_fails(futures, pol.do_nothing(), failed & False)["note"].endswith(
        "nothing to discover")


def test_the_search_finds_a_front_of_policies_no_other_beats(short):
    loaded = dc.load_scenarios(short)
    futures = dc.futures_of(loaded, 8, None)
    from simulate.analysis.search import search

    found = search(futures, [2030], "balance_index", "kazakhstan", population=4, generations=2,
                   runs=6)  # fmt: skip
    again = search(futures, [2030], "balance_index", "kazakhstan", population=4, generations=2,
                   runs=6)  # fmt: skip
    assert found == again
    assert found["levers"] == ["caspian_buildout", "china_outlet"]
    front = found["front"]
    assert len(front) >= 2
    cost = np.array([r["cost"] for r in front])
    obj = np.array([r["objective_mean"] for r in front])
    assert robust.pareto(obj, cost).all() and np.all(np.diff(cost) > 0) and np.all(np.diff(obj) > 0)
    assert [r["policy"] for r in front] == [f"front_{k + 1}" for k in range(len(front))]


# --- the command -----------------------------------------------------------------------------


def test_decide_prints_a_ranked_table_and_writes_json_and_a_plot(short, policy_file, tmp_path):
    plot = tmp_path / "decide.png"
    r = CliRunner().invoke(main, ["decide", *short, "--policies", policy_file, "--at", "2030",
                                  "--runs", "10", "--plot", str(plot), "--no-discover", "-q"])
    assert r.exit_code == 0, r.output
    assert "rank  policy" in r.output and "most robust:" in r.output
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    j = CliRunner().invoke(main, ["decide", *short, "--policies", policy_file, "--at", "2030",
                                  "--runs", "10", "--no-discover", "--json"])
    res = json.loads(j.output)
    assert [r["rank"] for r in res["policies"]] == list(range(1, 6))
    assert res["most_robust"] == res["policies"][0]["policy"]


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("policies:\n  a: {caspain_buildout: 1.0}\n", 2, "policies.a.caspain_buildout",
     "did you mean 'caspian_buildout'"),
    ("policies:\n  a: {cpc_expansion: 0.5}\n", 2, "policies.a.cpc_expansion",
     "not one of the lever's options"),
    ("policies:\n  a:\n    caspian_buildout: {value: 1.0, start: 2024}\n", 3,
     "policies.a.caspian_buildout.start", "outside 2025-2030"),
    ("policies:\n  a: {caspian_buildout: lots}\n", 2, "policies.a.caspian_buildout",
     "a value is a number"),
])  # fmt: skip
def test_a_bad_policy_is_one_line_naming_file_line_and_field(short, tmp_path, text, line, field,
                                                            words):  # fmt: skip
    path = write(tmp_path, "bad.yaml", text)
    r = CliRunner().invoke(main, ["decide", *short, "--policies", str(path), "--runs", "2"])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:{line}: {field}: "), lines
    assert words in lines[0]


def test_a_year_outside_the_horizon_names_the_option(short):
    r = CliRunner().invoke(main, ["decide", *short, "--at", "2035", "--runs", "2"])
    assert r.exit_code == 2 and "--at" in r.output and "2035" in r.output
