"""Print the measured figures of docs/VALIDATION.md's pattern table (the measures of
tests/test_validation.py, on the same 200-run ensembles).

Usage:  python docs/examples/patterns.py
"""

from __future__ import annotations

from pathlib import Path

import simulate

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RUNS = 200


def mean(res, var: str, ent: str, t: float) -> float:  # noqa: ANN001
    return float(res.at(var, ent, t).mean())


def main() -> None:
    base = simulate.run_scenario(SCENARIOS / "baseline.yaml", runs=RUNS)
    print(f"a: P(captured by 2030) {mean(base, 'captured', '', 2030.0):.3f}; "
          f"P(balanced 2030) {mean(base, 'outcome', 'balanced', 2030.0):.3f}; "
          f"balance index 2030 {mean(base, 'balance_index', '', 2030.0):.3f}")
    f = base.frame
    shares = f[f.variable == "oil_route_share"].groupby(["time", "entity"]).value.mean().unstack()
    europe = ((shares.cpc + shares.druzhba + shares.makhachkala)
              / (shares.cpc + shares.druzhba + shares.makhachkala + shares.trans_caspian))
    print(f"b: CPC largest in {(shares.idxmax(axis=1) == 'cpc').sum()} of {len(shares)} "
          f"periods (mean share {shares.cpc.mean():.2f}); min oil via Russia "
          f"{f.loc[f.variable == 'oil_via_russia_share', 'value'].min():.3f}; "
          f"min Europe-bound across Russia {europe.min():.3f}")
    print(f"c: trade share China {mean(base, 'trade_share', 'china', 2024.0):.3f} -> "
          f"{mean(base, 'trade_share', 'china', 2040.75):.3f}")
    coerced = simulate.run_scenario(
        {"name": "pattern", "description": "validation", "extends": str(SCENARIOS / "baseline.yaml"),
         "events": [{"type": "coercion_campaign", "target": "russia", "at": 2025.0,
                     "duration": 5.0, "magnitude": 0.4}]}, runs=RUNS)  # fmt: skip
    print(f"d: P(captured 2030) {mean(coerced, 'captured', '', 2030.0):.3f}; max alignment "
          f"{coerced.at('alignment', 'russia', 2030.0).max():.3f}; shift "
          f"{mean(coerced, 'alignment', 'russia', 2030.0) - mean(base, 'alignment', 'russia', 2030.0):+.3f}; "
          f"P(leaning:russia 2030) {mean(coerced, 'outcome', 'leaning:russia', 2030.0):.3f} vs "
          f"{mean(base, 'outcome', 'leaning:russia', 2030.0):.3f}")
    dep = simulate.run_scenario(SCENARIOS / "china_dependency.yaml", runs=RUNS)
    print(f"e: leverage_investment[china] 2030 {mean(base, 'leverage_investment', 'china', 2030.0):.3f}"
          f" ({mean(dep, 'leverage_investment', 'china', 2030.0):.3f} in china_dependency)")
    frozen = simulate.run_scenario(
        {"name": "pattern", "description": "validation",
         "extends": str(SCENARIOS / "china_dependency.yaml"),
         "events": [{"type": "coercion_campaign", "target": "china", "at": 2030.0,
                     "duration": 3.0, "magnitude": 0.5, "instrument": "investment_freeze"}]},
        runs=RUNS)  # fmt: skip
    print(f"e': alignment china 2033 {mean(dep, 'alignment', 'china', 2033.0):.3f} -> "
          f"{mean(frozen, 'alignment', 'china', 2033.0):.3f}")
    tight = simulate.run_scenario(SCENARIOS / "sanctions_tightening.yaml", runs=RUNS)
    print(f"f: compliance {mean(base, 'compliance', '', 2024.0):.3f} -> "
          f"{mean(base, 'compliance', '', 2030.0):.3f}; tightening "
          f"{mean(tight, 'compliance', '', 2030.0):.3f}; EU secondary-sanctions effort "
          f"{mean(tight, 'pressure_secondary_sanctions', 'eu', 2030.0):.3f} vs "
          f"{mean(base, 'pressure_secondary_sanctions', 'eu', 2030.0):.3f}")


if __name__ == "__main__":
    main()
