"""The ``explain`` command: the mechanisms behind an outcome, or behind a difference."""

from __future__ import annotations

import json

import click

from simulate.cli import base as base
from simulate.cli import options as opt


@click.command()
@click.argument("result", type=click.Path())
@click.argument("reference", required=False, type=click.Path())
@click.option("--at", "at", type=float, default=None,
              help="Period start to explain (default: the horizon's last period).")
@click.option("--run", "run", type=click.IntRange(min=0), default=None,
              help="Explain one run instead of the mean over runs.")
@click.option("--top", type=click.IntRange(min=1), default=4, show_default=True,
              help="Mechanisms named per issue.")
@opt.json_opt
@base.boundary
def explain(result, reference, at, run, top, as_json):
    """The mechanisms behind RESULT's positions, or behind its difference from REFERENCE.

    For each issue: Kazakhstan's position and its change since the start, split into the
    contributions of its own doctrine, its ties to each power, each power's inducements
    and pressure, economics, inertia and noise, ranked by size. They add up to the
    change. With REFERENCE (a result run on the same seed and runs, e.g. the baseline),
    the paired differences: the mechanisms that make the two scenarios differ.

    \b
    Examples:
      simulate explain results/russian_pressure.parquet
      simulate explain results/middle_corridor.parquet results/baseline.parquet --at 2035
      simulate explain results/baseline.parquet --run 7 --json
    """
    from simulate.analysis.explain import explain as run_explain
    from simulate.analysis.explain import to_json, to_text
    from simulate.results.files import load_results

    res = load_results(result)
    ref = load_results(reference) if reference else None
    ex = run_explain(res, ref, at=at, run=run)
    if as_json:
        click.echo(json.dumps(to_json(ex), indent=2))
    else:
        click.echo(to_text(ex, top=top))
