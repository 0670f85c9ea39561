"""Parameters and their provenance: every quote verbatim, every figure of the brief present."""

from __future__ import annotations

import pytest

from simulate.scenarios.parameters import domain

from .conftest import SEEDS


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed_texts():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return {p.name: _norm(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


def test_every_quote_appears_verbatim_in_its_seed(config, seed_texts):
    n = 0
    for path in config.paths():
        for src in config.get(path).sources or []:
            assert src.seed in seed_texts, f"{path}: unknown seed file {src.seed}"
            assert _norm(src.quote) in seed_texts[src.seed], f"{path}: quote not verbatim"
            n += 1
    assert n >= 40


def test_every_parameter_has_a_unit_and_one_kind_of_provenance(config):
    for path in config.paths():
        p = config.get(path)
        assert p.unit
        assert bool(p.sources) != bool(p.assumption), path


def test_model_parameters_lie_in_their_domain(config):
    for path in config.paths():
        p = config.get(path)
        if p.role == "model":
            lo, hi = domain(path)
            assert lo <= p.central <= hi, path


APPENDIX = {
    "russia.trade": 24.2, "eu.trade_balance_2021": 12.7, "eu.trade_share_2021": 0.30,
    "eu.italy_export_share": 0.16, "kazakhstan.oil_to_europe_share": 0.70,
    "kazakhstan.europe_oil_via_russia_share": 0.80, "cpc.length_km": 1511,
    "druzhba.system_capacity": 2, "china.trade": 31.17, "china.trade_growth_2022": 0.236,
    "china.bri_pledge_share_2023": 0.15, "china.bri_pledges_2023": 16,
    "kazakhstan.fdi_inflow_2022": 6.1, "kazakhstan.fdi_growth_2022": 0.83,
    "russia.fdi_result_2022": -18.7, "eu.fdi_share": 0.40, "kazakhstan.fdi_cumulative": 400,
    "kazakhstan.central_asia_fdi_share": 0.70, "middle_corridor.time_reduction": 0.5,
    "middle_corridor.cost": 20, "russia.border_km": 7000, "china.border_km": 1500,
    "russia.identity_tie": 0.15, "eu.carbon_energy_share": 0.08,
    "kazakhstan.products_halted_2023": 100, "russia.nonoil_export_share": 0.40,
}  # fmt: skip


@pytest.mark.parametrize("path", sorted(APPENDIX))
def test_appendix_figure_is_carried_with_its_source(config, path):
    p = config.get(path)
    assert p.sources, f"{path} should cite an article"
    assert p.central == pytest.approx(APPENDIX[path])


def test_every_sourced_model_parameter_says_how_its_quote_gives_the_value(config):
    sourced = [p for p in config.paths()
               if config.get(p).sources and config.get(p).role == "model"]  # fmt: skip
    assert len(sourced) >= 6
    for path in sourced:
        assert len((config.get(path).derivation or "").split()) >= 8, path


def test_the_fdi_stock_is_not_the_cumulative_inflow(config):
    """'over $400 billion' attracted in a quarter-century is a flow, kept for reference."""
    assert config.get("kazakhstan.fdi_cumulative").role == "reference"
    assert config.get("eu.fdi_inflow").central == pytest.approx(0.40 * 400 / 25)


def test_every_issue_has_observable_ends_and_every_power_an_ideal_and_salience(config):
    for name, issue in config.issues.items():
        assert len(issue.zero.split()) >= 4 and len(issue.one.split()) >= 4, name
        for p in config.powers:
            assert 0 <= config.get(f"{p}.ideal_{name}").central <= 1
            assert 0 <= config.get(f"{p}.salience_{name}").central <= 1
        assert config.has(f"{config.hedger}.position_{name}")


def test_largest_trade_partner_disagreement_is_a_range_citing_both_sides(config):
    p = config.get("eu.trade")
    assert p.is_range
    seeds = {s.seed[:3] for s in p.sources}
    assert "000" in seeds and ({"002", "003"} & seeds)
    assert p.low < config.get("russia.trade").central < p.high
