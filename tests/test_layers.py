"""The package's layers: each module imports alone, and imports only downwards.

The layers, from the bottom: ``errors``/``version``; ``io`` (files, limits,
resources); ``scenarios`` (what a scenario can name, and loading it); the model
(``dynamics`` -> ``spec`` -> ``stages`` -> the ``drivers``); ``results`` (the result
file); ``running`` (chunk tasks -> ``executors`` -> ``runner`` and statistics -> experiments);
``analysis``; ``dashboard``; ``cli``. A module may import from its own layer or
any layer below it, never above (not even inside a function), and the imports made
while modules are imported form no cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulate"

#: Layers from the bottom; a module's layer is the longest prefix listed here.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("simulate.errors", "simulate.version"),
    ("simulate.io",),
    ("simulate.scenarios",),
    ("simulate.model.dynamics", "simulate.model.philox"),
    ("simulate.model.spec", "simulate.model.preparation"),
    ("simulate.model.stages", "simulate.model.randomness", "simulate.model.rest",
     "simulate.model.schedule"),
    ("simulate.model.batch", "simulate.model.agents", "simulate.model.mesa_model",
     "simulate.model.modelspec", "simulate.model"),
    ("simulate.results",),
    ("simulate.running.summarystore", "simulate.running.chunks"),
    ("simulate.running.executors", "simulate.running.pool", "simulate.running.dask_executor",
     "simulate.running.ensemble"),
    ("simulate.running.runner", "simulate.running.statistics"),
    ("simulate.running",),
    ("simulate.analysis",),
    ("simulate.dashboard",),
    ("simulate.cli", "simulate.__main__"),
    ("simulate.testing",),
    ("simulate",),
)  # fmt: skip


def modules() -> list[str]:
    """Every module of the package, by dotted name."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def layer(module: str) -> int:
    """The index in :data:`LAYERS` of the longest prefix naming ``module``."""
    best, depth = -1, -1
    for k, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > depth:
                best, depth = k, len(name)
    return best


def _source(module: str) -> Path:
    parts = module.split(".")
    package = PACKAGE.parent.joinpath(*parts) / "__init__.py"
    return package if package.exists() else PACKAGE.parent.joinpath(*parts).with_suffix(".py")


def runtime_imports(module: str, known: set[str], *, at_import: bool = False) -> set[str]:
    """The package modules ``module`` imports when it runs (not under TYPE_CHECKING).

    With ``at_import``, only those imported while the module itself is imported (not
    inside a function body, where an import runs on the first call).
    """
    tree = ast.parse(_source(module).read_text())
    skip = set()
    for node in ast.walk(tree):
        deferred = at_import and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if deferred or (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "simulate":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "simulate")
    return found - {module}


def graph(*, at_import: bool = False) -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    known = set(modules())
    return {m: runtime_imports(m, known, at_import=at_import) for m in known}


def test_every_module_belongs_to_a_layer():
    assert [m for m in modules() if layer(m) < 0] == []


def test_modules_import_only_from_their_own_layer_or_below():
    upward = sorted(f"{m} ({layer(m)}) imports {d} ({layer(d)})"
                    for m, deps in graph().items() for d in deps
                    if d != "simulate" or m != "simulate.__main__"
                    if layer(d) > layer(m))  # fmt: skip
    assert upward == []


def test_no_module_imports_the_public_face():
    assert sorted(m for m, deps in graph().items() if "simulate" in deps) == []


def test_modules_imported_at_import_time_form_no_cycle():
    g = graph(at_import=True)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(g.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep] if dep in path else [node, dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for m in sorted(g):
        if m not in state:
            visit(m, [m])
    assert cycles == []


#: Run in a fresh interpreter: the third-party libraries are imported once, then each
#: module of the package is imported alone in a forked child (nothing of the package is
#: loaded before the fork, so a module that needs another imported first fails there).
_ALONE = """
import os, sys, traceback
import numpy, pandas, scipy.stats, pyarrow, click, yaml, pydantic, mesa  # noqa: F401
for name in sys.argv[1:]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            __import__(name)
            msg = b""
        except BaseException:
            msg = traceback.format_exc().strip().splitlines()[-1].encode()
        os.write(w, msg)
        os._exit(0)
    os.close(w)
    out = b""
    while chunk := os.read(r, 65536):
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    if out:
        print(name + "\t" + out.decode())
"""


@pytest.mark.slow
def test_every_module_imports_alone_in_a_fresh_interpreter():
    names = [m for m in modules() if m != "simulate.__main__"]
    proc = subprocess.run([sys.executable, "-c", _ALONE, *names], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    failures = dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line)
    assert failures == {}
