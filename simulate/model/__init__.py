"""The model: the equations, the parameters per period, the stages of a period and its
schedule, a run's randomness, and the two drivers (batched and Mesa).

``from simulate.model import BalancingModel`` gives the Mesa model
(:class:`simulate.model.mesa_model.BalancingModel`); it is imported on first use, so
that importing a lower module of this package does not import Mesa.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BalancingModel"]


def __getattr__(name: str) -> Any:
    if name == "BalancingModel":
        from simulate.model.mesa_model import BalancingModel

        return BalancingModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
