"""Shared fixtures and the hypothesis profiles (``ci``, ``dev``, ``fuzz``; HYPOTHESIS_PROFILE)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", deadline=None, max_examples=15, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.register_profile(
    "dev", deadline=None, max_examples=15,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
# thousands of hostile inputs: HYPOTHESIS_PROFILE=fuzz pytest tests/test_hostile_inputs.py
settings.register_profile(
    "fuzz", deadline=None, max_examples=1000, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
# The outcome-threshold check reruns every `simulate run` seven times (about 2 s a call);
# the tests of the check ask for it with --threshold-check.
os.environ.setdefault("SIMULATE_THRESHOLD_CHECK", "0")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def config():
    """The shipped default config."""
    from simulate.scenarios.parameters import load_config

    return load_config()


@pytest.fixture
def small_scenario() -> dict:
    """A tiny valid scenario mapping: 3 runs over 3 years, quarterly."""
    return {
        "name": "small",
        "description": "test",
        "horizon": {"start": 2024, "end": 2026, "step": "quarter"},
        "runs": 3,
        "seed": 7,
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a file under tmp_path and return its path."""
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def default_signals() -> None:
    """In a child process before exec: signals as a terminal gives them.

    A test run started in the background (``cmd &``) or under ``nohup`` ignores SIGINT or
    SIGHUP, and a child inherits that; the signal tests need the dispositions a user's
    run has.
    """
    import signal

    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def process_parents() -> dict[int, int]:
    """Process id -> parent id, for every process (Linux /proc)."""
    import os

    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    parents[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return parents


def short_spec(end: int, runs: int):  # noqa: ANN201
    """The baseline scenario cut to 2024..``end``, quarterly, with ``runs`` runs."""
    from simulate.model.preparation import prepare

    return prepare({
        "name": "short", "description": "t", "extends": str(SCENARIOS / "baseline.yaml"),
        "horizon": {"start": 2024, "end": end, "step": "quarter"}, "runs": runs,
    })  # fmt: skip


def in_run_order(chunks) -> dict[str, np.ndarray]:  # noqa: ANN001
    """``(runs, arrays)`` chunks in any order -> arrays in run order; each run exactly once."""
    runs, parts = [], {}
    for idx, arrays in chunks:
        runs.extend(idx)
        for k, v in arrays.items():
            parts.setdefault(k, []).append(v)
    assert sorted(runs) == list(range(len(runs))), "every run exactly once"
    order = np.argsort(runs)
    return {k: np.concatenate(v)[order] for k, v in parts.items()}
