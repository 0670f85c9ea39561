"""The picture of a decision: the trade-off of objective against cost, and a policy-by-future
heat map of regret (matplotlib, Agg backend chosen on first use).

Importing this module has no side effects: matplotlib is imported and switched to the
Agg backend only when a figure is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulate.errors import InputError

FORMATS = ("png", "svg")
_POLICY, _FRONT, _SEARCH = "#0072B2", "#D55E00", "#009E73"  # Okabe-Ito: readable in greyscale


def figure(res: dict[str, Any], ev: Any) -> Any:
    """Left: each policy's mean objective against its cost, the Pareto front joined (and the
    search's front, if any). Right: regret per policy (rows, ranked) and future (columns,
    by scenario, then by the reference policy's objective)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.32 * len(res["policies"]) + 3.2),
                                      gridspec_kw={"width_ratios": [1, 1.4]})  # fmt: skip
    _tradeoff(left, res)
    _heatmap(fig, right, res, ev)
    fig.suptitle(f"{len(res['policies'])} policies over {res['futures']:,} paired futures "
                 f"({', '.join(s['name'] for s in res['scenarios'])}); objective: "
                 f"{res['objective']} at {', '.join(f'{y:g}' for y in res['years'])}",
                 fontsize=10)  # fmt: skip
    fig.tight_layout()
    return fig


def _tradeoff(ax: Any, res: dict[str, Any]) -> None:
    rows = res["policies"]
    cost = np.array([r["cost"] for r in rows])
    obj = np.array([r["objective_mean"] for r in rows])
    ax.scatter(cost, obj, color=_POLICY, s=18, zorder=3, label="policies")
    for r in rows:
        ax.annotate(r["policy"], (r["cost"], r["objective_mean"]), fontsize=6,
                    xytext=(3, 2), textcoords="offset points")  # fmt: skip
    front = sorted((r for r in rows if r["front"]), key=lambda r: r["cost"])
    ax.plot([r["cost"] for r in front], [r["objective_mean"] for r in front], color=_FRONT,
            marker="o", linewidth=1.2, zorder=2, label="Pareto front of these policies")
    found = (res.get("search") or {}).get("front") or []
    if found:
        ax.plot([r["cost"] for r in found], [r["objective_mean"] for r in found], color=_SEARCH,
                marker="D", markersize=4, linewidth=1, linestyle="--", zorder=2,
                label="Pareto front found by NSGA-II")  # fmt: skip
    ax.set_xlabel("cost over the horizon (USD bn)")
    ax.set_ylabel(f"mean {res['objective']} over the futures")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("trade-off: objective against cost", fontsize=9)


def _heatmap(fig: Any, ax: Any, res: dict[str, Any], ev: Any) -> None:
    names = [r["policy"] for r in res["policies"]]
    rows = [ev.names.index(n) for n in names]
    scen = ev.futures.scenario_of()
    ref = ev.objective[ev.names.index(res["reference"])]
    cols = np.lexsort((ref, scen))
    data = ev.regret[np.ix_(rows, cols)]
    image = ax.imshow(data, aspect="auto", cmap="magma_r", interpolation="nearest",
                      vmin=0.0, vmax=max(float(data.max()), 1e-12))  # fmt: skip
    ax.set_yticks(range(len(names)), names, fontsize=7)
    edges = np.cumsum(ev.futures.runs)[:-1]
    for e in edges:
        ax.axvline(e - 0.5, color="white", linewidth=1.2)
    mids = np.concatenate([[0], np.cumsum(ev.futures.runs)])
    ax.set_xticks([(a + b) / 2 for a, b in zip(mids[:-1], mids[1:], strict=True)],
                  ev.futures.names, fontsize=7)  # fmt: skip
    ax.set_xlabel("futures: by scenario, then by the reference policy's objective")
    ax.set_title("regret per future (0: the best policy there), policies ranked", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, label=f"regret ({res['objective']})")


def save(res: dict[str, Any], ev: Any, path: str | Path) -> None:
    """Write the figure to ``path`` (.png or .svg) atomically.

    Raises:
        InputError: the file name has another suffix.
    """
    from simulate.analysis.plots import to_bytes
    from simulate.results.files import atomic_path

    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise InputError("the plot must be a .png or .svg file", file=path, field="plot")
    fig = figure(res, ev)
    with atomic_path(path) as tmp:
        tmp.write_bytes(to_bytes(fig, fmt))
