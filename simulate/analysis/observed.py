"""Observed figures held against the model: which output each history series maps to.

``configs/history.yaml`` says, per series, the model output it is compared with
(``model: {variable, entity}``; ``entity: '*'`` sums every entity, e.g. the routes'
flows into total oil exports). This module turns the observations of chosen years
into :class:`Figure` rows, measures the model's annual value of each (the mean over
the year's periods, per run), and scores a model value against an observed value or
range. Calibration (:mod:`simulate.analysis.calibrate`) and the backtest
(:mod:`simulate.analysis.backtest`) share it, so both read the record the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulate.analysis.history import DEFAULT_HISTORY, History, Source
from simulate.errors import InputError
from simulate.io import yamlio
from simulate.scenarios.variables import VARIABLES

#: Relative change below which the model's median change counts as none.
FLAT = 1e-6


@dataclass(frozen=True)
class Figure:
    """One observed annual figure with a model mapping.

    ``low == high`` for a single figure; ``entity`` is ``''`` for a variable without
    entities and ``'*'`` for the sum over all of them.
    """

    series: str
    year: int
    variable: str
    entity: str
    low: float
    high: float
    unit: str
    source: str

    @property
    def name(self) -> str:
        """``series year``, e.g. ``trade_china 2022``."""
        return f"{self.series} {self.year}"

    @property
    def observed(self) -> str:
        """The figure as text: ``24.5`` or ``24.3–26.1``."""
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}–{self.high:g}"


def source_label(sources: list[Source]) -> str:
    """The first source's publisher and date, plus how many more there are."""
    first = f"{sources[0].publisher}, {sources[0].date}"
    return first + (f" (+{len(sources) - 1} more)" if len(sources) > 1 else "")


def figures(history: History, years: Iterable[int]) -> list[Figure]:
    """Every observation in ``years`` whose series maps to a model output, in file order."""
    wanted = set(years)
    out = []
    for sid, s in history.series.items():
        if s.model is None:
            continue
        for year, obs in s.observations.items():
            if year in wanted:
                low, high = obs.bounds
                out.append(Figure(sid, year, s.model.variable, s.model.entity or "",
                                  float(low), float(high), s.unit,
                                  source_label(obs.sources)))  # fmt: skip
    return out


def check_mappings(
    history: History, path: str | Path | None, entities_of: Callable[[str], list[str]]
) -> None:
    """Every model mapping in the history file names an output and one of its entities.

    Raises:
        InputError: naming the history file, the line and the field of a bad mapping.
    """
    path = Path(path) if path is not None else DEFAULT_HISTORY
    maps = [(("series", sid, "model"), s.model) for sid, s in history.series.items()]
    maps.append((("un_votes", "model"), history.un_votes.model))
    located = None
    for where, m in maps:
        if m is None:
            continue
        problem = None
        if m.variable not in VARIABLES or VARIABLES[m.variable].entity == "contribution":
            problem = ("variable", f"no model output {m.variable!r} (see docs/results.md)")
        else:
            ents = entities_of(m.variable)
            want = m.entity or ""
            if want != "*" and want not in ents:
                have = "no entity" if ents == [""] else f"entities {ents} or '*' (all, summed)"
                problem = ("entity", f"{m.variable} has {have}, not {want!r}")
        if problem:
            located = located or yamlio.load_file(path)
            raise InputError(problem[1], file=path, line=located.line_of((*where, problem[0])),
                             field=".".join(map(str, (*where, problem[0]))))  # fmt: skip


def columns(entities: list[str], entity: str) -> list[int]:
    """Column indices of an entity (``''`` for none, ``'*'`` for all) among ``entities``."""
    return list(range(len(entities))) if entity == "*" else [entities.index(entity)]


def annual(
    arrays: dict[str, np.ndarray], times: np.ndarray, cols: list[int], variable: str, year: float
) -> np.ndarray:
    """Each run's annual value of ``variable``: the sum of ``cols``, averaged over the year.

    Args:
        arrays: ``variable -> (runs, periods, entities)``.
        times: The period starts.
        cols: Entity columns to sum.
        variable: The output variable.
        year: The calendar year.

    Raises:
        ValueError: when no period of the horizon starts in the year.
    """
    idx = np.flatnonzero((times >= year - 1e-9) & (times < year + 1 - 1e-9))
    if not len(idx):
        raise ValueError(f"no period starts in {year:g}")
    return arrays[variable][:, idx][:, :, cols].sum(axis=2).mean(axis=1)


def relative_miss(model: np.ndarray | float, low: np.ndarray | float,
                  high: np.ndarray | float) -> np.ndarray:  # fmt: skip
    """0 inside [low, high]; outside, the distance to the nearest bound relative to it.

    For a single figure (``low == high``) this is ``model / value - 1``.
    """
    m, lo, hi = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (model, low, high)))
    out = np.zeros(m.shape)
    below, above = m < lo, m > hi
    out[below] = m[below] / lo[below] - 1.0
    out[above] = m[above] / hi[above] - 1.0
    return out


def absolute_miss(model: float, low: float, high: float) -> float:
    """0 inside [low, high]; outside, the signed distance to the nearest bound."""
    return model - low if model < low else model - high if model > high else 0.0


def observed_direction(base: tuple[float, float], now: tuple[float, float]) -> str:
    """``up`` or ``down`` when the two observed ranges do not overlap, else ``unclear``."""
    if now[0] > base[1]:
        return "up"
    if now[1] < base[0]:
        return "down"
    return "unclear"


def model_direction(change: float, scale: float) -> str:
    """``up``, ``down`` or ``flat`` (a change below :data:`FLAT` of ``scale``)."""
    if abs(change) <= FLAT * max(abs(scale), 1e-12):
        return "flat"
    return "up" if change > 0 else "down"
