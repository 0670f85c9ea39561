"""How the outcome classes depend on their thresholds: each moved by ±20%, on paired runs.

The outcome classes (docs/MODEL.md 7.1) are definitions on observable positions: the
distance within which Kazakhstan follows a power on an issue (``follow_distance``) and
the shares of a power's agenda at which it leans towards it (``lean_threshold``) or is
aligned with it (``alignment_threshold``). A definition should not decide the answer:
:func:`threshold_sensitivity` reruns the same runs with each threshold 20% lower and 20%
higher (thresholds act on the classification only, so the trajectories are the same) and
reports each class's probability at the last period, and whether it *flips*: the most
likely class changes, or a class's probability moves by more than :data:`FLIP`.

A class no run reaches (probability 0.000), or balanced in every run (1.000), gets its
*margin* (:func:`margins`): how close the closest run came, and how far the threshold
would have to move for one run to cross it, so that a 0 or a 1 says how robust it is.
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


def margins(agenda: np.ndarray, outcome: np.ndarray, labels: list[str], powers: list[str],
            lean: float, aligned: float) -> list[dict[str, Any]]:  # fmt: skip
    """How far each class no run reaches is from being reached, at the last period.

    For ``leaning:<p>`` and ``aligned:<p>`` with probability 0: the largest share of p's
    agenda any run follows (``closest``) against the threshold, and the relative move of
    the threshold that would let that run reach it (``move``, negative: lower). When every
    run is balanced this is the answer to "what would change the 1.000". When no run is
    balanced: the smallest top share against ``lean`` (``move`` positive: the threshold
    raised). A lowered threshold is necessary, not sufficient: the power must also be the
    one whose agenda the run follows most (:func:`simulate.model.dynamics.outcome_class`).

    Args:
        agenda: The share of each power's agenda followed (runs x powers).
        outcome: The one-hot classes (runs x classes).
        labels: The class labels, in column order.
        powers: The powers, in ``agenda``'s column order.
        lean: The leaning threshold.
        aligned: The alignment threshold.

    Returns:
        One dict per unreached class: ``class``, ``threshold`` (name), ``value``,
        ``closest`` and ``move``.
    """
    agenda, outcome = np.asarray(agenda, dtype=float), np.asarray(outcome, dtype=float)
    p = dict(zip(labels, outcome.mean(axis=0), strict=True))
    out = []
    for j, power in enumerate(powers):
        for kind, name, bar in (("leaning", "lean_threshold", lean),
                                ("aligned", "alignment_threshold", aligned)):  # fmt: skip
            label = f"{kind}:{power}"
            if p.get(label, 1.0) == 0.0 and bar > 0:
                top = float(agenda[:, j].max())
                out.append({"class": label, "threshold": name, "value": bar, "closest": top,
                            "move": top / bar - 1.0})  # fmt: skip
    if p.get("balanced", 1.0) == 0.0 and lean > 0:
        low = float(agenda.max(axis=1).min())
        out.append({"class": "balanced", "threshold": "lean_threshold", "value": lean,
                    "closest": low, "move": low / lean - 1.0})  # fmt: skip
    return out


def margins_text(rows: list[dict[str, Any]]) -> list[str]:
    """:func:`margins` in words, a line per unreached class."""
    out = []
    for r in rows:
        if r["class"] == "balanced":
            out.append(f"  no run balanced: the lowest top agenda share is {r['closest']:.3f}; "
                       f"{r['threshold']} {r['value']:g} would have to rise by "
                       f"{r['move']:.0%} for one run to count as balanced")  # fmt: skip
        elif r["move"] >= 0:  # runs pass the threshold, yet another class takes them
            out.append(f"  no run {r['class']}: runs follow up to {r['closest']:.3f} of the "
                       f"agenda, past {r['threshold']} {r['value']:g}; another class takes "
                       f"them (a larger share of another power's agenda, or alignment)")
        else:
            out.append(f"  no run {r['class']}: the closest run follows {r['closest']:.3f} of "
                       f"the agenda; {r['threshold']} {r['value']:g} would have to fall by "
                       f"{-r['move']:.0%} for it to count")  # fmt: skip
    return out


def for_spec(spec: Any, runs: int | None = None) -> dict[str, Any]:
    """:func:`threshold_sensitivity` for a run spec: its seed, its runs (or the first
    ``runs``), in this process; thresholds as the spec has them (the config's, or a
    scenario's override)."""
    from simulate.model.batch import simulate_runs

    n = min(runs or spec.scenario.runs, spec.scenario.runs)
    hedger = spec.hedger
    values = {f"{hedger}.{t}": spec.base[f"{hedger}.{t}"] for t in THRESHOLDS}
    labels = spec.outcome_classes

    as_set = spec.with_values({}, outputs=["outcome", "agenda_share"])
    base = simulate_runs(as_set, range(n), spec.scenario.seed)

    def run(overrides: dict[str, float]) -> np.ndarray:
        if not overrides:
            return base["outcome"][:, -1, :]
        moved = spec.with_values(overrides, outputs=["outcome"])  # the one spec, varied
        return simulate_runs(moved, range(n), spec.scenario.seed)["outcome"][:, -1, :]

    out = threshold_sensitivity(run, values, labels)
    out["runs"] = n
    out["at"] = float(spec.times[-1])
    out["margins"] = margins(base["agenda_share"][:, -1, :], base["outcome"][:, -1, :], labels,
                             list(spec.powers), values[f"{hedger}.lean_threshold"],
                             values[f"{hedger}.alignment_threshold"])  # fmt: skip
    return out


def to_text(name: str, res: dict[str, Any]) -> str:
    """The sensitivity as a few lines: stable, or every flip."""
    head = (f"{name}: outcome classes at {res['at']:g} with each threshold moved ±20% "
            f"({res['runs']} paired runs): ")  # fmt: skip
    if not res["flips"]:
        lo = {k: min(r["probabilities"][k] for r in res["rows"]) for k in res["base"]}
        hi = {k: max(r["probabilities"][k] for r in res["rows"]) for k in res["base"]}
        seen = [k for k in res["base"] if hi[k] > 0]
        text = head + "stable (" + "; ".join(
            f"P({k}) {lo[k]:.3f}-{hi[k]:.3f}" for k in seen) + ")"
    else:
        text = head + "FLIPS\n" + "\n".join(f"  {f}" for f in res["flips"])
    rows = res.get("margins", [])
    if rows:
        text += "\n" + "\n".join(["  classes no run reaches (at the base thresholds):",
                                  *margins_text(rows)])
    return text
