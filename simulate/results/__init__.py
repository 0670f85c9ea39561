"""The result file: writing its row groups, reading and checking it, and views of it.

``from simulate.results import Results, load_results`` gives the reader
(:mod:`simulate.results.files`), imported on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Results", "load_results"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from simulate.results import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
