"""The ``explain`` command: the mechanisms behind an outcome, a difference, or a policy."""

from __future__ import annotations

import json

import click

from simulate.cli import base as base
from simulate.cli import options as opt
from simulate.errors import InputError


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--at", "at", type=float, default=None,
              help="Period start to explain (default: the horizon's last period; with "
                   "--policy, the horizon's last year).")
@click.option("--run", "run", type=click.IntRange(min=0), default=None,
              help="Explain one run instead of the mean over runs (result files only).")
@click.option("--top", type=click.IntRange(min=1), default=4, show_default=True,
              help="Mechanisms named per issue.")
@click.option("--policy", default=None,
              help="Explain this policy against --against over the futures of the SCENARIOS "
                   "given (a name from --policies, or of the default set, e.g. "
                   "security_stance_0.4; see simulate decide).")
@click.option("--against", default="do_nothing", show_default=True,
              help="With --policy: the reference policy.")
@click.option("--policies", "policies_file", type=opt.SafePath(dir_okay=False), default=None,
              metavar="FILE", help="With --policy: the policies file.")
@click.option("--actor", default=None,
              help="With --policy: whose levers the default set moves (default the hedger).")
@opt.runs_opt
@opt.seed_opt
@opt.executor_options
@opt.json_opt
@base.boundary
def explain(inputs, at, run, top, policy, against, policies_file, actor, runs, seed, executor,
            as_json):  # fmt: skip
    """The mechanisms behind a RESULT's positions, its difference from a REFERENCE, or the
    difference a policy makes.

    INPUTS are RESULT [REFERENCE], two result files; with --policy, SCENARIO... .

    For each issue: Kazakhstan's position and its change since the start, split into the
    contributions of its own doctrine, its ties to each power, each power's inducements
    and pressure, economics, inertia and noise, ranked by size. They add up to the
    change. With REFERENCE (a result run on the same seed and runs, e.g. the baseline),
    the paired differences: the mechanisms that make the two scenarios differ. With
    --policy, the same for two policies over every run of the SCENARIOS (the futures of
    simulate decide, paired).

    \b
    Examples:
      simulate explain results/russian_pressure.parquet
      simulate explain results/middle_corridor.parquet results/baseline.parquet --at 2035
      simulate explain results/baseline.parquet --run 7 --json
      simulate explain baseline russian_pressure china_dependency --policy security_stance_0.4
    """
    from simulate.analysis.explain import to_json, to_text

    if policy is not None:
        if run is not None:
            raise InputError("--run explains one run of a result file; a policy is explained "
                             "over every future", field="--run")  # fmt: skip
        from simulate.analysis.policy_explain import explain_policies

        ex = explain_policies(inputs, policy, against, policies=policies_file, actor=actor,
                              at=at, runs=runs, seed=seed, **executor)  # fmt: skip
    else:
        given = [o for o, v in (("--policies", policies_file), ("--actor", actor),
                                ("--runs", runs), ("--seed", seed)) if v is not None]
        if given or executor:
            raise InputError(f"{(given or ['--workers'])[0]} goes with --policy (scenarios); "
                             "result files are explained as they are", field="--policy")
        if len(inputs) > 2:
            raise InputError("give RESULT and at most one REFERENCE (or --policy with "
                             "scenarios)", field="inputs")  # fmt: skip
        ex = _files(inputs, at, run)
    if as_json:
        click.echo(json.dumps(to_json(ex), indent=2))
        return
    if policy is not None:
        click.echo(f"policies over the futures of {', '.join(ex['scenarios'])}: "
                   + "; ".join(f"{k}: {v}" for k, v in ex["settings"].items()))
    click.echo(to_text(ex, top=top))


def _files(inputs: tuple[str, ...], at: float | None, run: int | None) -> dict:
    from simulate.analysis.explain import explain as run_explain
    from simulate.results.files import load_results

    res = load_results(inputs[0])
    ref = load_results(inputs[1]) if len(inputs) > 1 else None
    return run_explain(res, ref, at=at, run=run)
