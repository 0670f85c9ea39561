"""The commands that build trust in the numbers: sensitivity, discover, calibrate, backtest.

A thin click layer: parse, check the outputs can be written, call the module
(:mod:`simulate.analysis.sensitivity`, :mod:`simulate.analysis.discover`,
:mod:`simulate.analysis.calibrate`, :mod:`simulate.analysis.backtest`), print. Bad input
is one ``error:`` line and exit code 2 (:func:`simulate.cli.base.boundary`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from simulate.cli import base as base
from simulate.cli import options as opt
from simulate.errors import InputError
from simulate.results.table import format_table


def _write_text(output: str | Path, text: str) -> None:
    from simulate.results.files import atomic_path

    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _check_out(path: str | Path | None, field: str) -> None:
    """Fail before any work when an output file cannot be written."""
    from simulate.results.files import check_writable

    if path is None:
        return
    try:
        check_writable(path)
    except InputError as exc:
        raise InputError(exc.message, file=exc.file, field=field) from None


def _renamed(new: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A callback for an option's old name: one deprecation line on stderr when it is used."""

    def notice(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            old = param.opts[0]
            click.echo(f"warning: {old} is deprecated; use {new} (same meaning)", err=True)
        return value

    return notice


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int], Callable[[int], None]]]:
    """``progress(total) -> update(done)``: a bar on stderr, closed on exit."""
    with contextlib.ExitStack() as stack:
        yield lambda total: stack.enter_context(base.progress_bar(total, "design", quiet))


@click.command()
@click.argument("scenario", type=opt.SafePath())
@click.option("--method", default="sobol", show_default=True,
              help="sobol or morris (a design over the scenario's uncertainties), or ensemble "
                   "(first-order indices from the scenario's own runs: every input they draw, "
                   "the posterior and the priors included).")
@click.option("--samples", "-N", type=int, default=256, show_default=True,
              help="Sobol: base sample N, a power of two (N(k+2) runs); Morris: trajectories; "
                   "ensemble: runs (at least 200).")
@click.option("--outcome", default=None, show_default="balance_index",
              metavar="VARIABLE[:ENTITY]", help="The outcome, e.g. leverage:russia.")
@click.option("--output", "old_outcome", default=None, hidden=True, callback=_renamed("--outcome"),
              metavar="VARIABLE[:ENTITY]")
@click.option("--at", type=opt.Finite(), default=None,
              help="Year (a period start); default the end.")
@click.option("--second-order", is_flag=True, help="Also Sobol second-order indices (S2).")
@click.option("-o", "--out", "out_file", type=opt.SafePath(), default=None, metavar="FILE",
              help="Also write the indices as JSON to FILE (atomically).")
@click.option("--plot", "plot_file", type=opt.SafePath(), default=None, metavar="FILE",
              help="Bar chart of the indices with CIs (.png or .svg).")
@opt.seed_opt
@opt.quiet_opt
@opt.executor_options
@opt.json_opt
@base.boundary
def sensitivity(scenario, method, samples, outcome, old_outcome, at, second_order, out_file,
                plot_file, seed, quiet, executor, as_json):  # fmt: skip
    """Global sensitivity of an outcome to the SCENARIO's declared uncertainties.

    Design row i is run i of the scenario: its uncertainties take the design's
    values, everything else is the run's own seeded draw. Uncertainty ranges:
    low-high (uniform, triangular, truncnormal), median*exp(+-2 sigma)
    (lognormal), clipped to the parameter's domain; 'choice' is refused.

    \b
    Examples:
      simulate sensitivity scenarios/middle_corridor.yaml --samples 512 --at 2035
      simulate sensitivity scenarios/baseline.yaml --method morris -N 20 --outcome leverage:russia
      simulate sensitivity baseline --method ensemble -N 4000 --at 2035
    """
    from simulate.analysis.sensitivity import analyse, check_samples

    if outcome is not None and old_outcome is not None:
        raise InputError("give --outcome only (--output is its old name)", field="--outcome")
    outcome = outcome or old_outcome or "balance_index"
    check_samples(method, samples, second_order)
    _check_out(out_file, "-o")
    if plot_file is not None:
        from simulate.analysis.sensitivity_plot import FORMATS

        if Path(plot_file).suffix.lstrip(".").lower() not in FORMATS:
            raise InputError("the plot must be a .png or .svg file", file=plot_file,
                             field="--plot")  # fmt: skip
        _check_out(plot_file, "--plot")
    with _progress(quiet or as_json) as bar:
        res = analyse(scenario, method=method, samples=samples, outcome=outcome, at=at,
                      seed=seed, second_order=second_order, progress=bar, **executor)  # fmt: skip
    if out_file:
        _write_text(out_file, json.dumps(res, indent=2) + "\n")
    if plot_file:
        from simulate.analysis.sensitivity_plot import save

        save(res, plot_file)
    click.echo(json.dumps(res, indent=2) if as_json else sensitivity_text(res))


def sensitivity_text(res: dict[str, Any]) -> str:
    """The ranked indices as a terminal table."""
    head = (f"{res['method']} indices of {res['outcome']} at {res['time']:g} "
            f"({res['scenario']}, {res['runs']:,} runs, seed {res['seed']}; ranked)")  # fmt: skip
    if res["method"] == "ensemble":
        rows = [[r["parameter"], f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                 f"{r['delta']:.3f} ± {r['delta_conf']:.3f}"] for r in res["indices"][:25]]
        return "\n".join([head, format_table(["input", "S1 (95% CI)", "delta (95% CI)"], rows),
                          f"({len(res['indices'])} inputs; the 25 largest shown, all in --json)"])
    if res["method"] == "sobol":
        rows = [[r["parameter"], f"{r['S1']:.3f} ± {r['S1_conf']:.3f}",
                 f"{r['ST']:.3f} ± {r['ST_conf']:.3f}"] for r in res["indices"]]  # fmt: skip
        out = [head, format_table(["uncertainty", "S1 (95% CI)", "ST (95% CI)"], rows)]
        if res["second_order"]:
            rows = [[" x ".join(r["pair"]), f"{r['S2']:.3f} ± {r['S2_conf']:.3f}"]
                    for r in res["second_order"]]  # fmt: skip
            out.append(format_table(["pair", "S2 (95% CI)"], rows))
        return "\n".join(out)
    rows = [[r["parameter"], f"{r['mu_star']:.4g} ± {r['mu_star_conf']:.2g}",
             f"{r['sigma']:.4g}"] for r in res["indices"]]  # fmt: skip
    return "\n".join([head, format_table(["uncertainty", "mu* (95% CI)", "sigma"], rows)])


@click.command()
@click.argument("scenario", type=opt.SafePath())
@click.option("--outcome", default="captured", show_default=True,
              help="captured, or VARIABLE[:ENTITY](>|>=|<|<=)NUMBER, e.g. 'leverage:russia>0.6'.")
@click.option("--at", type=opt.Finite(), default=None,
              help="Year (a period start); default the end.")
@click.option("--threshold", type=opt.Finite(), default=0.8, show_default=True,
              help="Minimum density of the reported box, in (0, 1].")
@click.option("--mass-min", type=opt.Finite(), default=0.05, show_default=True,
              help="Smallest share of runs a box may hold (lower it for rare outcomes).")
@click.option("--inputs", type=click.Choice(["design", "ensemble"]), default="design",
              show_default=True,
              help="design: a Latin hypercube over the scenario's uncertainties; ensemble: the "
                   "scenario's own runs, with every input each drew (posterior, priors).")
@opt.runs_opt
@opt.seed_opt
@opt.quiet_opt
@opt.executor_options
@opt.json_opt
@base.boundary
def discover(scenario, outcome, at, threshold, mass_min, inputs, runs, seed, quiet, executor,
             as_json):  # fmt: skip
    """Scenario discovery (PRIM): which uncertainty ranges make an OUTCOME likely.

    Needs the EMA Workbench: pip install 'multivector[ema]'.

    \b
    Examples:
      simulate discover scenarios/baseline.yaml --outcome captured --runs 20000 --mass-min 0.002
      simulate discover scenarios/baseline.yaml --outcome "leverage:russia>0.22"
      simulate discover baseline --outcome captured --inputs ensemble --runs 4000 --mass-min 0.01
    """
    from simulate.analysis.discover import discover as run_discover

    with _progress(quiet or as_json) as bar:
        res = run_discover(scenario, outcome=outcome, runs=runs, at=at, seed=seed,
                           threshold=threshold, mass_min=mass_min, progress=bar,
                           inputs=inputs, **executor)  # fmt: skip
    click.echo(json.dumps(res, indent=2) if as_json else discover_text(res))


def discover_text(res: dict[str, Any]) -> str:
    """The box, its coverage and density, and the peeling trajectory, as text."""
    box = res["box"]
    out = [f"{res['outcome']} at {res['time']:g}: {res['share']:.2%} of {res['runs']:,} runs "
           f"({res['scenario']}, seed {res['seed']})"]  # fmt: skip
    if not box["meets_threshold"]:
        out.append(f"no box reaches density {box['threshold']:g}; the densest box is shown")
    out.append(f"box {box['index']}: coverage {box['coverage']:.3f}, density "
               f"{box['density']:.3f} (lift {box['density'] / res['share']:.1f}x over all runs), "
               f"mass {box['mass']:.3f}")  # fmt: skip
    rows = [[r["parameter"], f"{r['low']:.4g} .. {r['high']:.4g}",
             f"{r['full_low']:.4g} .. {r['full_high']:.4g}", "yes" if r["restricted"] else ""]
            for r in box["limits"]]  # fmt: skip
    out.append(format_table(["uncertainty", "box", "sampled range", "restricted"], rows))
    out.append("\npeeling trajectory (coverage vs density):")
    traj = res["trajectory"]
    keep = sorted({*range(0, len(traj), max(len(traj) // 12, 1)), box["index"], len(traj) - 1})
    rows = [[t["box"], f"{t['coverage']:.3f}", f"{t['density']:.3f}", f"{t['mass']:.3f}",
             t["restricted_dims"]] for t in (traj[k] for k in keep)]  # fmt: skip
    out.append(format_table(["box", "coverage", "density", "mass", "restricted"], rows))
    return "\n".join(out)


@click.command()
@click.option("--config", "config_path", type=opt.SafePath(), default=None,
              help="Config to fit (default configs/default.yaml).")
@click.option("--targets", "targets_path", type=opt.SafePath(), default=None,
              help="Calibration targets: history file and fit years, article figures "
                   "(default configs/targets.yaml).")
@click.option("-o", "--output", type=opt.SafePath(), default=None, metavar="NEW_CONFIG",
              help="Where to write the fitted config (default configs/calibrated.yaml).")
@click.option("--in-place", is_flag=True, help="Overwrite the input config (the only way).")
@click.option("--posterior", "posterior_path", type=opt.SafePath(), default=None,
              metavar="SAMPLE.csv",
              help="Fit a posterior by ABC-SMC (pyabc) and write its sample here, with a "
                   "report (.md) and a plot (.png) beside it; NEW_CONFIG then holds the "
                   "posterior medians. Without it: a least-squares point fit.")
@click.option("--last-year", type=click.IntRange(2019, 2022), default=None,
              help="Fit only the years up to this one (a rolling origin for the backtest; "
                   "default the targets file's last fit year).")
@click.option("--population", type=click.IntRange(20, 100_000), default=1000, show_default=True,
              help="ABC: particles per generation.")
@click.option("--generations", type=click.IntRange(1, 50), default=6, show_default=True,
              help="ABC: generations at most.")
@click.option("--vectors", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help="ABC: equally weighted vectors in the sample written.")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="ABC: processes sampling in parallel (1: reproducible for a seed).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="ABC: sample on a Dask scheduler (tcp://host:8786) instead.")
@opt.seed_opt
@opt.json_opt
@base.boundary
def calibrate(config_path, targets_path, output, in_place, posterior_path, last_year,
              population, generations, vectors, workers, scheduler, seed, as_json):  # fmt: skip
    """Fit the config's `calibrate: true` parameters to the observed history and the articles.

    The targets file names the history file and the fit years (2023 is held out
    for `simulate backtest` and never simulated) and the article figures.

    Without --posterior: a least-squares point fit, deterministic (the model value of a
    target is the mean of a fixed ensemble, runs and seed from the targets file); writes
    NEW_CONFIG (an overlay with the fitted values) and a fit table beside it (.fit.md).

    With --posterior: a posterior sample by ABC-SMC from the parameters' priors (each
    particle's runs draw every other assumption from its prior); writes the sample, its
    report (convergence per generation, prior against posterior) and a plot, and
    NEW_CONFIG with the posterior medians. A config naming the sample (`posterior:`)
    makes every ensemble take run i's values from vector i of it.

    \b
    Examples:
      simulate calibrate -o configs/calibrated.yaml
      simulate calibrate --posterior configs/posterior.csv -o configs/calibrated.yaml --workers 2
      simulate calibrate --posterior configs/posterior-2021.csv --last-year 2021 \\
          -o configs/calibrated-2021.yaml
    """
    from simulate.analysis.calibrate import calibrate as run_calibrate
    from simulate.analysis.calibrate import fit_markdown, fitted_config_text
    from simulate.scenarios.parameters import CONFIG_DIR, DEFAULT_CONFIG

    source = Path(config_path or DEFAULT_CONFIG)
    targets_path = targets_path or CONFIG_DIR / "targets.yaml"
    if in_place and output is not None and Path(output).resolve() != source.resolve():
        raise InputError("give -o or --in-place, not both", field="--in-place")
    target = source if in_place else Path(output or source.parent / "calibrated.yaml")
    if not in_place and target.resolve() == source.resolve():
        raise InputError("refusing to overwrite the input config; use --in-place",
                         file=target, field="--output")  # fmt: skip
    _check_out(target, "--output")
    if posterior_path is not None:
        _check_out(posterior_path, "--posterior")
        _posterior(source, config_path, targets_path, target, Path(posterior_path), last_year,
                   population, generations, vectors, workers, scheduler, seed,
                   as_json)  # fmt: skip
        return
    report = target.with_suffix(".fit.md")
    res = run_calibrate(targets_path, config_path, last_year=last_year)
    text = fitted_config_text(config_path, res, targets_path, written_to=target)
    _write_text(target, text)
    _write_text(report, fit_markdown(res))
    click.echo(json.dumps(res, indent=2) if as_json else fit_markdown(res))
    click.echo(f"wrote {target} and {report}", err=True)


def _posterior(source: Path, config_path: Any, targets_path: Any, target: Path, sample: Path,
               last_year: int | None, population: int, generations: int, vectors: int,
               workers: int, scheduler: str | None, seed: int | None, as_json: bool) -> None:
    """`simulate calibrate --posterior`: ABC-SMC, the sample, its report and plot, and the
    overlay of posterior medians."""
    import numpy as np

    from simulate.analysis import posterior as post
    from simulate.analysis.calibrate import fitted_config_text, problem

    pb = problem(targets_path, config_path, last_year)
    res = post.posterior(pb, population=population, generations=generations, vectors=vectors,
                         workers=workers, scheduler=scheduler, seed=seed)  # fmt: skip
    digest = post.write_sample(res, sample)
    report, picture = sample.with_suffix(".md"), sample.with_suffix(".png")
    text = post.report_markdown(res, sample.name)
    _write_text(report, text)
    post.plot(res, picture)
    medians = {p: float(np.median(res["sample"][:, k])) for k, p in enumerate(res["paths"])}
    point = {"parameters": {p: {"before": pb.cfg.get(p).central, "fitted": v}
                            for p, v in medians.items()},
             "fit": [{"kind": t["kind"]} for t in pb.everything],
             "fit_years": list(pb.data["history"]["years"]) if pb.data.get("history") else None}
    _write_text(target, fitted_config_text(config_path, point, targets_path, written_to=target,
                                           how="the posterior median of " + sample.name,
                                           sample=sample))
    if as_json:
        out = {k: v for k, v in res.items() if k not in ("sample", "prior_objects")}
        out.update(sample=str(sample), sha256=digest, rows=post.summary_rows(res))
        click.echo(json.dumps(out, indent=2))
    else:
        click.echo(text)
    click.echo(f"wrote {sample} ({len(res['sample'])} vectors, sha256 {digest[:12]}), "
               f"{report}, {picture} and {target}", err=True)


@click.command()
@click.option("--origin", type=int, default=2022, show_default=True, metavar="YEAR",
              help="The last fit year (2021 or 2022); the years after it, to 2023, are held "
                   "out and scored.")
@click.option("--scenario", "scenario", type=click.Path(), default=None,
              help="History scenario (default: the shipped history_2021).")
@click.option("--config", "config_path", type=click.Path(), default=None,
              help="The config fitted for the origin, e.g. configs/calibrated.yaml for 2022 "
                   "(default: the scenario's, and the output says so).")
@click.option("--history", "history_path", type=click.Path(), default=None,
              help="Observed history (default configs/history.yaml).")
@click.option("--runs", "-n", type=click.IntRange(min=1), default=300, show_default=True,
              help="Number of runs.")
@opt.seed_opt
@opt.quiet_opt
@opt.json_opt
@base.boundary
def backtest(origin, scenario, config_path, history_path, runs, seed, quiet, as_json):
    """Score the history scenario's held-out years against the record and naive forecasts.

    The fit years are those up to --origin; the held-out years are the origin's
    next year to 2023 (2023 is held out of `simulate calibrate`). The same history
    scenario runs for every origin: it plays the events of 2022 as known events.
    For each held-out figure with a model mapping: the observed value or range;
    the model's median and 50% and 90% intervals of the annual mean and whether
    they overlap it; the CRPS of the model, of persistence and of the trend of the
    fit years, and the model's skill against each; and whether the model moves the
    right way since the origin. Then the coverage of the intervals, the mean CRPS
    scaled by each observation's magnitude, and the UN votes.

    \b
    Examples:
      simulate backtest --origin 2021
      simulate backtest --origin 2022 --config configs/calibrated.yaml --json
    """
    from simulate.analysis.backtest import backtest as run_backtest
    from simulate.analysis.backtest import backtest_text

    with base.progress_bar(runs, "backtest", quiet or as_json) as bar:
        res = run_backtest(scenario, origin=origin, config=config_path, history=history_path,
                           runs=runs, seed=seed, progress=bar)  # fmt: skip
    click.echo(json.dumps(res, indent=2) if as_json else backtest_text(res))
