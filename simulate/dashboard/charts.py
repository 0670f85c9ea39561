"""The dashboard's figures: fan charts and outcome probabilities, modified against unmodified.

Figures are drawn with matplotlib's object API (no pyplot state, safe off the main
thread) and returned as PNG bytes, so the page needs no plotting library in the
browser. In every fan chart the modified scenario is coloured (median line, 25-75% and 5-95%
bands) and the unmodified scenario is drawn over it in the same colour, dashed
(median) and dotted (5% and 95%). The outcome chart draws each class's probability as
a line, so a class that holds every run reads as a statement, not as a flat block.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from simulate.dashboard.fans import QUANTILES, Ensemble

#: Titles of the charts, by variable.
TITLES = {
    "alignment": "Alignment with each power (share)",
    "leverage": "Leverage of each power on Kazakhstan (0-1)",
    "position": "Kazakhstan's positions by issue (0-1)",
    "outcome": "Outcome-class probabilities",
}
_COLOURS = ["#c0392b", "#d68910", "#1f618d", "#117a65", "#7d3c98", "#616a6b", "#a04000",
            "#2e86c1", "#28b463", "#884ea0"]  # fmt: skip
_SIZE = (6.4, 3.4)
_DPI = 90


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    return buf.getvalue()


def fan_chart(variable: str, modified: Ensemble, base: Ensemble) -> bytes:
    """A fan chart of ``variable`` (per power or issue), modified against unmodified."""
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    t = modified.times
    fan, ref = modified.fans[variable], base.fans[variable]
    q = {p: i for i, p in enumerate(QUANTILES)}
    for j, label in enumerate(fan.labels):
        c = _COLOURS[j % len(_COLOURS)]
        v, r = fan.values[:, :, j], ref.values[:, :, j]
        ax.fill_between(t, v[q[0.05]], v[q[0.95]], color=c, alpha=0.12, lw=0)
        ax.fill_between(t, v[q[0.25]], v[q[0.75]], color=c, alpha=0.25, lw=0)
        ax.plot(t, v[q[0.5]], color=c, lw=1.8, label=label)
        ax.plot(t, r[q[0.5]], color=c, lw=1.1, ls="--")
        ax.plot(t, r[q[0.05]], color=c, lw=0.7, ls=":")
        ax.plot(t, r[q[0.95]], color=c, lw=0.7, ls=":")
    ax.set_title(TITLES[variable], fontsize=10)
    ax.set_xlim(t[0], t[-1])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", ncol=min(len(fan.labels), 3), frameon=False)
    return _png(fig)


def outcome_classes(modified: Ensemble, base: Ensemble) -> tuple[list[int], str | None,
                                                                  list[str]]:  # fmt: skip
    """What the outcome chart shows: the classes some run of either ensemble reached (by
    index), the class that holds every run in every period of both (if one does), and
    the classes never reached."""
    p, r = modified.fans["outcome"].values[0], base.fans["outcome"].values[0]
    labels = modified.fans["outcome"].labels
    reached = [k for k in range(len(labels)) if p[:, k].max() > 0 or r[:, k].max() > 0]
    whole = next((labels[k] for k in reached if np.all(p[:, k] == 1) and np.all(r[:, k] == 1)),
                 None)  # fmt: skip
    return reached, whole, [labels[k] for k in range(len(labels)) if k not in reached]


def outcome_chart(modified: Ensemble, base: Ensemble) -> bytes:
    """Each outcome class's probability over time as a line (these settings solid, the
    unmodified scenario dashed), for the classes some run reached; the others are named
    in a note. When one class holds every run throughout, the chart says so in words
    instead of drawing one flat block."""
    fig = Figure(figsize=_SIZE, layout="constrained")
    ax = fig.add_subplot()
    t = modified.times
    p, r = modified.fans["outcome"].values[0], base.fans["outcome"].values[0]
    labels = modified.fans["outcome"].labels
    powers = modified.fans["alignment"].labels
    reached, whole, never = outcome_classes(modified, base)
    for k in reached:
        c = _outcome_colour(labels[k], powers, strong=True)
        end = f"{100 * p[-1, k]:.0f}% at the end (scenario {100 * r[-1, k]:.0f}%)"
        ax.plot(t, 100 * p[:, k], color=c, lw=2.0, label=f"{labels[k]}: {end}")
        ax.plot(t, 100 * r[:, k], color=c, lw=1.1, ls="--")
    ax.set_ylim(-4, 104)
    ax.set_xlim(t[0], t[-1])
    ax.set_ylabel("% of runs", fontsize=8)
    ax.grid(alpha=0.3)
    title = TITLES["outcome"]
    if whole is not None:
        title += f": every run {whole} throughout"
        ax.text(0.5, 0.5, f"{whole}: 100% of runs in every period,\n"
                "with these settings and in the scenario", transform=ax.transAxes,
                ha="center", va="center", fontsize=9)  # fmt: skip
    if never:
        ax.set_xlabel("never reached: " + ", ".join(never), fontsize=7, color="#555555")
    ax.set_title(title, fontsize=10)
    fig.legend(fontsize=7, loc="outside lower center", ncol=2, frameon=False)
    return _png(fig)


def _outcome_colour(label: str, powers: list[str], strong: bool = False) -> str:
    """Balanced green; leaning towards a power in a light tint of its colour, aligned in
    the colour itself (``strong``: a darker green and tint, for lines)."""
    kind, _, power = label.partition(":")
    if not power:
        return "#2e7d32" if strong else "#7fb77e"
    colour = _COLOURS[powers.index(power) % len(_COLOURS)]
    if kind == "aligned":
        return colour
    if strong:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        return "#" + "".join(f"{int(v):02x}" for v in rgb + (255 - rgb) * 0.35)
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return "#" + "".join(f"{int(v):02x}" for v in rgb + (255 - rgb) * 0.55)


def all_charts(modified: Ensemble, base: Ensemble) -> dict[str, bytes]:
    """Every chart of the page, by variable."""
    charts = {v: fan_chart(v, modified, base) for v in ("alignment", "leverage", "position")}
    charts["outcome"] = outcome_chart(modified, base)
    return charts
