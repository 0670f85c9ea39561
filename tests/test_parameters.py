"""Parameters and their provenance: every quote verbatim, every figure of the brief present."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulate.errors import InputError
from simulate.scenarios.parameters import domain, load_config

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
    """Sourced (a seed quote), assumed (a reason), or observed (a history figure, with any
    seed quote it replaced kept beside it as a reference)."""
    for path in config.paths():
        p = config.get(path)
        assert p.unit
        if p.observed is not None:
            assert not p.assumption, path
        else:
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


#: Article figures that a later observed figure replaced as the value; the quote stays.
REPLACED = {"russia.trade": "$24.2 billion", "china.trade": "$31.17 billion"}


@pytest.mark.parametrize("path", sorted(APPENDIX))
def test_appendix_figure_is_carried_with_its_source(config, path):
    p = config.get(path)
    assert p.sources, f"{path} should cite an article"
    if path in REPLACED:  # the observed 2023 is used, the article's figure kept as reference
        assert p.observed is not None and p.observed.year == 2023
        assert any(REPLACED[path] in src.quote for src in p.sources)
        assert str(APPENDIX[path]) in (p.derivation or "")
    else:
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
    eu = config.get("eu.fdi_inflow")  # an inflow: observed (2022), the articles' average kept
    assert eu.observed is not None and eu.observed.series == ["fdi_inflow_eu"]
    assert "6.4" in eu.derivation and f"{0.40 * 400 / 25:g}" == "6.4"


def test_every_issue_has_observable_ends_and_every_power_an_ideal_and_salience(config):
    for name, issue in config.issues.items():
        assert len(issue.zero.split()) >= 4 and len(issue.one.split()) >= 4, name
        for p in config.powers:
            assert 0 <= config.get(f"{p}.ideal_{name}").central <= 1
            assert 0 <= config.get(f"{p}.salience_{name}").central <= 1
        assert config.has(f"{config.hedger}.position_{name}")


def test_largest_trade_partner_disagreement_is_kept_and_settled_by_the_record(config):
    """The articles disagree (Russia, seed 000; the EU, seeds 002 and 003): both sides'
    quotes stay on the EU's trade, whose value is the observed figure that settles it."""
    p = config.get("eu.trade")
    seeds = {s.seed[:3] for s in p.sources}
    assert "000" in seeds and ({"002", "003"} & seeds)
    assert p.observed is not None and p.observed.series == ["trade_eu"]
    assert p.central > config.get("russia.trade").high


def test_an_overlay_changes_only_what_it_names_and_keeps_the_rest(tmp_path):
    base = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
    over = tmp_path / "over.yaml"
    over.write_text(f"extends: {base}\nname: over\nparameters:\n  russia:\n"
                    "    capacity_growth:\n      value: -0.02\n"
                    "      assumption: a test's judgement\n  eu:\n    trade:\n"
                    "      low: 30\n      high: 40\n      assumption: a range instead\n",
                    encoding="utf-8")  # fmt: skip
    cfg, default = load_config(over), load_config(base)
    assert cfg.name == "over" and cfg.get("russia.capacity_growth").value == -0.02
    eu = cfg.get("eu.trade")
    assert (eu.value, eu.low, eu.high) == (None, 30, 40)
    assert eu.observed is None and eu.sources is None  # new provenance replaces the old
    assert cfg.get("russia.capacity_growth").unit == default.get("russia.capacity_growth").unit
    others = [p for p in default.paths() if p not in ("russia.capacity_growth", "eu.trade")]
    assert all(cfg.get(p) == default.get(p) for p in others)


def test_overlays_that_form_a_cycle_are_refused_with_the_line(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\nparameters: {}\n", encoding="utf-8")
    b.write_text("extends: a.yaml\nparameters: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="cycle") as e:
        load_config(a)
    assert e.value.field == "extends" and e.value.line == 1


def test_the_shipped_calibrated_config_is_an_overlay_of_the_fitted_values_only():
    root = Path(__file__).resolve().parents[1] / "configs"
    text = (root / "calibrated.yaml").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 80 and "extends: default.yaml" in text
    cal, default = load_config(root / "calibrated.yaml"), load_config(root / "default.yaml")
    changed = [p for p in default.paths() if cal.get(p) != default.get(p)]
    assert changed and all(default.get(p).calibrate for p in changed)
