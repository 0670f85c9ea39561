"""Options shared by several commands, and the error boundary of the CLI."""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import click

from simulate.errors import ExecutionError, InputError
from simulate.schema import MAX_RUNS


class BadInput(click.ClickException):
    """Bad input reported to the user: one message, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Group(click.Group):
    """The command group: usage errors are one ``error:`` line (exit 2), not a usage block.

    SIGTERM and SIGHUP are turned into a clean interrupt while a command runs
    (:func:`simulate.cleanup.install_signal_handlers`) and restored afterwards.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:  # noqa: D102
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:  # noqa: D102
        from simulate.cleanup import SIGNALS, install_signal_handlers

        before = {s: signal.getsignal(s) for s in SIGNALS}
        install_signal_handlers()
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        finally:
            if threading.current_thread() is threading.main_thread():
                for s, handler in before.items():
                    if handler is not None:
                        signal.signal(s, handler)


def _one_line(exc: click.UsageError) -> BadInput:
    cmd = exc.ctx.command_path if exc.ctx is not None else "simulate"
    text = " ".join(exc.format_message().split())
    if len(text) > 300:
        text = text[:297] + "..."
    return BadInput(f"{text} (see '{cmd} -h')")


def boundary(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors into one-line CLI errors (exit 2), and Ctrl-C, SIGTERM and
    SIGHUP into one line and exit 128 + the signal number, after cleanup has run."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from simulate.cleanup import Terminated

        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            raise BadInput(exc.format()) from None
        except ExecutionError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            if exc.errno not in DISK_ERRNOS:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise BadInput(f"{where}cannot write ({exc.strerror}); any previous output is "
                           "unchanged") from None  # fmt: skip
        except KeyboardInterrupt as exc:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup
            if isinstance(exc, Terminated):
                name = signal.Signals(exc.signum).name
                click.echo(f"terminated ({name}): no partial output was written", err=True)
                raise SystemExit(exc.exit_code) from None
            click.echo("interrupted: no partial output was written", err=True)
            raise SystemExit(130) from None

    return wrapper


#: errno values of a disk or file system that cannot take more output.
DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)


def parse_set(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    """``--set PATH=VALUE`` pairs as a mapping of floats."""
    from simulate.limits import echo

    out: dict[str, float] = {}
    for item in values:
        path, sep, raw = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise click.BadParameter(f"expected PATH=VALUE, got {echo(item)}", param_hint="--set")
        if path in out:
            raise click.BadParameter(f"{echo(path)} is given twice", param_hint="--set")
        try:
            out[path] = float(raw)
        except ValueError:
            raise click.BadParameter(f"{echo(path)}: {echo(raw)} is not a number",
                                     param_hint="--set") from None  # fmt: skip
    return out


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


#: Most local workers or Dask workers one run may start.
MAX_WORKERS = 256

quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
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
    :func:`simulate.ensemble.run_chunks` (only the options the user gave).
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

    def phase(name: str, phase_total: int) -> Callable[[int], None]:
        """The same bar, counting a later phase of the work (``phase_total`` steps)."""
        bar.reset(total=phase_total)
        bar.set_description(name, refresh=False)
        bar.unit = "block"
        last[0] = 0
        return update

    update.phase = phase  # type: ignore[attr-defined]
    try:
        yield update
    finally:
        bar.close()
