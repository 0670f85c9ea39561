"""Options shared by several commands, and the error boundary of the CLI."""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from simulate.errors import ExecutionError, InputError


class BadInput(click.ClickException):
    """Bad input reported to the user: one message, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def boundary(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors into one-line CLI errors (exit 2) and Ctrl-C into exit 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            raise BadInput(exc.format()) from None
        except ExecutionError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup
            click.echo("interrupted: no partial output was written", err=True)
            raise SystemExit(130) from None

    return wrapper


def parse_set(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    """``--set PATH=VALUE`` pairs as a mapping of floats."""
    out: dict[str, float] = {}
    for item in values:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise click.BadParameter(f"expected PATH=VALUE, got {item!r}", param_hint="--set")
        try:
            out[path.strip()] = float(raw)
        except ValueError:
            raise click.BadParameter(f"{path}: {raw!r} is not a number",
                                     param_hint="--set") from None  # fmt: skip
    return out


quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
json_opt = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
runs_opt = click.option("--runs", "-n", type=click.IntRange(min=1), default=None,
                        help="Number of runs (default: the scenario's).")  # fmt: skip
seed_opt = click.option("--seed", "-s", type=click.IntRange(min=0), default=None,
                        help="Random seed (default: the scenario's).")  # fmt: skip
set_opt = click.option("--set", "overrides", multiple=True, callback=parse_set,
                       metavar="PATH=VALUE", help="Override a parameter, e.g. russia.capacity=0.7.")
engine_opt = click.option("--engine", type=click.Choice(["batch", "mesa"]), default="batch",
                          show_default=True, help="batch: fast; mesa: the reference driver.")


def executor_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --workers, --scheduler, --dask-local and --chunk; pass them on as ``executor``.

    The wrapped command receives one keyword, ``executor``: a dict ready for
    :func:`simulate.ensemble.run_chunks` (only the options the user gave).
    """
    names = ("workers", "scheduler", "dask_local", "chunk")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {k: kwargs.pop(k) for k in names}
        kwargs["executor"] = {k: v for k, v in given.items() if v is not None}
        return fn(*args, **kwargs)

    for decorator in reversed((
        click.option("--workers", "-w", type=click.IntRange(min=1), default=None,
                     help="Local worker processes (default: none, all runs in this process)."),
        click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                     help="Run on a running Dask cluster (needs multivector[dist])."),
        click.option("--dask-local", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Start a local Dask cluster of N workers (needs multivector[dist])."),
        click.option("--chunk", type=click.IntRange(min=1), default=None,
                     help="Runs per chunk (default 1024)."),
    )):  # fmt: skip
        wrapper = decorator(wrapper)
    return wrapper


@contextlib.contextmanager
def progress_bar(total: int | None, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr, shown only for work that takes more than a second."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="run", delay=1.0, disable=quiet,
               file=sys.stderr, leave=False)  # fmt: skip
    last = [0]

    def update(done: int) -> None:
        bar.update(done - last[0])
        last[0] = done

    try:
        yield update
    finally:
        bar.close()
