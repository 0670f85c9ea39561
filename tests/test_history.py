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
