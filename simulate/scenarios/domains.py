"""The domain checks of parameter values, in one place for YAML, ``--set`` and the API.

A parameter is addressed by its dotted path (``russia.capacity``); its admissible
range is :func:`simulate.scenarios.parameters.domain`. Every way a value reaches the model
(a scenario's ``parameters``, ``paths`` and ``uncertainties``, ``--set PATH=VALUE``
and the ``overrides`` of :func:`simulate.run_scenario`) goes through
:func:`parameter_value`, so the same value gets the same answer everywhere:
booleans are not numbers, NaN and infinities are refused, and a value outside the
domain is refused with the domain in the message. A misspelt path gets a
suggestion (``rusia.capacity`` -> ``russia.capacity``).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

from simulate.io.limits import echo
from simulate.scenarios.parameters import Config, domain


class DomainError(ValueError):
    """A value or path outside what the model accepts; the caller adds file, line, field."""

    @property
    def message(self) -> str:
        """The message, without location."""
        return str(self)


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def number(value: Any, what: str = "the value") -> float:
    """``value`` as a finite float; booleans, text, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, Real):
        kind = "true/false" if isinstance(value, bool) else type(value).__name__
        raise DomainError(f"{what} must be a number, got {kind} {echo(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise DomainError(f"{what} must be a finite number, got {x}")
    return x


def parameter(cfg: Config, path: Any) -> None:
    """Check that ``path`` names a model parameter of ``cfg``.

    Raises:
        DomainError: an unknown parameter (with the closest name), or a reference figure.
    """
    if not isinstance(path, str) or not cfg.has(path):
        groups = ", ".join([*cfg.actors, *cfg.routes])
        hint = suggestion(path, cfg.paths()) if isinstance(path, str) else ""
        raise DomainError(f"unknown parameter {echo(path)}{hint}; expected <group>.<name> with "
                          f"group one of {groups} (see `simulate params`)")  # fmt: skip
    if cfg.get(path).role != "model":
        raise DomainError(f"{path!r} is a reference figure, not used by the model")


def value_in_domain(path: str, value: Any, what: str | None = None) -> float:
    """``value`` as a finite float inside the domain of ``path``."""
    x = number(value, what or f"a value of {path}")
    lo, hi = domain(path)
    if not lo <= x <= hi:
        raise DomainError(f"{x:g} is outside the admissible range [{lo:g}, {hi:g}] of {path}")
    return x


def parameter_value(cfg: Config, path: Any, value: Any) -> float:
    """Check a parameter path and a value for it, the one check every source goes through."""
    parameter(cfg, path)
    return value_in_domain(path, value)


def positive(value: Any, what: str) -> float:
    """A finite number greater than zero (a standard deviation, a sigma)."""
    x = number(value, what)
    if x <= 0:
        raise DomainError(f"{what} must be greater than 0, got {x:g}")
    return x


def settings(items: Iterable[str]) -> dict[str, float]:
    """``PATH=VALUE`` texts as a mapping ``{path: float}``, in order.

    Only the syntax is checked here (each path once, each value a number); whether
    the path is a model parameter and the value inside its domain is
    :func:`parameter_value`'s job, when the scenario's config is known.

    Raises:
        DomainError: an item without ``=`` or a path, a path given twice, or a value
            that is not a number.
    """
    out: dict[str, float] = {}
    for item in items:
        path, sep, raw = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise DomainError(f"expected PATH=VALUE, got {echo(item)}")
        if path in out:
            raise DomainError(f"{echo(path)} is given twice")
        try:
            out[path] = float(raw)
        except ValueError:
            raise DomainError(f"{echo(path)}: {echo(raw)} is not a number") from None
    return out
