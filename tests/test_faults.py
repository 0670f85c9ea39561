"""Faults: the run's process, a pool worker or a Dask worker killed at a random moment, a full disk.

Each test starts ``simulate run`` in its own session (so every process it starts
can be found and, whatever happens, killed at the end), with its own TMPDIR, next
to an older result file. It checks: the old file intact and byte-identical, no
temporary file or process left (after a kill -9, once the next run has swept
them), every run exactly once in a completed result, and a one-line message.
Everything is bounded in time and stays on the loopback interface.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

import simulate
from simulate.io import resources

from .conftest import ROOT, SCENARIOS, default_signals, process_parents

OLD = b"an older result file that must survive byte for byte"
#: Seconds the processes of a killed run may take to exit.
EXIT_BOUND = 15.0
#: Seed of the random moments (logged in every assertion).
SEED = int(os.environ.get("FAULT_SEED", "20241126"))


def _session(sid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.getsid(int(d)) == sid:
                    out.append(int(d))
            except OSError:
                continue
    return out


def _workers(pid: int, executor: str) -> list[int]:
    """Worker processes of run ``pid``: children of its forkserver (pool) or spawned (Dask)."""
    parents = process_parents()
    kids = [p for p, pp in parents.items() if pp == pid]
    if executor == "--dask-local":
        return [p for p in kids if b"spawn_main" in _cmdline(p)]
    servers = [p for p in kids if b"forkserver" in _cmdline(p)]
    return [p for p, pp in parents.items() if pp in servers]


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _wait_gone(sid: int, bound: float = EXIT_BOUND) -> list[int]:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        left = _session(sid)
        if not left:
            return []
        time.sleep(0.2)
    return _session(sid)


class Run:
    """``simulate run`` in its own session, killed with everything it started at the end."""

    def __init__(self, folder: Path, tmp: Path, *args: str) -> None:
        self.folder = folder
        self.tmp = tmp
        env = {**os.environ, "TMPDIR": str(self.tmp), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simulate", "run", *args], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=default_signals,
        )  # fmt: skip

    def wait_for(self, what: str, bound: float = 60.0) -> None:
        """Wait until a temporary file or spool shows that the run is under way."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline and self.proc.poll() is None:
            names = [p.name for p in self.folder.iterdir()] + os.listdir(self.tmp)
            if any(what in n for n in names):
                return
            time.sleep(0.02)
        raise AssertionError(f"the run never showed {what!r}: {self.finish()}")

    def finish(self, bound: float = 120.0) -> tuple[int, str]:
        try:
            _, err = self.proc.communicate(timeout=bound)
        except subprocess.TimeoutExpired:
            self.kill_all()
            _, err = self.proc.communicate()
            raise AssertionError(f"the run did not end within {bound} s") from None
        return self.proc.returncode, err

    def kill_all(self) -> None:
        for pid in _session(self.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue


@pytest.fixture
def tmpdir_short():
    """A TMPDIR for the runs, short enough for socket paths inside it."""
    path = Path(tempfile.mkdtemp(prefix="mvf-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def runs(tmpdir_short):
    started: list[Run] = []

    def start(folder: Path, *args: str) -> Run:
        run = Run(folder, tmpdir_short, *args)
        started.append(run)
        return run

    start.tmp = tmpdir_short
    yield start
    for run in started:  # leave nothing behind, even when a test failed
        run.kill_all()
        if run.proc.poll() is None:
            run.proc.wait(timeout=10)


def _leftovers(folder: Path, tmp: Path) -> list[str]:
    names = [p.name for p in folder.iterdir() if p.name != "old.parquet"]
    return names + [f"tmp/{n}" for n in os.listdir(tmp)]


#: The baseline with a few outputs: the work of every run, a tenth of the rows to write.
LEAN = f"""\
extends: {SCENARIOS / "baseline.yaml"}
name: lean
outputs: [balance_index, leverage, captured]
"""


@pytest.fixture(scope="module")
def lean(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lean") / "lean.yaml"
    path.write_text(LEAN)
    return path


def _args(folder: Path, keep: str, *extra: str, runs: int = 4000,
          scenario: Path = SCENARIOS / "baseline.yaml") -> list[str]:  # fmt: skip
    return [str(scenario), "-n", str(runs), "--chunk", "200", "--keep", keep,
            "-o", str(folder / "old.parquet"), "-q", *extra]  # fmt: skip


def _moment(rng: random.Random) -> float:
    return rng.uniform(0.0, 1.5)


@pytest.mark.parametrize("name, code", [("SIGTERM", 143), ("SIGHUP", 129)])
@pytest.mark.parametrize("keep", ["summary", "runs"])
def test_a_signalled_run_cleans_up_and_keeps_the_old_file(tmp_path, runs, name, code, keep):
    rng = random.Random(f"{SEED}-{name}-{keep}")
    old = tmp_path / "old.parquet"
    old.write_bytes(OLD)
    run = runs(tmp_path, *_args(tmp_path, keep, "--workers", "2"))
    run.wait_for(".multivector-spool-" if keep == "summary" else ".part")
    delay = _moment(rng)
    time.sleep(delay)
    os.kill(run.proc.pid, getattr(signal, name))
    rc, err = run.finish()
    where = f"(seed {SEED}, signal after {delay:.2f} s)"
    lines = [ln for ln in err.strip().splitlines() if ln and "resource_tracker" not in ln]
    assert rc == code, (where, err)
    assert len(lines) == 1 and name in lines[0], (where, err)
    assert old.read_bytes() == OLD, where
    assert _leftovers(tmp_path, runs.tmp) == [], where
    assert _wait_gone(run.proc.pid) == [], where


@pytest.mark.parametrize("keep, extra", [("summary", ("--workers", "2")),
                                         ("runs", ("--workers", "2")),
                                         ("summary", ("--dask-local", "2"))])  # fmt: skip
def test_a_killed_run_leaves_no_process_and_the_next_run_sweeps_its_files(tmp_path, runs, keep,
                                                                          extra):  # fmt: skip
    if extra[0] == "--dask-local":
        pytest.importorskip("distributed")
    rng = random.Random(f"{SEED}-kill-{keep}-{extra[0]}")
    old = tmp_path / "old.parquet"
    old.write_bytes(OLD)
    dask = extra[0] == "--dask-local"
    run = runs(tmp_path, *_args(tmp_path, keep, *extra, runs=20_000 if dask else 4000))
    run.wait_for(".multivector-spool-" if keep == "summary" else ".part")  # Dask: its scratch
    time.sleep((2.0 if dask else 0.0) + _moment(rng))  # Dask: the cluster starts first
    assert run.proc.poll() is None, "the run ended before it could be killed"
    os.kill(run.proc.pid, signal.SIGKILL)
    run.finish()
    where = f"(seed {SEED})"
    assert old.read_bytes() == OLD, where
    assert _wait_gone(run.proc.pid) == [], f"processes outlived the run {where}"
    left = _leftovers(tmp_path, runs.tmp)
    again = runs(tmp_path, *_args(tmp_path, keep, "--workers", "2", runs=600))
    rc, err = again.finish()
    assert rc == 0, err
    assert _leftovers(tmp_path, runs.tmp) == [], where
    for name in left:
        where_left = runs.tmp / name[4:] if name.startswith("tmp/") else tmp_path / name
        assert f"removed {where_left}" in err, (name, err)
    assert simulate.load_results(old).metadata["runs"] == 600


def _frame(path: Path) -> pd.DataFrame:
    f = simulate.load_results(path).frame
    keys = [c for c in ("run", "time", "variable", "entity", "stat") if c in f.columns]
    return f.sort_values(keys, ignore_index=True)


@pytest.mark.parametrize("keep, extra", [("runs", ("--workers", "2")),
                                         ("summary", ("--workers", "2")),
                                         ("summary", ("--dask-local", "2"))])  # fmt: skip
def test_a_killed_worker_has_its_chunks_run_again_exactly_once(tmp_path, runs, lean, keep,
                                                               extra):  # fmt: skip
    if extra[0] == "--dask-local":
        pytest.importorskip("distributed")
    rng = random.Random(f"{SEED}-worker-{keep}-{extra[0]}")
    n = 4_000  # the workers are busy for a few seconds (1-2 ms a run, 20 chunks)
    reference = tmp_path / "reference.parquet"
    simulate.run_scenario(lean, runs=n, keep=keep, output=reference, workers=1)
    work = tmp_path / "work"
    work.mkdir()
    run = runs(work, *_args(work, keep, *extra, runs=n, scenario=lean))
    deadline = time.monotonic() + 60
    victims: list[int] = []
    while time.monotonic() < deadline and not victims and run.proc.poll() is None:
        victims = _workers(run.proc.pid, extra[0])
        time.sleep(0.05)
    assert victims, "no worker process appeared"
    time.sleep(rng.uniform(0.0, 0.8))
    killed = None
    while killed is None and run.proc.poll() is None:
        victims = _workers(run.proc.pid, extra[0])
        try:
            killed = rng.choice(victims) if victims else None
            if killed is not None:
                os.kill(killed, signal.SIGKILL)
        except ProcessLookupError:
            killed = None
    assert killed is not None, "the run ended before a worker could be killed"
    rc, err = run.finish()
    assert rc == 0, err
    assert "Traceback" not in err
    got, want = _frame(work / "old.parquet"), _frame(reference)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    runs_seen = got.loc[got["run"] >= 0].groupby(["variable", "entity"])["run"]
    assert (runs_seen.nunique() == n).all() and (runs_seen.size() % n == 0).all()
    assert _leftovers(work, runs.tmp) == []
    assert _wait_gone(run.proc.pid) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 40 MB tmpfs (root only; skipped where it cannot be mounted)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mnt)],
                          capture_output=True, timeout=20)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=20)


def _fill(folder: Path) -> None:
    """Write to ``folder`` until its file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * (1 << 16)):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


@pytest.mark.parametrize("keep", ["runs", "summary"])
def test_a_disk_that_fills_up_keeps_the_old_file_and_says_so_in_one_line(
    small_disk, runs, keep, monkeypatch
):
    monkeypatch.setenv(resources.MEMORY_ENV, "0")  # a summary spools its runs to disk
    old = small_disk / "old.parquet"
    old.write_bytes(OLD)
    run = runs(small_disk, str(SCENARIOS / "baseline.yaml"), "-n", "300", "--chunk", "10",
               "--keep", keep, "-o", str(old), "-q", "--workers", "1")  # fmt: skip
    run.wait_for(".multivector-spool-" if keep == "summary" else ".part")
    _fill(small_disk)
    rc, err = run.finish()
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert "No space left on device" in lines[0], err
    assert old.read_bytes() == OLD
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "old.parquet"]
    assert _wait_gone(run.proc.pid) == []
