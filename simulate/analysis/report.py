"""A self-contained HTML report of one or more result files (images embedded, no network).

Sections: each scenario (description, horizon, runs, seed, and what it changes:
parameter overrides, time paths, events, uncertainties); key outcomes at the horizon's
end side by side; the probability of balancing failure over time; fan charts
(scenarios overlaid against the first file); oil routes as stacked shares; and the
parameter table with every source quote or assumption. Works from files that keep
every run and from summary files alike.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from simulate.analysis import plots
from simulate.errors import InputError
from simulate.results import view as rv
from simulate.results.files import Results
from simulate.results.summary import wilson
from simulate.scenarios.variables import KEY_OUTCOMES, is_binary

#: Fan charts in the report, in order (variables missing from a file are skipped).
FAN_VARIABLES = ("balance_index", "alignment", "position", "leverage", "pressure",
                 "oil_via_russia_share", "corridor_volume", "trade_share")  # fmt: skip
_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#111;line-height:1.4}
h1{font-size:1.6em} h2{border-bottom:2px solid #333;padding-bottom:.2em;margin-top:2em}
h3{margin-bottom:.3em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee} td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;display:block;margin:.8em 0}
.quote{font-style:italic;color:#333} .assumption{color:#7a3e00} .note{color:#555}
.meta td:first-child{font-weight:bold;width:9em}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _img(fig: Any, alt: str) -> str:
    data = base64.b64encode(plots.to_bytes(fig, "png")).decode()
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(c) for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><tr>{head}</tr>{body}</table>'


def _cell(c: Any) -> str:
    if isinstance(c, float):
        return f'<td class="num">{c:.3f}</td>'
    return f"<td>{c}</td>"  # already escaped HTML


def _meta_table(res: Results) -> str:
    sc = res.metadata.get("scenario", {})
    hz = sc.get("horizon", {})
    rows = [("description", sc.get("description", "")),
            ("horizon", f"{hz.get('start')}-{hz.get('end')} by {hz.get('step')}"),
            ("runs", res.metadata.get("runs")), ("seed", res.metadata.get("seed")),
            ("kept", "every run" if res.keep == "runs" else "summary statistics"),
            ("file", res.path or ""), ("config", res.metadata.get("config", "")),
            ("package version", res.metadata.get("package_version")),
            ("parameter hash", str(res.metadata.get("parameter_hash", ""))[:16])]  # fmt: skip
    body = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<h3>{_e(rv.label(res))}</h3><table class='meta'>{body}</table>" + _settings(sc)


def _settings(sc: dict[str, Any]) -> str:
    """What the scenario changes relative to the config: overrides, paths, events, draws."""
    rows = [["override", _e(p), _e(v)] for p, v in (sc.get("parameters") or {}).items()]
    rows += [["time path", _e(p), _e(", ".join(f"{float(y):g}: {v:g}" for y, v in path.items()))]
             for p, path in (sc.get("paths") or {}).items()]  # fmt: skip
    for ev in sc.get("events") or []:
        what = {k: v for k, v in ev.items() if k not in ("type", "target", "label") and
                v is not None}  # fmt: skip
        rows.append([f"event: {_e(ev.get('type'))}", _e(ev.get("target") or ""),
                     _e(", ".join(f"{k} {v}" for k, v in what.items()))])  # fmt: skip
    for u in sc.get("uncertainties") or []:
        rest = {k: v for k, v in u.items() if k not in ("parameter", "dist")}
        rows.append(["uncertain", _e(u.get("parameter")),
                     _e(f"{u.get('dist')}(" + ", ".join(f"{k}={v}" for k, v in rest.items())
                        + ")")])  # fmt: skip
    if not rows:
        return "<p class='note'>No changes to the config's parameters.</p>"
    return _table(["setting", "parameter / target", "value"], rows)


def _outcomes_table(results: Sequence[Results]) -> str:
    """Mean and 5-95% range (for captured: the failure probability) at the common end."""
    t = float(min(rv.times(r)[-1] for r in results))
    headers = ["outcome", *(f"{rv.label(r)}" for r in results)]
    rows = []
    for var in KEY_OUTCOMES:
        if not _has(results, var):
            continue
        for ent in rv.entities(results[0], var):
            cells = []
            for res in results:
                try:
                    q = rv.quantiles_over_time(res, var, ent)
                except KeyError:
                    cells.append("-")
                    continue
                row = q.loc[np.isclose(q.index, t)]
                if row.empty:
                    cells.append("-")
                elif is_binary(var):
                    n = int(res.metadata.get("runs", 0))
                    p = float(row["mean"].iloc[0])
                    lo, hi = wilson(round(p * n), n)
                    cells.append(f"{p:.3f} [{lo:.3f}, {hi:.3f}]")
                else:
                    r = row.iloc[0]
                    cells.append(f"{r['mean']:.3f} [{r['p05']:.3f}, {r['p95']:.3f}]")
            name = var + (f" [{ent}]" if ent else "")
            name = {"captured": "P(ever aligned: balancing failed)",
                    "outcome": f"P({ent})"}.get(var, name)  # fmt: skip
            rows.append([_e(name), *cells])
    return (f"<p>Mean and 5-95% range of runs in the period starting {t:g}; for the outcome "
            "classes and balancing failure, the share of runs with its 95% Wilson interval."
            "</p>" + _table(headers, rows))  # fmt: skip


def find_config(res: Results) -> tuple[str | None, str]:
    """The config file a result was made with, and a note when it cannot be confirmed.

    The scenario's own ``config`` path when it names one; otherwise a shipped config
    with the recorded name and parameter hash; otherwise the default config.
    """
    from simulate.io import yamlio
    from simulate.scenarios.parameters import CONFIG_DIR, DEFAULT_CONFIG, parse_config

    wanted, name = res.metadata.get("parameter_hash"), res.metadata.get("config")
    own = res.metadata.get("scenario", {}).get("config")
    candidates = [Path(own)] if own else []
    candidates += [DEFAULT_CONFIG, *sorted(CONFIG_DIR.glob("*.y*ml"))]
    # a path read from a result file is held to the rules of a scenario's config: a
    # regular YAML file outside /proc, /sys and /dev
    ref = yamlio.Ref(str(res.path or "<result>"), None, "metadata.scenario.config")
    first_named = None
    for path in candidates:
        try:
            cfg = parse_config(yamlio.load_file(path, named_at=ref))
        except (InputError, ValueError, OSError):
            continue
        if cfg.fingerprint() == wanted:
            return str(path), ""
        if cfg.name == name and first_named is None:
            first_named = str(path)
    if first_named:
        return first_named, (f"The parameter values of config '{name}' have changed since "
                             "this file was made; the table shows the current values.")
    return None, (f"Config '{name}' was not found; the table shows the default config.")


def _parameter_table(res: Results) -> str:
    from simulate.analysis.paramtable import params_rows

    path, note = find_config(res)
    try:
        rows = params_rows(path)
    except (InputError, ValueError, OSError) as exc:  # the config may have moved or broken
        return f"<p>Parameter table unavailable: {_e(exc)}</p>"
    out = []
    for r in rows:
        value = r["value"] if r["value"] is not None else f"{r['low']} .. {r['high']}"
        if r["sources"]:
            src = "<br>".join(f'<span class="quote">\u201c{_e(s["quote"])}\u201d</span> '
                              f"({_e(s['seed'])})" for s in r["sources"])  # fmt: skip
        else:
            src = f'<span class="assumption">assumption: {_e(r["assumption"])}</span>'
        out.append([_e(r["parameter"]), _e(value), _e(r["unit"]), src])
    intro = (f"<p>Config <b>{_e(path or 'default')}</b> (of {_e(rv.label(res))}). Each value "
             "quotes the sentence it comes from, or says why it is an assumption. "
             f"{_e(note)}</p>")  # fmt: skip
    return intro + _table(["parameter", "value", "unit", "source"], out)


def build_report(results: Sequence[Results]) -> str:
    """The report's HTML: scenarios, outcomes, fan charts (overlaid against the first), routes."""
    names = ", ".join(rv.label(r) for r in results)
    overlay = (f"; scenarios are overlaid against <b>{_e(rv.label(results[0]))}</b> (its "
               "bands; the others' 90% ranges as thin lines)" if len(results) > 1 else "")
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>multivector: "
             f"{_e(names)}</title><style>{_CSS}</style></head><body>",
             f"<h1>multivector report: {_e(names)}</h1>",
             f"<p>Created {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Fan charts show the median "
             f"(line) with the middle 50% and 90% of runs (bands){overlay}. Each actor and "
             "route keeps one colour in every figure; scenarios differ by line style and "
             "marker.</p>"]  # fmt: skip
    parts.append("<h2>Scenarios</h2>")
    parts += [_meta_table(r) for r in results]
    parts += ["<h2>Outcomes at the horizon's end</h2>", _outcomes_table(results)]
    parts.append("<h2>Balancing outcomes over time</h2>")
    if _has(results, "outcome"):
        parts.append(_img(plots.outcome_figure(results), "outcome class probabilities"))
    if _has(results, "captured"):
        parts.append(_img(plots.failure_figure(results), "probability of balancing failure"))
    for var in FAN_VARIABLES:
        if _has(results, var):
            parts.append(_img(plots.fan_figure(results, var), plots.TITLES.get(var, var)))
    if _has(results, "contribution"):
        parts.append(_mechanisms(results))
    if _has(results, "oil_route_share"):
        parts.append("<h2>Oil export routes</h2>")
        parts += [_img(plots.routes_figure(r), f"oil routes {rv.label(r)}") for r in results]
    parts.append("<h2>Parameters and their sources</h2>")
    parts.append(_parameter_table(results[0]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _mechanisms(results: Sequence[Results]) -> str:
    """Contribution charts: what moved each issue (one scenario), or what makes two differ."""
    ref = results[0]
    issues = ref.metadata.get("issues") or sorted(
        {e.partition("/")[0] for e in rv.entities(ref, "contribution")})  # fmt: skip
    parts = ["<h2>What moved Kazakhstan's positions</h2>",
             "<p>Each mechanism's part in the change of a position since the start (mean over "
             "runs): Kazakhstan's own doctrine, its ties to each power, each power's "
             "inducements and pressure, economics (transit risk and cost), inertia (the lag "
             "behind the best response) and noise. They add up to the change (black line)."
             + (" For a second scenario, the charts show its paired difference from the "
                f"first ({_e(rv.label(ref))}): the mechanisms that make them differ."
                if len(results) > 1 else "") + "</p>"]  # fmt: skip
    for issue in issues:
        if len(results) == 1:
            parts.append(_img(plots.mechanism_figure(ref, issue), f"mechanisms {issue}"))
        for other in results[1:]:
            parts.append(_img(plots.mechanism_figure(other, issue, reference=ref),
                              f"mechanisms {issue} {rv.label(other)}"))  # fmt: skip
    return "\n".join(parts)


def _has(results: Sequence[Results], variable: str) -> bool:
    return all((r.frame["variable"] == variable).any() for r in results)
