"""The command line: ``simulate`` (:func:`simulate.cli.main.main`)."""

from __future__ import annotations

from simulate.cli.main import main

__all__ = ["main"]
