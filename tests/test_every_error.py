"""A scenario's problems are reported all at once: one line each, file:line: field: message."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.errors import InputError, InputErrors
from simulate.io.limits import MAX_ERRORS
from simulate.scenarios import scenario

from .conftest import SCENARIOS, write

THREE = f"""name: three
extends: {SCENARIOS / "baseline.yaml"}
runs: many
parameters:
  russia.charm: 0.5
events:
  - {{type: route_disruption, target: atlantis, at: 2027.0, duration: 0.5, magnitude: 0.5}}
"""


def _errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def test_a_scenario_with_three_errors_gets_three_lines(tmp_path):
    path = write(tmp_path, "three.yaml", THREE)
    for command in (["validate"], ["run", "-q"], ["check"]):
        r = CliRunner().invoke(main, [*command, str(path)])
        assert r.exit_code == 2 and "Traceback" not in r.output, r.output
        lines = _errors(r)
        assert [line.split(": ")[1:3] for line in lines] == [
            [f"{path}:3", "runs"], [f"{path}:5", "parameters.russia.charm"],
            [f"{path}:7", "events.0.target"]], lines  # fmt: skip


def test_the_api_raises_every_problem_and_stands_for_the_first(tmp_path):
    path = write(tmp_path, "three.yaml", THREE)
    with pytest.raises(InputError) as info:
        scenario.load(path)
    exc = info.value
    assert isinstance(exc, InputErrors) and len(exc.errors) == 3
    assert (exc.line, exc.field) == (3, "runs")
    assert str(exc).count("\n") == 2


def test_schema_errors_and_config_errors_come_in_the_files_order(tmp_path):
    text = ("name: mix\nhorizon: {start: 2024, end: 2030}\nparameters:\n  russia.capacity: 7\n"
            "  kazakhstan.resolve: [1]\noutputs: [balance_index, happiness, balance_index]\n"
            "horizn: 3\n")  # fmt: skip
    r = CliRunner().invoke(main, ["validate", str(write(tmp_path, "mix.yaml", text))])
    lines = _errors(r)
    where = [(int(line.split(": ")[1].rsplit(":", 1)[1]), line.split(": ")[2]) for line in lines]
    assert where == [(5, "parameters.kazakhstan.resolve"), (6, "outputs.1"), (6, "outputs.2"),
                     (7, "horizn")], lines  # fmt: skip
    assert "happiness" in lines[1] and "listed twice" in lines[2]


def test_a_block_written_for_a_field_of_two_shapes_reports_that_shape_only(tmp_path):
    text = ("name: e\nhorizon: {start: 2024, end: 2030}\nexpect:\n  against: start\n"
            "  at: soon\n  outcomes: {balance_index: up}\n")  # fmt: skip
    r = CliRunner().invoke(main, ["validate", str(write(tmp_path, "e.yaml", text))])
    assert _errors(r) == [f"error: {tmp_path / 'e.yaml'}:5: expect.at: Input should be a valid "
                          "number (got 'soon')"]  # fmt: skip


def test_at_most_the_limit_of_problems_is_listed_then_counted(tmp_path):
    n = MAX_ERRORS + 5
    params = "".join(f"  russia.charm{k}: 1\n" for k in range(n))
    text = f"name: many\nhorizon: {{start: 2024, end: 2030}}\nparameters:\n{params}"
    r = CliRunner().invoke(main, ["validate", str(write(tmp_path, "many.yaml", text))])
    lines = _errors(r)
    assert r.exit_code == 2 and len(lines) == MAX_ERRORS + 1
    assert lines[-1].endswith("... and 5 more problems")


def test_one_problem_is_still_one_plain_error(tmp_path):
    path = write(tmp_path, "one.yaml", "name: one\nhorizon: {start: 2024, end: 2030}\nruns: 0\n")
    with pytest.raises(InputError) as info:
        scenario.load(path)
    assert not isinstance(info.value, InputErrors) and info.value.field == "runs"


def test_a_misspelt_field_is_one_problem_not_also_a_missing_one(tmp_path):
    text = "name: m\nhorizn: {start: 2024, end: 2030}\n"
    r = CliRunner().invoke(main, ["validate", str(write(tmp_path, "m.yaml", text))])
    assert _errors(r) == [f"error: {tmp_path / 'm.yaml'}:2: horizn: unknown field 'horizn' "
                          "(did you mean 'horizon'?)"]  # fmt: skip
