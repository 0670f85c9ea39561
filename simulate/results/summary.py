"""Key outcomes at the horizon's end: mean and 5-95% interval over runs.

For 0/1 variables (the outcome classes and ``captured``) the row is a probability
with its 95% Wilson score interval (a 5-95% range of 0/1 values would say nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulate.scenarios.variables import KEY_OUTCOMES, is_binary, parse_column

__all__ = ["KEY_OUTCOMES", "side_by_side", "summarise", "wilson"]


def summarise(final: pd.DataFrame) -> pd.DataFrame:
    """Summarise the key outcomes in per-run final values.

    Args:
        final: One row per run, one column per series, named as
            :func:`simulate.scenarios.variables.column_name` names them (``variable[entity]``).

    Returns:
        One row per series of the :data:`~simulate.scenarios.variables.KEY_OUTCOMES`:
        ``outcome``, ``mean``, ``p05``, ``p95``; for ``captured`` the mean is the
        probability that balancing failed.
    """
    by_variable: dict[str, list[tuple[str, str]]] = {}
    for col in final.columns:
        var, ent = parse_column(str(col))
        by_variable.setdefault(var, []).append((col, ent))
    rows = []
    for var in KEY_OUTCOMES:
        for col, ent in by_variable.get(var, []):
            x = final[col].to_numpy(dtype=float)
            if is_binary(var):
                name = ent if var == "outcome" else var
                lo, hi = wilson(float(np.sum(x)), len(x))
                rows.append({"outcome": f"P({name}) [95% CI]", "mean": float(np.mean(x)),
                             "p05": lo, "p95": hi})  # fmt: skip
                continue
            rows.append({"outcome": col, "mean": float(np.mean(x)),
                         "p05": float(np.quantile(x, 0.05)),
                         "p95": float(np.quantile(x, 0.95))})  # fmt: skip
    return pd.DataFrame(rows, columns=["outcome", "mean", "p05", "p95"])


def wilson(successes: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = centre - half, centre + half
    return (0.0 if lo < 1e-12 else float(lo)), (1.0 if hi > 1 - 1e-12 else float(hi))


def side_by_side(summaries: dict[str, pd.DataFrame]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows showing several scenarios' summaries as ``mean [p05, p95]``.

    Outcome classes that no run of any scenario reached are left out (balanced and
    ``captured`` always show).
    """
    names = list(summaries)
    outcomes: list[str] = []
    for s in summaries.values():
        outcomes += [o for o in s["outcome"] if o not in outcomes]
    reached = {o for s in summaries.values() for o, m in zip(s["outcome"], s["mean"], strict=True)
               if m > 0}  # fmt: skip
    outcomes = [o for o in outcomes
                if not o.startswith(("P(leaning:", "P(aligned:")) or o in reached]  # fmt: skip
    rows = []
    for o in outcomes:
        row = [o]
        for n in names:
            s = summaries[n].set_index("outcome")
            if o in s.index:
                r = s.loc[o]
                row.append(f"{r['mean']:.3f} [{r['p05']:.3f}, {r['p95']:.3f}]")
            else:
                row.append("-")
        rows.append(row)
    return ["outcome (at horizon end)", *names], rows
