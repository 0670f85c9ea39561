"""Units of the output variables in a form pint and iam-units parse.

The result file keeps each variable's unit as the model documents it
(:data:`simulate.scenarios.variables.VARIABLES`, e.g. ``share`` or ``index 0-1``): words that tell a
reader what the number is. Tools that convert units — pint, the ``iam-units`` registry
that pyam uses, pint-xarray — need unit expressions instead. :func:`pint_unit` gives
one for every unit the model uses; the IAMC export and :meth:`Results.to_xarray` write it.

- Shares, probabilities, indices and 0/1 flags are ``dimensionless`` (fractions, not
  percent: ``pint`` converts them to ``percent`` on request).
- Money is ``billion USD_2022``: the articles give nominal US dollars of 2021 and 2022
  and the model does not deflate, so the label is the later of the two years;
  ``USD_2022`` is iam-units' name for US dollars at 2022 prices, which it converts to
  other price years (``USD_2010``) and currencies.
- ``Mt/yr`` (megatonnes a year) and ``day`` parse as they are.
"""

from __future__ import annotations

#: The pint expression of every model unit label that is not one already.
PINT_UNITS: dict[str, str] = {
    "USD bn/yr": "billion USD_2022/yr",
    "USD bn": "billion USD_2022",
    "share": "dimensionless",
    "probability": "dimensionless",
    "index 0-1": "dimensionless",
    "index": "dimensionless",
    "USD/bbl": "USD_2022/bbl",
    "index (1 = 2021)": "dimensionless",
    "0/1": "dimensionless",
    "days": "day",
}


def pint_unit(label: str) -> str:
    """The pint (iam-units) expression for a model unit label; other labels unchanged.

    >>> pint_unit("USD bn/yr")
    'billion USD_2022/yr'
    >>> pint_unit("Mt/yr")
    'Mt/yr'
    """
    return PINT_UNITS.get(label, label)
