"""Bar chart of sensitivity indices (matplotlib, Agg backend chosen on first use).

Importing this module has no side effects: matplotlib is imported and switched to
the Agg backend only when a chart is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulate.errors import InputError

FORMATS = ("png", "svg")
#: Inputs an ensemble's chart shows (it may have a hundred or more).
TOP = 15
_TOTAL, _FIRST = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange, readable in greyscale


def bar_chart(result: dict[str, Any]) -> Any:
    """A horizontal bar chart of :func:`simulate.analysis.sensitivity.analyse`'s indices with CIs.

    Sobol: ST (solid) and S1 (hatched) per uncertainty; Morris: mu*. The most
    important uncertainty is on top.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows = result["indices"][:TOP][::-1] if result["method"] == "ensemble" else result[
        "indices"][::-1]  # fmt: skip
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    y = np.arange(len(rows))
    if result["method"] == "ensemble":
        ax.barh(y, [r["S1"] for r in rows], 0.5, xerr=[r["S1_conf"] for r in rows],
                color=_FIRST, label="first order (S1), given data")  # fmt: skip
        ax.set_xlabel(f"first-order Sobol index (95% CI), the {len(rows)} largest")
    elif result["method"] == "sobol":
        ax.barh(y + 0.2, [r["ST"] for r in rows], 0.4, xerr=[r["ST_conf"] for r in rows],
                color=_TOTAL, label="total (ST)")  # fmt: skip
        ax.barh(y - 0.2, [r["S1"] for r in rows], 0.4, xerr=[r["S1_conf"] for r in rows],
                color=_FIRST, hatch="//", label="first order (S1)")  # fmt: skip
        ax.set_xlabel("Sobol index (95% CI)")
    else:
        ax.barh(y, [r["mu_star"] for r in rows], 0.5, xerr=[r["mu_star_conf"] for r in rows],
                color=_TOTAL, label="mu*")  # fmt: skip
        ax.set_xlabel("Morris mu* (95% CI)")
    ax.set_yticks(y, [r["parameter"] for r in rows])
    ax.axvline(0, color="black", linewidth=0.6)
    ax.legend(fontsize=8)
    outcome = result.get("outcome") or result["output"]  # JSON written before the rename
    ax.set_title(f"{result['method']} indices of {outcome} at {result['time']:g} "
                 f"({result['scenario']}, {result['runs']:,} runs)", fontsize=10)  # fmt: skip
    fig.tight_layout()
    return fig


def save(result: dict[str, Any], path: str | Path) -> None:
    """Write the bar chart to ``path`` (.png or .svg) atomically.

    Raises:
        InputError: the file name has another suffix.
    """
    from simulate.analysis.plots import to_bytes
    from simulate.results.files import atomic_path

    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise InputError("the plot must be a .png or .svg file", file=path, field="plot")
    fig = bar_chart(result)
    with atomic_path(path) as tmp:
        tmp.write_bytes(to_bytes(fig, fmt))
