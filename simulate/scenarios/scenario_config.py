"""The config a scenario runs with: the one given, or the one it names, and its actors.

A scenario names its config in ``config:`` (the shipped default when it names none) and
adds actors in ``actors:`` (:mod:`simulate.scenarios.actors`). A problem found in the
config or in an actor file names that file, and also the scenario line that led there.
"""

from __future__ import annotations

from simulate.errors import InputError
from simulate.io import yamlio
from simulate.scenarios.compose import Origin
from simulate.scenarios.parameters import Config, load_config
from simulate.scenarios.schema import Scenario


def config_for(scenario: Scenario, origins: dict[tuple, Origin],
               config: Config | None = None) -> Config:  # fmt: skip
    """The config ``scenario`` runs with: ``config`` when given, else the one it names;
    either way with the scenario's ``actors:`` added.

    Args:
        scenario: A scenario the schema accepts.
        origins: Where each of its fields was written.
        config: A config to use instead of the scenario's own.

    Raises:
        InputError: the config or an actor file is missing or invalid (naming that file,
            and the scenario line that names it).
    """
    if config is None:
        config = _named(scenario, origins)
    if not scenario.actors:
        return config
    from simulate.scenarios.actors import with_actors

    o = origins.get(("actors",)) or Origin("<scenario>", None)
    try:
        return with_actors(config, scenario.actors)
    except InputError as exc:
        ref = yamlio.Ref(o.file, o.line, "actors")
        raise InputError(exc.message, file=exc.file or o.file, line=exc.line if exc.file
                         else o.line, field=exc.field if exc.file else "actors",
                         via=(*o.via, str(ref)) if exc.file else o.via) from None  # fmt: skip


def _named(scenario: Scenario, origins: dict[tuple, Origin]) -> Config:
    """The scenario's config; an error in it also names the scenario line that chose it."""
    if not scenario.config:
        return load_config()
    o = origins.get(("config",)) or Origin("<scenario>", None)
    ref = yamlio.Ref(o.file, o.line, "config")
    yamlio.read_text(scenario.config, named_at=ref)  # a missing or unreadable file, named here
    try:
        return load_config(scenario.config)  # an overlay's extends, actors named by file
    except InputError as exc:
        raise InputError(exc.message, file=exc.file, line=exc.line, field=exc.field,
                         via=(*o.via, str(ref))) from None  # fmt: skip
