"""simulate export: the IAMC wide table, the tidy CSV, and bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from simulate.analysis.export import percentile_name, quantile_label, variable_name
from simulate.cli.main import main

from .analysis_files import assert_bad_input, broken_files, listing, make


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exp")
    out = {"mc": make(tmp, "mc", scenario="middle_corridor.yaml"),
           "summary": make(tmp, "mcs", scenario="middle_corridor.yaml", keep="summary")}
    return out | broken_files(tmp, out["mc"])


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_iamc_export_has_the_documented_columns_and_names(files, tmp_path):
    out = tmp_path / "iamc.csv"
    r = invoke("export", files["mc"], "--format", "iamc", "-o", out)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert list(df.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert [int(c) for c in df.columns[5:]] == [2024, 2025, 2026, 2027]
    assert set(df["model"]) == {"multivector"} and set(df["region"]) == {"Kazakhstan"}
    assert set(df["scenario"]) == {"mc"}
    names = set(df["variable"])
    for v in ("Leverage|Russia|50.0th Percentile", "Leverage|Russia|5.0th Percentile",
              "Leverage|Russia|95.0th Percentile", "Alignment|China|50.0th Percentile",
              "Balance Index|50.0th Percentile", "Oil Route Share|CPC|50.0th Percentile",
              "Trade Share|EU|95.0th Percentile", "Balancing Failure Probability"):  # fmt: skip
        assert v in names
    assert df["variable"].is_unique
    unit = df.set_index("variable")["unit"]
    assert unit["Leverage|Russia|50.0th Percentile"] == "dimensionless"
    assert unit["Trade|China|50.0th Percentile"] == "billion USD_2022/yr"
    assert unit["Balancing Failure Probability"] == "dimensionless"


def test_annual_value_is_the_mean_of_the_years_periods(files, tmp_path):
    out = tmp_path / "iamc.csv"
    assert invoke("export", files["mc"], "-o", out).exit_code == 0
    df = pd.read_csv(out).set_index("variable")
    tidy = pd.read_parquet(files["mc"])
    lev = tidy[(tidy.variable == "leverage") & (tidy.entity == "russia") & (tidy.time < 2025)]
    assert df.loc["Leverage|Russia|50.0th Percentile", "2024"] == pytest.approx(
        lev.groupby("time").value.median().mean())
    cap = tidy[(tidy.variable == "captured") & (tidy.time >= 2027)]
    assert df.loc["Balancing Failure Probability", "2027"] == pytest.approx(cap.value.mean())


def test_chosen_quantiles_become_separate_variables(files, tmp_path):
    out = tmp_path / "q.csv"
    r = invoke("export", files["mc"], "--quantile", "0.25", "--quantile", "0.025", "-o", out)
    assert r.exit_code == 0, r.output
    names = set(pd.read_csv(out)["variable"])
    assert {"Balance Index|25.0th Percentile", "Balance Index|2.5th Percentile"} <= names
    assert "Balance Index|50.0th Percentile" not in names


def test_iamc_export_of_a_summary_file_matches_the_runs_file(files, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert invoke("export", files["mc"], "-o", a).exit_code == 0
    assert invoke("export", files["summary"], "-o", b).exit_code == 0
    pd.testing.assert_frame_equal(pd.read_csv(a).drop(columns="scenario"),
                                  pd.read_csv(b).drop(columns="scenario"))  # fmt: skip


def test_csv_export_is_the_tidy_table_as_is(files, tmp_path):
    out = tmp_path / "t.csv"
    assert invoke("export", files["mc"], "--format", "csv", "-o", out).exit_code == 0
    got = pd.read_csv(out, keep_default_na=False)
    assert list(got.columns) == ["run", "time", "variable", "entity", "value"]
    want = pd.read_parquet(files["mc"])
    assert len(got) == len(want)
    assert got["value"].to_numpy() == pytest.approx(want["value"].to_numpy())
    summary = tmp_path / "s.csv"
    assert invoke("export", files["summary"], "--format", "csv", "-o", summary).exit_code == 0
    assert "stat" in pd.read_csv(summary).columns


@given(st.floats(0, 1))
def test_quantile_labels_round_trip_to_percent(q):
    label = quantile_label(q)
    assert label.startswith("p") and float(label[1:]) == pytest.approx(q * 100, rel=1e-5, abs=1e-9)


@given(st.floats(0, 1))
def test_percentile_names_round_trip_to_percent(q):
    name = percentile_name(q)
    number, _, rest = name.partition("th ")
    assert rest == "Percentile" and "." in number
    assert float(number) == pytest.approx(q * 100, rel=1e-5, abs=1e-9)


def test_variable_names_follow_the_iamc_hierarchy():
    assert variable_name("leverage", "russia") == "Leverage|Russia"
    assert variable_name("balance_index") == "Balance Index"
    assert variable_name("oil_route_share", "trans_caspian") == "Oil Route Share|Trans Caspian"


@pytest.mark.parametrize("case, args, expected", [
    ("missing", ["{missing}"], ["none.parquet", "not found"]),
    ("directory", ["{directory}"], ["adir.parquet", "directory"]),
    ("not_ours", ["{not_ours}"], ["plain.parquet", "not a multivector"]),
    ("truncated", ["{truncated}"], ["cut.parquet"]),
    ("old_version", ["{old_version}"], ["old.parquet", "schema_version"]),
    ("quantile_outside_0_1", ["{mc}", "--quantile", "1.5"], ["--quantile", "1.5"]),
    ("quantile_a_summary_lacks", ["{summary}", "--quantile", "0.1"], ["mcs.parquet", "p10"]),
    ("no_folder", ["{mc}", "-o", "{tmp}/nofolder/x.csv"], ["--output", "nofolder"]),
    ("folder_is_a_file", ["{mc}", "-o", "{not_ours}/x.csv"], ["--output"]),
    ("output_is_a_folder", ["{mc}", "-o", "{tmp}"], ["--output", "directory"]),
])  # fmt: skip
def test_bad_input_exits_2_without_writing(files, tmp_path, case, args, expected):
    if "-o" not in args:
        args = [*args, "-o", "{tmp}/x.csv"]
    before = listing(tmp_path)
    r = invoke("export", *[a.format(tmp=tmp_path, **files) for a in args])
    assert_bad_input(r, *expected)
    assert listing(tmp_path) == before
