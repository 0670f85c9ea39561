"""The 2021-2026 backtest scenario plays the known events."""

from __future__ import annotations

import pytest

import simulate

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def history():
    return simulate.run_scenario(SCENARIOS / "history_2021.yaml", runs=60)


def mean(res, var, ent, t):
    return res.at(var, ent, t).mean()


def test_sanctions_exposure_appears_with_the_2022_sanctions(history):
    assert mean(history, "sanctions_exposure", "", 2021.75) == 0.0
    assert mean(history, "sanctions_exposure", "", 2022.5) > 0.01


def test_china_trade_grows_from_2021_to_2022(history):
    assert mean(history, "trade", "china", 2022.75) > 1.15 * mean(history, "trade", "china", 2021.0)


def test_russia_trade_and_capacity_fall_after_the_invasion(history):
    assert mean(history, "trade", "russia", 2023.75) < mean(history, "trade", "russia", 2021.75)
    assert mean(history, "capacity", "russia", 2023.75) < 0.85 * mean(history, "capacity",
                                                                       "russia", 2021.75)


def test_compliance_grows_in_2023(history):
    assert mean(history, "compliance", "", 2023.75) > mean(history, "compliance", "", 2022.0) + 0.1


def test_druzhba_carries_oil_only_from_2023(history):
    assert mean(history, "oil_route_share", "druzhba", 2022.75) == 0.0
    assert mean(history, "oil_route_share", "druzhba", 2023.5) > 0.0


def test_history_validates_and_starts_from_the_2021_figures():
    from click.testing import CliRunner

    from simulate.cli import main
    from simulate.runner import prepare

    r = CliRunner().invoke(main, ["validate", str(SCENARIOS / "history_2021.yaml")])
    assert r.exit_code == 0, r.output
    spec = prepare(SCENARIOS / "history_2021.yaml")
    assert spec.times[0] == 2021.0 and spec.dt == 0.25 and spec.times[-1] == 2026.75
    assert spec.base["china.trade"] == pytest.approx(31.17 / 1.236, abs=0.05)
    assert {e.type for e in spec.events} >= {"sanctions_package", "capacity_shift"}


def test_history_description_quotes_the_articles_verbatim():
    import re

    from .conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    texts = {p.name[:3]: " ".join(p.read_text(encoding="utf-8").split())
             for p in SEEDS.glob("*.txt")}  # fmt: skip
    description = simulate.scenario.load(SCENARIOS / "history_2021.yaml").scenario.description
    found = re.findall(r'"([^"]+)",? seed (\d{3})', " ".join(description.split()))
    assert len(found) >= 4
    for quote, seed in found:
        assert quote in texts[seed], (seed, quote)
