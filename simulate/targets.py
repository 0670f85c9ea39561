"""Calibration targets: article figures, the model quantity each matches, and its measure.

A targets file (``configs/targets.yaml``) holds the scenario to fit on, the
ensemble (``runs``, ``seed``), optional ``bounds`` per parameter, and a list of
targets. Each target has a ``name``, the article figure ``value`` with its
``sources`` (seed file + verbatim quote) and the model quantity it matches:

* ``variable``: an output variable (see ``docs/results.md``);
* ``entity``: one entity, a list of entities (summed) or ``'*'`` (all, summed);
  omitted for variables without entities;
* ``time``: the period start; ``span`` (years, optional) averages the periods in
  ``[time, time + span)``, e.g. ``time: 2022, span: 1`` for an annual figure;
* ``per`` (optional): a denominator of the same variable, ``{entity: ..., time:
  ..., span: ...}`` (each defaulting to the numerator's), for shares and growth.

The measure is the ensemble mean of the numerator over the mean of the denominator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulate import yamlio
from simulate.errors import InputError
from simulate.parameters import domain
from simulate.variables import VARIABLES

REQUIRED = ("name", "variable", "time", "value", "sources")


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
        if not isinstance(t["value"], int | float) or t["value"] == 0:
            fail("the value must be a non-zero number (residuals are relative)",
                 ("targets", k, "value"), f"targets.{k}.value")  # fmt: skip
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
    data["_file"] = str(path)
    data["_located"] = located
    return data


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


def resolve(data: dict[str, Any], entities_of: Any, times: np.ndarray, dt: float) -> list[dict]:
    """Turn each target into column and period indices of its variable (plain data).

    Args:
        data: :func:`read_targets`' result.
        entities_of: ``entities_of(variable) -> list[str]`` for the fit scenario.
        times: The scenario's period starts.
        dt: The period length in years.

    Raises:
        InputError: an entity the variable does not have or a time outside the horizon.
    """
    path, located = data["_file"], data["_located"]
    out = []
    for k, t in enumerate(data["targets"]):
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
