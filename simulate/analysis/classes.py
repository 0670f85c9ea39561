"""How the outcome classes depend on their thresholds: each moved by ±20%, on paired runs.

The outcome classes (docs/MODEL.md 7.1) are definitions on observable positions: the
distance within which Kazakhstan follows a power on an issue (``follow_distance``) and
the shares of a power's agenda at which it leans towards it (``lean_threshold``) or is
aligned with it (``alignment_threshold``). A definition should not decide the answer:
:func:`threshold_sensitivity` reruns the same runs with each threshold 20% lower and 20%
higher (thresholds act on the classification only, so the trajectories are the same) and
reports each class's probability at the last period, and whether it *flips*: the most
likely class changes, or a class's probability moves by more than :data:`FLIP`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: The thresholds, as config parameters of the hedger.
THRESHOLDS = ("follow_distance", "lean_threshold", "alignment_threshold")
#: How far each threshold moves: ±20%.
MOVE = 0.2
#: A class probability moving by more than this is reported as a flip.
FLIP = 0.1


def class_probabilities(outcome: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Each class's probability: the mean over runs of its 0/1 column (runs x classes)."""
    return {k: float(v) for k, v in zip(labels, np.asarray(outcome).mean(axis=0), strict=True)}


def flips(base: dict[str, float], moved: dict[str, float], limit: float = FLIP) -> list[str]:
    """What changes between two sets of class probabilities: the most likely class, or any
    class's probability by more than ``limit`` (in words; empty when nothing does)."""
    out = []
    top_a, top_b = max(base, key=base.get), max(moved, key=moved.get)
    if top_a != top_b:
        out.append(f"most likely class {top_a} -> {top_b}")
    for k in base:
        if abs(moved[k] - base[k]) > limit:
            out.append(f"P({k}) {base[k]:.3f} -> {moved[k]:.3f}")
    return out


def threshold_sensitivity(
    simulate: Callable[[dict[str, float]], np.ndarray], values: dict[str, float],
    labels: list[str], move: float = MOVE,
) -> dict[str, Any]:  # fmt: skip
    """Class probabilities at the last period with each threshold moved by ``±move``.

    Args:
        simulate: Runs the ensemble with threshold overrides (``{path: value}``) and returns
            the last period's outcome columns (runs x classes); the same runs every call.
        values: Each threshold's path and its value in the runs (the config's).
        labels: The outcome-class labels, in column order.
        move: The relative move (0.2: 20% lower and 20% higher).

    Returns:
        ``base`` (probabilities as configured), ``rows`` (one per threshold and direction:
        the value used, the probabilities and the flips), and ``flips`` (all of them).
    """
    base = class_probabilities(simulate({}), labels)
    rows = []
    for path, value in values.items():
        for sign in (-1, 1):
            moved_value = value * (1 + sign * move)
            probs = class_probabilities(simulate({path: moved_value}), labels)
            rows.append({"threshold": path, "value": moved_value, "change": sign * move,
                         "probabilities": probs, "flips": flips(base, probs)})  # fmt: skip
    return {"base": base, "rows": rows,
            "flips": [f"{r['threshold']} {r['change']:+.0%}: {f}" for r in rows
                      for f in r["flips"]]}  # fmt: skip


def for_spec(spec: Any, runs: int | None = None) -> dict[str, Any]:
    """:func:`threshold_sensitivity` for a run spec: its seed, its runs (or the first
    ``runs``), in this process; thresholds as the spec has them (the config's, or a
    scenario's override)."""
    from simulate.model.batch import simulate_runs

    n = min(runs or spec.scenario.runs, spec.scenario.runs)
    hedger = spec.hedger
    values = {f"{hedger}.{t}": spec.base[f"{hedger}.{t}"] for t in THRESHOLDS}
    labels = spec.outcome_classes

    def run(overrides: dict[str, float]) -> np.ndarray:
        moved = spec.with_values(overrides, outputs=["outcome"])  # the one spec, varied
        return simulate_runs(moved, range(n), spec.scenario.seed)["outcome"][:, -1, :]

    out = threshold_sensitivity(run, values, labels)
    out["runs"] = n
    out["at"] = float(spec.times[-1])
    return out


def to_text(name: str, res: dict[str, Any]) -> str:
    """The sensitivity as a few lines: stable, or every flip."""
    head = (f"{name}: outcome classes at {res['at']:g} with each threshold moved ±20% "
            f"({res['runs']} paired runs): ")  # fmt: skip
    if not res["flips"]:
        lo = {k: min(r["probabilities"][k] for r in res["rows"]) for k in res["base"]}
        hi = {k: max(r["probabilities"][k] for r in res["rows"]) for k in res["base"]}
        seen = [k for k in res["base"] if hi[k] > 0]
        return head + "stable (" + "; ".join(
            f"P({k}) {lo[k]:.3f}-{hi[k]:.3f}" for k in seen) + ")"
    return head + "FLIPS\n" + "\n".join(f"  {f}" for f in res["flips"])
