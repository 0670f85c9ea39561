"""The benchmark script runs end to end (smoke sizes; the figures live in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_benchmark_smoke_mode_prints_every_table():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    for heading in ("| Mesa driver |", "| mesa.batch_run |", "| batched driver |",
                    "| 8 actors |", "| one ensemble |", "| --keep summary |", "--keep runs` |",
                    "--engine mesa` |", "| speed-up |", "| 1 runs |",
                    "API's own cost", "`simulate decide baseline"):  # fmt: skip
        assert heading in out.stdout, heading
