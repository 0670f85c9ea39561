"""Print the table of every shipped scenario's headline outcomes against the baseline.

Paired runs (same seed and run indices), mean difference with a bootstrap 95% interval,
at 2030 and 2035; outcome-class probabilities as shares of runs. Used for the table in
docs/VALIDATION.md:  python docs/examples/scenario_effects.py [RUNS]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from simulate.model.batch import simulate_runs
from simulate.analysis.check import paired_interval
from simulate.model.preparation import prepare

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HEADLINE = [("balance_index", ""), ("alignment", "russia"), ("alignment", "china"),
            ("alignment", "eu"), ("leverage", "russia"), ("oil_via_russia_share", "")]
CLASSES = ["balanced", "leaning:russia", "leaning:china", "leaning:eu", "aligned:russia",
           "aligned:china", "aligned:eu"]


def arrays(name: str, runs: int) -> tuple:
    spec = prepare(SCENARIOS / f"{name}.yaml", runs=runs)
    spec.outputs = sorted({v for v, _ in HEADLINE} | {"outcome"})
    return spec, simulate_runs(spec, range(runs), spec.scenario.seed)


def main(runs: int) -> None:
    base_spec, base = arrays("baseline", runs)
    names = sorted(p.stem for p in SCENARIOS.glob("*.yaml")
                   if p.stem not in ("baseline", "history_2021"))
    print(f"| scenario | year | {' | '.join(f'{v}:{e}' if e else v for v, e in HEADLINE)} "
          "| outcome classes (P, baseline → scenario) |")
    print("|---" * (len(HEADLINE) + 3) + "|")
    for name in names:
        spec, out = arrays(name, runs)
        for year in (2030.0, 2035.0):
            t = int(np.argmin(np.abs(spec.times - year)))
            cells = []
            for var, ent in HEADLINE:
                j = spec.entities_of(var).index(ent)
                a, b = base[var][:, t, j], out[var][:, t, j]
                lo, hi = paired_interval(b - a, seed=1)
                cells.append(f"{b.mean():.3f} ({(b - a).mean():+.3f} [{lo:+.3f}, {hi:+.3f}])")
            probs = []
            for cls in CLASSES:
                j = spec.entities_of("outcome").index(cls)
                pa, pb = base["outcome"][:, t, j].mean(), out["outcome"][:, t, j].mean()
                if pa > 0 or pb > 0:
                    probs.append(f"{cls} {pa:.3f} → {pb:.3f}")
            print(f"| {name} | {year:g} | {' | '.join(cells)} | {'; '.join(probs)} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
