"""Temporary files and spools: named after their owner, swept only when the owner is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from simulate.io import cleanup
from simulate.running.summarystore import Spool


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_spool_left_by_a_process_that_is_gone_is_swept_with_a_note(tmp_path, capsys):
    pid = _dead_pid()
    spool = tmp_path / f"{cleanup.SPOOL_PREFIX}{pid}-abcd1234"
    spool.mkdir()
    (spool / "x.npy").write_bytes(b"data")
    part = tmp_path / f".r.parquet.{pid}.x1y2z3.part"
    part.write_bytes(b"half")
    notes = cleanup.sweep(tmp_path)
    assert sorted(notes) == sorted(f"removed {p}, left by process {pid} that no longer runs"
                                   for p in (spool, part))  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr().err.count("note: removed") == 2


def test_what_a_live_process_owns_is_kept(tmp_path):
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as proc:
        try:
            mine = tmp_path / f"{cleanup.SPOOL_PREFIX}{os.getpid()}-aaaa"
            theirs = tmp_path / f".r.parquet.{proc.pid}.bbbb.part"
            mine.mkdir()
            theirs.write_bytes(b"being written")
            assert cleanup.sweep(tmp_path) == []
            assert mine.exists() and theirs.exists()
        finally:
            proc.kill()


def test_a_spool_older_than_the_process_with_its_id_is_stale(tmp_path):
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as proc:
        try:
            time.sleep(0.2)
            old = tmp_path / f"{cleanup.SPOOL_PREFIX}{proc.pid}-cccc"
            old.mkdir()
            an_hour_ago = time.time() - 3600
            os.utime(old, (an_hour_ago, an_hour_ago))  # written before this process started
            assert cleanup.stale(old, proc.pid)
            assert len(cleanup.sweep(tmp_path)) == 1 and not old.exists()
        finally:
            proc.kill()


def test_other_files_are_never_touched(tmp_path):
    for name in ("results.parquet", ".hidden", ".r.parquet.notapid.part", "multivector-spool-1-x"):
        (tmp_path / name).write_text("keep me")
    assert cleanup.sweep(tmp_path) == []
    assert len(list(tmp_path.iterdir())) == 4


def test_a_spool_is_named_after_its_owner_and_removed_on_close(tmp_path):
    with Spool(tmp_path) as spool:
        assert spool.root.name.startswith(f"{cleanup.SPOOL_PREFIX}{os.getpid()}-")
        assert not cleanup.stale(spool.root, os.getpid())
    assert list(tmp_path.iterdir()) == []


def test_terminated_exits_with_128_plus_the_signal():
    import signal

    assert cleanup.Terminated(signal.SIGTERM).exit_code == 143
    assert isinstance(cleanup.Terminated(signal.SIGHUP), KeyboardInterrupt)


@pytest.mark.skipif(not hasattr(os, "pidfd_open") and not os.path.isdir("/proc"),
                    reason="needs pidfd_open or /proc")  # fmt: skip
def test_a_worker_exits_when_the_run_that_started_it_is_gone():
    code = ("import os, sys, time; from simulate.io.cleanup import watch_parent; "
            "watch_parent(int(sys.argv[1])); time.sleep(60)")  # fmt: skip
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen([sys.executable, "-c", code, str(owner.pid)])
    try:
        time.sleep(1.0)
        assert worker.poll() is None
        owner.kill()
        owner.wait()
        assert worker.wait(timeout=10) == 70
    finally:
        for p in (owner, worker):
            if p.poll() is None:
                p.kill()
                p.wait()
