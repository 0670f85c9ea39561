"""Export result files: the IAMC wide format (read by pyam) and plain CSV.

IAMC rows: ``model, scenario, region, variable, unit, <year>...`` with model
``multivector`` and region ``Kazakhstan``. Each variable and entity becomes
``Name|Entity|pNN`` per chosen quantile over runs (``Leverage|Russia|p50``,
``Balance Index|p05``); ``captured`` becomes ``Balancing Failure Probability``
(the share of runs captured). Annual values are the mean of the year's periods
(for quarterly runs, the mean of the four quarters) of the per-period quantile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulate import resultview as rv
from simulate.errors import InputError
from simulate.results import Results

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


def _quantile_label(q: float) -> str:
    return f"p{round(q * 100):02d}"


def iamc_frame(res: Results, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
    """The IAMC wide table of one result file."""
    for q in quantiles:
        if not 0 <= q <= 1:
            raise InputError(f"quantile {q} is outside [0, 1]", field="--quantile")
    f = res.frame
    units = res.metadata.get("units", {})
    scenario = rv.label(res)
    summary = "stat" in f.columns
    if summary:
        have = {_quantile_label(q) for q in rv.FAN.values()}
        missing = [q for q in quantiles if _quantile_label(q) not in have]
        if missing:
            raise InputError(f"a summary file holds only the quantiles {sorted(have)}",
                             file=res.path, field="--quantile")  # fmt: skip
        f = f[f["run"] == -1]
    rows = []
    for var in sorted(f["variable"].unique()):
        for ent in rv.entities(res, var):
            sel = f[(f["variable"] == var) & (f["entity"] == ent)]
            if var == "captured":
                per_t = (sel[sel["stat"] == "mean"].set_index("time")["value"] if summary
                         else sel.groupby("time")["value"].mean())  # fmt: skip
                rows.append(_row(scenario, "Balancing Failure Probability", "probability",
                                 per_t))  # fmt: skip
                continue
            for q in quantiles:
                lab = _quantile_label(q)
                per_t = (sel[sel["stat"] == lab].set_index("time")["value"] if summary
                         else sel.groupby("time")["value"].quantile(q))  # fmt: skip
                rows.append(_row(scenario, f"{variable_name(var, ent)}|{lab}",
                                 units.get(var, ""), per_t))  # fmt: skip
    out = pd.DataFrame(rows)
    years = sorted(c for c in out.columns if isinstance(c, int))
    return out[["model", "scenario", "region", "variable", "unit", *years]]


def _row(scenario: str, variable: str, unit: str, per_t: pd.Series) -> dict:
    annual = per_t.groupby(np.floor(per_t.index.to_numpy() + 1e-9).astype(int)).mean()
    return {"model": MODEL, "scenario": scenario, "region": REGION, "variable": variable,
            "unit": unit, **{int(y): float(v) for y, v in annual.items()}}  # fmt: skip
