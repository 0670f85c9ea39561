"""Build step: ship ``configs/`` and ``scenarios/`` inside the package.

The two folders stay where users read and edit them, at the top of the repository.
When a wheel is built, every file in them is copied into the package as
``simulate/_shipped/configs`` and ``simulate/_shipped/scenarios``, where
:mod:`simulate.io.shipped` finds them through :mod:`importlib.resources`. New files added
to either folder are picked up by the next build without changes here. Editable
installs (``pip install -e .``) read the repository's folders directly.

Everything else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("configs", "scenarios")
SUFFIXES = (".yaml", ".yml", ".md", ".csv")  # .csv: a posterior sample


def shipped_files() -> list[tuple[Path, Path]]:
    """(source, path inside the package) of every file to ship."""
    out = []
    for folder in SHIPPED:
        for src in sorted((ROOT / folder).rglob("*")):  # with configs/actors/
            if src.is_file() and src.suffix in SUFFIXES:
                rel = src.relative_to(ROOT / folder)
                out.append((src, Path("simulate", "_shipped", folder, rel)))
    return out


class BuildWithShipped(build_py):
    """``build_py`` that also copies the shipped configs and scenarios into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's folders
        for src, rel in shipped_files():
            target = Path(self.build_lib) / rel
            self.mkpath(str(target.parent))
            self.copy_file(str(src), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib) / rel) for _, rel in shipped_files()]


setup(cmdclass={"build_py": BuildWithShipped})
