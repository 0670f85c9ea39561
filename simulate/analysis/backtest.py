"""The out-of-sample backtest: the history scenario's 2023 against the observed 2023.

``simulate calibrate`` fits on 2021-2022 and never simulates 2023
(:data:`simulate.analysis.targets.HELD_OUT_YEAR`). The backtest runs the history scenario
(``scenarios/history_2021.yaml``: the observed state of 2021 and the known events of
2022) and, for every 2023 observation of the history file whose series maps to a model
output, reports the observed value or range, the model's median and 90% interval of
the annual mean (the mean over the year's periods, run by run), whether that interval
overlaps the observed figure, and whether the model moves the right way since the base
year (2021, or the latest earlier year observed when 2021 is not). The observed
direction is ``up`` or ``down`` only when the two years' observed ranges do not
overlap, else ``unclear``; the model's is the sign of the median of the runs' changes.

Kazakhstan's recorded votes on the UN General Assembly resolutions on Russia's war are
held against its modelled position on the war-stance issue in the period of each vote
(yes = 1, abstain = 0.5, no = 0; the nearest code is the vote the position implies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from simulate.analysis import observed as obs
from simulate.analysis.history import DEFAULT_HISTORY, History, load_history
from simulate.analysis.targets import HELD_OUT_YEAR
from simulate.errors import InputError

#: Default ensemble size.
DEFAULT_RUNS = 300
#: The base year of the directions (the history scenario's start).
BASE_YEAR = 2021
#: The interval reported: 5% to 95% of the runs.
QUANTILES = (0.05, 0.5, 0.95)


def default_scenario() -> Path:
    """The shipped history scenario."""
    from simulate.io.shipped import folder

    return folder("scenarios") / "history_2021.yaml"


def backtest(
    scenario: str | Path | None = None, *, config: str | Path | None = None,
    history: str | Path | None = None, runs: int = DEFAULT_RUNS, seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Run the history scenario and hold its held-out year against the record.

    Args:
        scenario: The history scenario (default the shipped ``history_2021``).
        config: A parameter config to run it with (default the scenario's own), e.g.
            ``configs/calibrated.yaml``.
        history: The observed history (default ``configs/history.yaml``).
        runs: Ensemble size.
        seed: Seed (default the scenario's).
        progress: Called with the number of runs done.

    Returns:
        Plain data: ``figures`` (one row per held-out figure), ``votes`` (one row per UN
        vote in the horizon), ``summary`` and what was run.

    Raises:
        InputError: naming file, line and field, for a bad scenario, config or history,
            a history mapping to no model output, or a horizon that misses the years.
    """
    from simulate.io.shipped import resolve_scenario
    from simulate.model.preparation import prepare
    from simulate.results.files import entities_of
    from simulate.scenarios.parameters import load_config
    from simulate.scenarios.scenario import load

    scen = Path(resolve_scenario(scenario)) if scenario is not None else default_scenario()
    loaded = load(scen, config=load_config(config) if config is not None else None)
    hist_path = Path(history) if history is not None else DEFAULT_HISTORY
    hist = load_history(hist_path)
    spec = prepare(loaded, runs=runs, seed=seed)
    obs.check_mappings(hist, hist_path, lambda v: entities_of(spec, v))
    _check_horizon(loaded, spec.times)
    held = obs.figures(hist, [HELD_OUT_YEAR])
    wanted = {f.variable for f in held}
    vote_map = hist.un_votes.model
    if vote_map is not None:
        wanted.add(vote_map.variable)
    spec.outputs = sorted(wanted)
    arrays = _simulate(spec, progress)
    figures = [_figure(f, hist, spec, arrays) for f in held]
    votes = _votes(hist, spec, arrays) if vote_map is not None else []
    return {"scenario": str(scen), "config": str(config) if config else "the scenario's",
            "history": str(hist_path), "runs": spec.scenario.runs, "seed": spec.scenario.seed,
            "year": HELD_OUT_YEAR, "interval": [QUANTILES[0], QUANTILES[2]],
            "figures": figures, "votes": votes, "summary": _summary(figures, votes)}  # fmt: skip


def _check_horizon(loaded: Any, times: np.ndarray) -> None:
    """The scenario must simulate every month of the held-out year and of the base year."""
    for year in (BASE_YEAR, HELD_OUT_YEAR):
        if not np.any((times >= year - 1e-9) & (times < year + 1 - 1e-9)):
            o = loaded.where(("horizon",))
            hz = loaded.scenario.horizon
            raise InputError(f"the backtest compares {BASE_YEAR} with {HELD_OUT_YEAR}; this "
                             f"scenario runs {hz.start}-{hz.end}", file=o.file, line=o.line,
                             field="horizon")  # fmt: skip


def _simulate(spec: Any, progress: Callable[[int], None] | None) -> dict[str, np.ndarray]:
    """Every run's arrays, (runs, periods, entities), in run order (in this process)."""
    from simulate.running.ensemble import run_chunks

    n = spec.scenario.runs
    out: dict[str, np.ndarray] = {}
    done = 0
    for idx, arrays in run_chunks(spec, range(n), spec.scenario.seed):
        for k, v in arrays.items():
            out.setdefault(k, np.empty((n, *v.shape[1:])))[np.asarray(idx)] = v
        done += len(idx)
        if progress is not None:
            progress(done)
    return out


def _stats(values: np.ndarray) -> dict[str, float]:
    lo, med, hi = np.quantile(values, QUANTILES)
    return {"median": float(med), "low": float(lo), "high": float(hi)}


def _figure(f: obs.Figure, hist: History, spec: Any, arrays: dict) -> dict[str, Any]:
    """One held-out figure: observed, model interval, inside?, and the direction."""
    cols = obs.columns(spec.entities_of(f.variable), f.entity)
    now = obs.annual(arrays, spec.times, cols, f.variable, f.year)
    model = _stats(now)
    row: dict[str, Any] = {
        "series": f.series, "year": f.year, "variable": f.variable, "entity": f.entity,
        "unit": f.unit, "source": f.source, "observed": {"low": f.low, "high": f.high},
        "observed_text": f.observed, "model": model,
        "inside": bool(model["low"] <= f.high and model["high"] >= f.low),
        "base_year": None, "observed_base": None, "model_base": None, "observed_direction": None,
        "model_change": None, "model_direction": None, "direction_right": None,
    }  # fmt: skip
    start = int(np.floor(spec.times[0] + 1e-9))
    earlier = [y for y in hist.years(f.series) if start <= y < f.year]
    if not earlier:
        return row
    base_year = BASE_YEAR if BASE_YEAR in earlier else max(earlier)
    base_obs = hist.observed(f.series, base_year)
    base = obs.annual(arrays, spec.times, cols, f.variable, base_year)
    change = float(np.median(now - base))
    seen = obs.observed_direction(base_obs, (f.low, f.high))
    moved = obs.model_direction(change, float(np.median(base)))
    row.update(base_year=base_year, observed_base={"low": base_obs[0], "high": base_obs[1]},
               model_base=_stats(base), observed_direction=seen, model_change=change,
               model_direction=moved,
               direction_right=None if seen == "unclear" else seen == moved)  # fmt: skip
    return row


def decimal_year(date: str) -> float:
    """``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``) as a decimal year, e.g. 2022-03-02 -> 2022.164."""
    parts = [int(x) for x in date.split("-")] + [1, 1]
    d = dt.date(parts[0], parts[1], parts[2])
    days = (dt.date(d.year + 1, 1, 1) - dt.date(d.year, 1, 1)).days
    return d.year + (d.toordinal() - dt.date(d.year, 1, 1).toordinal()) / days


def nearest_vote(position: float, coding: dict[str, float]) -> str:
    """The vote whose code is nearest the position (ties to the first in the coding)."""
    return min(coding, key=lambda v: abs(coding[v] - position))


def _votes(hist: History, spec: Any, arrays: dict) -> list[dict[str, Any]]:
    """Each recorded vote in the horizon against the modelled position in its period."""
    m = hist.un_votes.model
    coding = dict(hist.un_votes.coding)
    col = obs.columns(spec.entities_of(m.variable), m.entity or "")
    out = []
    for res_id, v in hist.un_votes.votes.items():
        when = decimal_year(v.date)
        started = np.flatnonzero(spec.times <= when + 1e-9)
        if not len(started) or when >= spec.times[-1] + spec.dt:
            continue
        t = int(started[-1])
        pos = arrays[m.variable][:, t, col].sum(axis=1)
        implied = np.array([nearest_vote(x, coding) for x in pos])
        stats = _stats(pos)
        model_vote = nearest_vote(stats["median"], coding)
        out.append({"resolution": res_id, "date": v.date, "title": v.title, "vote": v.vote,
                    "coded": coding[v.vote], "period": float(spec.times[t]), "model": stats,
                    "model_vote": model_vote, "match": model_vote == v.vote,
                    "share_of_runs": float(np.mean(implied == v.vote)),
                    "inside": bool(stats["low"] <= coding[v.vote] <= stats["high"])})  # fmt: skip
    return out


def _summary(figures: list[dict], votes: list[dict]) -> dict[str, Any]:
    judged = [f["direction_right"] for f in figures if f["direction_right"] is not None]
    return {"figures": len(figures), "inside": sum(f["inside"] for f in figures),
            "directions_judged": len(judged), "directions_right": sum(judged),
            "directions_unclear": sum(f["observed_direction"] == "unclear" for f in figures),
            "without_base": sum(f["base_year"] is None for f in figures),
            "votes": len(votes), "votes_matched": sum(v["match"] for v in votes)}  # fmt: skip


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.4g}"


def backtest_text(res: dict[str, Any]) -> str:
    """The backtest as terminal tables: the held-out figures, then the UN votes."""
    from simulate.results.table import format_table

    lo, hi = res["interval"]
    head = (f"Backtest {res['year']}: {Path(res['scenario']).name} with config "
            f"{res['config']}, {res['runs']} runs (seed {res['seed']}); model = median "
            f"[{lo:.0%}-{hi:.0%}] of the annual mean")  # fmt: skip
    rows = []
    for f in res["figures"]:
        q = f"{f['variable']}[{f['entity']}]" if f["entity"] else f["variable"]
        m = f["model"]
        if f["base_year"] is None:
            direction = ["", "no earlier figure", "", ""]
        else:
            direction = [f"{f['base_year']}", f"{_text(f['observed_base'])} -> "
                         f"{f['observed_text']} {f['observed_direction']}",
                         f"{f['model_change']:+.3g} {f['model_direction']}",
                         {True: "yes", False: "NO", None: "unclear"}[f["direction_right"]]]
        rows.append([f["series"], q, f["observed_text"],
                     f"{_num(m['median'])} [{_num(m['low'])}, {_num(m['high'])}]",
                     "yes" if f["inside"] else "NO", *direction])  # fmt: skip
    out = [head, format_table(["figure", "model quantity", f"observed {res['year']}",
                               "model median [90%]", "inside", "base", "observed change",
                               "model change", "direction right"], rows)]  # fmt: skip
    if res["votes"]:
        vrows = [[v["resolution"], v["date"], v["vote"], f"{v['coded']:g}",
                  f"{v['model']['median']:.3f} [{v['model']['low']:.3f}, "
                  f"{v['model']['high']:.3f}]", v["model_vote"], "yes" if v["match"] else "NO",
                  f"{v['share_of_runs']:.0%}"] for v in res["votes"]]  # fmt: skip
        out += ["", "UN General Assembly votes against the war-stance position in the vote's "
                "period (yes = 1, abstain = 0.5, no = 0):",
                format_table(["resolution", "date", "vote", "code", "model position [90%]",
                              "implied vote", "match", "runs matching"], vrows)]  # fmt: skip
    s = res["summary"]
    out.append(f"\n{s['inside']} of {s['figures']} figures inside the model's interval; "
               f"directions right {s['directions_right']} of {s['directions_judged']} judged "
               f"({s['directions_unclear']} unclear, {s['without_base']} without an earlier "
               f"figure); votes matched {s['votes_matched']} of {s['votes']}.")  # fmt: skip
    return "\n".join(out)


def _text(b: dict[str, float]) -> str:
    return f"{b['low']:g}" if b["low"] == b["high"] else f"{b['low']:g}–{b['high']:g}"
