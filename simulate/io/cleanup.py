"""Nothing left behind: temporary files, spools and worker processes, on every exit path.

* **Signals.** SIGTERM and SIGHUP are turned into :class:`Terminated` (a
  ``KeyboardInterrupt``), so the same cleanup runs as for Ctrl-C: the ``.part``
  file and the spool are removed, pool workers are stopped, and the command exits
  with 128 + the signal number.
* **Workers.** A pool or Dask worker watches the process that started the run
  (:func:`watch_parent`) and exits as soon as it is gone, even after ``kill -9``.
* **Sweep.** Temporary names carry the owner's process id
  (``.NAME.PID.XXXX.part``, ``.multivector-spool-PID-XXXX``, ``.mvmp-PID-XXXX``). What a killed
  process could not remove is swept by the next run in the same folder
  (:func:`sweep`): an entry whose owner is gone, or whose owner process started
  after the entry was last written (the id was reused), is removed with a note.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: Prefix of spool folders; the owner's process id follows.
SPOOL_PREFIX = ".multivector-spool-"
#: Prefix of the folder of multiprocessing's sockets (short: a socket path has ~107 bytes).
MP_PREFIX = ".mvmp-"
#: Longest folder for multiprocessing's sockets (a socket path has at most ~107 bytes).
MAX_SOCKET_BASE = 64
_SPOOL = re.compile(f"(?:{re.escape(SPOOL_PREFIX)}|{re.escape(MP_PREFIX)})" + r"(\d+)-")
_PART = re.compile(r"^\..+\.(\d+)\.[^.]+\.(part|probe)$")
#: Signals that end a run cleanly (SIGINT is Python's KeyboardInterrupt already).
SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


class Terminated(KeyboardInterrupt):
    """The process was asked to stop by a signal; cleanup runs as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports it."""
        return 128 + self.signum


def _raise_terminated(signum: int, frame: Any) -> None:
    for s in (*SIGNALS, signal.SIGINT):  # a second signal must not cut the cleanup short
        signal.signal(s, signal.SIG_IGN)
    raise Terminated(signum)


def install_signal_handlers() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for s in SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            if signal.getsignal(s) in (signal.SIG_DFL, None):
                signal.signal(s, _raise_terminated)


def part_prefix(target: Path) -> str:
    """The ``mkstemp`` prefix of a temporary file beside ``target``: ``.NAME.PID.``."""
    return f".{target.name}.{os.getpid()}."


def spool_prefix() -> str:
    """The ``mkdtemp`` prefix of a spool folder: ``.multivector-spool-PID-``."""
    return f"{SPOOL_PREFIX}{os.getpid()}-"


def _started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        with open("/proc/stat", "rb") as fh:
            boot = next(float(line.split()[1]) for line in fh if line.startswith(b"btime"))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, IndexError, StopIteration):
        return _alive_without_proc(pid)


def _alive_without_proc(pid: int) -> float | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass
    return 0.0  # alive; start time unknown, so never treated as reused


def stale(entry: Path, owner: int) -> bool:
    """True when ``entry``'s owner is gone, or started after the entry was last written."""
    if owner == os.getpid():
        return False
    started = _started(owner)
    if started is None:
        return True
    try:
        written = entry.lstat().st_mtime
    except OSError:
        return False
    return started > written + 1.0  # 1 s for clock granularity


def sweep(folder: str | Path) -> list[str]:
    """Remove the spools and temporary files in ``folder`` left by processes that are gone.

    Returns:
        One note per removed entry (also printed to stderr).
    """
    notes: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return notes
    for e in entries:
        m = _SPOOL.match(e.name) or _PART.match(e.name)
        if not m or not stale(Path(e.path), int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)
            else:
                os.unlink(e.path)
            notes.append(f"removed {e.path}, left by process {m.group(1)} that no longer runs")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return notes


def watch_parent(pid: int, poll: float = 0.5) -> None:
    """Exit this process (a worker) as soon as process ``pid`` (the run's owner) is gone.

    Uses a pidfd where the kernel has one (no polling, no pid reuse), else polls.
    """

    def wait_pidfd(fd: int) -> None:
        import select

        select.select([fd], [], [])
        os._exit(70)

    def poll_pid() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(70)
            except OSError:
                pass
            time.sleep(poll)

    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        if _started(pid) is None:
            os._exit(70)
        target, args = poll_pid, ()
    else:
        target, args = wait_pidfd, (fd,)
    threading.Thread(target=target, args=args, daemon=True, name="watch-parent").start()


def start_helpers_quietly(forkserver: bool = True) -> None:
    """Start multiprocessing's resource tracker (and forkserver) with stderr to /dev/null.

    They outlive a run that is interrupted or killed by a few moments, and a worker
    being forked as the pool is torn down, or the tracker counting what a killed run
    left, would print tracebacks and warnings over the run's one-line message.
    Workers report their errors through their futures, not stderr.
    """
    from multiprocessing import forkserver as fs
    from multiprocessing import resource_tracker

    _own_mp_folder()
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        resource_tracker.ensure_running()
        if forkserver:
            fs.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _own_mp_folder() -> None:
    """Give multiprocessing a temporary folder named after this process (``.mvmp-PID-``).

    Its own (``pymp-XXXX``) carries no owner, so one left by a killed run could never
    be swept; this one is, and it is removed at exit like multiprocessing's.
    """
    import tempfile
    from multiprocessing import process, util

    config = process.current_process()._config
    if config.get("tempdir") is not None:
        return
    base = tempfile.gettempdir()
    if len(base) > MAX_SOCKET_BASE and os.access("/tmp", os.W_OK):
        base = "/tmp"  # a socket path inside a deep TMPDIR would be too long to bind
    sweep(base)  # the folders of runs that were killed
    path = tempfile.mkdtemp(prefix=f"{MP_PREFIX}{os.getpid()}-", dir=base)
    config["tempdir"] = path
    util.Finalize(None, shutil.rmtree, args=(path, True), exitpriority=-100)


def stop_pool(pool: Any) -> None:
    """Stop a ``ProcessPoolExecutor`` now: kill its workers, then shut it down.

    ``shutdown(cancel_futures=True)`` lets running chunks finish, which can take
    tens of seconds; on an interrupt or an error the work is not wanted any more.
    """
    processes = dict(getattr(pool, "_processes", None) or {})
    for proc in processes.values():
        with contextlib.suppress(Exception):
            proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 5
    for proc in processes.values():
        with contextlib.suppress(Exception):
            proc.join(max(0.0, deadline - time.monotonic()))
