"""``simulate new``: write a commented starting file for a scenario built on another one."""

from __future__ import annotations

import os
from pathlib import Path

import click

from simulate.cli import base as base
from simulate.cli import options as opt


@click.command()
@click.argument("name")
@click.option("--from", "source", default="baseline", show_default=True,
              help="The scenario to build on: a shipped scenario's name or a file.")
@click.option("--output", "-o", type=opt.SafePath(dir_okay=False), default=None,
              help="The file to write. Default: NAME.yaml in this folder.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@base.boundary
def new(name, source, output, force):
    """Write NAME.yaml: a scenario that extends another one, every section a commented example.

    The file sets only its name and description; uncomment and edit the sections you
    want to change (horizon, runs, seed, parameters, paths, events, uncertainties,
    outputs, expect). It is checked by loading it before it is written.

    \b
    Examples:
      simulate new my_corridor --from middle_corridor
      simulate run my_corridor.yaml
      simulate new weak_russia --from scenarios/baseline.yaml -o scenarios/weak_russia.yaml
    """
    from simulate.errors import InputError
    from simulate.io.shipped import folder, named_from, resolve_scenario
    from simulate.results.files import atomic_path
    from simulate.scenarios import scenario as scenario_mod
    from simulate.scenarios.starter import starter

    _check_name(name)
    target = Path(output) if output else Path(f"{name}.yaml")
    if target.suffix not in (".yaml", ".yml"):
        raise InputError("a scenario file name ends in .yaml or .yml", file=target,
                         field="output")  # fmt: skip
    if target.exists() and not force:
        raise InputError("the file exists; give --force to replace it", file=target,
                         field="output")  # fmt: skip
    path = resolve_scenario(source)
    loaded = scenario_mod.load(path)
    here = target.parent if str(target.parent) else Path(".")
    shipped = Path(path).resolve().parent == folder("scenarios").resolve()
    if shipped and "/" not in source and Path(source).suffix == "":
        extends = source
        if Path(named_from(extends, here)[0]).resolve() != Path(path).resolve():
            click.echo(f"note: {extends}.yaml beside {target} is what `extends: {extends}` "
                       "names, not the shipped scenario", err=True)  # fmt: skip
    else:
        extends = os.path.relpath(Path(path).resolve(), here.resolve())
    text = starter(name, loaded, extends)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
        scenario_mod.load(tmp)  # a starting file that does not load is never written
    click.echo(f"wrote {target}  ({name}, extends {extends}); edit it, then: "
               f"simulate run {target}")


def _check_name(name: str) -> None:
    """The name must be a scenario name (it names the file and the result file)."""
    from simulate.errors import InputError
    from simulate.io.limits import NAME_PATTERN

    if not NAME_PATTERN.fullmatch(name):
        raise InputError("a name is a plain identifier: letters, digits, _ and -, starting "
                         f"with a letter, at most 64 characters (got {name[:80]!r})",
                         field="NAME")  # fmt: skip
