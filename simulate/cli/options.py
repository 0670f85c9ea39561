"""Click options and parameter types shared by several commands; nothing else.

The group, the error boundary and the progress bar are in :mod:`simulate.cli.base`;
limits and parsers the layers below also use are in :mod:`simulate.io.limits` and
:mod:`simulate.scenarios.domains`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import click

from simulate.io.limits import MAX_WORKERS
from simulate.scenarios.domains import DomainError, settings
from simulate.scenarios.schema import MAX_RUNS


def parse_set(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    """``--set PATH=VALUE`` pairs as a mapping of floats.

    Parsed by :func:`simulate.scenarios.domains.settings`.
    """
    try:
        return settings(values)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="--set") from None


class LazyHelp(click.Option):
    """An option whose help text is made when help is shown, from a constant of a module
    too heavy to import on every start (so the text cannot drift from the code).

    Args:
        help_text: Returns the help text.
    """

    def __init__(self, *args: Any, help_text: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_text = help_text

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:  # noqa: D102
        self.help = self.help_text()
        return super().get_help_record(ctx)


def _chunk_help() -> str:
    from simulate.model.batch import DEFAULT_CHUNK

    return f"Runs per chunk (default {DEFAULT_CHUNK:,})."


class SafePath(click.Path):
    """``click.Path`` that reports a NUL byte or an over-long name as bad input, not a crash."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        if isinstance(value, str) and "\x00" in value:
            self.fail("the path contains a NUL byte", param, ctx)
        try:
            return super().convert(value, param, ctx)
        except (ValueError, OSError) as exc:
            self.fail(f"cannot use the path ({getattr(exc, 'strerror', None) or exc})", param,
                      ctx)  # fmt: skip


class Finite(click.FloatRange):
    """A float option that refuses NaN and infinities (``--at nan`` is not a year)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        x = super().convert(value, param, ctx)
        if not math.isfinite(x):
            self.fail(f"{x} is not a finite number", param, ctx)
        return x


quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
point_config_opt = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="Run with this parameter config as a point (every assumption at its value, e.g. "
         "configs/calibrated.yaml). Default: the scenario's config as an ensemble (each run "
         "takes a posterior vector and draws the other assumptions from their priors).")
json_opt = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
runs_opt = click.option("--runs", "-n", type=click.IntRange(1, MAX_RUNS), default=None,
                        help="Number of runs (default: the scenario's).")  # fmt: skip
seed_opt = click.option("--seed", "-s", type=click.IntRange(0, 2**63 - 1), default=None,
                        help="Random seed (default: the scenario's).")  # fmt: skip
set_opt = click.option("--set", "overrides", multiple=True, callback=parse_set,
                       metavar="PATH=VALUE", help="Override a parameter, e.g. russia.capacity=0.7.")
engine_opt = click.option("--engine", type=click.Choice(["batch", "mesa"]), default="batch",
                          show_default=True, help="batch: fast; mesa: the reference driver.")


def executor_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --workers, --scheduler, --dask-local and --chunk; pass them on as ``executor``.

    The wrapped command receives one keyword, ``executor``: a dict ready for
    :func:`simulate.running.ensemble.run_chunks` (only the options the user gave).
    """
    names = ("workers", "scheduler", "dask_local", "chunk")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {k: kwargs.pop(k) for k in names}
        kwargs["executor"] = {k: v for k, v in given.items() if v is not None}
        return fn(*args, **kwargs)

    for decorator in reversed((
        click.option("--workers", "-w", type=click.IntRange(1, MAX_WORKERS), default=None,
                     help="Local worker processes (default: none, all runs in this process)."),
        click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                     help="Run on a running Dask cluster (needs multivector[dist])."),
        click.option("--dask-local", type=click.IntRange(1, MAX_WORKERS), default=None,
                     metavar="N",
                     help="Start a local Dask cluster of N workers (needs multivector[dist])."),
        click.option("--chunk", type=click.IntRange(1, MAX_RUNS), default=None,
                     cls=LazyHelp, help_text=_chunk_help),
    )):  # fmt: skip
        wrapper = decorator(wrapper)
    return wrapper
