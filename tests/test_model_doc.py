"""docs/MODEL.md names the code of each equation: every name resolves, and a run calls it.

The names are read from the document (``dynamics.best_response``, ``stages.Pulls.shifts``,
and the bare names listed after a qualified one, as in "(`dynamics.opposition`,
`backing`, `give_way`)"). Reachability is traced, not read from the source: a static
reference proves only that some code mentions a function, while a profile of one short
run of each driver shows that the period schedule (and the rest point it starts from)
actually calls it. A function the model never calls, such as a copy of an equation the
model computes elsewhere, fails here.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest

from simulate.model.batch import simulate_runs
from simulate.model.mesa_model import BalancingModel
from simulate.model.preparation import prepare

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"
#: The code modules MODEL.md refers to by short name, and whether a run must reach them.
MODULES = {
    "dynamics": ("simulate.model.dynamics", True),
    "stages": ("simulate.model.stages", True),
    "rest": ("simulate.model.rest", True),
    "schedule": ("simulate.model.schedule", True),
    "parameters": ("simulate.scenarios.parameters", False),
    "variables": ("simulate.scenarios.variables", False),
    "events": ("simulate.scenarios.events", False),
    "randomness": ("simulate.model.randomness", False),
}
#: A run that reaches every stage's branches: an event of each effect the stages read.
SCENARIO = {
    "name": "reach", "horizon": {"start": 2024, "end": 2025, "step": "quarter"}, "runs": 2,
    "seed": 3,
    "events": [
        {"type": "coercion_campaign", "target": "russia", "at": 2024.25, "magnitude": 0.3,
         "duration": 0.5},
        {"type": "route_disruption", "target": "cpc", "at": 2024.5, "magnitude": 0.5,
         "duration": 0.25},
    ],
}  # fmt: skip


def named_in_model_md(text: str) -> set[tuple[str, str]]:
    """Every (module, name) MODEL.md names: qualified names, and bare names that follow one
    in a comma-separated list (they take its module)."""
    names: set[tuple[str, str]] = set()
    token = re.compile(r"`([A-Za-z_][A-Za-z_0-9.]*)`")
    for group in re.finditer(r"`[A-Za-z_][A-Za-z_0-9.]*`(?:,\s*(?:output\s+)?`[^`]+`)*", text):
        module = None
        for t in token.findall(group.group(0)):
            head, _, rest = t.partition(".")
            if rest and head in MODULES:
                module = head
                names.add((head, rest))
            elif not rest and module is not None and re.fullmatch(r"[a-z_][a-z_0-9]*", t):
                names.add((module, t))
            else:
                module = None
    return names


def resolve(module: str, name: str) -> object:
    """The object ``module.name`` (a dotted name inside the module allowed)."""
    obj: object = importlib.import_module(MODULES[module][0])
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.fixture(scope="module")
def called() -> set[tuple[str, str]]:
    """(module, qualified name) of every function the two drivers call in one short run."""
    spec = prepare(SCENARIO)
    seen: set[tuple[str, str]] = set()
    short = {v[0]: k for k, v in MODULES.items()}

    def profile(frame, event, arg):  # noqa: ANN001, ANN202
        if event == "call":
            mod = frame.f_globals.get("__name__")
            if mod in short:
                seen.add((short[mod], frame.f_code.co_qualname))

    sys.setprofile(profile)
    try:
        simulate_runs(spec, range(2), 3)
        BalancingModel.from_spec(spec, run=1).run()
    finally:
        sys.setprofile(None)
    return seen


def test_model_md_names_the_code_of_its_equations():
    names = named_in_model_md(MODEL_MD.read_text(encoding="utf-8"))
    assert {("dynamics", "best_response"), ("stages", "Pulls"), ("dynamics", "backing"),
            ("stages", "record")} <= names  # fmt: skip
    assert len(names) >= 40


def test_every_name_in_model_md_resolves():
    missing = []
    for module, name in sorted(named_in_model_md(MODEL_MD.read_text(encoding="utf-8"))):
        try:
            resolve(module, name)
        except AttributeError:
            missing.append(f"{module}.{name}")
    assert not missing, f"MODEL.md names code that does not exist: {missing}"


def test_a_run_of_either_driver_reaches_every_function_model_md_names(called):
    unreached = []
    for module, name in sorted(named_in_model_md(MODEL_MD.read_text(encoding="utf-8"))):
        if not MODULES[module][1]:
            continue
        obj = resolve(module, name)
        if inspect.isclass(obj):
            hit = any(q.startswith(f"{name}.") for m, q in called if m == module)
        elif callable(obj):
            hit = (module, name) in called
        else:
            continue  # a constant (a table of the schedule, a tuple of names)
        if not hit:
            unreached.append(f"{module}.{name}")
    assert not unreached, f"MODEL.md names functions no run calls: {unreached}"


def test_every_equation_in_dynamics_is_called_by_a_run(called):
    """The equations are written once: a function of dynamics no run calls is a dead copy."""
    import simulate.model.dynamics as dyn

    unused = [n for n, f in inspect.getmembers(dyn, inspect.isfunction)
              if f.__module__ == dyn.__name__ and ("dynamics", n) not in called]  # fmt: skip
    assert not unused, f"functions of dynamics no run calls: {unused}"
