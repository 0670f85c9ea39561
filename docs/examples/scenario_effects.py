"""Print the tables of every shipped scenario's outcomes, as in docs/VALIDATION.md.

1. Outcome-class probabilities at 2030 and 2035 with their 95% Wilson intervals, and
   for a class no run reaches, how close the closest run came (the largest agenda share
   of that power over the runs, against the threshold).
2. Headline outcomes against the baseline: paired runs (same seed and run indices), the
   scenario's mean and the mean difference with a bootstrap 95% interval.

Every run takes its posterior vector and draws its priors (the default ensemble).
Usage:  python docs/examples/scenario_effects.py [RUNS]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from simulate.analysis.check import paired_interval
from simulate.analysis.classes import margins
from simulate.model.batch import simulate_runs
from simulate.model.preparation import prepare
from simulate.results.summary import wilson

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HEADLINE = [("balance_index", ""), ("alignment", "russia"), ("alignment", "china"),
            ("alignment", "eu"), ("leverage", "russia"), ("oil_via_russia_share", "")]
YEARS = (2030.0, 2035.0)


def arrays(name: str, runs: int) -> tuple:
    spec = prepare(SCENARIOS / f"{name}.yaml", runs=runs)
    spec.outputs = sorted({v for v, _ in HEADLINE} | {"outcome", "agenda_share"})
    return spec, simulate_runs(spec, range(runs), spec.scenario.seed)


def at(spec, year: float) -> int:  # noqa: ANN001
    return int(np.argmin(np.abs(spec.times - year)))


def classes_table(names: list[str], runs: int) -> None:
    print("| scenario | year | P(balanced) | P(leaning) | P(aligned) | closest to the unreached |")
    print("|---|---|---|---|---|---|")
    for name in names:
        spec, out = arrays(name, runs)
        lean = spec.base[f"{spec.hedger}.lean_threshold"]
        aligned = spec.base[f"{spec.hedger}.alignment_threshold"]
        for year in YEARS:
            t = at(spec, year)
            cls = spec.entities_of("outcome")

            def p(label: str) -> str:
                x = out["outcome"][:, t, cls.index(label)]
                lo, hi = wilson(int(x.sum()), len(x))
                return f"{x.mean():.3f} [{lo:.3f}, {hi:.3f}]"

            leaning = "; ".join(f"{k.split(':')[1]} {p(k)}" for k in cls if k.startswith("lean"))
            aligned_p = "; ".join(f"{k.split(':')[1]} {p(k)}" for k in cls
                                  if k.startswith("aligned"))  # fmt: skip
            close = [f"{r['class']} max share {r['closest']:.2f} of {r['value']:g}"
                     for r in margins(out["agenda_share"][:, t, :], out["outcome"][:, t, :],
                                      cls, list(spec.powers), lean, aligned)
                     if r["class"] != "balanced"]  # fmt: skip
            print(f"| {name} | {year:g} | {p('balanced')} | {leaning} | {aligned_p} | "
                  f"{'; '.join(close)} |")


def effects_table(names: list[str], runs: int) -> None:
    base_spec, base = arrays("baseline", runs)
    print(f"| scenario | year | {' | '.join(f'{v}:{e}' if e else v for v, e in HEADLINE)} |")
    print("|---" * (len(HEADLINE) + 2) + "|")
    for name in names:
        if name == "baseline":
            continue
        spec, out = arrays(name, runs)
        for year in YEARS:
            t = at(spec, year)
            cells = []
            for var, ent in HEADLINE:
                j = spec.entities_of(var).index(ent)
                a, b = base[var][:, t, j], out[var][:, t, j]
                lo, hi = paired_interval(b - a, seed=1)
                cells.append(f"{b.mean():.3f} ({(b - a).mean():+.3f} [{lo:+.3f}, {hi:+.3f}])")
            print(f"| {name} | {year:g} | {' | '.join(cells)} |")


def main(runs: int) -> None:
    names = sorted(p.stem for p in SCENARIOS.glob("*.yaml")
                   if p.stem not in ("history_2021",) and not p.stem.startswith("_"))
    classes_table(names, runs)
    print()
    effects_table(names, runs)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
