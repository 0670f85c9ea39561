"""A run's disk and memory are estimated before it starts; one that cannot fit is refused."""

from __future__ import annotations

import time

from click.testing import CliRunner

import simulate
from simulate.cli.main import main
from simulate.io import resources

from .conftest import SCENARIOS, write

HUGE = """\
name: huge
description: the documented limits at their largest
horizon: {start: 2024, end: 2123, step: month}
runs: 1000000
seed: 1
"""


def test_a_run_too_big_for_the_disk_is_refused_at_once_with_the_estimate(tmp_path):
    path = write(tmp_path, "huge.yaml", HUGE)
    start = time.perf_counter()
    r = CliRunner().invoke(main, ["run", str(path), "-q", "-o", str(tmp_path / "h.parquet")])
    assert r.exit_code == 2, r.output
    assert time.perf_counter() - start < 30
    (line,) = r.output.strip().splitlines()
    assert line.startswith(f"error: {path}: runs: this run needs about ")
    assert "1,000,000 runs x 1,200 periods" in line and " is free;" in line
    assert list(tmp_path.iterdir()) == [path]


def test_the_disk_estimate_bounds_the_file_actually_written(tmp_path):
    out = tmp_path / "r.parquet"
    simulate.run_scenario(SCENARIOS / "middle_corridor.yaml", runs=30, keep="runs", output=out)
    frame = simulate.load_results(out).frame
    periods = frame["time"].nunique()
    series = len(frame) // (30 * periods)
    need = resources.estimate(30, periods, series, 4, "runs", out)
    assert out.stat().st_size <= need.disk


def test_the_estimate_grows_with_runs_periods_and_series():
    base = resources.estimate(100, 68, 53, 4, "summary", None)
    for bigger in (resources.estimate(200, 68, 53, 4, "summary", None),
                   resources.estimate(100, 136, 53, 4, "summary", None),
                   resources.estimate(100, 68, 106, 4, "summary", None)):  # fmt: skip
        assert bigger.disk > base.disk
    assert resources.estimate(100, 68, 53, 4, "runs", None).disk == 0  # kept in memory


def test_sizes_read_as_people_write_them():
    assert resources.size(480e9) == "480 GB"
    assert resources.size(999) == "999 B"
    assert resources.size(1.5e6) == "1.5 MB"
