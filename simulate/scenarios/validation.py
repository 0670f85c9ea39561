"""Check a composed scenario against the schema, keeping what the schema accepts.

Every field the schema refuses is one problem
(:func:`~simulate.scenarios.messages.validation_errors`), and the scenario is validated
again without those fields and entries, so the rest of the file can still be checked
against the config, which cannot read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from simulate.errors import InputError
from simulate.scenarios.compose import Composed, Origin
from simulate.scenarios.messages import clean_loc, tags_of, validation_errors
from simulate.scenarios.schema import Scenario

#: Sections whose entries are checked one by one: an invalid entry is set aside alone.
_ENTRIES = ("initial", "parameters", "paths", "events", "uncertainties", "levers", "outputs")


@dataclass
class Validated:
    """What the schema accepts of a composed scenario, and what it refuses.

    ``scenario`` is None when what is left is not a scenario (a required field was
    refused); ``origins`` are renumbered where list entries were left out.
    """

    scenario: Scenario | None
    origins: dict[tuple, Origin]
    problems: list[InputError] = field(default_factory=list)


def validate(composed: Composed) -> Validated:
    """The scenario of ``composed`` as far as the schema accepts it, and every refused field.

    Args:
        composed: The merged data of a scenario and the origin of each key path.

    Returns:
        The validated scenario (or None), its origins, and one problem per refused field,
        in the order of the files.
    """
    try:
        scenario = Scenario.model_validate(composed.data, strict=True)
    except ValidationError as exc:
        kept, origins = _without_invalid(composed.data, composed.origins, exc)
        return Validated(kept, origins,
                         validation_errors(exc, Scenario, composed.origins, composed.file))
    return Validated(scenario, composed.origins)


def _without_invalid(data: dict, origins: dict[tuple, Origin], exc: ValidationError,
                     ) -> tuple[Scenario | None, dict[tuple, Origin]]:  # fmt: skip
    """The scenario without the fields and entries the schema refused, and their origins.

    Returns:
        The scenario that is left, validated, or None when what is left is not a
        scenario (a required field was refused); the origins, renumbered where list
        entries were left out.
    """
    tags = tags_of(Scenario)
    drop: set[tuple] = set()
    for err in exc.errors():
        loc = clean_loc(err["loc"], tags)
        if not loc:
            return None, origins
        drop.add(loc[:2] if loc[0] in _ENTRIES and len(loc) > 1 else loc[:1])
    data = dict(data)
    kept_origins = dict(origins)
    for key in {d[0] for d in drop}:
        gone = {d[1] for d in drop if d[0] == key and len(d) == 2}
        if (key,) in drop or key not in data:
            data.pop(key, None)
            continue
        value = data[key]
        if isinstance(value, dict):
            data[key] = {k: v for k, v in value.items() if k not in gone}
        elif isinstance(value, list):
            kept = [i for i in range(len(value)) if i not in gone]
            data[key] = [value[i] for i in kept]
            renumber = {old: new for new, old in enumerate(kept)}
            kept_origins = {p: o for p, o in kept_origins.items()
                            if not (p[:1] == (key,) and len(p) > 1)}  # fmt: skip
            for p, o in origins.items():
                if p[:1] == (key,) and len(p) > 1 and p[1] in renumber:
                    kept_origins[(key, renumber[p[1]], *p[2:])] = o
    try:
        return Scenario.model_validate(data, strict=True), kept_origins
    except ValidationError:
        return None, origins
