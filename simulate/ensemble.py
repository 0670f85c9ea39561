"""Executors for the batched driver: chunks of run indices, computed in-process for now."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from simulate.batch import DEFAULT_CHUNK, simulate_runs
from simulate.spec import RunSpec


def run_chunks(
    spec: RunSpec,
    runs: Iterable[int],
    seed: int,
    *,
    chunk: int | None = None,
    fixed: Mapping[str, np.ndarray] | None = None,
    **_: Any,
) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """Yield ``(run_indices, arrays)`` for consecutive chunks of runs."""
    runs = list(runs)
    size = chunk or DEFAULT_CHUNK
    for lo in range(0, len(runs), size):
        idx = runs[lo : lo + size]
        yield idx, simulate_runs(spec, idx, seed, fixed)
