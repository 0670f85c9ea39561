"""The scenario commands: run, validate, list, params, check. Parse, call, print."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from simulate.cli import base as base
from simulate.cli import options as opt


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=opt.SafePath(dir_okay=False))
@click.option("--output", "-o", type=opt.SafePath(), default=None,
              help="Result file (one scenario) or folder (several). Default: "
                   "results/NAME.parquet (results/ is made when missing)")
@opt.runs_opt
@opt.seed_opt
@opt.set_opt
@opt.engine_opt
@click.option("--keep", type=click.Choice(["runs", "summary"]), default=None,
              help="runs: every run; summary: statistics per time plus final values per run. "
                   "Default: runs up to 25 million rows, else summary.")
@opt.point_config_opt
@click.option("--threshold-check/--no-threshold-check", default=None,
              envvar="SIMULATE_THRESHOLD_CHECK", show_envvar=True,
              help="Rerun the first 1,000 runs with each outcome-class threshold moved ±20% "
                   "and say whether a class probability flips, and for a class no run "
                   "reaches how far its threshold would have to move (default: on up to "
                   "5,000 runs; "
                   "SIMULATE_THRESHOLD_CHECK=0 turns it off for every run).")
@opt.executor_options
@opt.quiet_opt
@opt.json_opt
@base.boundary
def run(scenarios, output, runs, seed, overrides, engine, keep, config_path, threshold_check,
        executor, quiet, as_json):  # fmt: skip
    """Run one or more SCENARIOS and summarise their outcomes at the horizon's end.

    A SCENARIO is a file, or the name of a shipped scenario (`simulate list --shipped`)
    when no file of that name exists here.

    \b
    Examples:
      simulate run scenarios/middle_corridor.yaml
      simulate run middle_corridor        # the shipped scenario, from any folder
      simulate run scenarios/baseline.yaml scenarios/middle_corridor.yaml --runs 1000
      simulate run scenarios/baseline.yaml --set russia.capacity=0.6 -o results/weak.parquet
      simulate run scenarios/baseline.yaml --runs 100000 --keep summary --workers 2
      simulate run scenarios/baseline.yaml --runs 100000 --dask-local 2
      simulate run baseline --config configs/calibrated.yaml   # a point config
    """
    from simulate.errors import InputError
    from simulate.results import summary as sm
    from simulate.results.table import format_table
    from simulate.running.prepared import Experiment

    if output and len(scenarios) > 1 and not os.path.isdir(output):
        raise InputError("with several scenarios, --output must be an existing folder",
                         field="--output")  # fmt: skip
    finals, summaries, written, thresholds = {}, {}, {}, {}
    at, sizes, seeds = {}, {}, {}
    planned: dict[str, tuple] = {}  # every scenario is loaded and checked before any runs
    for path in scenarios:
        exp = Experiment(path, config=config_path)
        spec = exp.spec(runs=runs, seed=seed, overrides=overrides)
        name = spec.scenario.name
        if not quiet:
            for note in spec.loaded.notes:
                click.echo(f"note: {note}", err=True)
        target = _target(output, name)
        if name in planned:
            raise InputError(f"two scenarios are named {name!r}; their results would share "
                             f"{target}", file=path, field="name")  # fmt: skip
        planned[name] = (exp, spec, target)
    for name, (exp, spec, target) in planned.items():
        with base.progress_bar(spec.scenario.runs, name, quiet) as bar:
            res = exp.run(runs=runs, seed=seed, overrides=overrides, engine=engine,
                          output=target, keep=keep, progress=bar, **executor)  # fmt: skip
        finals[name] = res.extra["final"]
        summaries[name] = sm.summarise(finals[name])
        written[name] = str(target)
        at[name], sizes[name], seeds[name] = (float(spec.times[-1]), spec.scenario.runs,
                                              spec.scenario.seed)  # fmt: skip
        check = spec.scenario.runs <= 5000 if threshold_check is None else threshold_check
        if check and "outcome" in spec.outputs:
            from simulate.analysis.classes import for_spec

            thresholds[name] = for_spec(spec, runs=1000)
    paired = sm.is_paired(sizes, seeds)
    diffs = sm.differences(finals, paired)
    if as_json:
        payload = _payload(summaries, diffs, written, at, sizes, seeds)
        for name, res in thresholds.items():
            payload[name]["thresholds"] = res
        click.echo(json.dumps(payload, indent=2))
        return
    if not quiet:
        from simulate.analysis.classes import to_text

        click.echo(sm.header(at, sizes, seeds))
        headers, rows = sm.side_by_side(summaries, diffs)
        click.echo(format_table(headers, rows))
        click.echo(sm.legend(list(summaries), paired))
        for name, res in thresholds.items():
            click.echo(to_text(name, res))
        click.echo("")
    for name, target in written.items():
        click.echo(f"wrote {target}  ({name})")


def _payload(summaries: dict, diffs: dict, written: dict, at: dict, sizes: dict,
             seeds: dict) -> dict:  # fmt: skip
    """Every figure of the summary, per scenario, for ``--json``."""
    first = next(iter(summaries))
    out = {}
    for name, s in summaries.items():
        rows = []
        for row in s.to_dict(orient="records"):
            d = diffs.get(name, {}).get(row["column"])
            if d is not None:
                row["change"] = {"against": first, **d.to_dict()}
            rows.append(row)
        out[name] = {"file": written[name], "at": at[name], "runs": sizes[name],
                     "seed": seeds[name], "summary": rows}  # fmt: skip
    return out


def _target(output: str | None, name: str) -> Path:
    """Where a scenario's result goes; by default ``results/NAME.parquet``, never outside.

    An ``output`` that is a folder (as it must be for several scenarios) takes
    ``NAME.parquet``; any other ``output`` is the file itself.
    """
    if output is None:
        target = Path("results") / f"{name}.parquet"
        if target.resolve().parent != Path("results").resolve():
            from simulate.errors import InputError

            raise InputError(f"the name {name!r} would write outside results/", field="name")
        if not os.path.lexists("results"):
            os.mkdir("results")  # the default folder, made where the command runs
        return target
    if os.path.isdir(output):
        return Path(output) / f"{name}.parquet"
    return Path(output)


@click.command()
@click.argument("files", nargs=-1, required=True, type=opt.SafePath())
@opt.quiet_opt
@base.boundary
def validate(files, quiet):
    """Check scenario FILES (or shipped scenario names) against the schema and the config.

    Every problem of a file is reported, one `error:` line each (file:line: field:
    message); exit code 2 when any file has one.
    """
    from simulate.errors import InputError
    from simulate.scenarios import scenario

    bad = 0
    for f in files:
        try:
            loaded = scenario.load(f)
        except InputError as exc:
            bad += 1
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            continue
        if not quiet:
            sc = loaded.scenario
            for note in loaded.notes:
                click.echo(f"note: {note}", err=True)
            click.echo(f"ok: {f} ({sc.name}, {sc.horizon.start}-{sc.horizon.end} "
                       f"by {sc.horizon.step}, {sc.runs} runs)")  # fmt: skip
    if bad:
        raise SystemExit(2)


@click.command("list")
@click.argument("directory", required=False, default=None, type=opt.SafePath())
@click.option("--shipped", is_flag=True,
              help="The scenarios shipped with the package (run them by name).")
@opt.json_opt
@base.boundary
def list_(directory, shipped, as_json):
    """List the scenarios in DIRECTORY (default: scenarios/), or the shipped ones.

    \b
    Examples:
      simulate list
      simulate list --shipped        # then e.g. `simulate run middle_corridor`
    """
    from simulate.errors import InputError
    from simulate.io import shipped as shipped_mod
    from simulate.results.table import format_table
    from simulate.scenarios import scenario

    if shipped and directory is not None:
        raise InputError("give a DIRECTORY or --shipped, not both", field="--shipped")
    d = shipped_mod.folder("scenarios") if shipped else Path(directory or "scenarios")
    if not os.path.isdir(d):
        hint = "" if directory else " (simulate list --shipped lists the shipped scenarios)"
        raise InputError(f"not a folder{hint}", file=d)
    rows = []
    for f in sorted(d.glob("*.y*ml")):
        try:
            sc = scenario.load(f).scenario
        except InputError as exc:
            lines = exc.lines()
            more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
            rows.append({"file": f.name, "name": "INVALID", "horizon": "", "runs": "",
                         "description": lines[0] + more})  # fmt: skip
            continue
        first = sc.description.split(". ")[0].strip()
        rows.append({"file": f.name, "name": sc.name,
                     "horizon": f"{sc.horizon.start}-{sc.horizon.end} {sc.horizon.step}",
                     "runs": sc.runs,
                     "description": first[:70] + ("..." if len(first) > 70 else "")})  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    headers = ["file", "name", "horizon", "runs", "description"]
    click.echo(format_table(headers, [[r[h] for h in headers] for r in rows]))


@click.command()
@click.option("--actor", "-a", "actors", multiple=True,
              help="Only this actor, route or 'middle_corridor' (repeatable).")
@click.option("--sources", is_flag=True, help="Show the verbatim quotes, assumptions and priors.")
@click.option("--config", "config_path", type=opt.SafePath(), default=None,
              help="Config file (default configs/default.yaml).")
@click.option("--at-start", is_flag=True,
              help="The state at the start: each observed figure with its year, statistical "
              "basis and sources (checked against configs/history.yaml).")
@click.option("--add", "added", multiple=True, metavar="ACTOR",
              help="Add an optional actor, a shipped one (turkey, usa, azerbaijan, georgia) or "
              "an actor file, as a scenario's actors: does (repeatable).")
@opt.json_opt
@base.boundary
def params(actors, sources, config_path, at_start, added, as_json):
    """Print the parameters, their values, units and sources. Assumptions are marked.

    \b
    Examples:
      simulate params --sources -a russia
      simulate params --add turkey -a turkey --sources
    """
    from simulate.analysis.paramtable import params_rows, render_params

    if at_start:
        from simulate.analysis.startstate import render_start, start_state

        rows = start_state(config_path, added)
        if actors:
            rows = [r for r in rows if r["parameter"].partition(".")[0] in actors]
        click.echo(json.dumps(rows, indent=2) if as_json else render_start(rows))
        return
    rows = params_rows(config_path, actors, added)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif sources:
        click.echo(render_params(rows, sources))
    else:
        click.echo(render_params(rows, sources) + " `--sources` shows quotes.")


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@opt.runs_opt
@opt.seed_opt
@opt.executor_options
@opt.quiet_opt
@opt.json_opt
@base.boundary
def check(scenarios, runs, seed, executor, quiet, as_json):
    """Check that each of SCENARIOS moves its outcomes the way its `expect:` declares.

    The scenario and its reference run on the same seeds; for each outcome the paired
    mean difference at the declared year gets a bootstrap 95% interval. An expectation
    passes when the interval lies wholly on the declared side of zero. Exit code 1 when
    any expectation fails.

    \b
    Examples:
      simulate check scenarios/middle_corridor.yaml
      simulate check scenarios/*.yaml --runs 1000 --json
    """
    from simulate.analysis.check import check as run_check
    from simulate.results.table import format_table

    findings = []
    for path in scenarios:
        with base.progress_bar(None, Path(path).stem, quiet) as bar:
            findings += run_check(path, runs=runs, seed=seed, progress=bar, **executor)
    failed = [f for f in findings if not f.passed]
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], indent=2))
    else:
        headers = ["scenario", "outcome", "expected", "against", "at", "reference", "scenario",
                   "difference [95% CI]", "verdict"]
        rows = [[f.scenario, f.outcome, f.expected, f.against, f"{f.at:g}",
                 f"{f.reference_mean:.4g}", f"{f.scenario_mean:.4g}",
                 f"{f.difference:+.4f} [{f.low:+.4f}, {f.high:+.4f}]", f.verdict]
                for f in findings]  # fmt: skip
        click.echo(format_table(headers, rows))
        sizes = sorted({f.runs for f in findings}) or [0]
        runs_text = (f"{sizes[0]:,}" if len(sizes) == 1
                     else f"{', '.join(f'{n:,}' for n in sizes)} by scenario")  # fmt: skip
        click.echo(f"\n{len(findings) - len(failed)} of {len(findings)} expectations hold"
                   f" ({runs_text} paired runs each).")
    if failed:
        raise SystemExit(1)
