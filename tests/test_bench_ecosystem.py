"""bench/ecosystem.py runs end to end (smoke sizes; the figures live in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT


def test_ecosystem_benchmark_smoke_mode_prints_every_table():
    pytest.importorskip("ema_workbench")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "ecosystem.py"), "--smoke"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    for row in ("| `run_scenario` |", "| `Experiment.run` |",
                "| `simulate.analysis.ema.model` | 2 |",
                "| `to_xarray()` of a result file |", "| by hand: "):  # fmt: skip
        assert row in out.stdout, row
