"""Every hostile input is refused in one clear line: never a traceback, a hang or 200 MB.

The cases come from :mod:`simulate.testing.strategies` (hostile scenarios, damaged
result files, odd command-line arguments). The ``ci`` profile runs a few hundred;
``HYPOTHESIS_PROFILE=fuzz`` runs thousands and, with ``HOSTILE_TALLY=FILE``, writes
the counts by class (cases, clean, wrong, traceback, hang).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings

import simulate
from simulate.testing import strategies as mst

from .conftest import SCENARIOS
from .hostile_harness import judge, record, write_tally

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
#: Examples per test (scenarios, result files, arguments) by profile.
EXAMPLES = {"fuzz": (2000, 700, 700), "ci": (80, 35, 35)}.get(PROFILE, (60, 25, 25))


@pytest.fixture(scope="module", autouse=True)
def tally(request):
    yield
    table = write_tally()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("\nhostile inputs by class:\n" + table)


def _short(tmp: Path, keep: str) -> bytes:
    data = {"name": f"good_{keep}", "description": "t", "extends": str(SCENARIOS / "baseline.yaml"),
            "horizon": {"start": 2024, "end": 2026, "step": "year"}, "runs": 3, "seed": 2}
    out = tmp / f"{keep}.parquet"
    simulate.run_scenario(data, output=out, keep=keep)
    return out.read_bytes()


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("good")
    return {"runs": _short(tmp, "runs"), "summary": _short(tmp, "summary")}


def check(case) -> None:  # noqa: ANN001
    outcome, seen = judge(case)
    record(case, outcome)
    assert outcome == "clean", f"{outcome}: {seen}"


@given(case=mst.hostile_scenarios())
@settings(max_examples=EXAMPLES[0])
def test_every_hostile_scenario_is_refused_in_one_line(case):
    check(case)


def test_every_hostile_result_file_is_refused_in_one_line(good):
    @given(case=mst.hostile_result_files(good["runs"], good["summary"]))
    @settings(max_examples=EXAMPLES[1])
    def run(case):
        check(case)

    run()


def test_every_hostile_argument_is_refused_in_one_line(good):
    @given(case=mst.hostile_arguments(good["runs"]))
    @settings(max_examples=EXAMPLES[2])
    def run(case):
        check(case)

    run()
