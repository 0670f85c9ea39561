"""Resource limits on everything a user hands the tool, as documented constants.

Each limit is far above what a real scenario, config or result file needs and far
below what would make loading slow or large: a file that exceeds one is refused
with a message naming the file, the field and the limit, before any work is done.
``docs/limits.md`` lists them with the error classes and example messages.
"""

from __future__ import annotations

import re

#: Largest scenario, config or targets file read, in bytes (the default config is ~35 KB).
MAX_FILE_BYTES = 1 << 20
#: Deepest nesting of mappings and lists in a YAML document or scenario mapping.
MAX_DEPTH = 32
#: Most values a YAML document may expand to, counting every use of an alias
#: (the default config has ~1,500; an alias "bomb" has billions).
MAX_NODES = 50_000
#: Longest ``extends`` chain.
MAX_EXTENDS = 16
#: Most events in a scenario.
MAX_EVENTS = 1_000
#: Most uncertainties in a scenario.
MAX_UNCERTAINTIES = 500
#: Most parameters with a time path, and most points in one path.
MAX_PATHS = 500
MAX_PATH_POINTS = 2_000
#: Most entries in ``outputs`` (each variable at most once).
MAX_OUTPUTS = 100
#: A scenario name is a plain identifier of at most 64 characters: it names the result file.
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
#: Largest ``multivector`` metadata block of a result file, in bytes.
MAX_METADATA_BYTES = 4 << 20
#: Most powers or routes a result file may declare.
MAX_ENTITIES = 256
#: Most local worker processes or Dask workers one run may start.
MAX_WORKERS = 256
#: File name suffixes ``extends:`` and ``config:`` may point at.
YAML_SUFFIXES = (".yaml", ".yml")
#: Pseudo file systems a scenario may never reach through ``extends:`` or ``config:``.
FORBIDDEN_ROOTS = ("/proc", "/sys", "/dev")
#: Most problems of one scenario reported at once (the rest are counted).
MAX_ERRORS = 20
#: Longest piece of a user's value echoed back in a message.
MAX_ECHO = 40

#: Counted sections of a scenario: field -> (limit, what one entry is).
SECTION_LIMITS = {
    "events": (MAX_EVENTS, "events"),
    "uncertainties": (MAX_UNCERTAINTIES, "uncertainties"),
    "paths": (MAX_PATHS, "parameters with a path"),
    "outputs": (MAX_OUTPUTS, "outputs"),
}


def echo(value: object) -> str:
    """A short, printable ``repr`` of a user's value for an error message."""
    text = repr(value)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 3] + "..."
