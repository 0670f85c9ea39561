"""Read values out of a result file, whether it keeps every run or only a summary.

A thin layer the analysis commands share: per-run values at a time (every time for
files that keep runs, the horizon's end for summary files), fan-chart quantiles per
time, and checks that a variable, entity or time exists — each failure an
:class:`~simulate.errors.InputError` naming the file and the field.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulate.errors import InputError
from simulate.results.files import Results

#: Quantile statistics a fan chart needs, by label.
FAN = {"p05": 0.05, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p95": 0.95}


def label(res: Results) -> str:
    """The scenario's name, for tables and legends."""
    return str(res.metadata.get("scenario", {}).get("name") or (res.path.stem if res.path else "?"))


def times(res: Results) -> np.ndarray:
    """The file's period start times, sorted."""
    return np.sort(res.frame["time"].unique())


def entities(res: Results, variable: str) -> list[str]:
    """The entities a variable has in this file (``[""]`` when it has none)."""
    f = res.frame
    ents = f.loc[f["variable"] == variable, "entity"].unique().tolist()
    if not ents:
        raise InputError(f"variable {variable!r} is not in this file", file=res.path,
                         field="variable")  # fmt: skip
    meta = res.metadata
    kinds = meta.get("entities") or {}
    order = [*meta.get("powers", []), *meta.get("routes", []),
             *(e for labels in kinds.values() for e in labels), ""]
    return sorted(ents, key=lambda e: order.index(e) if e in order else len(order))


def check(res: Results, variable: str, entity: str | None = None) -> None:
    """Fail unless the file has the variable (and the entity, when given)."""
    ents = entities(res, variable)
    if entity is not None and entity not in ents:
        raise InputError(f"{variable!r} has no entity {entity!r} (it has {ents})",
                         file=res.path, field="entity")  # fmt: skip


def nearest_time(res: Results, t: float) -> float:
    """The period starting at ``t``; an error when ``t`` is outside the horizon."""
    ts = times(res)
    if not np.isfinite(t):
        raise InputError(f"time {t} is not a year", file=res.path, field="at")
    if len(ts) == 0 or t < ts[0] - 1e-9 or t > ts[-1] + 1e-9:
        raise InputError(f"time {t} is outside the horizon {ts[0]}-{ts[-1]}", file=res.path,
                         field="at")  # fmt: skip
    k = int(np.argmin(np.abs(ts - t)))
    if abs(ts[k] - t) > 1e-6:
        raise InputError(f"no period starts at {t} (periods start at {ts[:3].tolist()}...)",
                         file=res.path, field="at")  # fmt: skip
    return float(ts[k])


def run_values(res: Results, variable: str, entity: str, t: float) -> np.ndarray | None:
    """Per-run values at time ``t``, ordered by run; None when a summary file lacks them."""
    f = res.frame
    sel = f[(f["variable"] == variable) & (f["entity"] == entity) & np.isclose(f["time"], t)]
    if "stat" in f.columns:
        sel = sel[sel["stat"] == "final"]
        if sel.empty:
            return None
    return sel.sort_values("run")["value"].to_numpy(dtype=float)


def quantiles_over_time(res: Results, variable: str, entity: str) -> pd.DataFrame:
    """Per time: mean and the :data:`FAN` quantiles, from runs or from summary rows."""
    f = res.frame
    sel = f[(f["variable"] == variable) & (f["entity"] == entity)]
    if "stat" in f.columns:
        sel = sel[sel["run"] == -1]
        wide = sel.pivot_table(index="time", columns="stat", values="value")
        return wide[["mean", *FAN]].sort_index()
    grouped = sel.groupby("time")["value"]
    out = pd.DataFrame({k: grouped.quantile(q) for k, q in FAN.items()})
    out.insert(0, "mean", grouped.mean())
    return out.sort_index()
