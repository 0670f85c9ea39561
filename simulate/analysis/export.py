"""Export result files: the IAMC wide format (read by pyam) and plain CSV.

IAMC rows: ``model, scenario, region, variable, unit, <year>...`` with model
``multivector`` and region ``Kazakhstan``. Each variable and entity becomes
``Name|Entity|NN.Nth Percentile`` per chosen quantile over runs, as the IPCC AR6
scenario databases name percentiles (``Leverage|Russia|50.0th Percentile``,
``Balance Index|5.0th Percentile``); ``captured`` becomes ``Balancing Failure
Probability`` (the share of runs captured). Units are pint / iam-units expressions
(:mod:`simulate.scenarios.units`), so ``pyam`` converts them. Annual values are the mean of the
year's periods (for quarterly runs, the mean of the four quarters) of the per-period
quantile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulate.errors import InputError
from simulate.results import view as rv
from simulate.results.files import Results
from simulate.scenarios.units import pint_unit

MODEL = "multivector"
REGION = "Kazakhstan"
DEFAULT_QUANTILES = (0.05, 0.5, 0.95)
_NAMES = {"oil_via_russia_share": "Oil Exports via Russia Share", "fdi_inflow": "FDI Inflow",
          "corridor_volume": "Middle Corridor Volume",
          "corridor_transit_days": "Middle Corridor Transit Days"}  # fmt: skip
_ENTITIES = {"eu": "EU", "cpc": "CPC", "china_pipeline": "China Pipeline"}


def variable_name(variable: str, entity: str = "") -> str:
    """IAMC variable name: ``Leverage|Russia``, ``Oil Route Share|CPC``, ``Balance Index``."""
    name = _NAMES.get(variable, variable.replace("_", " ").title())
    if entity:
        name += "|" + _ENTITIES.get(entity, entity.replace("_", " ").title())
    return name


def quantile_label(q: float) -> str:
    """The ``stat`` of a quantile in summary files: ``p05`` for 0.05, ``p2.5`` for 0.025."""
    pct = q * 100
    return f"p{round(pct):02d}" if abs(pct - round(pct)) < 1e-9 else f"p{pct:.6g}"


def percentile_name(q: float) -> str:
    """The IPCC AR6 name of a quantile: ``5.0th Percentile`` for 0.05, ``2.5th`` for 0.025."""
    pct = float(f"{q * 100:.10g}")  # 10 significant digits: 7.0, not 7.000000000000001
    return f"{np.format_float_positional(pct, trim='0')}th Percentile"


def check_quantiles(quantiles: Sequence[float]) -> list[float]:
    """The quantiles in order without repeats; an error for any outside [0, 1]."""
    for q in quantiles:
        if not 0 <= q <= 1:
            raise InputError(f"quantile {q:g} is outside [0, 1] (e.g. 0.05 for the 5% "
                             "quantile)", field="quantiles")  # fmt: skip
    return sorted(set(quantiles))


def iamc_frame(res: Results, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
    """The IAMC wide table of one result file.

    Raises:
        InputError: A quantile outside [0, 1], or one a summary file does not keep.
    """
    quantiles = check_quantiles(quantiles)
    labels = [quantile_label(q) for q in quantiles]
    names = [percentile_name(q) for q in quantiles]
    table = _statistics(res, quantiles, labels)
    units = res.metadata.get("units", {})
    scenario = rv.label(res)
    rows = []
    for var in sorted(table.index.get_level_values("variable").unique()):
        for ent in rv.entities(res, var):
            per_t = table.loc[(var, ent)]
            if var == "captured":
                rows.append(_row(scenario, "Balancing Failure Probability",
                                 pint_unit("probability"), per_t["mean"]))  # fmt: skip
                continue
            if var == "outcome":
                kind, _, power = ent.partition(":")
                name = f"Outcome Probability|{kind.title()}" + (
                    f"|{_ENTITIES.get(power, power.title())}" if power else "")
                rows.append(_row(scenario, name, pint_unit("probability"), per_t["mean"]))
                continue
            for lab, name in zip(labels, names, strict=True):
                rows.append(_row(scenario, f"{variable_name(var, ent)}|{name}",
                                 pint_unit(units.get(var, "")), per_t[lab]))  # fmt: skip
    out = pd.DataFrame(rows)
    years = sorted(c for c in out.columns if isinstance(c, int))
    return out[["model", "scenario", "region", "variable", "unit", *years]]


def _statistics(res: Results, quantiles: Sequence[float], labels: Sequence[str]) -> pd.DataFrame:
    """Per variable, entity and time: the mean and each quantile over runs (one pass)."""
    f = res.frame
    keys = ["variable", "entity", "time"]
    if "stat" not in f.columns:
        g = f.groupby(keys)["value"]
        pairs = zip(quantiles, labels, strict=True)
        return pd.DataFrame({"mean": g.mean(), **{lab: g.quantile(q) for q, lab in pairs}})
    have = {quantile_label(q) for q in rv.FAN.values()}
    missing = [lab for lab in labels if lab not in have]
    if missing:
        raise InputError(f"a summary file keeps only the quantiles {sorted(have)}, not "
                         f"{missing}", file=res.path, field="quantiles")  # fmt: skip
    stats = f[f["run"] == -1].pivot_table(index=keys, columns="stat", values="value")
    return stats[["mean", *labels]]


def _row(scenario: str, variable: str, unit: str, per_t: pd.Series) -> dict:
    annual = per_t.groupby(np.floor(per_t.index.to_numpy() + 1e-9).astype(int)).mean()
    return {"model": MODEL, "scenario": scenario, "region": REGION, "variable": variable,
            "unit": unit, **{int(y): float(v) for y, v in annual.items()}}  # fmt: skip
