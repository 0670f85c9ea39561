"""The state at the start: which config values are observed figures, and from where.

A forward scenario starts at 2024.0 from the last observed year. A config parameter
whose value is an observed figure says so (``observed:`` with the history series, the
year and the statistical basis); :func:`start_rows` lists those parameters with the
figures and sources behind them (``simulate params --at-start``), and
:func:`check_start` holds every single-series value against ``configs/history.yaml``:
a value must be the figure observed (a range: the observed range) so that nobody edits
one without the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulate.analysis.history import DEFAULT_HISTORY, History, load_history
from simulate.errors import InputError
from simulate.scenarios.parameters import DEFAULT_CONFIG, Config, load_config

#: Relative tolerance of a value against its observation (rounding in the config).
TOLERANCE = 1e-6


def start_rows(config: Config, history: History) -> list[dict[str, Any]]:
    """One row per observed parameter: path, value, unit, year, basis, series, sources."""
    rows = []
    for path in config.paths():
        par = config.get(path)
        if par.observed is None:
            continue
        obs = par.observed
        figures = []
        for sid in obs.series:
            series = history.series.get(sid)
            o = series.observations.get(obs.year) if series else None
            figures.append({
                "series": sid, "unit": series.unit if series else None,
                "observed": None if o is None else list(o.bounds),
                "sources": [] if o is None else [
                    {"publisher": s.publisher, "title": s.title, "date": s.date,
                     "as_printed": s.as_printed, "side": s.side} for s in o.sources],
            })  # fmt: skip
        rows.append({
            "parameter": path, "value": par.value, "low": par.low, "high": par.high,
            "unit": par.unit, "year": obs.year, "basis": obs.basis,
            "derivation": obs.derivation, "figures": figures,
            "references": [s.model_dump() for s in par.sources or []],
        })  # fmt: skip
    return rows


def check_start(config: Config, history: History, *, config_file: str | Path | None = None,
                located: Any = None) -> None:  # fmt: skip
    """Refuse an observed parameter that does not match its history figure.

    Every series named must be in the history with an observation in the year; a value
    from one series without a derivation must equal the observation (a range: its
    ends), within :data:`TOLERANCE`.

    Raises:
        InputError: naming the config file, line and parameter.
    """
    where = str(config_file or DEFAULT_CONFIG)
    for path in config.paths():
        par = config.get(path)
        if par.observed is None:
            continue
        group, _, name = path.partition(".")
        actor = config.actors.get(group)
        if actor is not None and actor.file:  # an added actor: named at its own file
            from simulate.io import yamlio

            here, line = actor.file, yamlio.load_file(actor.file).line_of(
                ("parameters", name, "observed"))
        else:
            here = where
            line = located.line_of(("parameters", group, name, "observed")) if located else None

        def fail(msg: str, path: str = path, line: int | None = line, here: str = here) -> None:
            raise InputError(msg, file=here, line=line, field=f"parameters.{path}.observed")

        obs = par.observed
        for sid in obs.series:
            if sid not in history.series:
                fail(f"unknown history series {sid!r}")
            if obs.year not in history.series[sid].observations:
                fail(f"history series {sid!r} has no observation in {obs.year}")
        if len(obs.series) > 1 or obs.derivation:
            continue
        low, high = history.observed(obs.series[0], obs.year)
        mine = (par.value, par.value) if par.value is not None else (par.low, par.high)
        if low == high and par.value is None:
            fail(f"{obs.series[0]} {obs.year} is one figure ({low:g}); give it as value")
        if low != high and par.value is not None:
            fail(f"{obs.series[0]} {obs.year} is a range ({low:g}-{high:g}); give low and high")
        for a, b in zip(mine, (low, high), strict=True):
            if abs(a - b) > TOLERANCE * max(1.0, abs(b)):
                fail(f"{par.value if par.value is not None else mine} is not the observed "
                     f"{obs.series[0]} {obs.year} ({low:g}" + (f"-{high:g})" if high != low
                                                                else ")"))  # fmt: skip


def start_state(config_path: str | Path | None = None, added: Sequence[str] = (),
                history_path: str | Path | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The observed start state of a config (with the optional actors ``added``), checked
    against the history file."""
    from simulate.io import yamlio
    from simulate.scenarios.actors import with_actors

    cfg_file = Path(config_path) if config_path else DEFAULT_CONFIG
    config = with_actors(load_config(cfg_file), added, Path.cwd())
    history = load_history(history_path or DEFAULT_HISTORY)
    check_start(config, history, config_file=cfg_file, located=yamlio.load_file(cfg_file))
    return start_rows(config, history)


def render_start(rows: list[dict[str, Any]]) -> str:
    """The start state as text: each figure with its year, basis and sources."""
    if not rows:
        return "No parameter of this config is an observed figure."
    out = []
    for r in rows:
        value = f"{r['value']:g}" if r["value"] is not None else f"{r['low']:g} .. {r['high']:g}"
        out.append(f"{r['parameter']} = {value} {r['unit']}  (observed {r['year']}; "
                   f"{r['basis']})")  # fmt: skip
        if r["derivation"]:
            out.append(f"    derived: {r['derivation']}")
        for f in r["figures"]:
            seen = f["observed"]
            shown = "-" if seen is None else (f"{seen[0]:g}" if seen[0] == seen[1]
                                              else f"{seen[0]:g}-{seen[1]:g}")  # fmt: skip
            out.append(f"    {f['series']} {r['year']}: {shown} {f['unit'] or ''}".rstrip())
            for s in f["sources"]:
                side = f" [{s['side']}]" if s["side"] else ""
                out.append(f"      {s['publisher']}, \u201c{s['title']}\u201d, {s['date']}{side}: "
                           f"\u201c{s['as_printed']}\u201d")  # fmt: skip
        for ref in r["references"]:
            out.append(f"    reference ({ref['seed']}): \u201c{ref['quote']}\u201d")
    return "\n".join(out)
