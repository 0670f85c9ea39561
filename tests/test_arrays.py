"""Results.to_xarray and netCDF export: the simulated arrays, labelled, with units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner

import simulate
import simulate.results.arrays as arrays_mod
from simulate.cli.main import main
from simulate.model.batch import simulate_runs
from simulate.results.arrays import metadata_of
from simulate.results.files import Results, entities_of, read_metadata
from simulate.running.runner import prepare
from simulate.scenarios.units import pint_unit
from simulate.scenarios.variables import VARIABLES, Variable

from .analysis_files import assert_bad_input, broken_files, listing
from .conftest import SCENARIOS

SHORT = {"name": "short", "description": "t", "extends": str(SCENARIOS / "middle_corridor.yaml"),
         "horizon": {"start": 2024, "end": 2027, "step": "quarter"}, "runs": 7, "seed": 3}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("arr") / "short.parquet"
    simulate.run_scenario(SHORT, output=out)
    return out


def _lazy(path) -> Results:  # noqa: ANN001
    return Results(metadata=read_metadata(path), path=path)


def test_each_variable_is_its_simulated_array():
    spec = prepare(SHORT)
    raw = simulate_runs(spec, list(range(7)), 3)
    ds = simulate.run_scenario(SHORT).to_xarray()
    assert list(ds["run"].values) == list(range(7))
    np.testing.assert_array_equal(ds["time"].values, spec.times)
    assert list(ds["power"].values) == spec.powers and list(ds["route"].values) == spec.routes
    for var in spec.outputs:
        kind = VARIABLES[var].entity
        want = raw[var] if kind != "none" else raw[var][:, :, 0]
        assert ds[var].dims == (("run", "time", kind) if kind != "none" else ("run", "time"))
        np.testing.assert_array_equal(ds[var].values, want, err_msg=var)
        assert list(ds[var].coords[kind].values if kind != "none" else [""]) == \
            entities_of(spec, var)


def test_units_long_names_and_metadata_travel_with_the_arrays(written):
    from iam_units import registry

    res = _lazy(written)
    ds = res.to_xarray()
    for var in ds.data_vars:
        attrs = ds[var].attrs
        assert attrs["unit_label"] == res.metadata["units"][var]
        assert attrs["units"] == pint_unit(attrs["unit_label"])
        registry.Unit(attrs["units"])
        assert attrs["long_name"] == VARIABLES[var].description
    assert metadata_of(ds) == res.metadata
    assert ds.attrs["seed"] == 3 and ds.attrs["runs"] == 7 and ds.attrs["scenario"] == "short"


def test_a_file_is_read_in_batches_without_loading_the_frame(written, monkeypatch):
    whole = simulate.load_results(written).to_xarray()
    monkeypatch.setattr(arrays_mod, "BATCH_ROWS", 997)  # many batches, cut anywhere
    monkeypatch.setattr(simulate.results.files, "load_results",
                        lambda *a: pytest.fail("frame read"))
    res = _lazy(written)
    xr.testing.assert_identical(res.to_xarray(), whole)
    assert not res.loaded


def test_row_order_and_gaps_in_run_numbers_do_not_matter(written):
    res = simulate.load_results(written)
    ds = res.to_xarray()
    frame = res.frame.sample(frac=1.0, random_state=1)
    frame = frame[frame["run"].isin([0, 2, 3, 6])]
    got = Results(frame=frame, metadata=res.metadata).to_xarray()
    xr.testing.assert_identical(got, ds.sel(run=[0, 2, 3, 6]))


def test_a_new_entity_kind_gets_its_own_dimension(written, monkeypatch):
    monkeypatch.setitem(VARIABLES, "stance", Variable("stance", "index 0-1", "topic",
                                                      "A position per topic"))
    res = simulate.load_results(written)
    topics = ["sanctions", "un_vote", "routing"]
    extra = pd.DataFrame([(r, t, "stance", i, 0.1 * k + r) for r in range(7)
                          for t in (2024.0, 2024.25) for k, i in enumerate(topics)],
                         columns=res.frame.columns)  # fmt: skip
    frame = pd.concat([res.frame, extra], ignore_index=True)
    ds = Results(frame=frame, metadata=res.metadata).to_xarray()
    assert ds["stance"].dims == ("run", "time", "topic")
    assert list(ds["topic"].values) == topics
    assert ds["stance"].sel(run=4, time=2024.25, topic="routing").item() == pytest.approx(4.2)
    assert np.isnan(ds["stance"].sel(time=2025.0)).all()  # not given: missing, not zero
    assert ds["stance"].attrs["units"] == "dimensionless"
    assert ds["position"].dims == ("run", "time", "issue")
    assert ds["leverage"].dims == ("run", "time", "power")


def test_summary_files_hold_statistics_and_final_values(tmp_path):
    out = tmp_path / "s.parquet"
    res = simulate.run_scenario(SHORT, keep="summary", output=out)
    ds = res.to_xarray()
    frame = simulate.load_results(out).frame
    assert ds["leverage"].dims == ("stat", "time", "power")
    assert ds["leverage_final"].dims == ("run", "power")
    assert list(ds["stat"].values) == ["mean", "sd", "p05", "p25", "p50", "p75", "p95"]
    row = frame[(frame.stat == "p95") & (frame.variable == "leverage") & (frame.entity == "eu")
                & (frame.time == 2025.5)]  # fmt: skip
    assert ds["leverage"].sel(stat="p95", time=2025.5, power="eu").item() == row.value.item()
    fin = frame[(frame.stat == "final") & (frame.variable == "balance_index")]
    np.testing.assert_array_equal(ds["balance_index_final"].values, fin.sort_values("run").value)
    assert ds["balance_index_final"].attrs["time"] == 2027.75


def test_export_netcdf_round_trips(written, tmp_path):
    out = tmp_path / "short.nc"
    r = CliRunner().invoke(main, ["export", str(written), "--format", "netcdf", "-o", str(out)])
    assert r.exit_code == 0, r.output
    want = _lazy(written).to_xarray()
    with xr.open_dataset(out) as got:
        got = got.load()
    assert metadata_of(got) == metadata_of(want)
    for var in want.data_vars:
        np.testing.assert_array_equal(got[var].values, want[var].values)
        assert got[var].attrs == want[var].attrs
    assert list(got["run"].values) == list(range(7))
    assert list(got["power"].values) == list(want["power"].values)


@pytest.mark.parametrize("case, args, expected", [
    ("suffix", ["{mc}", "-o", "{tmp}/x.csv"], ["--output", ".nc"]),
    ("quantile", ["{mc}", "--quantile", "0.5", "-o", "{tmp}/x.nc"], ["--quantile"]),
    ("missing", ["{missing}", "-o", "{tmp}/x.nc"], ["none.parquet", "not found"]),
    ("truncated", ["{truncated}", "-o", "{tmp}/x.nc"], ["cut.parquet"]),
    ("not_ours", ["{not_ours}", "-o", "{tmp}/x.nc"], ["not a multivector"]),
    ("no_folder", ["{mc}", "-o", "{tmp}/nofolder/x.nc"], ["--output", "nofolder"]),
])  # fmt: skip
def test_bad_netcdf_export_exits_2_without_writing(written, tmp_path, case, args, expected):
    files = {"mc": written, **broken_files(tmp_path, written)}
    before = listing(tmp_path)
    r = CliRunner().invoke(main, ["export", "--format", "netcdf",
                                  *[a.format(tmp=tmp_path, **files) for a in args]])
    assert_bad_input(r, *expected)
    assert listing(tmp_path) == before
