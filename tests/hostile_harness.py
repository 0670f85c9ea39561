"""Run one hostile case through the command line and judge the outcome.

Outcomes: ``clean`` (exit 2, at most two lines of message, the first ``error:``,
naming the expected file, field and line), ``wrong`` (accepted, another exit code,
a message that does not name what it must, or more than :data:`MEMORY_LIMIT` of
memory), ``traceback`` (an exception escaped) and ``hang`` (more than
:data:`TIME_LIMIT` seconds). Every case is bounded in time by a timer signal and
its peak memory is measured from the kernel's high-water mark.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from simulate.cli.main import main
from simulate.testing.hostile import HostileCase

#: Seconds one case may take before it counts as a hang.
TIME_LIMIT = 20.0
#: Bytes of memory one case may add to the process's peak.
MEMORY_LIMIT = 200 * 1024 * 1024
OUTCOMES = ("clean", "wrong", "traceback", "hang")
#: Outcome counts by case kind, over the session (written out by :func:`write_tally`).
TALLY: dict[str, Counter] = defaultdict(Counter)


class Hang(BaseException):
    """A case ran past :data:`TIME_LIMIT` (BaseException: no ``except Exception`` eats it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in this (main) thread after ``seconds``."""

    def expire(signum, frame):  # noqa: ANN001, ANN202
        raise Hang()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _status(key: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def judge(case: HostileCase) -> tuple[str, str]:
    """Run ``case`` in a fresh folder; return its outcome and what was seen."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        argv = case.materialise(folder)
        measured = _reset_peak()
        before = _status("VmRSS") or 0
        try:
            with time_limit(TIME_LIMIT):
                result = CliRunner().invoke(main, argv, catch_exceptions=True)
        except Hang:
            return "hang", f"{argv} ran past {TIME_LIMIT} s"
        grown = (_status("VmHWM") or 0) - before if measured else 0
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "traceback", f"{type(result.exception).__name__}: {result.exception}"[:500]
    if "Traceback" in output:
        return "traceback", output[-500:]
    if grown > MEMORY_LIMIT:
        return "wrong", f"used {grown >> 20} MB"
    if result.exit_code != 2:
        return "wrong", f"exit {result.exit_code}: {output[-300:]!r}"
    return _message_problem(case, output, folder)


def _message_problem(case: HostileCase, output: str, folder: str) -> tuple[str, str]:
    lines = [ln for ln in output.strip().splitlines() if not ln.startswith("note: ")]
    if not lines or len(lines) > 2 or not lines[0].startswith("error:"):
        return "wrong", f"expected one or two lines starting 'error:', got {output[-300:]!r}"
    message = " ".join(lines)
    wanted = [t for t in (case.file, case.field, case.option, *case.also) if t]
    missing = [t for t in wanted if t not in message]
    if missing:
        return "wrong", f"message does not name {missing}: {message!r}"
    if case.line and case.file and not re.search(re.escape(case.file) + r":\d+:", message):
        return "wrong", f"message gives no line of {case.file}: {message!r}"
    return "clean", message


def record(case: HostileCase, outcome: str) -> None:
    """Count ``outcome`` for the case's kind."""
    TALLY[case.kind]["cases"] += 1
    TALLY[case.kind][outcome] += 1


def write_tally(path: str | Path | None = None) -> str:
    """The tally as a table (and as JSON at ``path`` or ``$HOSTILE_TALLY``, if given)."""
    path = path or os.environ.get("HOSTILE_TALLY")
    rows = {k: {c: TALLY[k][c] for c in ("cases", *OUTCOMES)} for k in sorted(TALLY)}
    total = {c: sum(r[c] for r in rows.values()) for c in ("cases", *OUTCOMES)}
    if path:
        Path(path).write_text(json.dumps({"by_kind": rows, "total": total}, indent=2))
    head = f"{'class':28} {'cases':>6} {'clean':>6} {'wrong':>6} {'traceback':>9} {'hang':>5}"
    out = [head] + [f"{k:28} {r['cases']:6} {r['clean']:6} {r['wrong']:6} {r['traceback']:9} "
                    f"{r['hang']:5}" for k, r in [*rows.items(), ("TOTAL", total)]]  # fmt: skip
    return "\n".join(out)
