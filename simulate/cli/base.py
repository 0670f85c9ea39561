"""The machinery every command shares: the group, the error boundary and the progress bar.

The layers below the CLI raise :class:`~simulate.errors.InputError` with *domain*
field names, the names of their arguments (``runs``, ``seed``, ``overrides``).
:func:`boundary` is the one place where such a field becomes the option the user
typed (``--runs``, ``--seed``, ``--set``), through :data:`FIELD_OPTIONS`, before the
error is printed as one ``error:`` line with exit code 2.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import click

from simulate.errors import DISK_ERRNOS, ExecutionError, InputError, InputErrors, ResultFileError

#: Domain field (an argument of the layers below) -> the option that sets it. An
#: option given as ``--a/--b`` means either. A field is translated only in a command
#: that has the option (hidden aliases do not count).
FIELD_OPTIONS: dict[str, str] = {
    # running a scenario
    "runs": "--runs",
    "seed": "--seed",
    "overrides": "--set",
    "engine": "--engine",
    "keep": "--keep",
    "output": "--output",
    # executors
    "workers": "--workers",
    "chunk": "--chunk",
    "scheduler": "--scheduler",
    "dask": "--scheduler/--dask-local",
    # reading result files
    "variable": "--variable",
    "entity": "--entity",
    "entities": "--entity",
    "at": "--at",
    "run": "--run",
    "quantiles": "--quantile",
    # designed ensembles: sensitivity and discovery
    "method": "--method",
    "samples": "--samples",
    "second_order": "--second-order",
    "outcome": "--outcome",
    "threshold": "--threshold",
    "mass_min": "--mass-min",
    "plot": "--plot",
    # the backtest
    "origin": "--origin",
    # decisions
    "policies": "--policies",
    "objective": "--objective",
    "actor": "--actor",
    "search": "--search",
    "policy": "--policy",
    "against": "--against",
    # the rest
    "groups": "--actor",
    "port": "--port",
}


def option_error(exc: InputError, ctx: click.Context | None) -> InputError:
    """``exc`` with its domain field replaced by the option of the running command that sets it.

    A field inside a file (an error with a line, or about a result file's content)
    is a path in that file, not an argument, and is left alone; so is a field the
    command has no option for. An error that names a file is about the option only
    when the user gave the option: ``huge.yaml: runs: ...`` is about the scenario's
    own ``runs`` unless ``--runs`` was typed.

    Args:
        exc: The error raised below the CLI.
        ctx: The context of the command that was running, if any.

    Returns:
        The same error, or a copy naming the option.
    """
    option = FIELD_OPTIONS.get(exc.field or "")
    if ctx is None or option is None or exc.line is not None \
            or isinstance(exc, ResultFileError | InputErrors):  # fmt: skip
        return exc  # (several problems are always problems in a file)
    params = {o: p for p in ctx.command.params if isinstance(p, click.Option) and not p.hidden
              for o in p.opts}  # fmt: skip
    parts = option.split("/")
    if not all(part in params for part in parts):
        return exc
    if exc.file is not None and not any(_typed(ctx, params[part]) for part in parts):
        return exc
    return type(exc)(exc.message, file=exc.file, line=exc.line, field=option, via=exc.via)


def _typed(ctx: click.Context, param: click.Parameter) -> bool:
    """Whether the user gave ``param`` (rather than its default)."""
    source = ctx.get_parameter_source(param.name) if param.name else None
    return source not in (None, click.core.ParameterSource.DEFAULT,
                          click.core.ParameterSource.DEFAULT_MAP)  # fmt: skip


class BadInput(click.ClickException):
    """Bad input reported to the user: one ``error:`` line per problem, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"error: {line}", err=True)


class Group(click.Group):
    """The command group: usage errors are one ``error:`` line (exit 2), not a usage block.

    SIGTERM and SIGHUP are turned into a clean interrupt while a command runs
    (:func:`simulate.io.cleanup.install_signal_handlers`) and restored afterwards.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:  # noqa: D102
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:  # noqa: D102
        from simulate.io.cleanup import SIGNALS, install_signal_handlers

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
    """Turn domain errors into one-line CLI errors naming the option (exit 2), and Ctrl-C,
    SIGTERM and SIGHUP into one line and exit 128 + the signal number, after cleanup."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from simulate.io.cleanup import Terminated

        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            ctx = click.get_current_context(silent=True)
            raise BadInput(option_error(exc, ctx).format()) from None
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
