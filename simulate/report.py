"""A self-contained HTML report of one or more result files (images embedded, no network)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import UTC, datetime

from simulate import plots
from simulate import resultview as rv
from simulate.results import Results

#: Fan charts in the report, in order (variables missing from a file are skipped).
FAN_VARIABLES = ("balance_index", "alignment", "leverage", "oil_via_russia_share",
                 "corridor_volume", "trade_share")  # fmt: skip

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#111}
h1{font-size:1.6em} h2{border-bottom:2px solid #333;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee} img{max-width:100%;display:block;margin:.8em 0}
.quote{font-style:italic;color:#333} .assumption{color:#7a3e00}
.meta td:first-child{font-weight:bold}
"""


def _img(fig, alt: str) -> str:  # noqa: ANN001
    data = base64.b64encode(plots.to_bytes(fig, "png")).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _meta_table(res: Results) -> str:
    sc = res.metadata.get("scenario", {})
    hz = sc.get("horizon", {})
    rows = [("scenario", sc.get("name", "")), ("description", sc.get("description", "")),
            ("horizon", f"{hz.get('start')}-{hz.get('end')} by {hz.get('step')}"),
            ("runs", res.metadata.get("runs")), ("seed", res.metadata.get("seed")),
            ("kept", res.keep), ("file", res.path or ""),
            ("package version", res.metadata.get("package_version")),
            ("parameter hash", str(res.metadata.get("parameter_hash", ""))[:16])]  # fmt: skip
    body = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows)  # fmt: skip
    return f'<table class="meta">{body}</table>'


def _parameter_table(res: Results) -> str:
    from simulate.paramtable import params_rows

    config = res.metadata.get("scenario", {}).get("config")
    try:
        rows = params_rows(config)
    except Exception as exc:  # the config may have moved since the run
        return f"<p>Parameter table unavailable: {html.escape(str(exc))}</p>"
    out = ["<table><tr><th>parameter</th><th>value</th><th>unit</th><th>source</th></tr>"]
    for r in rows:
        value = r["value"] if r["value"] is not None else f"{r['low']} .. {r['high']}"
        if r["sources"]:
            src = "<br>".join(f'<span class="quote">"{html.escape(s["quote"])}"</span> '
                              f"({html.escape(s['seed'])})" for s in r["sources"])  # fmt: skip
        else:
            src = f'<span class="assumption">assumption: {html.escape(r["assumption"])}</span>'
        out.append(f"<tr><td>{html.escape(r['parameter'])}</td><td>{html.escape(str(value))}"
                   f"</td><td>{html.escape(r['unit'])}</td><td>{src}</td></tr>")  # fmt: skip
    out.append("</table>")
    return "".join(out)


def build_report(results: Sequence[Results]) -> str:
    """The report's HTML: scenarios, fan charts (overlaid against the first), routes, risk."""
    names = ", ".join(rv.label(r) for r in results)
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>multivector: "
             f"{html.escape(names)}</title><style>{_CSS}</style></head><body>",
             f"<h1>multivector report: {html.escape(names)}</h1>",
             f"<p>Created {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Fan charts show the median "
             "(line) with the middle 50% and 90% of runs (bands)"
             + (f"; scenarios are overlaid against <b>{html.escape(rv.label(results[0]))}</b>"
                " (bands of the reference, medians of all)" if len(results) > 1 else "")
             + ". Colours are fixed per actor; scenarios differ by line style.</p>"]  # fmt: skip
    parts.append("<h2>Scenarios</h2>")
    parts += [_meta_table(r) for r in results]
    parts.append("<h2>Balancing outcomes</h2>")
    if _has(results, "captured"):
        parts.append(_img(plots.failure_figure(results), "probability of balancing failure"))
    for var in FAN_VARIABLES:
        if _has(results, var):
            parts.append(_img(plots.fan_figure(results, var), plots.TITLES.get(var, var)))
    if _has(results, "oil_route_share"):
        parts.append("<h2>Oil export routes</h2>")
        parts += [_img(plots.routes_figure(r), f"oil routes {rv.label(r)}") for r in results]
    parts.append("<h2>Parameters and their sources</h2>")
    parts.append(_parameter_table(results[0]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _has(results: Sequence[Results], variable: str) -> bool:
    return all((r.frame["variable"] == variable).any() for r in results)
