"""The commands that build trust in the numbers: sensitivity, discover, calibrate."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from simulate import options as opt


def _write_text(output: str, text: str) -> None:
    from simulate.results import atomic_path

    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8")


@click.command()
@click.argument("scenario", type=click.Path())
@click.option("--method", default="sobol", show_default=True, help="sobol or morris.")
@click.option("--samples", "-N", type=int, default=256, show_default=True,
              help="Base sample size (Sobol: a power of two) or Morris trajectories.")
@click.option("--output", "output", default="balance_index", show_default=True,
              metavar="VARIABLE[:ENTITY]", help="The outcome, e.g. leverage:russia.")
@click.option("--at", type=float, default=None, help="Year (period start); default the end.")
@click.option("--second-order", is_flag=True, help="Also Sobol second-order indices (S2).")
@click.option("--out", "-o", "out_file", type=click.Path(), default=None,
              help="Write the indices as JSON to this file.")
@click.option("--plot", "plot_file", type=click.Path(), default=None,
              help="Bar chart of the indices (.png or .svg).")
@opt.seed_opt
@opt.executor_options
@opt.json_opt
@opt.boundary
def sensitivity(scenario, method, samples, output, at, second_order, out_file, plot_file, seed,
                executor, as_json):  # fmt: skip
    """Global sensitivity of an outcome to the SCENARIO's declared uncertainties.

    \b
    Examples:
      simulate sensitivity scenarios/middle_corridor.yaml --samples 512 --at 2035
      simulate sensitivity scenarios/baseline.yaml --method morris -N 20 --output leverage:russia
    """
    from simulate.sensitivity import analyse, bar_chart

    with contextlib.ExitStack() as stack:
        bar = lambda total: stack.enter_context(opt.progress_bar(total, "design", False))  # noqa: E731
        res = analyse(scenario, method=method, samples=samples, output=output, at=at,
                      seed=seed, second_order=second_order, progress=bar, **executor)  # fmt: skip
    if out_file:
        _write_text(out_file, json.dumps(res, indent=2))
    if plot_file:
        from simulate.plots import to_bytes
        from simulate.results import atomic_path

        fmt = Path(plot_file).suffix.lstrip(".").lower()
        if fmt not in ("png", "svg"):
            from simulate.errors import InputError

            raise InputError("the plot must be .png or .svg", file=plot_file, field="--plot")
        with atomic_path(plot_file) as tmp:
            tmp.write_bytes(to_bytes(bar_chart(res), fmt))
    if as_json:
        click.echo(json.dumps(res, indent=2))
        return
    from simulate.table import format_table

    click.echo(f"{res['method']} indices of {res['output']} at {res['time']:g} "
               f"({res['scenario']}, {res['runs']:,} runs, ranked)")  # fmt: skip
    if method == "sobol":
        rows = [[r["parameter"], f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                 f"{r['ST']:.3f} ± {r['ST_conf']:.3f}"] for r in res["indices"]]  # fmt: skip
        click.echo(format_table(["uncertainty", "S1 (95% CI)", "ST (95% CI)"], rows))
        if res["second_order"]:
            rows = [[" x ".join(r["pair"]), f"{r['S2']:.3f} ± {r['S2_conf']:.3f}"]
                    for r in res["second_order"]]  # fmt: skip
            click.echo(format_table(["pair", "S2 (95% CI)"], rows))
    else:
        rows = [[r["parameter"], f"{r['mu_star']:.4g} ± {r['mu_star_conf']:.2g}",
                 f"{r['sigma']:.4g}"] for r in res["indices"]]  # fmt: skip
        click.echo(format_table(["uncertainty", "mu* (95% CI)", "sigma"], rows))


@click.command()
@click.argument("scenario", type=click.Path())
@click.option("--outcome", default="captured", show_default=True,
              help="captured, or a threshold such as 'leverage:russia>0.6'.")
@click.option("--at", type=float, default=None, help="Year (period start); default the end.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="PRIM's minimum density of a box.")
@opt.runs_opt
@opt.seed_opt
@opt.executor_options
@opt.json_opt
@opt.boundary
def discover(scenario, outcome, at, threshold, runs, seed, executor, as_json):
    """Scenario discovery (PRIM): which uncertainty ranges make OUTCOME likely.

    \b
    Examples:
      simulate discover scenarios/baseline.yaml --outcome captured --runs 2000
      simulate discover scenarios/baseline.yaml --outcome "leverage:russia>0.22"
    """
    from simulate.discover import discover as run_discover
    from simulate.table import format_table

    with contextlib.ExitStack() as stack:
        bar = lambda total: stack.enter_context(opt.progress_bar(total, "design", False))  # noqa: E731
        res = run_discover(scenario, outcome=outcome, runs=runs, at=at, seed=seed,
                           threshold=threshold, progress=bar, **executor)  # fmt: skip
    if as_json:
        click.echo(json.dumps(res, indent=2))
        return
    box = res["box"]
    click.echo(f"{res['outcome']} at {res['time']:g}: {res['share']:.2%} of {res['runs']:,} runs "
               f"({res['scenario']})")  # fmt: skip
    click.echo(f"box: coverage {box['coverage']:.2f}, density {box['density']:.2f}, "
               f"mass {box['mass']:.2f}")  # fmt: skip
    rows = [[r["parameter"], f"{r['low']:.4g} .. {r['high']:.4g}",
             f"{r['full_low']:.4g} .. {r['full_high']:.4g}"] for r in box["restricted"]]
    click.echo(format_table(["uncertainty", "box", "sampled range"], rows) if rows
               else "the box restricts no uncertainty")  # fmt: skip
    click.echo("\npeeling trajectory (coverage vs density):")
    traj = res["trajectory"]
    step = max(len(traj) // 12, 1)
    rows = [[t["box"], f"{t['coverage']:.2f}", f"{t['density']:.2f}", f"{t['mass']:.2f}",
             t["restricted_dims"]] for t in traj[::step]]  # fmt: skip
    click.echo(format_table(["box", "coverage", "density", "mass", "restricted"], rows))


@click.command()
@click.option("--config", "config_path", type=click.Path(), default=None,
              help="Config to fit (default configs/default.yaml).")
@click.option("--targets", "targets_path", type=click.Path(), default="configs/targets.yaml",
              show_default=True, help="Calibration targets with their sources.")
@click.option("--output", "-o", type=click.Path(), default=None,
              help="Where to write the fitted config (default configs/calibrated.yaml).")
@click.option("--in-place", is_flag=True, help="Overwrite the input config.")
@opt.json_opt
@opt.boundary
def calibrate(config_path, targets_path, output, in_place, as_json):
    """Fit the config's `calibrate: true` parameters to article figures.

    \b
    Example:
      simulate calibrate -o configs/calibrated.yaml
    """
    from simulate.calibrate import calibrate as run_calibrate
    from simulate.calibrate import fit_markdown, fitted_config_text
    from simulate.errors import InputError
    from simulate.parameters import DEFAULT_CONFIG

    source = Path(config_path or DEFAULT_CONFIG)
    target = source if in_place else Path(output or source.parent / "calibrated.yaml")
    if not in_place and target.resolve() == source.resolve():
        raise InputError("refusing to overwrite the input config; use --in-place",
                         file=target, field="--output")  # fmt: skip
    res = run_calibrate(targets_path, config_path)
    _write_text(str(target), fitted_config_text(config_path, res, targets_path))
    report = target.with_suffix(".fit.md")
    _write_text(str(report), fit_markdown(res))
    if as_json:
        click.echo(json.dumps(res, indent=2))
    else:
        click.echo(fit_markdown(res))
    click.echo(f"wrote {target} and {report}", err=as_json)
