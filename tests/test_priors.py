"""Priors: every assumption of the default config has one, or a stated reason to have none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.io import yamlio
from simulate.scenarios.parameters import NO_PRIOR, domain, load_config, prior_support

ROOT = Path(__file__).resolve().parents[1]


def _assumptions(config) -> list[str]:
    return [p for p in config.paths()
            if config.get(p).role == "model" and config.get(p).assumption]  # fmt: skip


def test_every_model_assumption_has_a_prior_or_a_listed_reason(config):
    missing = [p for p in _assumptions(config)
               if config.get(p).prior is None and p not in NO_PRIOR]  # fmt: skip
    assert not missing, f"assumptions without a prior and not in NO_PRIOR: {missing}"
    both = [p for p in NO_PRIOR if config.has(p) and config.get(p).prior is not None]
    assert not both, f"listed in NO_PRIOR yet given a prior: {both}"


def test_the_no_prior_list_names_only_assumptions_of_the_config(config):
    assumed = set(_assumptions(config))
    stale = [p for p in NO_PRIOR if p not in assumed]
    assert not stale, f"NO_PRIOR names what is not a model assumption of the config: {stale}"
    assert len(NO_PRIOR) < len(assumed) / 5  # the exceptions stay few


def test_priors_belong_to_model_assumptions_only(config):
    for path in config.paths():
        p = config.get(path)
        if p.prior is not None:
            assert p.assumption and p.role == "model", path


def test_each_prior_holds_its_value_and_lies_in_its_domain(config):
    n = 0
    for path in config.paths():
        p = config.get(path)
        if p.prior is None:
            continue
        lo, hi = prior_support(p.prior)
        dlo, dhi = domain(path)
        assert dlo <= lo < hi <= dhi, f"{path}: prior [{lo:g}, {hi:g}] outside [{dlo}, {dhi}]"
        values = [p.value] if p.value is not None else [p.low, p.high]
        assert all(lo <= v <= hi for v in values), f"{path}: {values} outside its prior"
        if p.prior.dist == "triangular":
            assert lo <= p.prior.mode <= hi, path
        if p.prior.dist == "truncnormal":
            assert lo <= p.prior.mean <= hi, path
        n += 1
    assert n >= 100


def test_each_reason_says_why_in_six_words_or_more(config):
    for path in config.paths():
        prior = config.get(path).prior
        if prior is not None:
            assert len(prior.reason.split()) >= 6, path
    for path, reason in NO_PRIOR.items():
        assert len(reason.split()) >= 6, path


def test_the_calibration_bounds_lie_inside_the_priors(config):
    """A fit stays in its bounds, so the fitted config never holds a value its prior refuses."""
    targets = yamlio.load_file(ROOT / "configs" / "targets.yaml").data
    for path, (lo, hi) in targets["bounds"].items():
        prior = config.get(path).prior
        assert prior is not None, f"{path} is calibrated but has no prior"
        plo, phi = prior_support(prior)
        assert plo <= lo and hi <= phi, f"{path}: bounds [{lo}, {hi}] beyond the prior"


def test_the_shipped_calibrated_overlay_keeps_the_priors():
    cal, default = load_config(ROOT / "configs" / "calibrated.yaml"), load_config()
    assert all(cal.get(p).prior == default.get(p).prior for p in default.paths())


def test_the_config_lists_the_assumptions_without_a_prior_in_a_comment():
    text = (ROOT / "configs" / "default.yaml").read_text(encoding="utf-8")
    head = text.split("\nparameters:\n", 1)[1].split("\n  kazakhstan:\n", 1)[0]
    assert "Assumptions without a prior" in head and "NO_PRIOR" in head
    for path in NO_PRIOR:
        assert path.rpartition(".")[2] in head, path


@pytest.fixture(scope="module")
def cli():
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args])


def test_params_shows_each_prior_and_why_some_have_none(cli):
    r = cli("params", "--actor", "kazakhstan")
    assert r.exit_code == 0, r.output
    header = r.output.splitlines()[0].split()
    assert "prior" in header
    assert "tri(0.4, 0.6, 0.8)" in r.output and "logN(med 0.5, \u03c3 0.5)" in r.output
    assert "no prior" in r.output and "MISSING" not in r.output
    r = cli("params", "--actor", "russia", "--sources")
    assert "PRIOR TN(0, 0.05; -0.15, 0.15): Trade with Russia stagnating" in r.output
    r = cli("params", "--actor", "kazakhstan", "--sources")
    assert "NO PRIOR: A unit conversion" in r.output
    rows = {row["parameter"]: row for row in json.loads(cli("params", "--json").output)}
    inertia = rows["kazakhstan.inertia"]
    assert inertia["prior"]["dist"] == "triangular" and inertia["prior_label"]
    assert len(inertia["prior"]["reason"].split()) >= 6
    assert rows["kazakhstan.barrels_per_tonne"]["no_prior"] == NO_PRIOR[
        "kazakhstan.barrels_per_tonne"]
    assert rows["russia.trade"]["prior"] is None and rows["russia.trade"]["no_prior"] is None
