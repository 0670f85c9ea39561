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

A scenario names another one in ``extends:`` (and ``expect: against:``) the same way,
relative to its own folder (:func:`named_from`): ``extends: baseline`` is
``baseline.yaml`` beside the file when there is one, else the shipped baseline; a file
name that is not beside it (``baseline.yaml`` in a scenario copied out of the package)
is the shipped file of that name, with a note.
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


def shipped_file(name: str) -> Path | None:
    """The shipped scenario file for a bare name (``baseline``) or a file name without a
    folder (``baseline.yaml``), if there is one."""
    suffix = Path(name).suffix
    stem = name[: -len(suffix)] if suffix in SUFFIXES else name
    if not is_name(stem):
        return None
    for s in (suffix,) if suffix in SUFFIXES else SUFFIXES:
        candidate = folder("scenarios") / f"{stem}{s}"
        if os.path.isfile(candidate):
            return candidate
    return None


def named_from(value: str, base: str | Path) -> tuple[str, str | None]:
    """The file a scenario means when it names ``value`` (``extends:``, ``against:``).

    In order: the path ``value`` relative to the scenario's folder ``base``, as written;
    for a bare name, ``NAME.yaml`` or ``NAME.yml`` there; then the shipped scenario of
    that name (a bare name, or a file name without a folder that is not in ``base``).

    Args:
        value: What the scenario wrote.
        base: The folder of the scenario that names it.

    Returns:
        The path to read (when nothing matches, the path as written, so that reading
        it reports it missing) and a note for the user when a file name was not found
        beside the scenario and the shipped file of that name is used instead.
    """
    joined = os.path.join(base, value)
    if os.path.lexists(joined):
        return joined, None
    bare = is_name(value)
    if bare:
        for suffix in SUFFIXES:
            beside = os.path.join(base, f"{value}{suffix}")
            if os.path.isfile(beside):
                return beside, None
    plain_file = "/" not in value and "\\" not in value and Path(value).suffix in SUFFIXES
    if bare or plain_file:
        found = shipped_file(value)
        if found is not None:
            note = None if bare else (f"{value} is not beside the scenario that names it; "
                                      f"the shipped {found.stem} is used")  # fmt: skip
            return str(found), note
    return joined, None
