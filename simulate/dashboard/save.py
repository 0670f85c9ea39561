"""Save the dashboard's settings as a scenario file that runs what the page showed.

The file ``extends:`` the scenario the page started from (by its shipped name when it is
a shipped one and no file of that name is beside the new file, else by a relative path),
and sets what the page ran: the number of runs, the levers moved from the start under
``parameters:`` and those moved from a later year as step paths under ``paths:``
(:func:`simulate.dashboard.levers.step_path`). A lever fixes its parameter, so the file
also drops any uncertainty on it (``uncertainties:`` is a list, which a scenario
replaces whole). A path cannot be removed or replaced point by point through
``extends:`` (mappings merge), so when a lever touches a path of the base, the file is
instead the fully resolved scenario with the settings applied. Either way the file is
checked by loading it before it replaces anything, and written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulate.dashboard.levers import Changes, apply
from simulate.errors import InputError
from simulate.io import shipped, yamlio
from simulate.model.modelspec import model_spec
from simulate.results.files import atomic_path
from simulate.scenarios import scenario as scenario_mod
from simulate.scenarios.scenario import LoadedScenario


def _moved(overrides: Mapping[str, float] | Changes) -> Changes:
    if isinstance(overrides, Changes):
        return overrides
    return Changes(parameters={p: float(v) for p, v in overrides.items()})


def _extends(base_file: Path, target: Path) -> str:
    """How the new file names the scenario it builds on."""
    if base_file.resolve().parent == shipped.folder("scenarios").resolve():
        name = base_file.stem
        here, _ = shipped.named_from(name, target.resolve().parent)
        if Path(here).resolve() == base_file.resolve():
            return name
    try:
        return os.path.relpath(base_file.resolve(), target.resolve().parent)
    except ValueError:  # another drive (Windows)
        return str(base_file.resolve())


def document(loaded: LoadedScenario, overrides: Mapping[str, float] | Changes, target: Path,
             name: str | None = None, runs: int | None = None) -> dict[str, Any]:  # fmt: skip
    """The scenario file's content (plain data) for these settings, saved at ``target``.

    Args:
        loaded: The scenario the page started from.
        overrides: The moved levers: values from the start by dotted path, or
            :class:`~simulate.dashboard.levers.Changes` (with step paths).
        target: Where the file will be.
        name: The new scenario's name (default: the base's name + ``_dashboard``).
        runs: The runs the page ran (default: the base's).
    """
    moved = _moved(overrides)
    base = loaded.scenario
    name = name or f"{base.name}_dashboard"
    description = f"{base.name} with the dashboard's settings: {moved.describe()}."
    base_file = Path(loaded.file)
    touched = {*moved.parameters, *moved.paths}
    replaces_path = any(p in base.paths for p in touched)
    if replaces_path or not base_file.is_file():
        data = scenario_mod.dump(model_spec(apply(loaded, moved), moved.parameters).scenario)
        data.pop("expect", None)
        return {**data, "name": name, "description": description,
                **({"runs": int(runs)} if runs is not None else {})}  # fmt: skip
    data: dict[str, Any] = {"name": name, "description": description,
                            "extends": _extends(base_file, target)}  # fmt: skip
    if runs is not None and runs != base.runs:
        data["runs"] = int(runs)
    if moved.parameters:
        data["parameters"] = {p: float(v) for p, v in moved.parameters.items()}
    if moved.paths:
        data["paths"] = {p: {float(y): float(v) for y, v in s.items()}
                         for p, s in moved.paths.items()}  # fmt: skip
    kept = [u for u in base.uncertainties if u.parameter not in touched]
    if len(kept) != len(base.uncertainties):
        data["uncertainties"] = [u.model_dump(mode="json", exclude_none=True) for u in kept]
    return data


def save(loaded: LoadedScenario, overrides: Mapping[str, float] | Changes, target: str | Path,
         name: str | None = None, runs: int | None = None) -> Path:  # fmt: skip
    """Write the settings as a scenario YAML file at ``target`` (atomically); return its path.

    Raises:
        InputError: ``target`` is not a ``.yaml``/``.yml`` file name, is the scenario it
            would extend, cannot be written, or the settings do not make a valid scenario
            that runs what the page ran.
    """
    moved = _moved(overrides)
    target = Path(target).expanduser()
    if target.suffix not in (".yaml", ".yml"):
        raise InputError("a scenario file name ends in .yaml or .yml", file=target)
    if Path(loaded.file).is_file() and target.resolve() == Path(loaded.file).resolve():
        raise InputError("this is the scenario the settings extend; choose another file name",
                         file=target)  # fmt: skip
    data = document(loaded, moved, target, name, runs)
    with atomic_path(target) as tmp:
        tmp.write_text(yamlio.dumps(data), encoding="utf-8")
        check = scenario_mod.load(tmp)  # a relative extends resolves from the same folder
        want = model_spec(apply(loaded, moved), moved.parameters).scenario
        if runs is not None:
            want = want.model_copy(update={"runs": int(runs)})
        for field in ("parameters", "paths", "uncertainties", "events", "horizon", "seed",
                      "runs"):  # fmt: skip
            if getattr(check.scenario, field) != getattr(want, field):
                raise InputError(f"the saved scenario's {field} would differ from the page's",
                                 file=target)  # fmt: skip
    return target
