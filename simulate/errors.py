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


class ResultFileError(InputError):
    """A file that is not a readable multivector result file."""


class ExecutionError(Exception):
    """Work that could not be completed (e.g. a chunk whose workers kept dying)."""
