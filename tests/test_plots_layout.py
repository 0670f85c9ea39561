"""Figure layout: legends stay inside the figure, however long the scenario names."""

from __future__ import annotations

import pytest

from simulate.analysis import plots
from simulate.results.files import load_results

from .analysis_files import make


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("layout")
    return [
        load_results(make(tmp, name, runs=5, end=2025))
        for name in ("base", "a_rather_long_scenario_name")
    ]


@pytest.mark.parametrize("entity", [None, "russia"])
@pytest.mark.parametrize("files", [1, 2])
def test_the_fan_chart_legend_fits_inside_the_figure(results, entity, files):
    fig = plots.fan_figure(results[-files:], "leverage", entity)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box, legend = fig.bbox, fig.legends[0].get_window_extent(renderer)
    try:
        assert box.x0 - 1 <= legend.x0 and legend.x1 <= box.x1 + 1, (legend, box)
    finally:
        plots.to_bytes(fig)  # closes it
