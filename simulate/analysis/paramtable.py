"""The parameter table behind ``simulate params``: values, units and provenance."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulate.errors import InputError
from simulate.results.table import format_table
from simulate.scenarios.parameters import NO_PRIOR, load_config


def prior_label(prior: Any) -> str:
    """A prior in a few characters: ``U(0.4, 0.8)``, ``tri(0.4, 0.6, 0.8)``,
    ``TN(0, 0.05; -0.15, 0.15)`` (mean, sd; cut at low, high), ``logN(med 0.5, \u03c3 0.5)``."""
    if prior.dist == "uniform":
        return f"U({prior.low:g}, {prior.high:g})"
    if prior.dist == "triangular":
        return f"tri({prior.low:g}, {prior.mode:g}, {prior.high:g})"
    if prior.dist == "truncnormal":
        return f"TN({prior.mean:g}, {prior.sd:g}; {prior.low:g}, {prior.high:g})"
    return f"logN(med {prior.median:g}, \u03c3 {prior.sigma:g})"


def params_rows(config_path: str | None, groups: Sequence[str] = (),
                added: Sequence[str] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """One dict per parameter: path, value or range, unit, role, provenance and prior.

    ``added`` names optional actors (shipped names or actor files) to add to the config, as a
    scenario's ``actors:`` does.
    """
    cfg = load_config(config_path)
    if added:
        from simulate.scenarios.actors import with_actors

        cfg = with_actors(cfg, added, Path.cwd())
    unknown = [g for g in groups if g not in cfg.parameters]
    if unknown:
        raise InputError(f"unknown actor or group {unknown[0]!r}; expected one of "
                         f"{list(cfg.parameters)}", field="groups")  # fmt: skip
    rows = []
    for group, params in cfg.parameters.items():
        if groups and group not in groups:
            continue
        for name, p in params.items():
            path = f"{group}.{name}"
            unexplained = p.role == "model" and p.assumption and p.prior is None
            rows.append({
                "parameter": path,
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "role": p.role,
                "description": p.description,
                "basis": "ASSUMPTION" if p.assumption else
                         (f"OBSERVED {p.observed.year}"
                          + (" (range: sources disagree)" if p.is_range else "")
                          if p.observed else
                          ("RANGE: sources disagree" if p.is_range and len(p.sources or []) > 1
                           else "sourced")),
                "observed": p.observed.model_dump() if p.observed else None,
                "sources": [s.model_dump() for s in p.sources or []],
                "assumption": p.assumption,
                "prior": p.prior.model_dump() if p.prior else None,
                "prior_label": prior_label(p.prior) if p.prior else None,
                "no_prior": (p.no_prior or NO_PRIOR.get(path)) if unexplained else None,
                "calibrate": p.calibrate,
            })  # fmt: skip
    return rows


def _value(r: dict[str, Any]) -> str:
    if r["value"] is not None:
        return f"{r['value']:g}"
    return f"{r['low']:g} .. {r['high']:g}"


def _prior(r: dict[str, Any]) -> str:
    """The prior column: the prior, 'no prior' (listed, with a reason) or 'MISSING'."""
    if r["prior_label"]:
        return r["prior_label"]
    if r["no_prior"]:
        return "no prior"
    return "MISSING" if r["assumption"] and r["role"] == "model" else "-"


def render_params(rows: list[dict[str, Any]], sources: bool) -> str:
    """The parameter table as text; with ``sources`` each quote, assumption and prior below
    its row."""
    if not sources:
        table = [[r["parameter"], _value(r), r["unit"], r["role"], r["basis"], _prior(r),
                  ", ".join(sorted({s["seed"][:3] for s in r["sources"]})) or "-"]
                 for r in rows]  # fmt: skip
        n_assume = sum(r["basis"] == "ASSUMPTION" for r in rows)
        n_prior = sum(r["prior"] is not None for r in rows)
        n_listed = sum(r["no_prior"] is not None for r in rows)
        return (format_table(["parameter", "value", "unit", "role", "basis", "prior", "seeds"],
                             table)
                + f"\n\n{len(rows)} parameters, {n_assume} assumptions (challenge these first): "
                f"{n_prior} with a prior, {n_listed} without one for a stated reason.")
    out = []
    for r in rows:
        out.append(f"{r['parameter']} = {_value(r)} {r['unit']}  [{r['basis']}]")
        if r["description"]:
            out.append(f"    {r['description']}")
        for s in r["sources"]:
            quote = textwrap.fill(f"\u201c{s['quote']}\u201d", 96, initial_indent="    ",
                                  subsequent_indent="     ")  # fmt: skip
            out.append(f"{quote}  ({s['seed']})")
        if r["observed"]:
            o = r["observed"]
            series = ", ".join(o["series"])
            out.append(f"    OBSERVED {o['year']}: {series} in configs/history.yaml "
                       f"({o['basis']})" + (f"; {o['derivation']}" if o["derivation"] else ""))
        if r["assumption"]:
            out.append(textwrap.fill(f"ASSUMPTION: {r['assumption']}", 96,
                                     initial_indent="    ", subsequent_indent="    "))  # fmt: skip
        if r["prior"]:
            out.append(textwrap.fill(f"PRIOR {r['prior_label']}: {r['prior']['reason']}", 96,
                                     initial_indent="    ", subsequent_indent="    "))  # fmt: skip
        elif r["no_prior"]:
            out.append(textwrap.fill(f"NO PRIOR: {r['no_prior']}", 96, initial_indent="    ",
                                     subsequent_indent="    "))  # fmt: skip
    return "\n".join(out)
