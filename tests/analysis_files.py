"""Small result files shared by the analysis tests."""

from __future__ import annotations

from pathlib import Path

import simulate

from .conftest import SCENARIOS


def make(tmp: Path, name: str, runs: int = 20, keep: str = "runs", end: int = 2027,
         scenario: str = "baseline.yaml", seed: int = 5) -> Path:  # fmt: skip
    """Run a short version of a shipped scenario into ``tmp/name.parquet``."""
    data = {"name": name, "description": f"test {name}", "extends": str(SCENARIOS / scenario),
            "horizon": {"start": 2024, "end": end, "step": "quarter"}, "runs": runs,
            "seed": seed}  # fmt: skip
    out = tmp / f"{name}.parquet"
    simulate.run_scenario(data, output=out, keep=keep)
    return out
