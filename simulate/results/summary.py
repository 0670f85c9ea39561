"""Key outcomes at the horizon's end, and what changed between scenarios.

Per scenario and series: the mean over runs and the 5-95% range of the runs, or one
number when every run has the same value. For 0/1 variables (the outcome classes and
``captured``) the row is a probability with its 95% Wilson score interval (a 5-95% range
of 0/1 values would say nothing); these rows come first, since they answer the question
a scenario asks (does Kazakhstan keep its balance?).

Against the first scenario, each other one gets the difference of means with a 95%
interval. When both ran the same runs with the same seed, run *i* of each shares every
random draw, so the difference is *paired*: the mean of the per-run differences with its
Student t interval. Otherwise the two ensembles are independent samples and the interval
is Welch's. Where every paired difference is the same (a deterministic output), the
difference is that one number. :func:`summarise` and :func:`differences` give the
figures, :func:`side_by_side` the table the terminal shows, :func:`header` its first line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulate.scenarios.variables import KEY_OUTCOMES, VARIABLES, is_binary, parse_column

__all__ = ["KEY_OUTCOMES", "Difference", "cell", "change_cell", "differences", "header",
           "is_paired", "legend", "paired_difference", "side_by_side", "summarise",
           "unpaired_difference", "wilson"]  # fmt: skip

#: What the unit column says for a probability row.
PROBABILITY = "probability"
#: The mark of a difference whose 95% interval excludes zero.
MARK = "*"
_Z95 = 1.959963984540054


def summarise(final: pd.DataFrame) -> pd.DataFrame:
    """Summarise the key outcomes in per-run final values.

    Args:
        final: One row per run, one column per series, named as
            :func:`simulate.scenarios.variables.column_name` names them (``variable[entity]``).

    Returns:
        One row per series of the :data:`~simulate.scenarios.variables.KEY_OUTCOMES`,
        probabilities first (the outcome classes, then ``captured``), then the others in
        the order of the key outcomes: ``outcome`` (the row's label), ``column`` (the
        series), ``unit``, ``mean``, ``p05``, ``p95`` (for a probability, its Wilson
        interval) and ``constant`` (every run has the same value).
    """
    by_variable: dict[str, list[tuple[str, str]]] = {}
    for col in final.columns:
        var, ent = parse_column(str(col))
        by_variable.setdefault(var, []).append((col, ent))
    order = [v for v in KEY_OUTCOMES if is_binary(v)] + [v for v in KEY_OUTCOMES
                                                         if not is_binary(v)]  # fmt: skip
    rows = []
    for var in order:
        for col, ent in by_variable.get(var, []):
            x = final[col].to_numpy(dtype=float)
            constant = bool(len(x)) and bool(np.ptp(x) == 0)
            if is_binary(var):
                name = ent if var == "outcome" else var
                lo, hi = wilson(float(np.sum(x)), len(x))
                rows.append({"outcome": f"P({name}) [95% CI]", "column": col,
                             "unit": PROBABILITY, "mean": float(np.mean(x)), "p05": lo,
                             "p95": hi, "constant": constant})  # fmt: skip
                continue
            rows.append({"outcome": col, "column": col, "unit": VARIABLES[var].unit,
                         "mean": float(np.mean(x)), "p05": float(np.quantile(x, 0.05)),
                         "p95": float(np.quantile(x, 0.95)), "constant": constant})  # fmt: skip
    return pd.DataFrame(rows, columns=["outcome", "column", "unit", "mean", "p05", "p95",
                                       "constant"])  # fmt: skip


def wilson(successes: float, n: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = centre - half, centre + half
    return (0.0 if lo < 1e-12 else float(lo)), (1.0 if hi > 1 - 1e-12 else float(hi))


@dataclass(frozen=True)
class Difference:
    """A difference of means (other - reference) with its 95% interval.

    Attributes:
        mean: The difference of means (for paired runs, the mean paired difference).
        low: Lower end of the 95% interval.
        high: Upper end.
        paired: True when run *i* of each shares its random draws (paired t interval),
            False for independent ensembles (Welch interval).
        constant: Every paired difference is the same number (the interval is that number).
    """

    mean: float
    low: float
    high: float
    paired: bool
    constant: bool = False

    @property
    def excludes_zero(self) -> bool:
        """True when the interval lies wholly above or wholly below zero."""
        return self.low > 0 or self.high < 0

    def to_dict(self) -> dict[str, float | bool]:
        """Plain data for ``--json``."""
        return {"mean": self.mean, "low": self.low, "high": self.high, "paired": self.paired,
                "constant": self.constant, "excludes_zero": self.excludes_zero}  # fmt: skip


def paired_difference(ref: np.ndarray, other: np.ndarray) -> Difference:
    """Mean of the paired differences ``other[i] - ref[i]`` with its Student t 95% interval.

    Swapping the two gives the negated difference and interval exactly.

    Raises:
        ValueError: The two samples differ in length (runs that are not paired).
    """
    a, b = np.asarray(ref, dtype=float), np.asarray(other, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples need the same runs ({a.size} against {b.size})")
    d = b - a
    mean = float(d.mean()) if d.size else 0.0
    if d.size < 2 or np.ptp(d) == 0:
        return Difference(mean, mean, mean, paired=True, constant=True)
    half = float(_t975(d.size - 1) * d.std(ddof=1) / math.sqrt(d.size))
    return Difference(mean, mean - half, mean + half, paired=True)


def _t975(dof: float) -> float:
    """The 97.5% quantile of Student's t with ``dof`` degrees of freedom."""
    from scipy.special import stdtrit  # lighter than scipy.stats; only when differences are made

    return float(stdtrit(dof, 0.975))


def unpaired_difference(ref: np.ndarray, other: np.ndarray) -> Difference:
    """Difference of means of two independent samples with Welch's 95% interval."""
    a, b = np.asarray(ref, dtype=float), np.asarray(other, dtype=float)
    mean = float(b.mean() - a.mean())
    va = a.var(ddof=1) / a.size if a.size > 1 else 0.0
    vb = b.var(ddof=1) / b.size if b.size > 1 else 0.0
    if va + vb == 0:
        return Difference(mean, mean, mean, paired=False, constant=True)
    dof = (va + vb) ** 2 / ((va**2 / (a.size - 1) if a.size > 1 else 0.0)
                            + (vb**2 / (b.size - 1) if b.size > 1 else 0.0))  # fmt: skip
    half = float(_t975(dof) * math.sqrt(va + vb))
    return Difference(mean, mean - half, mean + half, paired=False)


def differences(finals: Mapping[str, pd.DataFrame], paired: bool,
                ) -> dict[str, dict[str, Difference]]:  # fmt: skip
    """Each scenario after the first against the first: series column -> :class:`Difference`.

    Args:
        finals: Per scenario (in order, the reference first) its per-run final values
            (a ``run`` column and one column per series).
        paired: Whether the scenarios ran the same runs with the same seed.

    Returns:
        Scenario name -> series column -> difference, for every series both have.
    """
    names = list(finals)
    if len(names) < 2:
        return {}
    ref = finals[names[0]].sort_values("run")
    out: dict[str, dict[str, Difference]] = {}
    for name in names[1:]:
        other = finals[name].sort_values("run")
        same_runs = paired and np.array_equal(ref["run"].to_numpy(), other["run"].to_numpy())
        diffs = {}
        for col in ref.columns:
            if col == "run" or col not in other.columns:
                continue
            a, b = ref[col].to_numpy(dtype=float), other[col].to_numpy(dtype=float)
            diffs[col] = paired_difference(a, b) if same_runs else unpaired_difference(a, b)
        out[name] = diffs
    return out


def header(at: Mapping[str, float], runs: Mapping[str, int], seeds: Mapping[str, int]) -> str:
    """The summary's first line: the year, the runs and the seed, and whether runs pair.

    Args:
        at: Per scenario, the start of its last period (where the values are taken).
        runs: Per scenario, its number of runs.
        seeds: Per scenario, its seed.
    """
    years, n, s = sorted(set(at.values())), sorted(set(runs.values())), sorted(set(seeds.values()))
    when = (f"Values at {years[0]:g} (the start of the last period)" if len(years) == 1 else
            "Values at the start of each scenario's last period ("
            + ", ".join(f"{k} {v:g}" for k, v in at.items()) + ")")  # fmt: skip
    runs_text = (f"{n[0]:,} runs" + (" each" if len(runs) > 1 else "") if len(n) == 1
                 else "runs " + ", ".join(f"{k} {v:,}" for k, v in runs.items()))  # fmt: skip
    seed_text = (f"seed {s[0]}" if len(s) == 1
                 else "seeds " + ", ".join(f"{k} {v}" for k, v in seeds.items()))  # fmt: skip
    text = f"{when}; {runs_text}, {seed_text}"
    if len(runs) > 1:
        text += ("; paired: run i of every scenario shares its random draws" if is_paired(
            runs, seeds) else "; not paired (the runs or seeds differ)")  # fmt: skip
    return text + "."


def is_paired(runs: Mapping[str, int], seeds: Mapping[str, int]) -> bool:
    """Scenarios pair run by run when they ran as many runs with the same seed."""
    return len(set(runs.values())) == 1 and len(set(seeds.values())) == 1


def legend(names: list[str], paired: bool) -> str:
    """What the table's cells mean."""
    text = ("Each scenario: mean [5%, 95% of the runs], or one number where every run has the "
            "same value; P(...): probability [95% Wilson interval].")  # fmt: skip
    if len(names) > 1:
        how = ("mean of the paired differences, run i against run i of "
               f"{names[0]} [95% t interval]") if paired else (
               f"difference of means against {names[0]} [95% Welch interval]")  # fmt: skip
        text += f"\nChange: {how}; {MARK} the interval excludes zero."
    return text


def _value(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1e5 else f"{x:.3f}"


def _signed(x: float) -> str:
    """A change with its sign; one small enough to print as 0.000 in three significant digits."""
    if x == 0:
        return "0.000"
    text = _value(x) if abs(x) >= 5e-4 else f"{x:.2e}"
    return text if text.startswith("-") else f"+{text}"


def cell(row: Mapping[str, object]) -> str:
    """A scenario's cell: ``mean [p05, p95]``, or the one value every run has."""
    mean, lo, hi = float(row["mean"]), float(row["p05"]), float(row["p95"])  # type: ignore[arg-type]
    if row.get("constant") and row.get("unit") != PROBABILITY:
        return _value(mean)
    return f"{_value(mean)} [{_value(lo)}, {_value(hi)}]"


def change_cell(d: Difference) -> str:
    """A difference's cell: ``+mean [low, high] *``, one number when it is the same everywhere."""
    if d.constant:
        text = _signed(d.mean)
    else:
        text = f"{_signed(d.mean)} [{_signed(d.low)}, {_signed(d.high)}]"
    return f"{text} {MARK}" if d.excludes_zero else text


def side_by_side(summaries: dict[str, pd.DataFrame],
                 diffs: Mapping[str, Mapping[str, Difference]] | None = None,
                 ) -> tuple[list[str], list[list[str]]]:  # fmt: skip
    """Headers and rows showing several scenarios' summaries and their changes.

    Outcome classes that no run of any scenario reached are left out (balanced and
    ``captured`` always show). With ``diffs`` (from :func:`differences`), each scenario
    after the first gets a change column after its own.
    """
    names = list(summaries)
    diffs = diffs or {}
    outcomes: list[str] = []
    units: dict[str, str] = {}
    columns: dict[str, str] = {}
    for s in summaries.values():
        for o, u, c in zip(s["outcome"], s["unit"], s["column"], strict=True):
            if o not in outcomes:
                outcomes.append(o)
                units[o], columns[o] = str(u), str(c)
    reached = {o for s in summaries.values() for o, m in zip(s["outcome"], s["mean"], strict=True)
               if m > 0}  # fmt: skip
    outcomes = [o for o in outcomes
                if not o.startswith(("P(leaning:", "P(aligned:")) or o in reached]  # fmt: skip
    indexed = {n: s.set_index("outcome") for n, s in summaries.items()}
    headers = ["outcome (at horizon end)", "unit"]
    for n in names:
        headers.append(n)
        if n in diffs:
            headers.append(f"change vs {names[0]}")
    rows = []
    for o in outcomes:
        row = [o.removesuffix(" [95% CI]"), units[o]]
        for n in names:
            s = indexed[n]
            row.append(cell(s.loc[o].to_dict() | {"unit": units[o]}) if o in s.index else "-")
            if n in diffs:
                d = diffs[n].get(columns[o])
                row.append(change_cell(d) if d is not None else "-")
        rows.append(row)
    return headers, rows
