"""Explain an outcome: which mechanisms moved Kazakhstan's positions, ranked, in words.

Every result file keeps, per run, period and issue, each mechanism's contribution to the
position's change since the start (``contribution``, entity ``issue/mechanism``); they
add up to the change. One file: the mean contributions at a time, for all runs or one.
Two files run on the same seeds (paired runs): the mean of the paired differences,
which add up to the difference between the scenarios' positions, so a difference in
outcome is traced to the mechanism that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulate.errors import InputError
from simulate.results import view as rv
from simulate.results.files import Results

#: How each mechanism reads in a sentence.
WORDS = {
    "own": "Kazakhstan's own doctrine", "economics": "economics (transit risk and cost)",
    "inertia": "inertia (the lag behind its best response)",
    "noise": "noise (unmodelled shocks)", "ties": "ties to {p} (trade and investment)",
    "inducement": "{p}'s inducements", "pressure": "{p}'s pressure",
    "threat": "balancing against {p}'s revealed threat",
}  # fmt: skip
#: Contributions smaller than this are left out of the words (not of the numbers).
NEGLIGIBLE = 0.005


@dataclass
class IssueExplanation:
    """One issue: the position (or difference) and the ranked contributions."""

    issue: str
    start: float
    value: float
    change: float
    contributions: list[tuple[str, float]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # actor -> its label

    def sentence(self, paired: bool, label: str, top: int) -> str:
        """The explanation in words."""
        what = self.issue.replace("_", " ")
        if paired:
            head = (f"{what.capitalize()}: {self.value:.2f} in {label}, {self.change:+.3f} "
                    "against the reference")  # fmt: skip
        else:
            head = (f"{what.capitalize()}: {self.start:.2f} at the start, {self.value:.2f} "
                    f"now ({self.change:+.3f})")  # fmt: skip
        parts = [f"{describe(m, self.labels)} {v:+.3f}" for m, v in self.contributions[:top]
                 if abs(v) >= NEGLIGIBLE]  # fmt: skip
        return head + (": " + "; ".join(parts) if parts else ": no mechanism moved it by "
                       f"{NEGLIGIBLE} or more") + "."


def describe(mechanism: str, labels: dict[str, str] | None = None) -> str:
    """A mechanism label (``pressure:russia``) in words, the power by its config label."""
    kind, _, power = mechanism.partition(":")
    name = {"eu": "the EU"}.get(power) or (labels or {}).get(power) or power.title()
    if name.startswith("United"):
        name = f"the {name}"
    return WORDS.get(kind, mechanism).format(p=name)


def explain(
    result: Results, reference: Results | None = None, *, at: float | None = None,
    run: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The mechanisms behind each issue's position at ``at`` (default: the last period).

    Args:
        result: A result file with the ``contribution`` and ``position`` outputs.
        reference: A second file run on the same seed and runs: explain the difference.
        at: The period start to explain.
        run: One run instead of the mean over runs.

    Raises:
        InputError: outputs missing, a time or run that is not in the file, or two files
            that are not paired (different seeds, runs or periods).
    """
    files = [result] if reference is None else [reference, result]
    for res in files:
        for var in ("contribution", "position"):
            rv.check(res, var)
    t = rv.nearest_time(result, at if at is not None else float(rv.times(result)[-1]))
    if reference is not None:
        _check_paired(reference, result, t)
    tables = [_at(res, t, run) for res in files]
    out = issue_rows(tables, _issues(result), result.metadata.get("labels"))
    return {"scenario": rv.label(result),
            "reference": rv.label(reference) if reference is not None else None,
            "time": t, "run": run, "runs": len(tables[-1][0]), "issues": out,
            "outcomes": _outcomes(files, t, run)}  # fmt: skip


def issue_rows(tables: list[tuple[pd.DataFrame, pd.DataFrame]], issues: list[str],
               labels: dict[str, str] | None = None) -> list[IssueExplanation]:  # fmt: skip
    """Each issue's position and ranked contributions, from (contributions, positions) tables
    (runs x ``issue/mechanism``, runs x issue): one table, or a reference's then another's on
    the same runs, whose paired differences are explained; ``labels`` name the actors."""
    if len(tables) == 1:
        contrib, position = tables[0]
    else:
        contrib = tables[1][0] - tables[0][0]
        position = tables[1][1] - tables[0][1]
    out = []
    for issue in issues:
        cols = [c for c in contrib.columns if c.startswith(f"{issue}/")]
        ranked = sorted(((c.partition("/")[2], float(contrib[c].mean())) for c in cols),
                        key=lambda kv: -abs(kv[1]))  # fmt: skip
        value = float(tables[-1][1][issue].mean())
        start = value - float(tables[-1][0][cols].sum(axis=1).mean())
        change = float(position[issue].mean()) if len(tables) > 1 else value - start
        out.append(IssueExplanation(issue, start, value, change, ranked, dict(labels or {})))
    return out


def _at(res: Results, t: float, run: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contributions (run x issue/mechanism) and positions (run x issue) at time ``t``."""
    f = res.frame
    sel = f[f["variable"].isin(["contribution", "position"]).to_numpy()
            & np.isclose(f["time"].to_numpy(), t)]  # fmt: skip
    if "stat" in f.columns:
        sel = sel[sel["stat"] == "final"]
        if sel.empty:
            raise InputError("a summary file keeps each run's contributions only at the "
                             "horizon's end; explain the last period, or a file that keeps "
                             "every run (keep 'runs')", file=res.path, field="at")  # fmt: skip
    if run is not None:
        sel = sel[sel["run"] == run]
        if sel.empty:
            raise InputError(f"no run {run} in this file", file=res.path, field="run")
    wide = sel.pivot_table(index="run", columns=["variable", "entity"], values="value")
    return wide["contribution"], wide["position"]


def _issues(res: Results) -> list[str]:
    meta = res.metadata.get("issues")
    return list(meta) if meta else rv.entities(res, "position")


def _check_paired(a: Results, b: Results, t: float) -> None:
    for key in ("seed", "runs"):
        if a.metadata.get(key) != b.metadata.get(key):
            raise InputError(f"explaining a difference needs paired runs: the files have "
                             f"{key} {a.metadata.get(key)} and {b.metadata.get(key)}; run "
                             "both scenarios with the same seed and number of runs", file=b.path,
                             field=key)  # fmt: skip
    rv.nearest_time(a, t)


def _outcomes(files: list[Results], t: float, run: int | None) -> list[dict[str, Any]]:
    """Alignment per power and the outcome-class probabilities, per file (and difference)."""
    rows = []
    for var in ("alignment", "outcome"):
        for ent in rv.entities(files[-1], var):
            vals = []
            for res in files:
                x = rv.run_values(res, var, ent, t)
                if x is None:
                    s = rv.quantiles_over_time(res, var, ent)
                    vals.append(float(s.loc[np.isclose(s.index, t), "mean"].iloc[0]))
                else:
                    vals.append(float(x[run] if run is not None and run < len(x) else x.mean()))
            rows.append({"variable": var, "entity": ent, "values": vals,
                         "difference": vals[-1] - vals[0] if len(vals) > 1 else None})  # fmt: skip
    return rows


def to_text(ex: dict[str, Any], top: int = 4) -> str:
    """The explanation as text: a sentence per issue, then the outcomes."""
    paired = ex["reference"] is not None
    who = f"run {ex['run']}" if ex["run"] is not None else f"mean of {ex['runs']} runs"
    head = (f"{ex['scenario']} against {ex['reference']} (paired runs), at {ex['time']:g}, "
            f"{who}:" if paired else f"{ex['scenario']} at {ex['time']:g}, {who}:")  # fmt: skip
    lines = [head]
    for item in ex["issues"]:
        lines.append("- " + item.sentence(paired, ex["scenario"], top))
    lines.append("")
    for row in ex["outcomes"]:
        name = f"P({row['entity']})" if row["variable"] == "outcome" else (
            f"alignment with {row['entity']}")  # fmt: skip
        if row["variable"] == "outcome" and max(row["values"]) == 0:
            continue
        vals = " -> ".join(f"{v:.3f}" for v in row["values"])
        diff = f" ({row['difference']:+.3f})" if row["difference"] is not None else ""
        lines.append(f"  {name}: {vals}{diff}")
    return "\n".join(lines)


def to_json(ex: dict[str, Any]) -> dict[str, Any]:
    """The explanation as plain data, ready for JSON."""
    return {**ex, "issues": [
        {"issue": i.issue, "start": i.start, "value": i.value, "change": i.change,
         "contributions": [{"mechanism": m, "value": v} for m, v in i.contributions]}
        for i in ex["issues"]]}  # fmt: skip
