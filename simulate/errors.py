"""Errors raised for bad input.

Every error the user can cause carries the file, line and field it concerns, so
the command line can print one clear message and exit with code 2.
"""

from __future__ import annotations

import errno
from pathlib import Path

#: errno values of a disk or file system that cannot take more output. An ``OSError``
#: with one of these is bad input (a full or read-only disk), not a bug.
DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO)


class InputError(Exception):
    """Bad user input: a scenario, config, option or result file the model cannot use.

    Args:
        message: What is wrong and what was expected.
        file: The file the problem is in, if any.
        line: The 1-based line number, if known.
        field: The dotted field path inside ``file``, if known; for an error in an
            argument of a function call (no file, or a file the argument names), the
            argument's name (``runs``, ``seed``, ``overrides``). Option names of the
            command line (``--runs``) are never used here: the CLI maps a field to its
            option (:data:`simulate.cli.base.FIELD_OPTIONS`).
        via: Where the file was reached from, outermost first (``a.yaml:2: extends``),
            when it was named by another file's ``extends:`` or ``config:``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        via: tuple[str, ...] = (),
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.via = tuple(via)
        super().__init__(self.format())

    def reached_from(self, ref: object) -> InputError:
        """The same error, noting that its file was named at ``ref`` (outermost first)."""
        return type(self)(self.message, file=self.file, line=self.line, field=self.field,
                          via=(str(ref), *self.via))  # fmt: skip

    def lines(self) -> list[str]:
        """The error as lines for the user: one line, :meth:`format`."""
        return [self.format()]

    def format(self) -> str:
        """Return the message as ``file:line: field: message``."""
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        via = f" [via {' -> '.join(self.via)}]" if self.via else ""
        text = f"{where}{field}{self.message}{via}"
        return "".join(c if c.isprintable() else "?" for c in text)  # always one line


class InputErrors(InputError):
    """Several problems found in one input, each an :class:`InputError`, reported together.

    It stands for its first problem (``message``, ``file``, ``line`` and ``field`` are
    the first's), so code that handles one error handles it; :meth:`lines` and
    :meth:`format` give every problem, one line each, up to ``limit`` lines and then
    how many more there are.

    Args:
        errors: The problems, at least two, in the order to report them.
        limit: Most problems shown.
    """

    def __init__(self, errors: list[InputError] | tuple[InputError, ...], limit: int = 20) -> None:
        if len(errors) < 2:
            raise ValueError("InputErrors holds two problems or more; raise the one alone")
        self.errors = tuple(errors)
        self.limit = limit
        first = self.errors[0]
        super().__init__(first.message, file=first.file, line=first.line, field=first.field,
                         via=first.via)  # fmt: skip

    def reached_from(self, ref: object) -> InputErrors:
        """Every problem, noting that its file was named at ``ref``."""
        return InputErrors([e.reached_from(ref) for e in self.errors], self.limit)

    def lines(self) -> list[str]:
        """One line per problem, at most ``limit``, then a line counting the others."""
        shown = [e.format() for e in self.errors[: self.limit]]
        rest = len(self.errors) - len(shown)
        if rest:
            shown.append(f"{self.file or 'the input'}: ... and {rest} more problem"
                         f"{'s' if rest > 1 else ''}")  # fmt: skip
        return shown

    def format(self) -> str:
        """Every problem, one line each (see :meth:`lines`)."""
        return "\n".join(self.lines())


def in_file_order(errors: list[InputError], file: str) -> list[InputError]:
    """Errors by line, those of ``file`` first, then those of the files it reaches
    (``extends:``, ``config:``), each file by line."""
    return sorted(errors, key=lambda e: (e.file != file, e.file or "", e.line or 0))


def raise_all(errors: list[InputError], limit: int = 20) -> None:
    """Raise nothing for no problem, the problem itself for one, :class:`InputErrors` for more.

    Problems that print the same line are reported once.
    """
    unique: dict[str, InputError] = {}
    for e in errors:
        unique.setdefault(e.format(), e)
    found = list(unique.values())
    if len(found) == 1:
        raise found[0]
    if found:
        raise InputErrors(found, limit)


class ResultFileError(InputError):
    """A file that is not a readable multivector result file."""


class ExecutionError(Exception):
    """Work that could not be completed (e.g. a chunk whose workers kept dying)."""
