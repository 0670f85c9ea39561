"""No process pool starts unless asked for; one that is asked for starts from any __main__."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import simulate.running.pool as pool
from simulate.running.ensemble import run_chunks

from .conftest import SCENARIOS, short_spec


@pytest.fixture(scope="module", name="short_spec")
def _short_spec():
    return short_spec(2025, 10)


def test_many_chunks_run_in_process_without_workers(short_spec, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started without workers=")

    monkeypatch.setattr(pool, "_pool_chunks", no_pool)
    done = sum(len(idx) for idx, _ in run_chunks(short_spec, range(200), 1, chunk=10))
    assert done == 200


def _stdin_script(body: str, cwd) -> subprocess.CompletedProcess:  # noqa: ANN001
    """Run ``body`` as ``python -`` (its __main__ is '<stdin>'), from ``cwd``."""
    return subprocess.run([sys.executable, "-"], input=textwrap.dedent(body), cwd=cwd,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_a_large_ensemble_from_stdin_runs_in_process(tmp_path):
    # 8,192+ runs used to start a pool by itself, which died re-running '<stdin>'
    out = _stdin_script(f"""
        import multiprocessing, simulate
        res = simulate.run_scenario({str(SCENARIOS / "baseline.yaml")!r}, runs=8300, seed=3,
                                    keep="summary")
        assert multiprocessing.active_children() == []
        print(res.metadata["runs"], res.extra["final"]["run"].nunique())
    """, tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["8300", "8300"]


def test_a_pool_asked_for_from_stdin_starts_and_matches_in_process(tmp_path):
    out = _stdin_script(f"""
        import numpy as np, simulate
        from simulate.running.ensemble import run_chunks
        from simulate.running.runner import prepare
        spec = prepare({str(SCENARIOS / "baseline.yaml")!r}, runs=120)
        def collect(**kw):
            got = {{}}
            for idx, arrays in run_chunks(spec, range(120), 5, chunk=20, **kw):
                for j, i in enumerate(idx):
                    got[i] = arrays["balance_index"][j]
            return np.stack([got[i] for i in range(120)])
        assert np.array_equal(collect(workers=2), collect())
        assert __file__ == "<stdin>"  # restored after the workers started
        print("ok")
    """, tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
