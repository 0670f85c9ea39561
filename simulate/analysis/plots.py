"""Figures of result files (matplotlib, Agg backend): fan charts, route shares, failure risk.

Readable in greyscale and by colour-blind readers: every actor and route has one
fixed Okabe-Ito colour in every figure, scenarios differ by line style and marker,
and bands are light fills under dark median lines.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulate.results import view as rv
from simulate.results.files import Results

#: One fixed colour per actor and route (Okabe-Ito palette), black for whole-country series.
COLOURS = {
    "russia": "#D55E00", "china": "#E69F00", "eu": "#0072B2", "usa": "#009E73",
    "turkey": "#CC79A7", "cpc": "#CC79A7", "druzhba": "#56B4E9", "china_pipeline": "#009E73",
    "trans_caspian": "#F0E442", "": "#000000",
}  # fmt: skip
_SPARE = ("#999999", "#56B4E9", "#009E73", "#CC79A7", "#F0E442")
STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")
TITLES = {
    "balance_index": "Balance index (1 = even, 0 = captured)", "alignment": "Alignment",
    "leverage": "Leverage", "oil_via_russia_share": "Share of oil exports crossing Russia",
    "oil_route_share": "Oil exports by route", "corridor_volume": "Middle Corridor freight",
    "trade_share": "Trade share by partner", "captured": "Probability of balancing failure",
    "position": "Kazakhstan's positions by issue", "outcome": "Outcome classes",
    "pressure": "Coercive pressure by power", "contribution": "What moved the positions",
}  # fmt: skip
#: Colours of the mechanisms in contribution charts, by the part before the colon.
MECHANISM_COLOURS = {"own": "#000000", "economics": "#999999", "inertia": "#DDDDDD",
                     "noise": "#F0E442"}  # fmt: skip
#: Hatches that tell the mechanism kinds of one power apart.
MECHANISM_HATCHES = {"ties": "", "inducement": "..", "pressure": "//"}


def colour(entity: str) -> str:
    """The fixed colour of an actor or route."""
    if entity in COLOURS:
        return COLOURS[entity]
    return _SPARE[sum(map(ord, entity)) % len(_SPARE)]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def fan_figure(results: Sequence[Results], variable: str, entity: str | None = None) -> Any:
    """Median with 50% and 90% bands, one panel per entity, scenarios overlaid."""
    plt = _pyplot()
    ents = [entity] if entity is not None else rv.entities(results[0], variable)
    width = 6.5 if len(ents) == 1 else 3.9 * len(ents) + 0.6
    fig, axes = plt.subplots(1, len(ents), figsize=(width, 3.9), squeeze=False,
                             sharey=True, layout="constrained")  # fmt: skip
    unit = results[0].metadata.get("units", {}).get(variable, "")
    for ax, ent in zip(axes[0], ents, strict=True):
        for k, res in enumerate(results):
            q = rv.quantiles_over_time(res, variable, ent)
            c, t = colour(ent), q.index.to_numpy()
            style = {"color": c, "ls": STYLES[k % 4]}
            if k == 0:
                ax.fill_between(t, q["p05"], q["p95"], color=c, alpha=0.15, lw=0)
                ax.fill_between(t, q["p25"], q["p75"], color=c, alpha=0.3, lw=0)
            else:  # other scenarios: their 90% range as thin lines in their own style
                ax.plot(t, q["p05"], lw=0.8, alpha=0.8, **style)
                ax.plot(t, q["p95"], lw=0.8, alpha=0.8, **style)
            ax.plot(t, q["p50"], marker=MARKERS[k % 4], markevery=max(len(t) // 8, 1), ms=4,
                    lw=1.8, **style)  # fmt: skip
        ax.set_title(_entity_title(ent), fontsize=11)
        ax.tick_params(labelsize=9)
        _year_axis(ax)
    axes[0][0].set_ylabel(unit)
    handles = _fan_legend(results, colour(ents[0]) if len(ents) == 1 else "#555555")
    longest = max(len(h.get_label()) for h in handles)
    ncol = max(1, min(len(handles), int(width // (0.075 * longest + 0.7))))  # fits the width
    fig.legend(handles=handles, loc="outside lower center", fontsize=9, frameon=False,
               ncol=ncol)  # fmt: skip
    fig.suptitle(TITLES.get(variable, variable), fontsize=12)
    return fig


def _fan_legend(results: Sequence[Results], c: str) -> list[Any]:
    """Legend keys in one neutral colour: the panels' titles say whose colour is whose."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ref = rv.label(results[0])
    keys = [Patch(color=c, alpha=0.15, label=f"{ref}: 90% of runs"),
            Patch(color=c, alpha=0.45, label=f"{ref}: 50% of runs")]  # fmt: skip
    for k, res in enumerate(results):
        keys.append(Line2D([], [], color=c, ls=STYLES[k % 4], marker=MARKERS[k % 4], ms=4,
                           lw=1.8, label=f"{rv.label(res)}: median"))  # fmt: skip
        if k:
            keys.append(Line2D([], [], color=c, ls=STYLES[k % 4], lw=0.8,
                               label=f"{rv.label(res)}: 90% of runs"))  # fmt: skip
    return keys


def routes_figure(res: Results) -> Any:
    """Mean oil export shares by route, stacked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ents = rv.entities(res, "oil_route_share")
    means = [rv.quantiles_over_time(res, "oil_route_share", e)["mean"] for e in ents]
    t = means[0].index.to_numpy()
    hatches = ("", "//", "..", "xx", "\\\\")
    stacks = ax.stackplot(t, *[m.to_numpy() for m in means], colors=[colour(e) for e in ents],
                          labels=[e.replace("_", " ") for e in ents], alpha=0.85)  # fmt: skip
    for k, poly in enumerate(stacks):
        poly.set_hatch(hatches[k % len(hatches)])
        poly.set_edgecolor("black")
        poly.set_linewidth(0.3)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of oil exports (mean)")
    _year_axis(ax, grid=False)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"{TITLES['oil_route_share']}: {rv.label(res)}", fontsize=11)
    fig.tight_layout()
    return fig


def failure_figure(results: Sequence[Results]) -> Any:
    """Probability of balancing failure (share of runs captured) over time."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for k, res in enumerate(results):
        p = rv.quantiles_over_time(res, "captured", "")["mean"]
        ax.plot(p.index, p.to_numpy(), color="black", ls=STYLES[k % 4], marker=MARKERS[k % 4],
                markevery=max(len(p) // 8, 1), ms=4, label=rv.label(res))  # fmt: skip
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("share of runs captured")
    _year_axis(ax)
    ax.legend(fontsize=8)
    ax.set_title(TITLES["captured"], fontsize=11)
    fig.tight_layout()
    return fig


def outcome_figure(results: Sequence[Results]) -> Any:
    """Probability of each outcome class over time, one stacked panel per scenario."""
    plt = _pyplot()
    classes = rv.entities(results[0], "outcome")
    fig, axes = plt.subplots(1, len(results), figsize=(3.9 * len(results) + 1.6, 3.4),
                             squeeze=False, sharey=True, layout="constrained")  # fmt: skip
    for ax, res in zip(axes[0], results, strict=True):
        means = [rv.quantiles_over_time(res, "outcome", c)["mean"] for c in classes]
        t = means[0].index.to_numpy()
        polys = ax.stackplot(t, *[m.to_numpy() for m in means], labels=classes,
                             colors=[_class_colour(c) for c in classes], alpha=0.9)  # fmt: skip
        for c, poly in zip(classes, polys, strict=True):
            poly.set_hatch("//" if c.startswith("aligned") else "")
            poly.set_edgecolor("black")
            poly.set_linewidth(0.2)
        ax.set_ylim(0, 1)
        ax.set_title(rv.label(res), fontsize=10)
        _year_axis(ax, grid=False)
    axes[0][0].set_ylabel("probability (share of runs)")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside right upper", fontsize=8)
    fig.suptitle(TITLES["outcome"], fontsize=12)
    return fig


def _class_colour(cls: str) -> str:
    if cls == "balanced":
        return "#EEEEEE"
    return colour(cls.partition(":")[2])


def mechanism_figure(res: Results, issue: str, reference: Results | None = None) -> Any:
    """Mean contribution of each mechanism to one issue's position since the start.

    With a ``reference``, the paired difference (this scenario minus the reference):
    which mechanisms make the two scenarios differ. Stacked above and below zero; the
    black line is the position's own change (or difference).
    """
    plt = _pyplot()
    mechs = [e.partition("/")[2] for e in rv.entities(res, "contribution")
             if e.startswith(f"{issue}/")]  # fmt: skip
    fig, ax = plt.subplots(figsize=(7.2, 3.6), layout="constrained")
    series = {}
    for m in mechs:
        mean = rv.quantiles_over_time(res, "contribution", f"{issue}/{m}")["mean"]
        if reference is not None:
            mean = mean - rv.quantiles_over_time(reference, "contribution", f"{issue}/{m}")["mean"]
        series[m] = mean
    t = next(iter(series.values())).index.to_numpy()
    up = down = 0.0
    for m, s in series.items():
        v = s.to_numpy()
        kind, _, power = m.partition(":")
        style = {"facecolor": colour(power) if power else MECHANISM_COLOURS.get(m, "#777777"),
                 "hatch": MECHANISM_HATCHES.get(kind, ""), "edgecolor": "black",
                 "linewidth": 0.2, "label": m}  # fmt: skip
        if np.abs(v).max() < 1e-6:
            continue
        pos, neg = np.maximum(v, 0.0), np.minimum(v, 0.0)
        ax.fill_between(t, up, up + pos, **style)
        ax.fill_between(t, down, down + neg, **{**style, "label": None})
        up, down = up + pos, down + neg
    ax.plot(t, sum(s.to_numpy() for s in series.values()), color="black", lw=1.5,
            label="position change" if reference is None else "difference")  # fmt: skip
    ax.axhline(0, color="black", lw=0.5)
    ax.set_ylabel("change since the start" if reference is None else "scenario - reference")
    _year_axis(ax)
    fig.legend(fontsize=7, loc="outside right upper")
    what = issue.replace("_", " ").capitalize()
    vs = f"{rv.label(res)} vs {rv.label(reference)}" if reference is not None else rv.label(res)
    ax.set_title(f"{what}: what moved it ({vs})", fontsize=10)
    return fig


def to_bytes(fig: Any, fmt: str = "png") -> bytes:
    """Render a figure to PNG or SVG bytes and close it."""
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _year_axis(ax: Any, grid: bool = True) -> None:
    """Whole years on the time axis (periods start at decimal years)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.set_xlabel("year")
    if grid:
        ax.grid(alpha=0.3)


def _entity_title(entity: str) -> str:
    if not entity:
        return ""
    return entity.upper() if len(entity) <= 3 else entity.replace("_", " ").title()
