"""The history scenario: the observed state of 2021 at the start, the known events of 2022.

What a user of ``scenarios/history_2021.yaml`` relies on: it starts from the 2021
figures of ``configs/history.yaml``, plays each known event where and when it happened
(and not the court order, which stopped no oil), and leaves what followed in 2023 to the
model.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulate
from simulate.analysis.history import load_history
from simulate.running.runner import prepare

from .conftest import SCENARIOS

PATH = SCENARIOS / "history_2021.yaml"


@pytest.fixture(scope="module")
def history():
    return simulate.run_scenario(PATH, runs=60)


@pytest.fixture(scope="module")
def spec():
    return prepare(PATH)


def mean(res, var, ent, t):
    return res.at(var, ent, t).mean()


def month(year: int, m: int) -> float:
    return year + (m - 1) / 12


def test_history_starts_from_the_2021_figures_by_month(spec):
    h = load_history()
    assert spec.times[0] == 2021.0 and spec.dt == pytest.approx(1 / 12)
    assert spec.times[-1] == pytest.approx(2026 + 11 / 12)
    assert spec.rest["russia.trade"] == h.observed("trade_russia", 2021)[0] == 24.5
    china = next(u for u in spec.scenario.uncertainties if u.parameter == "china.trade")
    assert (china.low, china.high) == h.observed("trade_china", 2021)
    assert spec.rest["russia.capacity"] == 1.0  # the index is 1 in 2021
    assert spec.rest["kazakhstan.sanctions_intensity"] == 0.0  # no sanctions before the war
    # 2021 FDI from the 2022 figures and the falls printed with them
    assert spec.rest["russia.fdi_inflow"] == pytest.approx(1.5 / (1 - 0.197), abs=0.01)
    assert spec.rest["china.fdi_inflow"] == pytest.approx(1.4 / (1 - 0.224), abs=0.01)


def test_each_known_event_is_played_when_it_happened(spec):
    events = {(e.type, round(e.start, 2)) for e in spec.events}
    assert ("security_shift", 2022.0) in events  # CSTO deployment, January 2022
    assert ("sanctions_package", 2022.15) in events  # 24 February 2022
    assert ("capacity_shift", 2022.15) in events
    cpc = spec.routes.index("cpc")
    outages = [e for e in spec.events if e.type == "route_disruption"]
    assert all(e.index == cpc for e in outages) and len(outages) == 3

    def hit(t: float) -> list[float]:
        return [e.magnitude for e in outages if e.start <= t < e.end]

    assert hit(month(2022, 3)) == [] and hit(month(2022, 4)) == [0.67]  # storm from 22 March
    assert hit(month(2022, 5)) == [0.67] and hit(month(2022, 6)) == [0.22]  # mines, 10 days
    assert hit(month(2022, 7)) == []  # the court order of July stopped no oil: not played
    assert hit(month(2022, 8)) == [] and hit(month(2022, 9)) == [0.67]  # moorings repair
    assert hit(month(2022, 10)) == []


def test_the_cpc_carries_less_during_the_outages_and_recovers(history):
    def cpc(m):
        return mean(history, "oil_route_flow", "cpc", month(2022, m))

    assert cpc(4) < 0.5 * cpc(3) and cpc(9) < 0.5 * cpc(8)
    assert cpc(10) > 0.9 * cpc(3)
    assert mean(history, "oil_route_flow", "cpc", month(2022, 7)) > 0.9 * cpc(3)


def test_druzhba_carries_oil_throughout(history):
    """The deliveries to Germany are a redirection inside the route, not a new route."""
    for t in (2021.0, month(2022, 6), month(2023, 6)):
        assert mean(history, "oil_route_flow", "druzhba", t) > 1.0


def test_sanctions_exposure_appears_with_the_2022_sanctions(history):
    assert mean(history, "sanctions_exposure", "", month(2022, 2)) == 0.0
    assert mean(history, "sanctions_exposure", "", month(2022, 3)) > 0.01


def test_russias_capacity_falls_by_a_fifth_after_the_invasion(history):
    before = mean(history, "capacity", "russia", month(2022, 2))
    assert mean(history, "capacity", "russia", month(2023, 6)) < 0.82 * before


def test_the_csto_deployment_raises_russias_security_leverage_in_january_2022(history):
    jan = mean(history, "leverage_security", "russia", 2022.0)
    assert jan > 1.2 * mean(history, "leverage_security", "russia", month(2021, 12))
    assert jan > 1.2 * mean(history, "leverage_security", "russia", month(2022, 2))


def test_compliance_rises_without_being_imposed(history, spec):
    """Export controls in 2023 are the model's to produce: no event touches enforcement."""
    assert not [e for e in spec.events if e.type == "coercion_campaign"]
    start = mean(history, "compliance", "", 2021.0)
    assert mean(history, "compliance", "", month(2023, 6)) > start + 0.02
    assert mean(history, "compliance", "", month(2023, 6)) > mean(history, "compliance", "",
                                                                  month(2022, 6))


def test_corridor_freight_rises_with_the_sanctions_risk_premium_over_its_ramp(history, spec):
    """No event acts on the corridor: the northern route's risk premium moves the freight,
    which shippers take up over months (the corridor's ramp), not at once."""
    assert not [p for p in spec.paths if p.startswith("middle_corridor.")]
    vol = lambda m, y=2022: mean(history, "corridor_volume", "", month(y, m))  # noqa: E731
    assert vol(2) == pytest.approx(0.6)
    assert 1.3 * 0.6 < vol(6) < vol(12) < vol(12, 2023)


def test_the_war_stance_stays_an_abstention_in_every_run(history):
    for t in (month(2022, 3), month(2022, 10), month(2023, 2)):
        v = history.at("position", "war_stance", t)
        assert np.all((v > 0.25) & (v < 0.75))


def test_history_validates():
    from click.testing import CliRunner

    from simulate.cli.main import main

    r = CliRunner().invoke(main, ["validate", str(PATH)])
    assert r.exit_code == 0, r.output


def test_history_description_quotes_the_articles_verbatim():
    import re

    from .conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    texts = {p.name[:3]: " ".join(p.read_text(encoding="utf-8").split())
             for p in SEEDS.glob("*.txt")}  # fmt: skip
    description = simulate.scenarios.scenario.load(PATH).scenario.description
    found = re.findall(r'"([^"]+)",? seed (\d{3})', " ".join(description.split()))
    assert len(found) >= 4
    for quote, seed in found:
        assert quote in texts[seed], (seed, quote)
