"""`simulate explain`: the mechanisms behind an outcome or a difference, in words and numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from simulate.analysis.explain import explain
from simulate.cli.main import main
from simulate.results.files import load_results

from .analysis_files import assert_bad_input, make


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("explain")
    return {"base": make(tmp, "base", runs=30, end=2030),
            "corridor": make(tmp, "corridor", runs=30, end=2030,
                             scenario="middle_corridor.yaml"),
            "other_seed": make(tmp, "other_seed", runs=30, end=2030, seed=6),
            "summary": make(tmp, "summ", runs=30, end=2030, keep="summary")}  # fmt: skip


def invoke(*args):  # noqa: ANN002, ANN201
    return CliRunner().invoke(main, ["explain", *map(str, args)])


def test_the_contributions_of_one_file_add_up_to_each_positions_change(files):
    ex = explain(load_results(files["base"]), at=2029.0)
    for item in ex["issues"]:
        total = sum(v for _, v in item.contributions)
        assert total == pytest.approx(item.change, abs=1e-9)
        assert item.value == pytest.approx(item.start + item.change)


def test_a_paired_difference_is_traced_to_the_mechanisms_that_made_it(files):
    base, corridor = load_results(files["base"]), load_results(files["corridor"])
    ex = explain(corridor, base, at=2030.75)
    routing = next(i for i in ex["issues"] if i.issue == "route_diversification")
    assert sum(v for _, v in routing.contributions) == pytest.approx(routing.change, abs=1e-9)
    assert routing.change > 0  # the corridor pulls diversification up ...
    top = dict(routing.contributions[:2])
    assert "economics" in top and top["economics"] > 0  # ... through route economics
    enforcement = next(i for i in ex["issues"] if i.issue == "sanctions_enforcement")
    assert enforcement.contributions[0][0] == "pressure:russia"  # Russia's weaker pressure


def test_explain_in_words_ranks_by_size_and_names_the_runs(files):
    r = invoke(files["corridor"], files["base"], "--at", "2030.75", "--top", "2")
    assert r.exit_code == 0, r.output
    assert "against base (paired runs), at 2030.75, mean of 30 runs" in r.output
    line = next(x for x in r.output.splitlines() if x.startswith("- Route diversification"))
    assert "economics (transit risk and cost) +" in line


def test_explain_json_and_a_single_run(files):
    r = invoke(files["base"], "--run", "3", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["run"] == 3 and data["reference"] is None
    first = data["issues"][0]
    assert {"issue", "start", "value", "change", "contributions"} <= set(first)
    values = [c["value"] for c in first["contributions"]]
    assert np.all(np.diff(np.abs(values)) <= 1e-12)  # ranked by size


def test_a_summary_file_is_explained_at_the_horizons_end_only(files):
    assert invoke(files["summary"]).exit_code == 0
    assert_bad_input(invoke(files["summary"], "--at", "2026"), "--at", "horizon's end")


@pytest.mark.parametrize("args, words", [
    (["other_seed", "base"], ["seed", "paired"]),
    (["base", "--at", "2050"], ["--at", "outside the horizon"]),
    (["base", "--run", "999"], ["--run", "no run 999"]),
])  # fmt: skip
def test_bad_requests_exit_2_with_one_line(files, args, words):
    args = [files.get(a, a) for a in args]
    assert_bad_input(invoke(*args), *words)
