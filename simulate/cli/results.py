"""The analysis commands: compare, report, plot, export. Parse, call, print."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simulate.cli import base as base
from simulate.cli import options as opt


def _load(paths):  # noqa: ANN001, ANN202
    from simulate.results.files import load_results

    return [load_results(p) for p in paths]


def _write_bytes(output: str, data: bytes) -> None:
    """Write ``data`` to ``output`` atomically, readable as any new file would be.

    Raises:
        InputError: The output cannot be written (read-only folder or file system, disk
            full); no partial file is left behind.
    """
    import os

    from simulate.errors import InputError
    from simulate.results.files import atomic_path

    try:
        with atomic_path(output) as tmp:
            tmp.write_bytes(data)
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o666 & ~umask)  # mkstemp creates 0600; a report is meant to be shared
    except OSError as exc:
        raise InputError(f"cannot write the output ({exc.strerror or exc})", file=output,
                         field="--output") from None  # fmt: skip


def _check_writable(output: str) -> None:
    """Fail early, before any work, unless a file can really be created at ``output``."""
    from simulate.results.files import check_writable

    check_writable(output)


@click.command()
@click.argument("files", nargs=-1, required=True, type=opt.SafePath())
@click.option("--variable", "-v", "variables", multiple=True,
              help="Variable to compare (repeatable). Default: the key outcomes.")
@click.option("--entity", "-e", "entities", multiple=True,
              help="Only this power or route (repeatable). Default: every entity.")
@click.option("--at", "at", multiple=True, type=opt.Finite(),
              help="Year (period start) to compare at (repeatable). Default: common end.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV output.")
@click.option("--fail-above", type=opt.Finite(min=0), default=None, metavar="X",
              help="Exit 1 when any |difference of means| exceeds X (regression guard).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Seed of the bootstrap (for files that are not paired).")
@opt.json_opt
@base.boundary
def compare(files, variables, entities, at, as_csv, fail_above, seed, as_json):
    """Compare result FILES against the first one (the reference).

    \b
    Per file: mean, median, 5-95% interval, with units; the outcome-class
    probabilities first. Against the reference: difference of means with a 95% CI
    (paired t interval for files of the same runs and seed, else bootstrap), marked *
    where it excludes zero; P(run of B > run of A), Mann-Whitney U p-value.
    \b
    Examples:
      simulate compare results/baseline.parquet results/middle_corridor.parquet
      simulate compare a.parquet b.parquet --variable leverage --at 2030 --at 2040
      simulate compare old.parquet new.parquet --fail-above 0.01   # CI regression guard
    """
    from simulate.analysis.compare import compare as run_compare
    from simulate.analysis.compare import heading, largest_difference, max_abs_difference

    results = _load(files)
    rows, notes = run_compare(results, variables or None, at or None, seed,
                              entities or None)  # fmt: skip
    if as_json:
        click.echo(json.dumps({"notes": notes, "rows": rows}, indent=2, default=str))
    elif as_csv:
        import pandas as pd

        click.echo(pd.DataFrame(rows).to_csv(index=False), nl=False)
    else:
        for note in notes:
            click.echo(f"note: {note}", err=True)
        click.echo(heading(results, sorted({r["time"] for r in rows})))
        click.echo(_table(rows))
        click.echo(LEGEND)
    if fail_above is not None and max_abs_difference(rows) > fail_above:
        r = largest_difference(rows)
        assert r is not None
        where = r["variable"] + (f"[{r['entity']}]" if r["entity"] else "")
        click.echo(f"regression: |difference of means| {abs(r['diff']):.4g} of {where} at "
                   f"{r['time']:g} ({r['scenario']}) exceeds --fail-above {fail_above:g}",
                   err=True)  # fmt: skip
        raise SystemExit(1)


LEGEND = """
5-95% / CI: the 5-95% range of the runs ("all runs" where every run has the mean's value);
for a probability (outcome classes, captured), its Wilson 95% interval.
diff: mean of the file minus mean of the reference (first row of each block) with a 95%
interval, * where it excludes zero: for files that ran the same runs with the same seed,
the t interval of the paired per-run differences; otherwise a bootstrap interval.
P(B>A): probability that a run of the file exceeds a run of the reference (ties count
half); MW p: Mann-Whitney U two-sided p-value."""


def _fmt(x) -> str:  # noqa: ANN001
    if x is None:
        return "-"
    if isinstance(x, str):
        return "n/a"
    return f"{x:.3g}" if abs(x) < 1e-3 and x != 0 else f"{x:.3f}"


def _table(rows) -> str:  # noqa: ANN001
    from simulate.results.table import format_table

    headers = ["variable", "entity", "unit", "time", "scenario", "mean", "median",
               "5-95% / CI", "diff", "diff 95% CI", "P(B>A)", "MW p"]  # fmt: skip
    out = []
    for r in rows:
        if "diff" not in r:
            ci = "-"
        elif isinstance(r["diff_lo"], str):
            ci = r["diff_lo"]  # says plainly why the test is missing
        else:
            ci = f"[{_fmt(r['diff_lo'])}, {_fmt(r['diff_hi'])}]"
            ci += " *" if r.get("excludes_zero") else ""
        spread = ("all runs" if r.get("constant")
                  else f"[{_fmt(r['p05'])}, {_fmt(r['p95'])}]")  # fmt: skip
        out.append([r["variable"], r["entity"] or "-", r.get("unit", ""), f"{r['time']:g}",
                    r["scenario"], _fmt(r["mean"]), _fmt(r["median"]), spread,
                    _fmt(r.get("diff")), ci, _fmt(r.get("p_superiority")),
                    _fmt(r.get("mannwhitney_p"))])  # fmt: skip
    return format_table(headers, out)

@click.command()
@click.argument("files", nargs=-1, required=True, type=opt.SafePath())
@click.option("--output", "-o", required=True, type=opt.SafePath(), help="HTML file to write.")
@base.boundary
def report(files, output):
    """Write a self-contained HTML report of result FILES (the first is the reference).

    \b
    Example:
      simulate report results/baseline.parquet results/middle_corridor.parquet -o report.html
    """
    from simulate.analysis.report import build_report

    _check_suffix(output, (".html", ".htm"))
    html = build_report(_load(files))
    _write_bytes(output, html.encode("utf-8"))
    click.echo(f"wrote {output}")


@click.command()
@click.argument("file", type=opt.SafePath())
@click.option("--variable", "-v", required=True, help="Variable to plot.")
@click.option("--entity", "-e", default=None, help="Only this entity (power or route).")
@click.option("--output", "-o", required=True, type=opt.SafePath(), help="Figure (.png or .svg).")
@base.boundary
def plot(file, variable, entity, output):
    """Plot one VARIABLE of a result FILE as a fan chart (or routes as stacked shares).

    \b
    Example:
      simulate plot results/middle_corridor.parquet -v leverage -e russia -o lev.png
    """
    from simulate.analysis import plots
    from simulate.results import view as rv

    fmt = _check_suffix(output, (".png", ".svg"))[1:]
    res = _load([file])
    rv.check(res[0], variable, entity)
    if variable == "captured":
        fig = plots.failure_figure(res)
    elif variable == "oil_route_share" and entity is None:
        fig = plots.routes_figure(res[0])
    else:
        fig = plots.fan_figure(res, variable, entity)
    _write_bytes(output, plots.to_bytes(fig, fmt))
    click.echo(f"wrote {output}")


@click.command()
@click.argument("file", type=opt.SafePath())
@click.option("--format", "fmt", type=click.Choice(["iamc", "csv", "netcdf"]), default="iamc",
              show_default=True,
              help="iamc: wide IAMC table (pyam); csv: the tidy table; netcdf: one array per "
                   "variable (xarray).")
@click.option("--quantile", "quantiles", multiple=True, type=opt.Finite(0, 1),
              help="Quantile to export for IAMC (repeatable; default 0.05, 0.5, 0.95).")
@click.option("--output", "-o", required=True, type=opt.SafePath(),
              help="File to write: .csv, or .nc for netcdf.")
@base.boundary
def export(file, fmt, quantiles, output):
    """Export a result FILE as IAMC wide CSV, the tidy CSV or netCDF arrays.

    \b
    Examples:
      simulate export results/middle_corridor.parquet --format iamc -o mc_iamc.csv
      simulate export results/middle_corridor.parquet --format netcdf -o mc.nc
    """
    from simulate.analysis.export import DEFAULT_QUANTILES, check_quantiles, iamc_frame

    if fmt == "netcdf":
        _export_netcdf(file, output, bool(quantiles))
        return
    quantiles = check_quantiles(quantiles or DEFAULT_QUANTILES)
    _check_writable(output)
    res = _load([file])[0]
    frame = iamc_frame(res, quantiles) if fmt == "iamc" else res.frame
    _write_bytes(output, frame.to_csv(index=False).encode("utf-8"))
    click.echo(f"wrote {output}")


def _export_netcdf(file: str, output: str, quantiles_given: bool) -> None:
    """Write every variable of ``file`` as arrays, reading the file in batches."""
    from simulate.errors import InputError
    from simulate.results.arrays import write_netcdf
    from simulate.results.files import Results, read_metadata

    if quantiles_given:
        raise InputError("--quantile applies to --format iamc only", field="--quantile")
    _check_suffix(output, (".nc",))
    res = Results(metadata=read_metadata(file), path=Path(file))
    try:
        ds = res.to_xarray()
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise InputError(f"cannot read rows (truncated or damaged?): {exc}", file=file) from None
    try:
        write_netcdf(ds, output)
    except OSError as exc:
        raise InputError(f"cannot write the output ({exc.strerror or exc})", file=output,
                         field="--output") from None  # fmt: skip
    click.echo(f"wrote {output}")


def _check_suffix(output: str, allowed: tuple[str, ...]) -> str:
    """Fail early, before any work, on an output of the wrong kind or in no writable folder."""
    from simulate.errors import InputError

    suffix = Path(output).suffix.lower()
    if suffix not in allowed:
        raise InputError(f"output must end in {' or '.join(allowed)}", file=output,
                         field="--output")  # fmt: skip
    _check_writable(output)
    return suffix
