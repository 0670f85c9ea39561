"""The configs and scenarios that ship with the package, wherever it is installed.

In the repository they are the top-level ``configs/`` and ``scenarios/`` folders that
users read and edit. A built wheel carries copies of both inside the package, as
``simulate/_shipped/configs`` and ``simulate/_shipped/scenarios`` (the build step in
``setup.py`` copies every file of the two folders), so an installed package runs its
shipped scenarios from any folder::

    simulate run middle_corridor      # the shipped scenario, by name
    simulate list --shipped

A real path always wins over a name: ``middle_corridor`` is the shipped scenario only
when no file or folder of that name exists where you run the command.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from simulate.errors import InputError

_REPOSITORY = Path(__file__).resolve().parents[2]
SUFFIXES = (".yaml", ".yml")


def folder(kind: str) -> Path:
    """The folder of shipped ``"configs"`` or ``"scenarios"``.

    Inside an installed wheel: the copy in the package (read through
    :mod:`importlib.resources`); in a source checkout or an editable install: the
    repository's own folder.
    """
    if kind not in ("configs", "scenarios"):
        raise ValueError(f"no shipped folder {kind!r}")
    packaged = resources.files("simulate").joinpath("_shipped", kind)
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return _REPOSITORY / kind


def scenario_files() -> list[Path]:
    """The shipped scenario files, sorted by name."""
    d = folder("scenarios")
    return sorted(p for p in d.iterdir() if p.suffix in SUFFIXES) if d.is_dir() else []


def scenario_names() -> list[str]:
    """The names by which shipped scenarios can be run (file names without suffix)."""
    return [p.stem for p in scenario_files()]


def is_name(text: str) -> bool:
    """True for a bare name (no folder, no suffix) such as ``middle_corridor``."""
    return bool(text) and "/" not in text and "\\" not in text and Path(text).suffix == ""


def resolve_scenario(source: str | Path) -> Path:
    """The file to load for ``source``: the path itself or, for a bare name, a shipped one.

    Raises:
        InputError: ``source`` is a bare name that is neither a file here nor a shipped
            scenario; the message lists the shipped names.
    """
    path = Path(source)
    if os.path.exists(path) or not is_name(str(source)):  # never raises (long names)
        return path
    for suffix in SUFFIXES:
        candidate = folder("scenarios") / f"{source}{suffix}"
        if os.path.isfile(candidate):
            return candidate
    names = ", ".join(scenario_names()) or "none"
    raise InputError(f"file not found, and no shipped scenario has this name (shipped: "
                     f"{names})", file=path)  # fmt: skip
