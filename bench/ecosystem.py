"""Benchmark the APIs other tools call: Experiment.run, the EMA adapter, to_xarray.

Usage:
    python bench/ecosystem.py            # the figures in bench/README.md (about 2 minutes)
    python bench/ecosystem.py --smoke    # tiny sizes, seconds (what the tests run)

Figures:
  * per-call time of ``run_scenario`` (loads the scenario on every call) and of
    ``Experiment.run`` (loaded once) for a 20-run ensemble, against the bare simulation
    of the same 20 runs; overhead = call - simulation;
  * 50 EMA Workbench experiments (20 runs each) with 1 and 2 processes, both for a
    function that calls ``run_scenario`` and for ``simulate.analysis.ema.model``;
  * ``Results.to_xarray()`` of a 2,000-run result file: seconds and peak memory, read
    from the file, from results in memory, and by hand with pandas
    (``read_parquet(...).set_index([...]).value.to_xarray()``).

Each measurement that needs its own memory high-water mark or process pool runs in a
fresh Python process. Memory is given two ways: the rise of the process's peak resident
set (``VmHWM``, reset through ``/proc/self/clear_refs``) during the step, which counts
Arrow's buffers but not memory the process had already freed and reuses; and the peak
that ``tracemalloc`` traces (Python and numpy allocations, not Arrow's), in a second run
of the same step.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from run import _machine  # bench/run.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = str(ROOT / "scenarios" / "middle_corridor.yaml")
UNCERTAINTIES = {"russia.capacity_growth": (-0.03, 0.01),
                 "kazakhstan.balance_preference": (0.05, 0.8),
                 "kazakhstan.resolve": (0.1, 0.6)}  # fmt: skip


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object last."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, cwd=ROOT, timeout=1800)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def per_call(calls: int) -> dict[str, float]:
    """Median seconds per call of run_scenario, Experiment.run and the bare simulation."""
    import simulate
    from simulate.model.batch import simulate_runs

    exp = simulate.Experiment(SCENARIO)

    def median(fn) -> float:  # noqa: ANN001
        fn()  # warm up
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    over = {"russia.capacity_growth": -0.01}
    return {
        "run_scenario": median(lambda: simulate.run_scenario(SCENARIO, runs=20, seed=1,
                                                             overrides=over)),
        "Experiment.run": median(lambda: exp.run(runs=20, seed=1, overrides=over)),
        "simulation": median(lambda: simulate_runs(exp.spec(runs=20, seed=1, overrides=over),
                                                   list(range(20)), 1)),
        "spec": median(lambda: exp.spec(runs=20, seed=1, overrides=over)),
    }


EMA_CODE = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np
from ema_workbench import (Model, MultiprocessingEvaluator, RealParameter, ScalarOutcome,
                           SequentialEvaluator)
import simulate
from simulate.analysis import ema

SCENARIO, N, PROCESSES, KIND = {scenario!r}, {n}, {processes}, {kind!r}
UNC = {unc!r}


def by_hand(**values):
    res = simulate.run_scenario(SCENARIO, runs=20, seed=1, overrides=values)
    return {{"balance_index": float(res.at("balance_index").mean()),
             "russia_leverage": float(res.at("leverage", "russia").mean())}}


if __name__ == "__main__":
    if KIND == "run_scenario":
        model = Model("balancing", function=by_hand)
        model.uncertainties = [RealParameter(ema.ema_name(p), lo, hi, variable_name=p)
                               for p, (lo, hi) in UNC.items()]
        model.outcomes = [ScalarOutcome("balance_index"), ScalarOutcome("russia_leverage")]
    else:
        model = ema.model(SCENARIO, uncertainties=UNC, runs=20, seed=1,
                          outcomes={{"balance_index": "balance_index",
                                     "russia_leverage": "leverage:russia"}})
    np.random.seed(2024)
    t0 = time.perf_counter()
    if PROCESSES == 1:
        with SequentialEvaluator(model) as ev:
            _, out = ev.perform_experiments(scenarios=N)
    else:
        with MultiprocessingEvaluator(model, n_processes=PROCESSES) as ev:
            _, out = ev.perform_experiments(scenarios=N)
    dt = time.perf_counter() - t0
    print(json.dumps({{"seconds": dt, "first": float(out["balance_index"][0])}}))
"""


def ema_timings(n: int) -> list[tuple[str, int, float]]:
    """Seconds for ``n`` EMA experiments by function kind and process count."""
    rows = []
    for kind in ("run_scenario", "simulate.analysis.ema.model"):
        for processes in (1, 2):
            code = EMA_CODE.format(scenario=SCENARIO, n=n, processes=processes, kind=kind,
                                   unc=UNCERTAINTIES)  # fmt: skip
            with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
                fh.write(code)  # a file, so the EMA worker processes can re-import it
            try:
                out = subprocess.run([sys.executable, fh.name], capture_output=True, text=True,
                                     cwd=ROOT, timeout=1800)  # fmt: skip
            finally:
                os.unlink(fh.name)
            if out.returncode != 0:
                raise SystemExit(f"EMA step failed:\n{out.stderr[-3000:]}")
            rows.append((kind, processes, json.loads(out.stdout.splitlines()[-1])["seconds"]))
    return rows


PEAK = """
def _status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
def reset_peak():
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
"""


def arrays(path: Path) -> list[tuple[str, float, float, float, float]]:
    """(method, seconds, peak RSS rise MB, traced peak MB, Dataset MB) for ``path``."""
    methods = {
        "`to_xarray()` of a result file": (
            "from simulate.results.files import Results, read_metadata\n"
            "res = Results(metadata=read_metadata(PATH), path=Path(PATH))",
            "ds = res.to_xarray()"),
        "`to_xarray()` of results in memory": (
            "res = simulate.load_results(PATH)", "ds = res.to_xarray()"),
        "by hand: `pd.read_parquet(...).set_index([...]).value.to_xarray()`": (
            "import pandas as pd",
            "ds = pd.read_parquet(PATH).set_index(['run', 'time', 'variable', 'entity'])"
            "['value'].to_xarray()"),
    }
    rows = []
    for name, (setup, step) in methods.items():
        figures = {}
        for traced in (False, True):
            code = f"""
import json, time, tracemalloc
from pathlib import Path
import xarray as xr, numpy as np
import simulate
xr.Dataset({{"a": ("x", np.zeros(1))}}).to_dataframe()  # xarray's first-use imports
PATH = {str(path)!r}
{PEAK}
{setup}
reset_peak()
before = _status("VmRSS:")
if {traced}:
    tracemalloc.start()
t0 = time.perf_counter()
{step}
dt = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1] / 2**20 if {traced} else 0.0
print(json.dumps({{"seconds": dt, "peak": _status("VmHWM:") - before, "traced": traced,
                  "mb": ds.nbytes / 2**20}}))
"""
            figures[traced] = _child(code)
        plain, traced = figures[False], figures[True]
        rows.append((name, plain["seconds"], plain["peak"], traced["traced"], plain["mb"]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (seconds)")
    args = ap.parse_args()
    smoke = args.smoke
    print(f"machine: {_machine()}; load average {os.getloadavg()[0]:.2f}\n")

    t = per_call(3 if smoke else 30)
    print("| 20-run ensemble, middle_corridor, one override | ms per call (median) | "
          "overhead over the simulation (ms) |\n|---|---:|---:|")
    for name in ("run_scenario", "Experiment.run"):
        print(f"| `{name}` | {t[name] * 1e3:.1f} | {(t[name] - t['simulation']) * 1e3:.1f} |")
    print(f"| the simulation alone (`simulate_runs`) | {t['simulation'] * 1e3:.1f} | 0 |")
    print(f"| building the run spec (`Experiment.spec`) | {t['spec'] * 1e3:.2f} | |")

    n = 4 if smoke else 50
    print(f"\n| {n} EMA experiments x 20 runs | processes | seconds | speed-up |\n"
          "|---|---:|---:|---:|")
    rows = ema_timings(n)
    for kind, processes, seconds in rows:
        one = next(s for k, p, s in rows if k == kind and p == 1)
        print(f"| `{kind}` | {processes} | {seconds:.2f} | {one / seconds:.2f}x |")

    runs = 50 if smoke else 2_000
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "baseline.parquet"
        import simulate

        simulate.run_scenario(ROOT / "scenarios" / "baseline.yaml", runs=runs, output=path)
        print(f"\n| {runs:,} runs x 68 quarters -> xarray | seconds | peak RSS rise (MiB) | "
              "peak traced by tracemalloc (MiB) | Dataset (MiB) |\n|---|---:|---:|---:|---:|")
        for name, seconds, peak, traced, mb in arrays(path):
            print(f"| {name} | {seconds:.2f} | {peak:,.0f} | {traced:,.0f} | {mb:,.0f} |")


if __name__ == "__main__":
    main()
