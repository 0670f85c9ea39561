"""The out-of-sample backtest with rolling origins: held-out years against the record, scored.

An *origin* splits the observed history in two: the *fit years* are the years up to and
including the origin, the *held-out years* origin + 1 ... 2023
(:data:`simulate.analysis.targets.HELD_OUT_YEAR`). The default origin is 2022, the last
year ``simulate calibrate`` fits; origin 2021 also holds out 2022. The backtest runs the
history scenario (``scenarios/history_2021.yaml``: the observed state of 2021 and the
known events of 2022) with the config fitted for the origin. The scenario is the same for
every origin: it plays the events of 2022 (the war and the sanctions) as known events,
and with origin 2021 the *figures* of 2022 are held out, not the events.

For every observation of a held-out year whose series maps to a model output it reports
the observed value or range; the model's median and 50% and 90% intervals of the annual
mean (the mean over the year's periods, run by run) and whether each interval overlaps
the observed figure; the CRPS of the model's ensemble and of two naive forecasts made
from the fit years only, persistence and the trend, with the model's skill against each
(:mod:`simulate.analysis.scores`); and whether the model moves the right way since the
origin (the origin's year, or the latest earlier year observed that the scenario
simulates). The observed direction is ``up`` or ``down`` only when the two years'
observed ranges do not overlap, else ``unclear``; the model's is the sign of the median
of the runs' changes.

The summary gives the coverage of the 50% and 90% intervals (the share of figures
inside), the mean CRPS over the figures of the model and of each naive forecast, each
figure's CRPS divided by the observation's magnitude (the midpoint of its range) so that
figures in different units can be averaged, and the figures on which the model loses to
persistence.

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
from simulate.analysis import scores
from simulate.analysis.history import DEFAULT_HISTORY, History, load_history
from simulate.analysis.targets import HELD_OUT_YEAR
from simulate.errors import InputError

#: Default ensemble size.
DEFAULT_RUNS = 300
#: The default origin: the last fit year of ``simulate calibrate``; 2023 is held out.
DEFAULT_ORIGIN = HELD_OUT_YEAR - 1
#: The 90% interval reported beside the median: 5% to 95% of the runs.
QUANTILES = (0.05, 0.5, 0.95)
#: The central intervals whose coverage is reported.
LEVELS = (0.5, 0.9)
#: The naive forecasts the model is scored against.
NAIVE = ("persistence", "trend")
#: How each figure's CRPS is scaled before the mean over figures.
SCALED_BY = "the observation's magnitude, |low + high| / 2"


def default_scenario() -> Path:
    """The shipped history scenario."""
    from simulate.io.shipped import folder

    return folder("scenarios") / "history_2021.yaml"


def posterior_last_year(path: str | Path) -> int | None:
    """The last fit year a posterior sample's header says it was fitted on, if it says."""
    import re

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            m = re.search(r"fit years up to (\d{4})", line)
            if m:
                return int(m.group(1))
    return None


def fit_note(spec: Any, origin: int) -> str | None:
    """What to know about the fit behind the runs, for an origin: nothing when the config's
    posterior was fitted on the years up to the origin; a warning when it saw later
    years (they would leak into the forecast) or when nothing was fitted."""
    post = spec.posterior
    if post is None:
        return (f"the runs take no posterior: nothing fitted on the years up to {origin} "
                "informs them (only the priors)")  # fmt: skip
    last = posterior_last_year(post.file)
    if last is None:
        return f"the posterior {Path(post.file).name} does not say which years it was fitted on"
    if last > origin:
        return (f"the posterior {Path(post.file).name} was fitted on the years up to {last}, "
                f"after the origin {origin}: those years leak into the forecast (fit one "
                f"with simulate calibrate --posterior ... --last-year {origin})")  # fmt: skip
    return None


def held_out_years(origin: int) -> list[int]:
    """The years after the origin up to :data:`HELD_OUT_YEAR`, e.g. 2021 -> [2022, 2023]."""
    return list(range(origin + 1, HELD_OUT_YEAR + 1))


def backtest(
    scenario: str | Path | None = None, *, origin: int = DEFAULT_ORIGIN,
    config: str | Path | None = None, history: str | Path | None = None,
    runs: int = DEFAULT_RUNS, seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Run the history scenario and hold its held-out years against the record, scored.

    Args:
        scenario: The history scenario (default the shipped ``history_2021``).
        origin: The last fit year; the years after it, up to 2023, are held out.
        config: The parameter config fitted for the origin, e.g. ``configs/calibrated.yaml``
            for 2022 (default the scenario's own, and the result says so).
        history: The observed history (default ``configs/history.yaml``).
        runs: Ensemble size.
        seed: Seed (default the scenario's).
        progress: Called with the number of runs done.

    Returns:
        Plain data: ``figures`` (one row per held-out figure, with its scores), ``votes``
        (one row per UN vote in the horizon), ``summary`` and what was run.

    Raises:
        InputError: naming file, line and field, for a bad scenario, config or history,
            a history mapping to no model output, an origin that is not before 2023 or
            not simulated, or a horizon that misses the years.
    """
    from simulate.io.shipped import resolve_scenario
    from simulate.model.preparation import prepare
    from simulate.results.files import entities_of
    from simulate.scenarios.parameters import load_config
    from simulate.scenarios.scenario import load

    if isinstance(origin, bool) or not isinstance(origin, int | np.integer) \
            or origin >= HELD_OUT_YEAR:  # fmt: skip
        raise InputError(f"the origin is the last fit year, before {HELD_OUT_YEAR} (the last "
                         f"year observed), not {origin}", field="origin")  # fmt: skip
    origin = int(origin)
    scen = Path(resolve_scenario(scenario)) if scenario is not None else default_scenario()
    loaded = load(scen, config=load_config(config) if config is not None else None)
    hist_path = Path(history) if history is not None else DEFAULT_HISTORY
    hist = load_history(hist_path)
    spec = prepare(loaded, runs=runs, seed=seed)
    obs.check_mappings(hist, hist_path, lambda v: entities_of(spec, v))
    _check_years(loaded, spec.times, origin)
    held = obs.figures(hist, held_out_years(origin))
    wanted = {f.variable for f in held}
    vote_map = hist.un_votes.model
    if vote_map is not None:
        wanted.add(vote_map.variable)
    spec.outputs = sorted(wanted)
    arrays = _simulate(spec, progress)
    figures = [_figure(f, hist, spec, arrays, origin) for f in held]
    votes = _votes(hist, spec, arrays) if vote_map is not None else []
    return {"scenario": str(scen), "config": str(config) if config else "the scenario's",
            "config_note": fit_note(spec, origin),
            "posterior": None if spec.posterior is None else {
                "file": Path(spec.posterior.file).name, "sha256": spec.posterior.digest,
                "vectors": len(spec.posterior.values),
                "last_fit_year": posterior_last_year(spec.posterior.file)},
            "history": str(hist_path), "runs": spec.scenario.runs, "seed": spec.scenario.seed,
            "origin": origin, "fit_years": list(range(hist.first_year, origin + 1)),
            "held_out_years": held_out_years(origin), "year": HELD_OUT_YEAR,
            "interval": [QUANTILES[0], QUANTILES[2]],
            "intervals": {_pct(lv): list(_tails(lv)) for lv in LEVELS},
            "crps_scaled_by": SCALED_BY, "figures": figures, "votes": votes,
            "summary": _summary(figures, votes)}  # fmt: skip


def _pct(level: float) -> str:
    return f"{level:.0%}"


def _tails(level: float) -> tuple[float, float]:
    tail = round((1 - level) / 2, 12)
    return tail, round(1 - tail, 12)


def _check_years(loaded: Any, times: np.ndarray, origin: int) -> None:
    """The scenario must simulate every month of the origin's year and the held-out years."""
    def simulated(year: int) -> bool:
        return bool(np.any((times >= year - 1e-9) & (times < year + 1 - 1e-9)))

    if all(simulated(y) for y in (origin, *held_out_years(origin))):
        return
    start = int(np.floor(times[0] + 1e-9))
    if all(simulated(y) for y in held_out_years(origin)) and origin < start:
        raise InputError(f"{origin} is before the scenario's start ({start}), which is set "
                         f"from the observed {start}: choose an origin from {start} to "
                         f"{HELD_OUT_YEAR - 1}", field="origin")  # fmt: skip
    o = loaded.where(("horizon",))
    hz = loaded.scenario.horizon
    raise InputError(f"the backtest from origin {origin} compares {origin} with "
                     f"{HELD_OUT_YEAR}; this scenario runs {hz.start}-{hz.end}", file=o.file,
                     line=o.line, field="horizon")  # fmt: skip


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


def _figure(f: obs.Figure, hist: History, spec: Any, arrays: dict, origin: int) -> dict[str, Any]:
    """One held-out figure: observed, model intervals, inside?, scores and the direction."""
    cols = obs.columns(spec.entities_of(f.variable), f.entity)
    now = obs.annual(arrays, spec.times, cols, f.variable, f.year)
    lo50, hi50 = scores.interval(now, 0.5)
    inside = {lv: scores.coverage(now, f.low, f.high, lv) for lv in LEVELS}
    row: dict[str, Any] = {
        "series": f.series, "year": f.year, "variable": f.variable, "entity": f.entity,
        "unit": f.unit, "source": f.source, "observed": {"low": f.low, "high": f.high},
        "observed_text": f.observed, "model": _stats(now),
        "model_50": {"low": lo50, "high": hi50}, "inside": inside[0.9],
        "inside_50": inside[0.5], "inside_90": inside[0.9],
    }  # fmt: skip
    row.update(_scored(f, hist, now, origin))
    row.update(_direction(f, hist, spec, arrays, now, origin))
    return row


def _scored(f: obs.Figure, hist: History, ensemble: np.ndarray, origin: int) -> dict[str, Any]:
    """The naive forecasts of the figure, the CRPS of each and of the model, and the skill."""
    naive = {"persistence": scores.persistence(hist, f.series, origin),
             "trend": scores.trend(hist, f.series, origin, f.year)}  # fmt: skip
    crps: dict[str, float | None] = {"model": scores.crps_ensemble(ensemble, f.low, f.high)}
    crps.update({k: None if v is None else scores.crps_point(v, f.low, f.high)
                 for k, v in naive.items()})  # fmt: skip
    scale = abs(f.low + f.high) / 2
    pyear = scores.persistence_year(hist, f.series, origin)
    return {
        "naive": {
            "persistence": None if pyear is None else {"value": naive["persistence"],
                                                       "year": pyear},
            "trend": None if naive["trend"] is None else {
                "value": naive["trend"], "years": scores.trend_years(hist, f.series, origin)},
        },
        "crps": crps, "scale": scale,
        "scaled_crps": {k: None if v is None or scale == 0 else v / scale
                        for k, v in crps.items()},
        "skill": {k: _skill(crps["model"], crps[k]) for k in NAIVE},
    }  # fmt: skip


def _skill(model: float | None, naive: float | None) -> float | None:
    """The model's skill, or None without a naive forecast or against a perfect one."""
    if model is None or naive is None or naive == 0:
        return None
    return scores.skill(model, naive)


def _direction(f: obs.Figure, hist: History, spec: Any, arrays: dict, now: np.ndarray,
               origin: int) -> dict[str, Any]:  # fmt: skip
    """Observed and modelled change from the origin (or the latest earlier year observed)."""
    start = int(np.floor(spec.times[0] + 1e-9))
    earlier = [y for y in hist.years(f.series) if start <= y <= origin]
    if not earlier:
        return {"base_year": None, "observed_base": None, "model_base": None,
                "observed_direction": None, "model_change": None, "model_direction": None,
                "direction_right": None}  # fmt: skip
    base_year = max(earlier)
    base_obs = hist.observed(f.series, base_year)
    cols = obs.columns(spec.entities_of(f.variable), f.entity)
    base = obs.annual(arrays, spec.times, cols, f.variable, base_year)
    change = float(np.median(now - base))
    seen = obs.observed_direction(base_obs, (f.low, f.high))
    moved = obs.model_direction(change, float(np.median(base)))
    return {"base_year": base_year, "observed_base": {"low": base_obs[0], "high": base_obs[1]},
            "model_base": _stats(base), "observed_direction": seen, "model_change": change,
            "model_direction": moved,
            "direction_right": None if seen == "unclear" else seen == moved}  # fmt: skip


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
    n = len(figures)
    inside = {lv: sum(f[f"inside_{lv * 100:.0f}"] for f in figures) for lv in LEVELS}
    return {"figures": n, "inside": inside[0.9], "inside_50": inside[0.5],
            "inside_90": inside[0.9],
            "coverage": {_pct(lv): inside[lv] / n if n else None for lv in LEVELS},
            "scaled_crps": _mean_scores(figures),
            "loses_to_persistence": [f"{f['series']} {f['year']}" for f in figures
                                     if f["crps"]["persistence"] is not None
                                     and f["crps"]["model"] > f["crps"]["persistence"]],
            "directions_judged": len(judged), "directions_right": sum(judged),
            "directions_unclear": sum(f["observed_direction"] == "unclear" for f in figures),
            "without_base": sum(f["base_year"] is None for f in figures),
            "votes": len(votes), "votes_matched": sum(v["match"] for v in votes)}  # fmt: skip


def _mean(xs: list[float]) -> float | None:
    return float(np.mean(xs)) if xs else None


def _mean_scores(figures: list[dict]) -> dict[str, dict[str, Any]]:
    """The mean scaled CRPS of the model, and of each naive forecast beside the model's own
    mean over the same figures (the figures where that naive forecast exists)."""
    model = [f["scaled_crps"]["model"] for f in figures if f["scaled_crps"]["model"] is not None]
    out: dict[str, dict[str, Any]] = {"model": {"figures": len(model), "mean": _mean(model)}}
    for k in NAIVE:
        pairs = [(f["scaled_crps"]["model"], f["scaled_crps"][k]) for f in figures
                 if f["scaled_crps"]["model"] is not None and f["scaled_crps"][k] is not None]
        m, nv = _mean([p[0] for p in pairs]), _mean([p[1] for p in pairs])
        out[k] = {"figures": len(pairs), "mean": nv, "model_mean": m,
                  "skill": _skill(m, nv)}  # fmt: skip
    return out


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.4g}"


def _opt(x: float | None, fmt: str = "{:.3g}") -> str:
    return "n/a" if x is None else fmt.format(x)


def backtest_text(res: dict[str, Any]) -> str:
    """The backtest as terminal tables: the held-out figures, their scores, the UN votes."""
    out = [_head(res), _figures_table(res), "",
           "Scores (CRPS in the figure's unit, lower is better; the naive forecasts use the "
           f"fit years {_years(res['fit_years'])} only; skill = 1 - CRPS model / CRPS naive):",
           _scores_table(res)]  # fmt: skip
    if res["votes"]:
        out += ["", "UN General Assembly votes against the war-stance position in the vote's "
                "period (yes = 1, abstain = 0.5, no = 0):", _votes_table(res["votes"])]  # fmt: skip
    out.append(_summary_text(res))
    return "\n".join(out)


def _years(years: list[int]) -> str:
    return f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _head(res: dict[str, Any]) -> str:
    lo, hi = res["interval"]
    head = (f"Backtest from origin {res['origin']} (held out {_years(res['held_out_years'])}): "
            f"{Path(res['scenario']).name} with config {res['config']}, {res['runs']} runs "
            f"(seed {res['seed']}); model = median [{lo:.0%}-{hi:.0%}] of the annual mean")
    return head + (f"\nnote: {res['config_note']}" if res.get("config_note") else "")


def _figures_table(res: dict[str, Any]) -> str:
    from simulate.results.table import format_table

    rows = []
    for f in res["figures"]:
        q = f"{f['variable']}[{f['entity']}]" if f["entity"] else f["variable"]
        m = f["model"]
        if f["base_year"] is None:
            direction = ["", f"no figure up to {res['origin']}", "", ""]
        else:
            direction = [f"{f['base_year']}", f"{_text(f['observed_base'])} -> "
                         f"{f['observed_text']} {f['observed_direction']}",
                         f"{f['model_change']:+.3g} {f['model_direction']}",
                         {True: "yes", False: "NO", None: "unclear"}[f["direction_right"]]]
        rows.append([f["series"], f["year"], q, f["observed_text"],
                     f"{_num(m['median'])} [{_num(m['low'])}, {_num(m['high'])}]",
                     "yes" if f["inside"] else "NO", *direction])  # fmt: skip
    return format_table(["figure", "year", "model quantity", "observed", "model median [90%]",
                         "inside", "base", "observed change", "model change",
                         "direction right"], rows)  # fmt: skip


def _naive_text(naive: dict[str, Any] | None, key: str) -> str:
    if naive is None:
        return "n/a"
    years = [naive["year"]] if key == "persistence" else naive["years"]
    return f"{_num(naive['value'])} ({_years(years)})"


def _scores_table(res: dict[str, Any]) -> str:
    from simulate.results.table import format_table

    rows = []
    for f in res["figures"]:
        m, c, s = f["model_50"], f["crps"], f["skill"]
        rows.append([f["series"], f["year"], f["observed_text"],
                     f"{_num(f['model']['median'])} [{_num(m['low'])}, {_num(m['high'])}]",
                     "yes" if f["inside_50"] else "NO", "yes" if f["inside_90"] else "NO",
                     _opt(c["model"]), _naive_text(f["naive"]["persistence"], "persistence"),
                     _opt(c["persistence"]), _opt(s["persistence"], "{:+.2f}"),
                     _naive_text(f["naive"]["trend"], "trend"), _opt(c["trend"]),
                     _opt(s["trend"], "{:+.2f}")])  # fmt: skip
    return format_table(["figure", "year", "observed", "model median [50%]", "in 50%", "in 90%",
                         "CRPS model", "persistence", "CRPS pers.", "skill vs pers.",
                         "trend (fit)", "CRPS trend", "skill vs trend"], rows)  # fmt: skip


def _votes_table(votes: list[dict[str, Any]]) -> str:
    from simulate.results.table import format_table

    rows = [[v["resolution"], v["date"], v["vote"], f"{v['coded']:g}",
             f"{v['model']['median']:.3f} [{v['model']['low']:.3f}, "
             f"{v['model']['high']:.3f}]", v["model_vote"], "yes" if v["match"] else "NO",
             f"{v['share_of_runs']:.0%}"] for v in votes]  # fmt: skip
    return format_table(["resolution", "date", "vote", "code", "model position [90%]",
                         "implied vote", "match", "runs matching"], rows)  # fmt: skip


def _summary_text(res: dict[str, Any]) -> str:
    from simulate.results.table import format_table

    s, sc = res["summary"], res["summary"]["scaled_crps"]
    cov = s["coverage"]
    rows = [["model", sc["model"]["figures"], _opt(sc["model"]["mean"]), "", ""]]
    rows += [[k, sc[k]["figures"], _opt(sc[k]["mean"]), _opt(sc[k]["model_mean"]),
              _opt(sc[k]["skill"], "{:+.2f}")] for k in NAIVE]  # fmt: skip
    pers = sc["persistence"]["figures"]
    loses = ", ".join(s["loses_to_persistence"]) or "none"
    return "\n".join([
        "",
        f"Coverage: {s['inside_50']} of {s['figures']} figures inside the model's 50% interval "
        f"({_opt(cov['50%'], '{:.0%}')}; calibrated: about 50%), {s['inside_90']} inside its "
        f"90% interval ({_opt(cov['90%'], '{:.0%}')}; calibrated: about 90%).",
        "Mean CRPS over the figures, each divided by the observation's magnitude (the "
        "midpoint of its range) so that units mix:",
        format_table(["forecast", "figures", "mean scaled CRPS", "model, same figures",
                      "model's skill"], rows),
        f"The model loses to persistence on {len(s['loses_to_persistence'])} of {pers} "
        f"figures with a persistence forecast: {loses}.",
        f"{s['inside']} of {s['figures']} figures inside the model's 90% interval; directions "
        f"right {s['directions_right']} of {s['directions_judged']} judged "
        f"({s['directions_unclear']} unclear, {s['without_base']} without a figure up to the "
        f"origin); "
        f"votes matched {s['votes_matched']} of {s['votes']}.",
    ])  # fmt: skip


def _text(b: dict[str, float]) -> str:
    return f"{b['low']:g}" if b["low"] == b["high"] else f"{b['low']:g}–{b['high']:g}"
