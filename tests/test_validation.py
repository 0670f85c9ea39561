"""Pattern-oriented validation: the patterns the articles describe, on seeded ensembles.

Each test is one pattern of docs/VALIDATION.md. A pattern the model does not
reproduce is marked xfail(strict=True) with the reason, not bent to pass.
"""

from __future__ import annotations

import pytest

import simulate

from .conftest import SCENARIOS

RUNS = 200


@pytest.fixture(scope="module")
def baseline():
    return simulate.run_scenario(SCENARIOS / "baseline.yaml", runs=RUNS)


def _with_event(event: dict):
    data = {"name": "pattern", "description": "validation",
            "extends": str(SCENARIOS / "baseline.yaml"), "events": [event]}  # fmt: skip
    return simulate.run_scenario(data, runs=RUNS)


def _mean(res, var, ent, t):
    return float(res.at(var, ent, t).mean())


def test_a_kazakhstan_keeps_its_balance_in_most_runs_through_2030(baseline):
    assert _mean(baseline, "captured", "", 2030.0) < 0.5
    assert _mean(baseline, "balance_index", "", 2030.0) > 0.8


def test_b_europes_oil_keeps_crossing_russia_while_the_cpc_dominates(baseline):
    f = baseline.frame
    shares = f[f.variable == "oil_route_share"].groupby(["time", "entity"]).value.mean().unstack()
    assert (shares.idxmax(axis=1) == "cpc").all()
    assert f.loc[f.variable == "oil_via_russia_share", "value"].min() >= 0.5
    across = shares.cpc + shares.druzhba + shares.makhachkala
    europe = across / (across + shares.trans_caspian)
    assert europe.min() >= 0.75  # "around 80% of Kazakhstan's oil exports to Europe"


def test_c_chinas_trade_weight_rises(baseline):
    assert _mean(baseline, "trade_share", "china", 2040.75) > _mean(baseline, "trade_share",
                                                                     "china", 2024.0)


def test_d_russia_cannot_force_kazakhstan_to_change_course(baseline):
    """Five years of Russian pressure at the ceiling of what it can sustain (half of its
    capacity, 0.4 today) on every instrument it holds."""
    coerced = _with_event({"type": "coercion_campaign", "target": "russia", "at": 2025.0,
                           "duration": 5.0, "magnitude": 0.4})  # fmt: skip
    assert _mean(coerced, "captured", "", 2030.0) < 0.05
    assert coerced.at("alignment", "russia", 2030.0).max() < 0.6
    assert _mean(coerced, "alignment", "russia", 2030.0) - _mean(
        baseline, "alignment", "russia", 2030.0) < 0.05


@pytest.mark.xfail(strict=True, reason="the observed start has China's FDI inflow at 1.81 "
                   "USD bn (2023) against 12.5 from the EU and 12.6 from the rest (2022): a "
                   "6% share of the stock gives an investment leverage of about 0.048, under "
                   "the pattern's 0.05 (see docs/VALIDATION.md, pattern e)")
def test_e_chinese_investment_gives_beijing_leverage(baseline):
    assert _mean(baseline, "leverage_investment", "china", 2030.0) > 0.05


@pytest.mark.xfail(strict=True, reason="a freeze campaign is carried out: it cuts Chinese "
                   "investment, and the ties it removes outweigh what the pressure wins "
                   "(see docs/VALIDATION.md, pattern e')")
def test_e_a_threat_of_terminated_investment_moves_kazakhstan():
    """Measured where Chinese investment is large (china_dependency): a three-year freeze."""
    dependent = simulate.run_scenario(SCENARIOS / "china_dependency.yaml", runs=RUNS)
    frozen = simulate.run_scenario(
        {"name": "pattern", "description": "validation",
         "extends": str(SCENARIOS / "china_dependency.yaml"),
         "events": [{"type": "coercion_campaign", "target": "china", "at": 2030.0,
                     "duration": 3.0, "magnitude": 0.5, "instrument": "investment_freeze"}]},
        runs=RUNS)  # fmt: skip
    assert _mean(frozen, "alignment", "china", 2033.0) > _mean(
        dependent, "alignment", "china", 2033.0) + 0.01


def test_f_kazakhstan_tightens_compliance_to_avoid_secondary_sanctions(baseline):
    tight = simulate.run_scenario(SCENARIOS / "sanctions_tightening.yaml", runs=RUNS)
    assert _mean(baseline, "compliance", "", 2030.0) > _mean(baseline, "compliance", "", 2024.0)
    assert _mean(tight, "compliance", "", 2030.0) > _mean(baseline, "compliance", "", 2030.0)
    assert _mean(tight, "pressure_secondary_sanctions", "eu", 2030.0) > _mean(
        baseline, "pressure_secondary_sanctions", "eu", 2030.0)


def test_the_quotes_of_docs_validation_are_verbatim():
    import re

    from .conftest import ROOT, SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    texts = {p.name[:3]: " ".join(p.read_text(encoding="utf-8").split())
             for p in SEEDS.glob("*.txt")}  # fmt: skip
    doc = (ROOT / "docs" / "VALIDATION.md").read_text(encoding="utf-8")
    quotes = doc.split("## Quotes", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r'"([^"]+)"[^"(]*\((\d{3})\)', " ".join(quotes.split()))
    assert len(found) >= 8
    for quote, seed in found:
        assert quote in texts[seed], (seed, quote)
