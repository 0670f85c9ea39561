"""Calibration targets: observed figures, the model quantity each matches, and its measure.

A targets file (``configs/targets.yaml``) holds the scenario to fit on, the
ensemble (``runs``, ``seed``), optional ``bounds`` per parameter, the observed
history to fit (``history: {file, years}``) and a list of article targets.

``history``: every observation of ``file`` (``configs/history.yaml``) in the years
``[first, last]`` whose series names a model output becomes a target, its observed
value or range matched by the annual mean of that output. The fit years must end
before :data:`HELD_OUT_YEAR`: that year is kept for the backtest.

Each article target has a ``name``, the article figure (``value``, or ``low`` and
``high`` where the article gives a bound such as "over 70%") with its ``sources``
(seed file + verbatim quote) and the model quantity it matches:

* ``variable``: an output variable (see ``docs/results.md``);
* ``entity``: one entity, a list of entities (summed) or ``'*'`` (all, summed);
  omitted for variables without entities;
* ``time``: the period start; ``span`` (years, optional) averages the periods in
  ``[time, time + span)``, e.g. ``time: 2022, span: 1`` for an annual figure;
* ``per`` (optional): a denominator of the same variable, ``{entity: ..., time:
  ..., span: ...}`` (each defaulting to the numerator's), for shares and growth.

No target may reach into :data:`HELD_OUT_YEAR`. The measure is the ensemble mean of
the numerator over the mean of the denominator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulate.analysis import observed
from simulate.analysis.history import CUTOFF_YEAR, FIRST_YEAR, History, load_history
from simulate.errors import InputError
from simulate.io import yamlio
from simulate.scenarios.parameters import domain
from simulate.scenarios.variables import VARIABLES

REQUIRED = ("name", "variable", "time", "sources")
#: The year kept out of every fit: the backtest holds the model against it.
HELD_OUT_YEAR = CUTOFF_YEAR


def read_targets(path: str | Path) -> dict[str, Any]:
    """Load a targets file and check what can be checked without the model.

    Returns:
        The file's data, plus ``_file`` and ``_located`` (for line numbers).

    Raises:
        InputError: naming file, line and field, for a missing key, an unknown
            variable, a source without seed and quote, a non-positive value, or
            bounds that are not ``[low, high]`` inside the parameter's domain.
    """
    located = yamlio.load_file(path)
    data = located.data

    def fail(message: str, where: tuple, field: str) -> None:
        raise InputError(message, file=path, line=located.line_of(where), field=field)

    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise InputError("expected a mapping with a 'targets' list", file=path, line=1)
    for k, t in enumerate(data["targets"]):
        if not isinstance(t, dict):
            fail("a target is a mapping", ("targets", k), f"targets.{k}")
        for key in REQUIRED:
            if key not in t:
                fail(f"missing {key!r}", ("targets", k), f"targets.{k}.{key}")
        if t["variable"] not in VARIABLES:
            fail(f"no model variable {t['variable']!r} to match (see docs/results.md)",
                 ("targets", k, "variable"), f"targets.{k}.variable")  # fmt: skip
        _check_value(t, lambda m, key, k=k: fail(m, ("targets", k, key), f"targets.{k}.{key}"))
        for part, spec in (("", t), (".per", {**t, **(t.get("per") or {})})):
            end = window_end(spec.get("time"), spec.get("span"))
            if end is not None and end > HELD_OUT_YEAR + 1e-9:
                where = ("targets", k, "per", "time") if part else ("targets", k, "time")
                fail(f"reaches into {HELD_OUT_YEAR}, the year held out of the fit for the "
                     "backtest; date the figure by the year its data describe",
                     where, f"targets.{k}{part}.time")  # fmt: skip
        srcs = t["sources"]
        if not (isinstance(srcs, list) and srcs
                and all(isinstance(s, dict) and s.get("seed") and s.get("quote") for s in srcs)):
            fail("sources must list {seed, quote} pairs", ("targets", k, "sources"),
                 f"targets.{k}.sources")  # fmt: skip
    for p, b in (data.get("bounds") or {}).items():
        lo, hi = domain(p)
        if not (isinstance(b, list) and len(b) == 2
                and all(isinstance(v, int | float) for v in b) and lo <= b[0] < b[1] <= hi):
            fail(f"bounds {b} must be [low, high] inside the domain [{lo:g}, {hi:g}] of {p}",
                 ("bounds", p), f"bounds.{p}")  # fmt: skip
    if "history" in data:
        _check_history(data["history"], fail)
    data["_file"] = str(path)
    data["_located"] = located
    return data


def _check_value(t: dict, fail: Any) -> None:
    """A non-zero ``value``, or ``low < high`` both non-zero (residuals are relative)."""
    number = lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v != 0  # noqa: E731
    if "value" in t:
        if "low" in t or "high" in t:
            fail("give a value or low and high, not both", "value")
        if not number(t["value"]):
            fail("the value must be a non-zero number (residuals are relative)", "value")
        return
    if "low" not in t or "high" not in t:
        fail("missing 'value' (or 'low' and 'high')", "value")
    for key in ("low", "high"):
        if not number(t[key]):
            fail(f"{key} must be a non-zero number (residuals are relative)", key)
    if not t["low"] < t["high"]:
        fail(f"low ({t['low']:g}) must be below high ({t['high']:g})", "low")


def window_end(time: Any, span: Any) -> float | None:
    """Where a target's window ends, or None if malformed.

    Without a span the window is the one period starting at ``time``, which ends by the
    start of the next year on any grid (horizons start on a whole year).
    """
    if not isinstance(time, int | float):
        return None
    if span is None:
        return float(time) + 1e-6
    return float(time) + float(span) if isinstance(span, int | float) else None


def _check_history(h: Any, fail: Any) -> None:
    """``history: {file, years: [first, last]}`` with the fit years before the held-out one."""
    if not isinstance(h, dict) or not isinstance(h.get("file"), str):
        fail("expected {file: <history file>, years: [first, last]}", ("history",), "history")
    years = h.get("years")
    if not (isinstance(years, list) and len(years) == 2
            and all(isinstance(y, int) and not isinstance(y, bool) for y in years)
            and years[0] <= years[1]):
        fail("years must be [first, last], whole years with first <= last",
             ("history", "years"), "history.years")  # fmt: skip
    if years[1] >= HELD_OUT_YEAR:
        fail(f"the fit years must end before {HELD_OUT_YEAR}: it is held out for the backtest "
             "(simulate backtest)", ("history", "years"), "history.years")  # fmt: skip
    if years[0] < FIRST_YEAR:
        fail(f"the history starts in {FIRST_YEAR}", ("history", "years"), "history.years")


def _entities(spec_entities: list[str], want: Any) -> list[str] | None:
    if want == "*":
        return list(spec_entities)
    want = [want] if isinstance(want, str) or want is None else list(want)
    want = ["" if w is None else str(w) for w in want]
    return want if all(w in spec_entities for w in want) else None


def _window(times: np.ndarray, dt: float, start: Any, span: Any) -> np.ndarray | None:
    if not isinstance(start, int | float):
        return None
    span = dt if span is None else span
    if not isinstance(span, int | float) or span <= 0:
        return None
    idx = np.flatnonzero((times >= start - 1e-9) & (times < start + span - 1e-9))
    return idx if len(idx) and abs(times[idx[0]] - start) < 1e-6 else None


def history_targets(data: dict[str, Any], entities_of: Any) -> tuple[History, list[dict]]:
    """The history file of a targets file and its observations in the fit years, as targets.

    Each target is a mapping like an article target (``name``, ``variable``, ``entity``,
    ``time``, ``span: 1``, ``low``, ``high``) plus ``series``, ``year`` and ``source``.
    No history block gives no targets.

    Raises:
        InputError: for a bad history file or a model mapping the model does not have.
    """
    h = data.get("history")
    if h is None:
        return None, []  # type: ignore[return-value]
    path = (Path(data["_file"]).parent / h["file"]).resolve()
    history = load_history(path)
    observed.check_mappings(history, path, entities_of)
    first, last = h["years"]
    out = [{"name": f.name, "variable": f.variable, "entity": f.entity, "time": f.year,
            "span": 1, "low": f.low, "high": f.high, "series": f.series, "year": f.year,
            "unit": f.unit, "source": f.source}
           for f in observed.figures(history, range(first, last + 1))]  # fmt: skip
    return history, out


def bounds_of(target: dict[str, Any]) -> tuple[float, float]:
    """A target's observed ``(low, high)``; equal ends for a single figure."""
    if "value" in target:
        return float(target["value"]), float(target["value"])
    return float(target["low"]), float(target["high"])


def resolve(
    data: dict[str, Any], entities_of: Any, times: np.ndarray, dt: float,
    targets: list[dict] | None = None,
) -> list[dict]:  # fmt: skip
    """Turn each target into column and period indices of its variable (plain data).

    Args:
        data: :func:`read_targets`' result.
        entities_of: ``entities_of(variable) -> list[str]`` for the fit scenario.
        times: The scenario's period starts.
        dt: The period length in years.
        targets: The targets to resolve (default: the file's article targets).

    Raises:
        InputError: an entity the variable does not have or a time outside the horizon.
    """
    path, located = data["_file"], data["_located"]
    out = []
    for k, t in enumerate(data["targets"] if targets is None else targets):
        ents = entities_of(t["variable"])
        parts = {}
        for part, spec in (("num", t), ("den", t.get("per"))):
            if spec is None:
                continue
            where = ("targets", k) if part == "num" else ("targets", k, "per")
            field = f"targets.{k}" if part == "num" else f"targets.{k}.per"
            spec = {**t, **spec} if part == "den" else t
            cols = _entities(ents, spec.get("entity", ""))
            if cols is None:
                raise InputError(f"{t['variable']} has no entity {spec.get('entity')!r} "
                                 f"(it has {ents})", file=path, line=located.line_of(
                                     (*where, "entity")), field=f"{field}.entity")  # fmt: skip
            rows = _window(times, dt, spec["time"], spec.get("span"))
            if rows is None:
                raise InputError(f"time {spec['time']!r} (span {spec.get('span')}) is not a "
                                 f"period start of the horizon {times[0]:g}-{times[-1]:g}",
                                 file=path, line=located.line_of((*where, "time")),
                                 field=f"{field}.time")  # fmt: skip
            parts[part] = {"columns": [ents.index(c) for c in cols], "periods": rows.tolist()}
        out.append({**parts, "variable": t["variable"]})
    return out


def measure(arrays: dict[str, np.ndarray], resolved: list[dict]) -> np.ndarray:
    """The model value of every resolved target from run arrays (var -> (R, T, E))."""

    def part(arr: np.ndarray, p: dict) -> float:
        return float(arr[:, p["periods"], :][:, :, p["columns"]].sum(axis=2).mean())

    vals = []
    for r in resolved:
        arr = arrays[r["variable"]]
        v = part(arr, r["num"])
        vals.append(v / part(arr, r["den"]) if "den" in r else v)
    return np.array(vals)
