"""Option names live in the CLI: domain fields below it, one translation at the boundary."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import simulate
from simulate.cli import base as cli_base
from simulate.cli.main import COMMANDS, main
from simulate.errors import InputError, ResultFileError
from simulate.scenarios.domains import DomainError, settings

from .conftest import SCENARIOS, write

PACKAGE = Path(simulate.__file__).parent
CLI = PACKAGE / "cli"
CLI_MODULES = {f"simulate.cli.{p.stem}" for p in CLI.glob("*.py") if p.stem != "__init__"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _below_the_cli() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if p.parent != CLI and p.name != "__main__.py"]  # fmt: skip


# --- the layers below the CLI ------------------------------------------------------------


def test_no_option_name_is_a_field_below_the_cli():
    found = [f"{p.relative_to(PACKAGE)}:{n}" for p in _below_the_cli()
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"""field\s*(?::[^=]*)?=\s*["']--""", line)]  # fmt: skip
    assert found == []


def test_no_module_below_the_cli_imports_it():
    cli = {"simulate.cli", *CLI_MODULES}
    found = []
    for p in _below_the_cli():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            else:
                continue
            found += [f"{p.relative_to(PACKAGE)} imports {n}" for n in sorted(names & cli)]
    assert found == []


@pytest.mark.parametrize("kwargs, field", [
    ({"runs": 0}, "runs"),
    ({"seed": -1}, "seed"),
    ({"overrides": {"russia.charm": 1.0}}, "overrides"),
    ({"engine": "steam"}, "engine"),
    ({"keep": "everything"}, "keep"),
    ({"runs": 2, "workers": 0}, "workers"),
    ({"runs": 2, "chunk": 0}, "chunk"),
])  # fmt: skip
def test_the_python_api_names_its_own_arguments(tmp_path, kwargs, field):
    with pytest.raises(InputError) as err:
        simulate.run_scenario(SCENARIOS / "baseline.yaml", output=tmp_path / "x.parquet",
                              **kwargs)  # fmt: skip
    assert err.value.field == field
    assert "--" not in err.value.format()


def test_settings_parse_path_value_pairs():
    assert settings(["russia.capacity=0.5", " eu.x = 2"]) == {"russia.capacity": 0.5, "eu.x": 2}
    for bad, words in [(["nonsense"], "PATH=VALUE"), (["=1"], "PATH=VALUE"),
                       (["a.b=1", "a.b=2"], "twice"), (["a.b=x"], "not a number")]:  # fmt: skip
        with pytest.raises(DomainError, match=words):
            settings(bad)


# --- the one translation -----------------------------------------------------------------


@click.command()
@click.option("--runs")
@click.option("--set", "overrides")
@click.option("--output", "old", hidden=True)
def _command(runs, overrides, old):  # noqa: ANN001, ANN202
    """A command with two visible options and a hidden one."""


@pytest.mark.parametrize("error, typed, shown", [
    (InputError("too few", field="runs"), [], "--runs: too few"),
    (InputError("unknown", field="overrides"), [], "--set: unknown"),
    (InputError("bad", file="a.parquet", field="runs"), ["--runs", "3"], "a.parquet: --runs: bad"),
    # a field inside a file stays the file's field
    (InputError("bad", file="s.yaml", field="runs"), [], "s.yaml: runs: bad"),
    (InputError("few", file="s.yaml", line=3, field="runs"), ["--runs", "3"],
     "s.yaml:3: runs: few"),
    (ResultFileError("not an integer", file="r.parquet", field="runs"), ["--runs", "3"],
     "r.parquet: runs: not an integer"),
    # an option the command does not have, or only as a hidden alias
    (InputError("no", field="seed"), [], "seed: no"),
    (InputError("cannot write", field="output"), ["--output", "x"], "output: cannot write"),
    (InputError("no field"), [], "no field"),
])  # fmt: skip
def test_a_domain_field_becomes_the_option_of_the_running_command(error, typed, shown):
    ctx = _command.make_context("x", list(typed))
    assert cli_base.option_error(error, ctx).format() == shown
    assert cli_base.option_error(error, None) is error


def test_every_mapped_option_exists_in_some_command():
    opts = {o for c in COMMANDS for p in c.params if isinstance(p, click.Option) for o in p.opts}
    missing = {f: o for f, o in cli_base.FIELD_OPTIONS.items()
               if not set(o.split("/")) <= opts}  # fmt: skip
    assert missing == {}


@pytest.mark.parametrize("args, words", [
    (("params", "--actor", "mars"), "error: --actor: "),
    (("run", SCENARIOS / "baseline.yaml", "--engine", "mesa", "--dask-local", "2"),
     "error: --engine: "),
    (("run", SCENARIOS / "baseline.yaml", "--set", "russia.charm=1"), "error: --set: "),
    (("run", SCENARIOS / "baseline.yaml", "--set", "nonsense"), "--set: expected PATH=VALUE"),
    (("run", SCENARIOS / "baseline.yaml", "--set", "a.b=1", "--set", "a.b=2"), "is given twice"),
    (("dashboard", "--runs", "0"), "error: --runs: "),
    (("dashboard", "--port", "70000"), "error: --port: "),
])  # fmt: skip
def test_the_command_line_names_the_option_typed(tmp_path, args, words):
    r = invoke(*args, *(("-o", tmp_path / "x.parquet") if args[0] == "run" else ()))
    assert r.exit_code == 2 and words in r.stderr, r.output
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output


def test_a_scenarios_own_runs_field_is_not_the_runs_option(tmp_path):
    p = write(tmp_path, "bad.yaml", "name: bad\nhorizon: {start: 2024, end: 2026, step: year}\n"
              "runs: 0\n")  # fmt: skip
    r = invoke("run", p, "-o", tmp_path / "x.parquet")
    assert r.exit_code == 2, r.output
    assert f"{p}:3: runs: " in r.stderr and "--runs" not in r.stderr


def test_params_says_how_to_see_the_sources():
    r = invoke("params", "--actor", "russia")
    assert r.exit_code == 0 and r.stdout.rstrip().endswith("`--sources` shows quotes.")
    from simulate.analysis.paramtable import params_rows, render_params

    assert "--" not in render_params(params_rows(None, ["russia"]), False).splitlines()[-1]


# --- registration and help ---------------------------------------------------------------


def test_every_command_is_registered_once_in_cli():
    assert sorted(main.commands) == sorted(c.name for c in COMMANDS)
    import importlib

    for name in sorted(CLI_MODULES - {"simulate.cli.main", "simulate.cli.base",
                                      "simulate.cli.options"}):  # fmt: skip
        module = importlib.import_module(name)
        defined = {v for v in vars(module).values() if isinstance(v, click.Command)}
        assert defined <= set(COMMANDS), name
    source = (CLI / "main.py").read_text()
    assert source.count("add_command(") == 1
    assert not any("@main." in p.read_text() for p in CLI.glob("*.py"))


def test_chunk_help_follows_the_default(monkeypatch):
    from simulate.model import batch

    assert f"(default {batch.DEFAULT_CHUNK:,})" in invoke("run", "--help").stdout
    monkeypatch.setattr(batch, "DEFAULT_CHUNK", 777)
    assert "Runs per chunk (default 777)." in invoke("sensitivity", "--help").stdout
