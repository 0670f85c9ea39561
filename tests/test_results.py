"""The result file contract: columns, metadata, atomic writes, loader checks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import simulate
from simulate.errors import ResultFileError
from simulate.results.files import SCHEMA_VERSION
from simulate.scenarios.variables import VARIABLES

from .conftest import ROOT, SCENARIOS

REQUIRED_VARIABLES = {
    "alignment", "leverage", "balance_index", "trade", "trade_share", "oil_route_share",
    "oil_via_russia_share", "corridor_volume", "corridor_transit_days", "fdi_inflow",
    "sanctions_exposure", "captured",
}  # fmt: skip


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("res") / "mc.parquet"
    simulate.run_scenario(SCENARIOS / "middle_corridor.yaml", runs=4, output=out)
    return out


def test_file_meets_the_contract(written):
    frame = pd.read_parquet(written)
    assert list(frame.columns) == ["run", "time", "variable", "entity", "value"]
    assert frame["run"].dtype == "int64" and frame["value"].dtype == "float64"
    assert frame["time"].dtype == "float64"
    assert set(frame["variable"]) >= REQUIRED_VARIABLES
    assert sorted(frame["run"].unique()) == [0, 1, 2, 3]
    times = sorted(frame["time"].unique())
    assert times[0] == 2024.0 and times[1] == 2024.25 and times[-1] == 2040.75
    ents = frame.groupby("variable")["entity"].unique()
    assert set(ents["alignment"]) == {"russia", "china", "eu"}
    assert set(ents["balance_index"]) == {""}
    assert set(ents["oil_route_share"]) == {"cpc", "druzhba", "china_pipeline", "trans_caspian",
                                            "makhachkala"}


def test_metadata_is_self_describing(written):
    meta = json.loads(pq.read_schema(written).metadata[b"multivector"])
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["scenario"]["name"] == "middle_corridor"
    assert "paths" in meta["scenario"] and "uncertainties" in meta["scenario"]  # resolved
    assert meta["runs"] == 4 and meta["seed"] == 20240601
    assert meta["package_version"] == simulate.__version__
    assert meta["created_utc"].endswith("+00:00")
    assert len(meta["parameter_hash"]) == 64
    assert set(meta["units"]) == set(VARIABLES)


def test_loader_round_trips(written):
    res = simulate.load_results(written)
    assert res.metadata["runs"] == 4
    assert len(res.frame) == len(pd.read_parquet(written))


def test_loader_refuses_other_schema_versions(tmp_path, written):
    table = pq.read_table(written)
    meta = json.loads(table.schema.metadata[b"multivector"])
    meta["schema_version"] = 99
    bad = tmp_path / "v99.parquet"
    pq.write_table(table.replace_schema_metadata({b"multivector": json.dumps(meta)}), bad)
    with pytest.raises(ResultFileError, match="schema_version"):
        simulate.load_results(bad)


def test_loader_refuses_foreign_parquet_and_truncated_files(tmp_path, written):
    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), foreign)
    with pytest.raises(ResultFileError, match="not a multivector result file"):
        simulate.load_results(foreign)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(written.read_bytes()[: written.stat().st_size // 2])
    with pytest.raises(ResultFileError):
        simulate.load_results(cut)


def test_same_scenario_and_seed_give_identical_files(tmp_path):
    a = simulate.run_scenario(SCENARIOS / "cpc_disruption.yaml", runs=3, output=tmp_path / "a.pq")
    b = simulate.run_scenario(SCENARIOS / "cpc_disruption.yaml", runs=3, output=tmp_path / "b.pq")
    assert a.metadata["parameter_hash"] == b.metadata["parameter_hash"]
    pd.testing.assert_frame_equal(pd.read_parquet(a.path), pd.read_parquet(b.path))


def test_a_killed_run_leaves_no_partial_file_and_the_old_file_intact(tmp_path):
    target = tmp_path / "r.parquet"
    target.write_bytes(b"previous results")
    script = (
        "import simulate; simulate.run_scenario("
        f"{str(SCENARIOS / 'baseline.yaml')!r}, runs=200000, engine='mesa', keep='runs', "
        f"output={str(target)!r})"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline and not any(tmp_path.glob(".r.parquet.*")):
        time.sleep(0.05)
    assert any(tmp_path.glob(".r.parquet.*")), "the run should be writing its temporary file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert target.read_bytes() == b"previous results"
    # a SIGKILL cannot clean up: the leftover is a hidden .part file, never the target
    assert all(p.name.endswith(".part") for p in tmp_path.iterdir() if p != target)


def test_result_files_get_ordinary_permissions(tmp_path):
    out = tmp_path / "p.parquet"
    simulate.run_scenario(SCENARIOS / "baseline.yaml", runs=2, output=out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
