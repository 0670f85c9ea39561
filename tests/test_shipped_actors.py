"""The shipped optional actors: Turkey, the United States, Azerbaijan and Georgia.

Each figure is sourced (a verbatim seed quote, an observed figure of the history file) or
an assumption with a prior (or a stated reason to take none); with all of them the model
keeps its rest point and its two drivers agree.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.analysis.history import load_history
from simulate.analysis.startstate import check_start
from simulate.cli.main import main
from simulate.model.batch import simulate_runs
from simulate.model.mesa_model import BalancingModel
from simulate.model.preparation import prepare
from simulate.scenarios import actors
from simulate.scenarios.parameters import domain, load_config, prior_support

from .conftest import SEEDS
from .test_rest import drift, median_drift, still

SHIPPED = ("turkey", "usa", "azerbaijan", "georgia")


@pytest.fixture(scope="module")
def everyone():
    """The default config with every shipped actor."""
    return actors.with_actors(load_config(), SHIPPED)


def test_the_four_actors_ship_as_files():
    assert set(SHIPPED) <= set(actors.shipped_names())
    kinds = {n: actors.read(actors.locate(n))[0].kind for n in SHIPPED}
    assert kinds == {"turkey": "power", "usa": "power", "azerbaijan": "transit",
                     "georgia": "transit"}  # fmt: skip


def test_every_quote_of_a_shipped_actor_appears_verbatim_in_its_seed(everyone):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    norm = lambda t: " ".join(t.split())  # noqa: E731
    texts = {p.name: norm(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    n = 0
    for name in SHIPPED:
        for key, par in everyone.parameters[name].items():
            for src in par.sources or []:
                assert norm(src.quote) in texts[src.seed], f"{name}.{key}: quote not verbatim"
                n += 1
    assert n >= 4


def test_every_assumption_of_a_shipped_actor_has_a_prior_or_says_why_not(everyone):
    for name in SHIPPED:
        for key, par in everyone.parameters[name].items():
            if par.assumption:
                assert par.prior is not None or par.no_prior, f"{name}.{key}"
            if par.prior is not None:
                lo, hi = prior_support(par.prior)
                dlo, dhi = domain(f"{name}.{key}")
                assert dlo <= lo < hi <= dhi, f"{name}.{key}: prior outside the domain"


def test_every_observed_figure_of_a_shipped_actor_is_its_history_figure(everyone):
    check_start(everyone, load_history())
    observed = [f"{n}.{k}" for n in SHIPPED for k, p in everyone.parameters[n].items()
                if p.observed is not None]  # fmt: skip
    assert {"turkey.trade", "turkey.fdi_inflow", "usa.trade", "usa.fdi_inflow"} <= set(observed)


def test_nothing_a_shipped_actor_cites_is_for_a_year_after_2023(everyone):
    history = load_history()
    for name in SHIPPED:
        for par in everyone.parameters[name].values():
            if par.observed is not None:
                assert par.observed.year <= history.cutoff_year == 2023


def test_russias_reach_over_the_caspian_route_comes_with_the_transit_states(everyone):
    paths = {r: everyone.path(r) for r in ("trans_caspian", "middle_corridor")}
    assert all({"turkey", "azerbaijan", "georgia"} <= set(p) for p in paths.values())
    assert everyone.reach("azerbaijan", "russia") and everyone.reach("georgia", "russia")


ALL = dict(actors=list(SHIPPED))


def test_with_every_shipped_actor_the_two_drivers_agree():
    spec = prepare({"name": "everyone", "horizon": {"start": 2024, "end": 2030, "step": "quarter"},
                    "runs": 3, "seed": 4, **ALL, "events": [
                        {"type": "coercion_campaign", "target": "usa", "at": 2025.0,
                         "duration": 1.0, "magnitude": 0.3},
                        {"type": "coercion_campaign", "target": "russia", "at": 2026.0,
                         "instrument": "transit_disruption", "duration": 0.5,
                         "magnitude": 0.4}]})  # fmt: skip
    batch = simulate_runs(spec, [0, 1, 2], 4)
    for i in (0, 2):
        mesa_run = BalancingModel.from_spec(spec, run=i).run()
        for name, arr in batch.items():
            np.testing.assert_allclose(mesa_run[name], arr[i], atol=1e-9, rtol=0, err_msg=name)


def test_with_every_shipped_actor_nothing_moves_without_noise_for_ten_years():
    spec = prepare(still(parameters={"kazakhstan.choice_noise": 0.0}, **ALL))
    worst = drift(simulate_runs(spec, range(3), 11))
    assert max(worst.values()) < 1e-9, {k: v for k, v in worst.items() if v >= 1e-9}


def test_with_every_shipped_actor_the_median_stays_within_001_for_ten_years():
    spec = prepare(still(runs=300, **ALL))
    worst = median_drift(simulate_runs(spec, range(300), 11))
    for name, moved in worst.items():
        bound = 0.015 if name in ("oil_route_flow", "oil_route_utilisation") else 0.01
        assert moved < bound, (name, moved)


def test_params_shows_an_added_actor_with_its_sources():
    r = CliRunner().invoke(main, ["params", "--add", "turkey", "-a", "turkey", "--json"])
    assert r.exit_code == 0, r.output
    rows = {row["parameter"]: row for row in json.loads(r.output)}
    assert rows["turkey.trade"]["basis"] == "OBSERVED 2023"
    assert rows["turkey.identity_tie"]["sources"][0]["seed"].startswith("004")
    assert rows["turkey.sanctioned"]["no_prior"].startswith("A 0/1 flag")
    r = CliRunner().invoke(main, ["params", "--add", "usa", "--at-start", "-a", "usa"])
    assert r.exit_code == 0, r.output
    assert "trade_usa 2023" in r.output
