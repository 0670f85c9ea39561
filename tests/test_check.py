"""`simulate check`: declared directions tested on paired runs with bootstrap intervals."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.analysis.check import check, paired_interval
from simulate.cli.main import main

from .analysis_files import assert_bad_input
from .conftest import SCENARIOS, write

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def invoke(*args):  # noqa: ANN002, ANN201
    return CliRunner().invoke(main, ["check", *map(str, args)])


def test_the_paired_interval_brackets_the_mean_and_is_seeded():
    d = np.random.default_rng(0).normal(0.1, 0.05, 200)
    lo, hi = paired_interval(d, seed=1)
    assert lo < d.mean() < hi and (lo, hi) == paired_interval(d, seed=1)
    assert paired_interval(np.zeros(5)) == (0.0, 0.0)


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_moves_its_outcomes_the_way_it_declares(path):
    findings = check(path)  # at the runs each scenario declares
    assert findings, "every shipped scenario declares its expected directions"
    failed = [(f.outcome, f.verdict, f.difference) for f in findings if not f.passed]
    assert not failed, failed


def _scenario(tmp_path, expect: str):
    return write(tmp_path, "s.yaml", f"name: s\nextends: {SCENARIOS / 'baseline.yaml'}\n"
                 "horizon: {start: 2024, end: 2027, step: quarter}\nruns: 40\n"
                 "events:\n  - {type: sanctions_package, at: 2025.0, magnitude: 0.3}\n"
                 f"expect:\n{expect}")  # fmt: skip


def _reference(tmp_path):
    write(tmp_path, "ref.yaml", f"name: ref\nextends: {SCENARIOS / 'baseline.yaml'}\n"
          "horizon: {start: 2024, end: 2027, step: quarter}\nruns: 40\n")


def test_a_right_direction_passes_and_a_wrong_one_fails_with_exit_1(tmp_path):
    _reference(tmp_path)
    good = _scenario(tmp_path, "  against: ref.yaml\n  at: 2027\n  outcomes:\n"
                               "    compliance: up\n    trade:russia: down\n")
    r = invoke(good, "-q")
    assert r.exit_code == 0, r.output
    assert "2 of 2 expectations hold (40 paired runs each)" in r.output
    bad = _scenario(tmp_path, "  against: ref.yaml\n  at: 2027\n  outcomes:\n"
                              "    compliance: down\n")
    r = invoke(bad, "-q", "--json")
    assert r.exit_code == 1
    (row,) = json.loads(r.output)
    assert row["verdict"] == "wrong direction" and row["difference"] > 0
    assert row["low"] <= row["difference"] <= row["high"]


def test_expectations_against_the_start_and_in_several_blocks(tmp_path):
    path = _scenario(tmp_path, "  - against: start\n    at: 2027\n    outcomes:\n"
                               "      trade_share:china: up\n"
                               "  - against: start\n    at: 2024\n    outcomes:\n"
                               "      compliance: up\n")  # fmt: skip
    findings = check(path)
    assert [f.passed for f in findings] == [True, False]  # nothing moves before the package
    assert findings[1].verdict == "not shown"


@pytest.mark.parametrize("expect, words", [
    ("  against: nowhere.yaml\n  at: 2026\n  outcomes: {compliance: up}\n",
     ["expect.against", "not found"]),
    ("  against: start\n  at: 2050\n  outcomes: {compliance: up}\n",
     ["expect.at", "outside the horizon"]),
    ("  against: start\n  at: 2026\n  outcomes: {happiness: up}\n",
     ["expect.outcomes.happiness", "unknown outcome variable"]),
    ("  against: start\n  at: 2026\n  outcomes: {alignment:mars: up}\n",
     ["alignment:mars", "entity"]),
    ("  against: start\n  at: 2026\n  outcomes: {compliance: sideways}\n",
     ["expect.outcomes.compliance"]),
])  # fmt: skip
def test_bad_expectations_exit_2_naming_the_field(tmp_path, expect, words):
    assert_bad_input(invoke(_scenario(tmp_path, expect)), *words)


def test_a_scenario_without_expectations_is_refused(tmp_path):
    path = write(tmp_path, "n.yaml", "name: n\nhorizon: {start: 2024, end: 2025}\n")
    assert_bad_input(invoke(path), "expect", "declares no expected directions")


def test_expectations_are_not_inherited_through_extends(tmp_path):
    child = write(tmp_path, "c.yaml", f"name: c\nextends: {SCENARIOS / 'baseline.yaml'}\n")
    assert_bad_input(invoke(child), "declares no expected directions")
