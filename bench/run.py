"""Benchmark the drivers and executors on the baseline scenario; print a Markdown table.

Usage:
    python bench/run.py            # full sizes (several minutes)
    python bench/run.py --smoke    # tiny sizes, seconds (what CI runs)

Figures: whole ``simulate run`` commands (20,000 runs with ``--keep summary`` on one
worker; the Mesa and batched drivers per run, end to end; ``--keep runs`` at 10^5 runs);
seconds per run for the Mesa driver, for ``mesa.batch_run`` and for the
batched driver at 10^2..10^5 runs; run-steps per second per core; scaling with
horizon length and with the number of actors; the cost per run of the shipped optional
actors (``baseline_wider``) against the four actors of the baseline; peak RSS of ``simulate run`` at
10^5 runs with ``--keep summary`` and ``--keep runs``; the speed-up of a
2-worker Dask LocalCluster over 1 worker; ``Experiment.run`` of a loaded scenario at 1,
20 and 2,000 runs (median seconds, the simulation's own share of each call, and what
is left: the API's cost) against the whole ``simulate run`` command for the same runs;
``simulate decide`` with 10 policies over 1,002 futures (334 runs of each of three
scenarios) on two workers.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
POLICIES = ROOT / "docs" / "examples" / "policies_kazakhstan.yaml"
DECIDE_SCENARIOS = ("baseline", "russian_pressure", "china_dependency")


def _spec(horizon_end: int = 2040, config=None, runs: int = 100):  # noqa: ANN001, ANN202
    from simulate.model.preparation import prepare
    from simulate.scenarios.scenario import load

    data = {"name": "bench", "description": "benchmark", "extends": str(BASELINE),
            "horizon": {"start": 2024, "end": horizon_end, "step": "quarter"}, "runs": runs}
    return prepare(load(data, config=config))


def _config_with_powers(n_powers: int):  # noqa: ANN202
    """The default config plus copies of the EU as extra powers, up to ``n_powers``."""
    from simulate.scenarios.parameters import load_config, with_power

    config = load_config()
    for k in range(n_powers - len(config.powers)):
        config = with_power(config, f"power{k + 1}", like="eu")
    return config


def _time(fn, repeat: int = 1) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _batched(spec, runs: int) -> float:  # noqa: ANN001
    from simulate.running.ensemble import run_chunks

    def go() -> None:
        for _ in run_chunks(spec, range(runs), 1, workers=1):
            pass

    return _time(go, repeat=2 if runs <= 10_000 else 1)


def drivers(sizes: list[int], mesa_runs: int) -> list[tuple]:
    """Seconds per run for each driver; the batched/Mesa speed-up; run-steps/s/core."""
    import mesa

    from simulate.model.mesa_model import BalancingModel

    spec = _spec()
    steps = len(spec.times)
    rows = []
    t_mesa = _time(lambda: [BalancingModel.from_spec(spec, run=i).run() for i in range(mesa_runs)])
    per_mesa = t_mesa / mesa_runs
    rows.append(("Mesa driver", mesa_runs, t_mesa, per_mesa, "1", mesa_runs * steps / t_mesa))
    t_br = _time(lambda: mesa.batch_run(
        BalancingModel, parameters={"scenario": spec, "run": range(mesa_runs)}, iterations=1,
        max_steps=steps, number_processes=1, display_progress=False))  # fmt: skip
    rows.append(("mesa.batch_run", mesa_runs, t_br, t_br / mesa_runs,
                 f"{per_mesa / (t_br / mesa_runs):.2f}", mesa_runs * steps / t_br))  # fmt: skip
    for n in sizes:
        t = _batched(spec, n)
        rows.append(("batched driver", n, t, t / n, f"{per_mesa / (t / n):,.0f}", n * steps / t))
    return rows


def scaling(runs: int, horizons: list[int], actors: list[int]) -> list[tuple]:
    """Batched seconds by horizon length and by number of actors (hedger included)."""
    rows = []
    for end in horizons:
        spec = _spec(end)
        t = _batched(spec, runs)
        rows.append((f"horizon 2024-{end}", len(spec.times), runs, t, runs * len(spec.times) / t))
    for n_actors in actors:
        spec = _spec(config=_config_with_powers(n_actors - 1))
        t = _batched(spec, runs)
        rows.append((f"{n_actors} actors", len(spec.times), runs, t, runs * len(spec.times) / t))
    return rows


def optional_actors(runs: int, repeats: int) -> list[tuple[str, int, float, float]]:
    """Seconds per run, batched in-process, of the baseline (the four actors of the default
    config) and of ``baseline_wider`` (with every shipped optional actor: two more powers and
    two transit states), both 2024-2040 quarterly; medians of ``repeats`` timings,
    alternated so that the machine's drift falls on both alike."""
    from simulate.model.preparation import prepare

    specs = {name: prepare(ROOT / "scenarios" / f"{name}.yaml", runs=runs)
             for name in ("baseline", "baseline_wider")}  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in specs}
    for spec in specs.values():
        _batched(spec, min(runs, 50))  # warm
    for _ in range(repeats):
        for name, spec in specs.items():
            times[name].append(_batched(spec, runs) / runs)
    return [(name, len(spec.powers) + len(spec.config.transit_states) + 1, runs,
             statistics.median(times[name])) for name, spec in specs.items()]


def cli_memory(runs: int, keep: str, workers: int, *extra: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, largest process) of ``simulate run`` in a subprocess."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, "-m", "simulate", "run", str(BASELINE), "-n", str(runs), "--keep",
               keep, "-w", str(workers), "-q", "-o", str(Path(d) / "out.parquet"), *extra]
        script = ("import resource,subprocess,sys,time;t=time.perf_counter();"
                  "r=subprocess.run(sys.argv[1:]);dt=time.perf_counter()-t;"
                  "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
                  "print(dt, m, r.returncode)")  # fmt: skip
        out = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout.split()[-3:]  # fmt: skip
        if out[2] != "0":
            raise SystemExit(f"simulate run failed: {' '.join(cmd)}")
        return float(out[0]), float(out[1]) / 1024


def end_to_end(smoke: bool) -> list[tuple[str, float, float, str]]:
    """Whole ``simulate run`` commands: (options, seconds, peak RSS MB, figure)."""
    summary_runs, mesa_runs = (200, 4) if smoke else (20_000, 500)
    periods = 68
    rows = []
    t, rss = cli_memory(summary_runs, "summary", 1)
    rows.append((f"--runs {summary_runs:,} --workers 1 --keep summary", t, rss,
                 f"{summary_runs * periods / t / 1e6:.2f} M run-steps/s"))  # fmt: skip
    tm, rssm = cli_memory(mesa_runs, "summary", 1, "--engine", "mesa")
    ratio = (tm / mesa_runs) / (t / summary_runs)
    rows.append((f"--runs {mesa_runs:,} --workers 1 --keep summary --engine mesa", tm, rssm,
                 f"{tm / mesa_runs * 1e3:.1f} ms per run; the batched driver (first row) is "
                 f"{ratio:.0f}x faster per run"))  # fmt: skip
    big = 200 if smoke else 100_000
    workers = os.cpu_count() or 1
    tr, rssr = cli_memory(big, "runs", workers)
    rows.append((f"--runs {big:,} --workers {workers} --keep runs", tr, rssr,
                 f"{big * periods / tr / 1e6:.2f} M run-steps/s"))
    return rows


def dask_speedup(runs: int) -> tuple[float, float]:
    """Seconds of ``run_scenario(keep="summary", dask_local=n)`` for n = 1 and 2 workers.

    Each call starts its LocalCluster (a second or two, in both figures), whose
    workers write their chunks into a spool here, as a process pool's do.
    """
    import distributed  # noqa: F401  (ImportError: Dask is not installed)

    from simulate.running.runner import run_scenario

    run_scenario(BASELINE, runs=256, keep="summary", dask_local=1)  # warm the imports
    times = []
    for n in (1, 2):
        t0 = time.perf_counter()
        run_scenario(BASELINE, runs=runs, keep="summary", dask_local=n)
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def experiment_against_cli(sizes: list[int], calls: int, cli_calls: int) -> list[tuple]:
    """``Experiment.run`` of the loaded baseline against ``simulate run`` for the same runs.

    For each size: the median over ``calls`` calls of ``Experiment.run(runs=n)`` (results
    in memory, the tidy frame not built), of the time the simulation itself took inside
    each call (``simulate_runs``, timed where the runner calls it), and of their
    difference, the API's own cost; the median wall time of ``cli_calls`` whole
    ``simulate run scenarios/baseline.yaml --runs N -q -o FILE`` processes (start,
    imports, loading, simulation and writing the file); and the first use of
    ``Results.frame`` (building the tidy frame) at that size.
    """
    import simulate
    from simulate.running import chunks

    inner = chunks.simulate_runs
    spent: list[float] = []

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t0)

    exp = simulate.Experiment(BASELINE)
    exp.run(runs=2)  # warm
    chunks.simulate_runs = timed
    rows = []
    try:
        for n in sizes:
            total, sim, cost = [], [], []
            for _ in range(calls):
                spent.clear()
                t0 = time.perf_counter()
                res = exp.run(runs=n)
                total.append(time.perf_counter() - t0)
                sim.append(sum(spent))
                cost.append(total[-1] - sim[-1])
            t0 = time.perf_counter()
            _ = res.frame
            frame = time.perf_counter() - t0
            with tempfile.TemporaryDirectory() as d:
                cmd = [sys.executable, "-m", "simulate", "run", str(BASELINE), "--runs", str(n),
                       "-q", "-o", str(Path(d) / "out.parquet")]  # fmt: skip
                wall = []
                for _ in range(cli_calls):
                    t0 = time.perf_counter()
                    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
                    wall.append(time.perf_counter() - t0)
            med = statistics.median
            rows.append((n, med(total), med(sim), med(cost), med(wall), frame))
    finally:
        chunks.simulate_runs = inner
    return rows


def decide_cli(runs: int, workers: int = 2) -> tuple[str, int, int, float]:
    """Wall seconds of a whole ``simulate decide`` process: the shipped example's 10 policies
    over ``runs`` runs of each of three scenarios, at 2030 and 2035, PRIM included.

    Returns:
        The command's options, the policies, the futures and the seconds.
    """
    import json

    opts = ["--policies", str(POLICIES.relative_to(ROOT)), "--runs", str(runs), "--at", "2030",
            "--at", "2035", "--workers", str(workers)]  # fmt: skip
    cmd = [sys.executable, "-m", "simulate", "decide", *DECIDE_SCENARIOS, *opts, "--json"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - t0
    res = json.loads(out)
    return " ".join([*DECIDE_SCENARIOS, *opts]), len(res["policies"]), res["futures"], seconds


def dashboard_redraw(runs: int, repeats: int) -> tuple[float, float]:
    """The dashboard's answer to a moved lever: two ensembles of ``runs`` (base and moved)
    and every chart; median seconds for the moved ensemble alone and for the whole redraw."""
    from simulate.dashboard import charts, fans
    from simulate.running.runner import prepare

    spec = prepare(ROOT / "scenarios" / "baseline.yaml")
    fans.ensemble(spec, {}, 20)  # warm up
    ens, whole = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        base = fans.ensemble(spec, {}, runs)
        moved = fans.ensemble(spec, {"russia.capacity_growth": 0.03}, runs)
        charts.all_charts(moved, base)
        whole.append(time.perf_counter() - t0)
        ens.append(moved.seconds)
    return statistics.median(ens), statistics.median(whole)


def _machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"{mem:.1f} GiB RAM, Python {platform.python_version()}, {platform.system()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (seconds)")
    args = ap.parse_args()
    smoke = args.smoke
    sizes = [10, 100] if smoke else [100, 1_000, 10_000, 100_000]
    print(f"machine: {_machine()}\n")
    print("| `simulate run scenarios/baseline.yaml ...` | seconds | peak RSS (MB) | figure |")
    print("|---|---:|---:|---|")
    for cmd, t, rss, figure in end_to_end(smoke):
        print(f"| `{cmd}` | {t:.1f} | {rss:,.0f} | {figure} |")
    opts, n_pol, n_fut, t = decide_cli(4 if smoke else 334)
    print(f"\n| `simulate decide {opts}` | policies | futures | seconds |\n|---|---:|---:|---:|")
    print(f"| whole process | {n_pol} | {n_fut:,} | {t:.1f} |")
    print()
    print("| driver | runs | seconds | s/run | speed-up vs Mesa | run-steps/s/core |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, t, per, ratio, rs in drivers(sizes, 2 if smoke else 20):
        print(f"| {name} | {n:,} | {t:.3f} | {per:.2e} | {ratio} | {rs:,.0f} |")
    print("\n| scaling (batched, in-process) | periods | runs | seconds | run-steps/s |")
    print("|---|---:|---:|---:|---:|")
    horizons, actors = ([2026], [4, 8]) if smoke else ([2030, 2040, 2060, 2090], [4, 8, 16])
    for name, periods, n, t, rs in scaling(20 if smoke else 10_000, horizons, actors):
        print(f"| {name} | {periods} | {n:,} | {t:.3f} | {rs:,.0f} |")
    print("\n| optional actors (batched, in-process) | actors | runs | s/run | per run vs "
          "the four |\n|---|---:|---:|---:|---:|")
    rows = optional_actors(20 if smoke else 2_000, 1 if smoke else 5)
    for name, n_actors, n, per in rows:
        print(f"| {name} | {n_actors} | {n:,} | {per:.2e} | {per / rows[0][3]:.2f}x |")
    runs_d = 40 if smoke else 400
    ens_t, whole_t = dashboard_redraw(runs_d, 1 if smoke else 5)
    print(f"\n| dashboard, a lever moved ({runs_d} runs) | seconds |\n|---|---:|\n"
          f"| one ensemble | {ens_t:.2f} |\n| base + moved ensembles + every chart | "
          f"{whole_t:.2f} |")
    print("\n| `Experiment.run(runs=N)`, baseline loaded once | call (ms) | simulation (ms) | "
          "API's own cost (ms) | `simulate run ... --runs N` (ms) | call / CLI | first "
          "`.frame` (ms) |\n|---|---:|---:|---:|---:|---:|---:|")
    api_sizes, calls, cli_calls = ([1, 20, 200], 3, 1) if smoke else ([1, 20, 2_000], 21, 5)
    for n, total, sim, cost, wall, frame in experiment_against_cli(api_sizes, calls, cli_calls):
        print(f"| {n:,} runs | {total * 1e3:.1f} | {sim * 1e3:.1f} | {cost * 1e3:.1f} | "
              f"{wall * 1e3:.0f} | {total / wall:.2f}x | {frame * 1e3:.0f} |")
    big = 200 if smoke else 100_000
    workers = os.cpu_count() or 1
    print(f"\n| simulate run, {big:,} runs x 68 quarters, {workers} workers | seconds | "
          "peak RSS (MB) |\n|---|---:|---:|")
    t, rss = cli_memory(big, "summary", workers)  # --keep runs at this size: the first table
    print(f"| --keep summary | {t:.1f} | {rss:,.0f} |")
    try:
        t1, t2 = dask_speedup(1_000 if smoke else 100_000)
    except ImportError:
        print("\nDask: not installed (pip install 'multivector[dist]')")
        return
    print(f"\n| Dask LocalCluster, {1_000 if smoke else 100_000:,} runs | seconds |\n|---|---:|")
    print(f"| 1 worker | {t1:.2f} |\n| 2 workers | {t2:.2f} |\n| speed-up | {t1 / t2:.2f}x |")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
