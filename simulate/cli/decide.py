"""The ``decide`` command: policies judged over the same futures. Parse, call, print."""

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

#: Inputs of the PRIM box the text shows (every one is in --json).
BOX_ROWS = 12


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=opt.SafePath(dir_okay=False))
@click.option("--policies", "policies_file", type=opt.SafePath(dir_okay=False), default=None,
              metavar="FILE", help="Policies to compare (docs/decide.md). Default: doing "
              "nothing and each setting of the actor's levers alone.")
@click.option("--actor", default=None, help="Whose levers the default policies and the search "
              "move (default: the hedger, kazakhstan).")
@click.option("--at", "at", type=opt.Finite(), multiple=True,
              help="Year (a period start) to judge outcomes at; repeat for several "
                   "(default: the horizon's last year).")
@click.option("--objective", type=click.Choice(["balance_index", "balanced"]),
              default="balance_index", show_default=True,
              help="What regret, the worst decile and the Pareto front measure in each future.")
@click.option("--search", is_flag=True, help="Search the actor's levers that take a range "
              "with NSGA-II (pymoo) for the Pareto front of the objective against cost.")
@click.option("--population", type=click.IntRange(4, 1000), default=16, show_default=True,
              help="Search: candidates per generation.")
@click.option("--generations", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="Search: generations.")
@click.option("--search-runs", type=click.IntRange(1, 100_000), default=100,
              show_default=True, help="Search: runs of each scenario a candidate is judged on.")
@click.option("--discover/--no-discover", default=True, show_default=True,
              help="PRIM on the futures where the most robust policy loses the balance.")
@click.option("--plot", "plot_file", type=opt.SafePath(), default=None, metavar="FILE",
              help="The trade-off of objective against cost and a policy-by-future heat map "
                   "(.png or .svg).")
@opt.runs_opt
@opt.seed_opt
@opt.executor_options
@opt.quiet_opt
@opt.json_opt
@base.boundary
def decide(scenarios, policies_file, actor, at, objective, search, population, generations,
           search_runs, discover, plot_file, runs, seed, executor, quiet, as_json):  # fmt: skip
    """Judge policies over every future of the SCENARIOS, paired, and rank them.

    A future is one run of one scenario; every policy runs the same futures (the same
    run indices and seeds, so the same posterior vectors and draws). Per policy: the
    probability of each outcome class at each --at year with 95% Wilson intervals; its
    cost (USD bn over the horizon); satisficing (the share of futures balanced at every
    year), regret against the best policy in each future, the worst decile of the
    objective, and whether it is on the Pareto front of objective against cost. Ranked
    from the most robust: satisficing, then mean regret, then cost.

    \b
    Examples:
      simulate decide baseline russian_pressure china_dependency --at 2030 --at 2035
      simulate decide baseline russian_pressure china_dependency --policies policies.yaml \\
          --at 2035 --search --plot decide.png --workers 2
      simulate decide baseline --actor eu --json
    """
    from simulate.analysis.decide import decide as run_decide

    if plot_file is not None:
        _check_plot(plot_file)
    options = {"population": population, "generations": generations, "runs": search_runs}
    with _progress(quiet or as_json) as bar:
        res, ev = run_decide(scenarios, policies=policies_file, actor=actor, at=at or None,
                             runs=runs, seed=seed, objective=objective,
                             search=options if search else None, discover=discover,
                             progress=bar, **executor)  # fmt: skip
    if plot_file is not None:
        from simulate.analysis.decide_plot import save

        save(res, ev, plot_file)
    click.echo(json.dumps(res, indent=2) if as_json else decide_text(res))
    if plot_file is not None and not quiet and not as_json:
        click.echo(f"wrote {plot_file}", err=True)


def _check_plot(path: str) -> None:
    from simulate.analysis.decide_plot import FORMATS
    from simulate.results.files import check_writable

    if Path(path).suffix.lstrip(".").lower() not in FORMATS:
        raise InputError("the plot must be a .png or .svg file", file=path, field="plot")
    try:
        check_writable(path)
    except InputError as exc:
        raise InputError(exc.message, file=exc.file, field="plot") from None


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int], Callable[[int], None]]]:
    """``progress(total) -> update(done)``: a bar on stderr per phase, closed on exit."""
    with contextlib.ExitStack() as stack:
        yield lambda total: stack.enter_context(base.progress_bar(total, "decide", quiet))


def _p(cell: dict[str, float]) -> str:
    return f"{cell['p']:.3f} [{cell['low']:.2f}, {cell['high']:.2f}]"


def _d(vs: dict[str, Any] | None) -> str:
    """The paired difference of satisficing from the reference, with its 95% interval."""
    if vs is None:
        return ""
    d = vs["satisficing"]
    if d["constant"]:
        return f"{d['mean']:+.3f}"
    return f"{d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]"


def ranking_table(res: dict[str, Any]) -> str:
    """The ranked policies: cost, P(balanced) per year, the robustness measures, the front."""
    years = [f"{y:g}" for y in res["years"]]
    head = ["rank", "policy", "cost", *(f"P(balanced) {y}" for y in years), "satisficing",
            f"vs {res['reference']}", "objective", "regret mean", "regret max", "worst decile",
            "front"]  # fmt: skip
    rows = [[r["rank"], r["policy"], f"{r['cost']:.2f}",
             *(_p(r["classes"][y]["balanced"]) for y in years), f"{r['satisficing']:.3f}",
             _d(r["vs_reference"]), f"{r['objective_mean']:.4f}", f"{r['regret_mean']:.4f}",
             f"{r['regret_max']:.4f}", f"{r['worst_decile']:.4f}", "*" if r["front"] else ""]
            for r in res["policies"]]  # fmt: skip
    return format_table(head, rows)


def classes_table(res: dict[str, Any]) -> str:
    """Each policy's outcome-class probabilities at the last year (classes some run reaches)."""
    year = f"{res['years'][-1]:g}"
    shown = [c for c in res["classes"]
             if any(r["classes"][year][c]["p"] > 0 for r in res["policies"])]  # fmt: skip
    rows = [[r["policy"], *(f"{r['classes'][year][c]['p']:.3f}" for c in shown)]
            for r in res["policies"]]  # fmt: skip
    return f"outcome classes at {year} (share of futures):\n" + format_table(
        ["policy", *shown], rows)


def search_text(found: dict[str, Any]) -> str:
    """The Pareto front of the search, cheapest first."""
    head = (f"Pareto front of the objective against cost (NSGA-II over {', '.join(found['levers'])}"
            f" of {found['actor']}: {found['evaluations']} candidates, {found['population']} a "
            f"generation, judged on {found['runs_per_scenario']} runs of each scenario; the "
            "front re-run over every future):")  # fmt: skip
    rows = [[r["policy"], ", ".join(f"{k} = {v:g}" for k, v in r["settings"].items()),
             f"{r['cost']:.2f}", f"{r['objective_mean']:.4f}", f"{r['satisficing']:.3f}"]
            for r in found["front"]]  # fmt: skip
    return head + "\n" + format_table(["policy", "settings", "cost", "objective",
                                       "satisficing"], rows)  # fmt: skip


def failures_text(found: dict[str, Any]) -> str:
    """Where the most robust policy fails: the share, and PRIM's box (restricted inputs)."""
    out = [f"where {found['policy']} fails: {found['share']:.1%} of {found['futures']:,} "
           "futures are not balanced at every year"]
    if found.get("note"):
        return "\n".join([*out, found["note"]])
    box = found["box"]
    out.append(f"PRIM box {box['index']} in the {len(found['screened'])} of {found['inputs']} "
               "inputs that best separate the failures: coverage "
               f"{box['coverage']:.3f}, density {box['density']:.3f} (lift "
               f"{box['density'] / found['share']:.1f}x), mass {box['mass']:.3f}"
               + ("" if box["meets_threshold"] else "; no box reaches the density "
                  f"{box['threshold']:g}, the densest is shown"))  # fmt: skip
    limits = sorted(box["restricted"], key=lambda r: -(1 - (r["high"] - r["low"]) / max(
        r["full_high"] - r["full_low"], 1e-300)))[:BOX_ROWS]  # fmt: skip
    rows = [[r["parameter"], f"{r['low']:.4g} .. {r['high']:.4g}",
             f"{r['full_low']:.4g} .. {r['full_high']:.4g}"] for r in limits]  # fmt: skip
    more = len(box["restricted"]) - len(limits)
    out.append(format_table(["input", "box", "range over the futures"], rows))
    if more > 0:
        out.append(f"({more} more restricted inputs in --json)")
    return "\n".join(out)


def decide_text(res: dict[str, Any]) -> str:
    """The decision as text: the ranking, the classes, the levers' costs, search, failures."""
    scen = ", ".join(f"{s['name']} {s['runs']:,}" for s in res["scenarios"])
    best = res["policies"][0]
    out = [f"{len(res['policies'])} policies over {res['futures']:,} futures ({scen} runs; "
           "every policy runs the same runs and seeds), at "
           f"{', '.join(f'{y:g}' for y in res['years'])}",
           f"objective: {res['objective_words']}; satisficing: balanced at every year (vs "
           f"{res['reference']}: the paired difference, 95% interval); cost: USD bn over the "
           "horizon; front: no other policy has a higher objective for less", "",
           ranking_table(res), "",
           f"most robust: {best['policy']} ({best['describe']})", "", classes_table(res)]
    used = {k for r in res["policies"] for k in r["settings"]}
    rows = [[r["lever"], r["actor"], r["sets"], f"{r['status_quo']:g}", f"{r['unit_cost']:g}",
             r["cost_source"][:70] + ("..." if len(r["cost_source"]) > 70 else "")]
            for r in res["levers"] if r["lever"] in used]  # fmt: skip
    if rows:
        out += ["", "levers moved (cost: USD bn per unit of change per year; sources in --json):",
                format_table(["lever", "actor", "sets", "status quo", "cost", "source"], rows)]
    if res.get("search"):
        out += ["", search_text(res["search"])]
    if res.get("failures"):
        out += ["", failures_text(res["failures"])]
    if res.get("notes"):
        out += ["", *(f"note: {n}" for n in res["notes"])]
    return "\n".join(out)
