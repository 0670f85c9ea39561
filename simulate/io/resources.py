"""Estimate the disk and memory a run needs, and refuse it before it starts if they are not free.

The documented limits admit runs no machine can hold (a million runs over a
monthly 100-year horizon spool about 480 GB), so before any work the run's needs
are estimated from its size (runs x periods x output series) and compared with
the free disk of the folder it writes to and the memory available to the process.
The estimates are upper bounds of the footprints measured for each way of
keeping results (see the constants); a refused run names the estimate, what is
free, and what to change.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulate.errors import InputError

#: Bytes per value of a spool (float64 arrays, uncompressed).
SPOOL_BYTES = 8
#: Bytes per row of a Parquet result file (zstd; ~5 measured on the shipped scenarios).
FILE_BYTES_PER_ROW = 8
#: Bytes per row of a result kept in memory (the Arrow table and the DataFrame built from it).
MEMORY_BYTES_PER_ROW = 100
#: Copies of one block's values held while its statistics are computed.
STAT_COPIES = 3
#: Share of the available memory an ensemble's arrays may take for their statistics to be
#: computed in memory; above it they are spooled to disk (:func:`stats_in_memory`).
MEMORY_SHARE = 0.25
#: Environment variable: bytes an ensemble's arrays may take in memory for their statistics,
#: instead of :data:`MEMORY_SHARE` of the available memory (0 always spools them to disk).
MEMORY_ENV = "MULTIVECTOR_STATS_MEMORY"
#: Bytes of one variable's values a statistics task reads at once: a variable's entity
#: columns are taken in blocks below this size (:func:`simulate.running.summarystore.spool_stats`).
BLOCK_BYTES = 128 * 2**20


@dataclass(frozen=True)
class Need:
    """What a run needs: bytes of disk (in ``folder``) and bytes of memory."""

    disk: int
    memory: int
    folder: Path


def estimate(runs: int, periods: int, series: int, largest: int, keep: str,
             output: str | Path | None, workers: int = 1, in_memory: bool = False,
             ) -> Need:  # fmt: skip
    """Disk and memory of a local run.

    Args:
        runs: Runs in the ensemble.
        periods: Periods of the horizon.
        series: Output series (variables x their entities).
        largest: Entities of the widest variable.
        keep: ``"runs"`` or ``"summary"``.
        output: The result file, or None to keep the result in memory.
        workers: Blocks whose statistics are computed at once.
        in_memory: A summary whose arrays are kept in memory, not spooled to disk.
    """
    values = runs * periods * series
    finals = runs * series * 8 * 2
    folder = Path(output).parent if output is not None else Path(tempfile.gettempdir())
    if keep == "summary":
        column = runs * periods * 8
        block = column * min(largest, max(1, BLOCK_BYTES // max(column, 1))) * STAT_COPIES
        stats = block * min(max(workers, 1), 4) + finals
        if in_memory:
            return Need(0, values * SPOOL_BYTES + stats, folder)
        return Need(values * SPOOL_BYTES, stats, folder)
    if output is None:
        return Need(0, values * MEMORY_BYTES_PER_ROW + finals, folder)
    return Need(values * FILE_BYTES_PER_ROW, finals, folder)


def stats_in_memory(values: int) -> bool:
    """Whether an ensemble of ``values`` values keeps them in memory for its statistics.

    True when their bytes fit in :data:`MEMORY_SHARE` of the available memory, or in
    the bytes that the environment variable :data:`MEMORY_ENV` gives.

    Raises:
        InputError: :data:`MEMORY_ENV` is set to something other than a number of bytes.
    """
    need = values * SPOOL_BYTES
    given = os.environ.get(MEMORY_ENV)
    if given is not None:
        try:
            budget = int(given)
        except ValueError:
            budget = -1
        if budget < 0:
            raise InputError(f"{MEMORY_ENV} must be a number of bytes (got {given!r})",
                             field=MEMORY_ENV)  # fmt: skip
        return need <= budget
    free = free_memory()
    return free is not None and need <= free * MEMORY_SHARE


def free_disk(folder: Path) -> int | None:
    """Free bytes in ``folder``'s file system (None if unknown)."""
    try:
        return shutil.disk_usage(folder).free
    except (OSError, ValueError):
        return None


def free_memory() -> int | None:
    """Memory available to this process: MemAvailable, capped by a cgroup limit if any."""
    avail = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    try:
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        with open("/sys/fs/cgroup/memory.current") as fh:
            used = int(fh.read().strip())
        if limit != "max" and avail is not None:
            avail = min(avail, int(limit) - used)
    except (OSError, ValueError):
        pass
    return avail


def size(n: float) -> str:
    """Bytes as a short human figure (``480 GB``)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} PB"  # pragma: no cover


def check(need: Need, shape: str, file: str | None = None) -> None:
    """Refuse a run whose estimated disk or memory exceeds what is free.

    Args:
        need: The estimate.
        shape: How the run's size was counted, for the message.
        file: The scenario file, named in the message.

    Raises:
        InputError: naming the estimate, what is free and what to change (field ``runs``).
    """
    advice = "use fewer runs, fewer outputs or a coarser step, or run on a Dask cluster"
    disk = free_disk(need.folder) if need.disk else None
    if disk is not None and need.disk > disk:
        raise InputError(f"this run needs about {size(need.disk)} of disk in "
                         f"{_show(need.folder)} ({shape}) but {size(disk)} is free; {advice}",
                         file=file, field="runs")  # fmt: skip
    memory = free_memory()
    if memory is not None and need.memory > memory:
        raise InputError(f"this run needs about {size(need.memory)} of memory ({shape}) but "
                         f"{size(memory)} is available; {advice}", file=file,
                         field="runs")  # fmt: skip


def _show(folder: Path) -> str:
    text = str(folder) if str(folder) not in ("", ".") else os.curdir
    return text if len(text) <= 80 else "..." + text[-77:]
