"""The parameter table behind ``simulate params``: values, units and provenance."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from simulate.errors import InputError
from simulate.results.table import format_table
from simulate.scenarios.parameters import load_config


def params_rows(config_path: str | None, groups: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One dict per parameter: path, value or range, unit, role and provenance."""
    cfg = load_config(config_path)
    unknown = [g for g in groups if g not in cfg.parameters]
    if unknown:
        raise InputError(f"unknown actor or group {unknown[0]!r}; expected one of "
                         f"{list(cfg.parameters)}", field="groups")  # fmt: skip
    rows = []
    for group, params in cfg.parameters.items():
        if groups and group not in groups:
            continue
        for name, p in params.items():
            rows.append({
                "parameter": f"{group}.{name}",
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
                "calibrate": p.calibrate,
            })  # fmt: skip
    return rows


def _value(r: dict[str, Any]) -> str:
    if r["value"] is not None:
        return f"{r['value']:g}"
    return f"{r['low']:g} .. {r['high']:g}"


def render_params(rows: list[dict[str, Any]], sources: bool) -> str:
    """The parameter table as text; with ``sources`` each quote or assumption below its row."""
    if not sources:
        table = [[r["parameter"], _value(r), r["unit"], r["role"], r["basis"],
                  ", ".join(sorted({s["seed"][:3] for s in r["sources"]})) or "-"]
                 for r in rows]  # fmt: skip
        n_assume = sum(r["basis"] == "ASSUMPTION" for r in rows)
        return (format_table(["parameter", "value", "unit", "role", "basis", "seeds"], table)
                + f"\n\n{len(rows)} parameters, {n_assume} assumptions (challenge these first).")
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
    return "\n".join(out)
