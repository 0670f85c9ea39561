"""Save the dashboard's settings as a scenario file that runs what the page showed.

The file ``extends:`` the scenario the page started from and sets the moved levers
under ``parameters:``. A lever fixes its parameter for the whole horizon, so the
file also drops any uncertainty on it (``uncertainties:`` is a list, which a
scenario replaces whole). A path cannot be removed through ``extends:`` (mappings
merge), so when a lever replaces a path of the base, the file is instead the fully
resolved scenario with the settings applied. Either way the file is checked by
loading it before it replaces anything, and written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulate.errors import InputError
from simulate.io import yamlio
from simulate.model.modelspec import model_spec
from simulate.results.files import atomic_path
from simulate.scenarios import scenario as scenario_mod
from simulate.scenarios.scenario import LoadedScenario


def document(loaded: LoadedScenario, overrides: Mapping[str, float], target: Path,
             name: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The scenario file's content (plain data) for these settings, saved at ``target``."""
    base = loaded.scenario
    name = name or f"{base.name}_dashboard"
    moved = ", ".join(f"{p} = {v:g}" for p, v in overrides.items()) or "no lever moved"
    description = f"{base.name} with the dashboard's settings: {moved}."
    base_file = Path(loaded.file)
    replaces_path = any(p in base.paths for p in overrides)
    if replaces_path or not base_file.is_file():
        data = scenario_mod.dump(model_spec(loaded, overrides).scenario)
        data.pop("expect", None)
        return {**data, "name": name, "description": description}
    try:
        extends = os.path.relpath(base_file.resolve(), target.resolve().parent)
    except ValueError:  # another drive (Windows)
        extends = str(base_file.resolve())
    data: dict[str, Any] = {"name": name, "description": description, "extends": extends}
    if overrides:
        data["parameters"] = {p: float(v) for p, v in overrides.items()}
    kept = [u for u in base.uncertainties if u.parameter not in overrides]
    if len(kept) != len(base.uncertainties):
        data["uncertainties"] = [u.model_dump(mode="json", exclude_none=True) for u in kept]
    return data


def save(loaded: LoadedScenario, overrides: Mapping[str, float], target: str | Path,
         name: str | None = None) -> Path:  # fmt: skip
    """Write the settings as a scenario YAML file at ``target`` (atomically); return its path.

    Raises:
        InputError: ``target`` is not a ``.yaml``/``.yml`` file name, is the scenario it
            would extend, cannot be written, or the settings do not make a valid scenario.
    """
    target = Path(target).expanduser()
    if target.suffix not in (".yaml", ".yml"):
        raise InputError("a scenario file name ends in .yaml or .yml", file=target)
    if Path(loaded.file).is_file() and target.resolve() == Path(loaded.file).resolve():
        raise InputError("this is the scenario the settings extend; choose another file name",
                         file=target)  # fmt: skip
    data = document(loaded, overrides, target, name)
    with atomic_path(target) as tmp:
        tmp.write_text(yamlio.dumps(data), encoding="utf-8")
        check = scenario_mod.load(tmp)  # a relative extends resolves from the same folder
        want = model_spec(loaded, overrides).scenario
        for field in ("parameters", "paths", "uncertainties", "events", "horizon", "seed"):
            if getattr(check.scenario, field) != getattr(want, field):
                raise InputError(f"the saved scenario's {field} would differ from the page's",
                                 file=target)  # fmt: skip
    return target
