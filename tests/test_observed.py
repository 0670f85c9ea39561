"""Observed figures against model outputs: mapping, annual means, scores, directions."""

from __future__ import annotations

import numpy as np
import pytest

from simulate.analysis import observed as obs
from simulate.analysis.history import load_history
from simulate.errors import InputError
from simulate.running.runner import prepare

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def history():
    return load_history()


def test_every_mapping_of_the_shipped_history_names_a_model_output(history):
    spec = prepare(SCENARIOS / "history_2021.yaml", runs=1)
    obs.check_mappings(history, None, spec.entities_of)  # raises if not


def test_figures_are_the_mapped_observations_of_the_years(history):
    held = obs.figures(history, [2023])
    assert [f.series for f in held] == [
        "trade_russia", "trade_china", "oil_exports_total", "oil_route_druzhba",
        "oil_route_china_pipeline", "oil_route_trans_caspian", "corridor_volume",
        "corridor_transit_days", "fdi_inflow_russia", "fdi_inflow_china"]
    china = held[1]
    assert (china.low, china.high, china.observed) == (31.4, 41.0, "31.4–41")
    assert held[2].variable == "oil_route_flow" and held[2].entity == "*"
    assert all(history.series[f.series].model is not None for f in held)
    assert not obs.figures(history, [2018])


def test_annual_means_the_year_and_sums_the_columns():
    times = 2021 + np.arange(24) / 12
    arr = np.arange(2 * 24 * 3, dtype=float).reshape(2, 24, 3)
    got = obs.annual({"v": arr}, times, [0, 2], "v", 2022)
    assert got == pytest.approx((arr[:, 12:24, 0] + arr[:, 12:24, 2]).mean(axis=1))
    with pytest.raises(ValueError, match="2024"):
        obs.annual({"v": arr}, times, [0], "v", 2024)
    assert obs.columns(["a", "b", "c"], "*") == [0, 1, 2] and obs.columns(["a", "b"], "b") == [1]


def test_misses_are_zero_inside_and_relative_to_the_nearest_bound():
    assert obs.relative_miss([1.0, 3.0, 8.0, 5.0], [2, 2, 2, 5], [4, 4, 4, 5]) == \
        pytest.approx([-0.5, 0.0, 1.0, 0.0])  # fmt: skip
    assert obs.absolute_miss(1.0, 2.0, 4.0) == -1.0 and obs.absolute_miss(3.0, 2.0, 4.0) == 0.0
    assert obs.absolute_miss(6.0, 2.0, 4.0) == 2.0


def test_directions_need_ranges_that_do_not_overlap():
    assert obs.observed_direction((24.5, 24.5), (26.0, 28.5)) == "up"
    assert obs.observed_direction((26.0, 28.5), (24.5, 24.5)) == "down"
    assert obs.observed_direction((18.0, 25.25), (24.1, 31.2)) == "unclear"
    assert obs.model_direction(0.1, 10.0) == "up" and obs.model_direction(-0.1, 10.0) == "down"
    assert obs.model_direction(1e-9, 10.0) == "flat"


def test_a_mapping_to_an_entity_the_output_lacks_names_its_line(history, tmp_path):
    from simulate.analysis.history import DEFAULT_HISTORY

    text = DEFAULT_HISTORY.read_text(encoding="utf-8").replace(
        "model: {variable: position, entity: war_stance}",
        "model: {variable: position, entity: war}")  # fmt: skip
    bad = tmp_path / "h.yaml"
    bad.write_text(text, encoding="utf-8")
    spec = prepare(SCENARIOS / "history_2021.yaml", runs=1)
    with pytest.raises(InputError, match=r"h\.yaml:\d+: un_votes\.model\.entity: position has"):
        obs.check_mappings(load_history(bad), bad, spec.entities_of)
