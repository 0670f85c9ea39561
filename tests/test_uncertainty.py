"""Honest uncertainty: ensembles draw priors and take a posterior by counter; outcome
classes on observable positions; the ABC posterior's pieces (docs/trust.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulate.analysis import classes, posterior
from simulate.model import dynamics as dyn
from simulate.model.preparation import prepare
from simulate.model.randomness import draw_runs, inverse_cdf, prior_stream
from simulate.scenarios.parameters import config_from_mapping, load_config
from simulate.scenarios.scenario import load

SHORT = {"name": "u", "horizon": {"start": 2024, "end": 2026, "step": "year"}, "runs": 8,
         "seed": 5}  # fmt: skip


def _with_priors(priors: dict[str, dict]) -> object:
    data = load_config().model_dump(mode="json", exclude_none=True)
    for path, prior in priors.items():
        group, _, name = path.partition(".")
        par = data["parameters"][group][name]
        for k in ("sources", "derivation", "observed"):
            par.pop(k, None)
        par["assumption"] = par.get("assumption") or "a test's judgement"
        par["prior"] = {**prior, "reason": "a range for the test, by judgement"}
    return config_from_mapping(data)


INERTIA = {"dist": "uniform", "low": 0.4, "high": 0.8}
NOISE = {"dist": "lognormal", "median": 0.15, "sigma": 0.3}


def test_a_prior_draw_depends_on_the_seed_the_run_and_its_path_alone():
    one = prepare(load(SHORT, config=_with_priors({"kazakhstan.inertia": INERTIA})), point=False)
    two = prepare(load(SHORT, config=_with_priors({"kazakhstan.inertia": INERTIA,
                                                   "kazakhstan.choice_noise": NOISE})),
                  point=False)  # fmt: skip
    a, _ = draw_runs(one, 5, range(8))
    b, _ = draw_runs(two, 5, [7, 3, 0])
    np.testing.assert_array_equal(a.values["kazakhstan.inertia"][[7, 3, 0]],
                                  b.values["kazakhstan.inertia"])  # fmt: skip
    assert np.all((a.values["kazakhstan.inertia"] >= 0.4) & (a.values["kazakhstan.inertia"] <= 0.8))
    assert len(np.unique(a.values["kazakhstan.inertia"])) == 8
    assert prior_stream("kazakhstan.inertia") != prior_stream("kazakhstan.choice_noise")


def test_a_point_config_draws_no_assumption_and_a_scenario_fixes_what_it_names():
    cfg = _with_priors({"kazakhstan.inertia": INERTIA, "kazakhstan.choice_noise": NOISE})
    point = prepare(load(SHORT, config=cfg), point=True)
    assert point.point and point.priors == []
    d, _ = draw_runs(point, 5, range(3))
    assert "kazakhstan.inertia" not in d.values
    fixed = prepare(load({**SHORT, "initial": {"kazakhstan.inertia": 0.5}}, config=cfg),
                    point=False)  # fmt: skip
    assert "kazakhstan.choice_noise" in fixed.priors
    assert "kazakhstan.inertia" not in fixed.priors


def test_run_i_takes_posterior_vector_i_modulo_its_size(tmp_path):
    sample = tmp_path / "post.csv"
    sample.write_text("# test\nkazakhstan.inertia,russia.trade_growth\n0.5,0.01\n0.6,0.02\n"
                      "0.7,0.03\n", encoding="utf-8")  # fmt: skip
    over = tmp_path / "over.yaml"
    base = load_config.__globals__["DEFAULT_CONFIG"]
    over.write_text(f"extends: {base}\nposterior: post.csv\nparameters: {{}}\n",
                    encoding="utf-8")  # fmt: skip
    spec = prepare(load(SHORT, config=load_config(over)), point=False)
    d, _ = draw_runs(spec, 5, [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(d.values["kazakhstan.inertia"], [0.5, 0.6, 0.7] * 2)
    np.testing.assert_array_equal(d.values["russia.trade_growth"], [0.01, 0.02, 0.03] * 2)
    assert len(spec.posterior.digest) == 64
    from simulate.results.files import ensemble_of

    meta = ensemble_of(spec)
    assert meta["mode"] == "ensemble" and meta["posterior"]["vectors"] == 3


@pytest.mark.parametrize("name", ["uniform", "triangular", "truncnormal", "lognormal"])
def test_a_prior_and_its_scipy_form_have_the_same_quantiles(name):
    from simulate.scenarios.parameters import Parameter

    prior = {"uniform": {"dist": "uniform", "low": 0.1, "high": 0.9},
             "triangular": {"dist": "triangular", "low": 0.1, "mode": 0.3, "high": 0.9},
             "truncnormal": {"dist": "truncnormal", "mean": 0.4, "sd": 0.2, "low": 0.1,
                             "high": 0.9},
             "lognormal": {"dist": "lognormal", "median": 0.5, "sigma": 0.3}}[name]  # fmt: skip
    reason = "a range chosen for a test of the quantiles"
    par = Parameter.model_validate({"value": 0.5, "unit": "x", "assumption": "y",
                                    "prior": {**prior, "reason": reason}})
    dist, args = posterior.scipy_rv(par.prior)
    q = np.array([0.05, 0.3, 0.5, 0.9])
    np.testing.assert_allclose(getattr(stats, dist)(*args).ppf(q), inverse_cdf(par.prior, q),
                               rtol=1e-9)  # fmt: skip


# --- outcome classes on observable positions ------------------------------------------------


def _ideals() -> tuple[list[str], np.ndarray, np.ndarray]:
    c = load_config()
    ideal = np.array([[[c.get(f"{p}.ideal_{i}").central for i in c.issue_names]
                       for p in c.powers]])  # fmt: skip
    sal = np.array([[[c.get(f"{p}.salience_{i}").central for i in c.issue_names]
                     for p in c.powers]])  # fmt: skip
    return c.powers, ideal, sal


def _classify(x: list[float]) -> str:
    c = load_config()
    powers, ideal, sal = _ideals()
    share = dyn.agenda_share(dyn.following(np.array([x]), ideal,
                                           np.array([c.get("kazakhstan.follow_distance").value])),
                             sal)  # fmt: skip
    cls = dyn.outcome_class(share, np.array([c.get("kazakhstan.lean_threshold").value]),
                            np.array([c.get("kazakhstan.alignment_threshold").value]))[0]
    labels = ["balanced", *(f"leaning:{p}" for p in powers), *(f"aligned:{p}" for p in powers)]
    return labels[int(np.argmax(cls))]


def test_the_observed_record_2019_to_2023_is_balanced():
    """Positions as the record shows them: enforcement from none (2019-2021) to the
    controls of 2023, the UN votes (abstentions; the one 'no' of April 2022 averaged into
    2022's 0.4), the share of oil avoiding Russia (history: under 4%), security and
    openness to Chinese investment as the config judges them."""
    issues = load_config().issue_names
    assert issues == ["sanctions_enforcement", "war_stance", "route_diversification",
                      "security_integration", "chinese_investment"]  # fmt: skip
    record = {2019: [0.1, 0.5, 0.01, 0.7, 0.6], 2020: [0.1, 0.5, 0.01, 0.7, 0.6],
              2021: [0.1, 0.5, 0.0074, 0.7, 0.6], 2022: [0.3, 0.4, 0.01, 0.7, 0.6],
              2023: [0.5, 0.5, 0.034, 0.7, 0.6]}  # fmt: skip
    for year, x in record.items():
        assert _classify(x) == "balanced", year


def test_the_belarus_line_is_aligned_with_russia_and_open_arms_to_china_lean_to_it():
    assert _classify([0.0, 0.0, 0.0, 1.0, 0.4]) == "aligned:russia"
    assert _classify([0.5, 0.5, 0.03, 0.7, 0.95]) == "leaning:china"
    assert _classify([0.95, 0.75, 0.4, 0.3, 0.3]).endswith(":eu")


@given(st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5), st.floats(0.05, 0.3))
@settings(max_examples=40)
def test_kazakhstan_follows_at_most_one_of_two_rival_powers_on_an_issue(x, distance):
    _, ideal, sal = _ideals()
    f = dyn.following(np.array([x]), ideal, np.array([distance]))
    n = ideal.shape[1]
    for i in range(ideal.shape[2]):
        for p in range(n):
            for q in range(p + 1, n):
                if abs(ideal[0, p, i] - ideal[0, q, i]) > distance:
                    assert f[0, p, i] + f[0, q, i] <= 1
    share = dyn.agenda_share(f, sal)
    assert np.all((share >= 0) & (share <= 1))


def test_a_flip_is_a_change_of_the_likeliest_class_or_a_large_move():
    base = {"balanced": 0.7, "leaning:russia": 0.3}
    assert classes.flips(base, {"balanced": 0.65, "leaning:russia": 0.35}) == []
    assert classes.flips(base, {"balanced": 0.45, "leaning:russia": 0.55}) == [
        "most likely class balanced -> leaning:russia", "P(balanced) 0.700 -> 0.450",
        "P(leaning:russia) 0.300 -> 0.550"]  # fmt: skip


def test_the_threshold_check_reruns_the_same_runs_and_says_whether_anything_flips():
    spec = prepare({**SHORT, "runs": 30})
    res = classes.for_spec(spec, runs=30)
    assert res["runs"] == 30 and len(res["rows"]) == 6
    assert {r["threshold"] for r in res["rows"]} == {f"kazakhstan.{t}" for t in classes.THRESHOLDS}
    assert abs(sum(res["base"].values()) - 1) < 1e-9
    assert "stable" in classes.to_text("u", res) or "FLIPS" in classes.to_text("u", res)


def test_a_class_no_run_reaches_says_how_far_its_threshold_would_have_to_move():
    labels = ["balanced", "leaning:a", "leaning:b", "aligned:a", "aligned:b"]
    agenda = np.array([[0.40, 0.10], [0.55, 0.20], [0.30, 0.35]])
    outcome = dyn.outcome_class(agenda, 0.5, 0.75)
    rows = {r["class"]: r for r in classes.margins(agenda, outcome, labels, ["a", "b"], 0.5, 0.75)}
    assert set(rows) == {"leaning:b", "aligned:a", "aligned:b"}  # leaning:a is reached
    assert rows["leaning:b"]["closest"] == 0.35
    assert rows["leaning:b"]["move"] == pytest.approx(0.35 / 0.5 - 1)  # 30% lower
    assert rows["aligned:a"]["move"] == pytest.approx(0.55 / 0.75 - 1)
    # lowered by that much, the closest run does reach the class
    moved = dyn.outcome_class(agenda, 0.5 * (1 + rows["leaning:b"]["move"]), 0.75)
    assert moved[:, labels.index("leaning:b")].sum() == 1
    text = "\n".join(classes.margins_text(list(rows.values())))
    assert "no run leaning:b" in text and "fall by 30%" in text
    # none balanced: how far lean_threshold would have to rise
    tipped = np.array([[0.6, 0.1], [0.2, 0.7]])
    (row,) = [r for r in classes.margins(tipped, dyn.outcome_class(tipped, 0.5, 0.75), labels,
                                         ["a", "b"], 0.5, 0.75) if r["class"] == "balanced"]
    assert row["move"] == pytest.approx(0.2)
    # past the leaning threshold but always aligned: the threshold is not what keeps it out
    held = np.array([[0.8, 0.1], [0.9, 0.2]])
    (lean_a,) = [r for r in classes.margins(held, dyn.outcome_class(held, 0.5, 0.75), labels,
                                            ["a", "b"], 0.5, 0.75) if r["class"] == "leaning:a"]
    assert lean_a["move"] > 0 and "another class takes them" in classes.margins_text([lean_a])[0]


# --- the pieces of ABC ------------------------------------------------------------------------


def test_systematic_resampling_keeps_the_weights_and_the_distance_is_zero_inside_a_range():
    w = np.array([0.1, 0.0, 0.6, 0.3])
    idx = posterior.systematic_resample(w, 1000, seed=1)
    counts = np.bincount(idx, minlength=4) / 1000
    np.testing.assert_allclose(counts, w, atol=1e-3)
    assert posterior.ess(np.ones(10)) == pytest.approx(10)
    assert posterior.ess(np.array([1.0, 0, 0])) == pytest.approx(1)
    goal = np.array([[1.0, 2.0], [3.0, 3.0]])
    assert posterior.rms_relative_miss(np.array([1.5, 3.0]), goal) == 0.0
    assert posterior.rms_relative_miss(np.array([1.5, 3.3]), goal) == pytest.approx(
        np.sqrt(0.1**2 / 2))


# --- discovery and sensitivity on the ensemble's own inputs ----------------------------------

SHORT_BASE = {"name": "sb", "extends": "baseline", "runs": 300,
              "horizon": {"start": 2024, "end": 2027, "step": "year"}}  # fmt: skip


def test_sensitivity_on_the_ensemble_ranks_every_input_the_runs_drew():
    from simulate.analysis.sensitivity import analyse

    res = analyse(SHORT_BASE, method="ensemble", samples=200, outcome="leverage:russia")
    names = [r["parameter"] for r in res["indices"]]
    assert res["runs"] == 200 and len(names) > 100  # the priors, not only the uncertainties
    assert "russia.capacity_growth" in names and "kazakhstan.inertia" in names
    s1 = [r["S1"] for r in res["indices"]]
    assert s1 == sorted(s1, reverse=True) and np.isfinite(s1).all()


def test_discovery_on_the_ensemble_peels_the_inputs_the_runs_drew():
    from simulate.analysis.discover import discover

    pytest.importorskip("ema_workbench")
    spec = prepare(SHORT_BASE)
    from simulate.model.batch import simulate_runs

    lev = simulate_runs(spec, range(300), spec.scenario.seed)["leverage"][:, -1, 0]
    cut = float(np.quantile(lev, 0.8))
    res = discover(SHORT_BASE, outcome=f"leverage:russia>{cut:.4f}", inputs="ensemble",
                   threshold=0.6, mass_min=0.05)  # fmt: skip
    assert res["inputs"] == "ensemble" and 0.1 < res["share"] < 0.3
    assert res["box"]["density"] > res["share"]
    assert any(r["restricted"] for r in res["box"]["limits"])


def test_given_data_indices_rank_the_input_that_drives_the_output_first_and_repeat():
    from simulate.analysis.sensitivity import given_data_indices

    rng = np.random.default_rng(3)
    x = rng.random((300, 3))
    y = 3.0 * x[:, 1] + 0.1 * rng.random(300)
    rows = given_data_indices(["a", "b", "c"], x, y, seed=7, resamples=5)
    assert [r["parameter"] for r in rows][0] == "b" and rows[0]["S1"] > 0.8
    assert given_data_indices(["a", "b", "c"], x, y, seed=7, resamples=5) == rows
