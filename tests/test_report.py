"""simulate report / plot / export: outputs, formats, and bad input."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from simulate.cli import main

from .analysis_files import make


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rep")
    return {"base": make(tmp, "base"), "mc": make(tmp, "mc", scenario="middle_corridor.yaml"),
            "summary": make(tmp, "mcs", scenario="middle_corridor.yaml", keep="summary")}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_report_is_one_self_contained_file_with_every_figure(files, tmp_path):
    out = tmp_path / "report.html"
    r = invoke("report", files["base"], files["mc"], "-o", out)
    assert r.exit_code == 0, r.output
    html = out.read_text()
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    # failure risk, 6 fan charts, one route chart per file
    assert len(images) == 1 + 6 + 2
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "http://" not in html and "https://" not in html
    for text in ("mc", "<td>seed</td><td>5</td>", "Parameters and their sources",
                 "000_b3f79e21aa4277ac.txt", "assumption:"):  # fmt: skip
        assert text in html


def test_report_reads_summary_files(files, tmp_path):
    out = tmp_path / "s.html"
    assert invoke("report", files["summary"], "-o", out).exit_code == 0
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_writes_one_figure(files, tmp_path, suffix, magic):
    out = tmp_path / f"fig{suffix}"
    r = invoke("plot", files["mc"], "-v", "leverage", "-e", "russia", "-o", out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(magic)


def test_iamc_export_has_the_documented_columns(files, tmp_path):
    out = tmp_path / "iamc.csv"
    assert invoke("export", files["mc"], "--format", "iamc", "-o", out).exit_code == 0
    df = pd.read_csv(out)
    assert list(df.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert [int(c) for c in df.columns[5:]] == [2024, 2025, 2026, 2027]
    assert set(df["model"]) == {"multivector"} and set(df["region"]) == {"Kazakhstan"}
    names = set(df["variable"])
    for v in ("Leverage|Russia|p50", "Leverage|Russia|p05", "Leverage|Russia|p95",
              "Balance Index|p50", "Oil Route Share|CPC|p50", "Balancing Failure Probability"):
        assert v in names
    # annual value = mean of the year's quarterly medians
    tidy = pd.read_parquet(files["mc"])
    sel = tidy[(tidy.variable == "leverage") & (tidy.entity == "russia") & (tidy.time < 2025)]
    expect = sel.groupby("time").value.median().mean()
    got = df.loc[df.variable == "Leverage|Russia|p50", "2024"].item()
    assert got == pytest.approx(expect)


def test_iamc_export_of_a_summary_file_matches_the_runs_file(files, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert invoke("export", files["mc"], "-o", a).exit_code == 0
    assert invoke("export", files["summary"], "-o", b).exit_code == 0
    pd.testing.assert_frame_equal(pd.read_csv(a).drop(columns="scenario"),
                                  pd.read_csv(b).drop(columns="scenario"))  # fmt: skip


def test_csv_export_is_the_tidy_table(files, tmp_path):
    out = tmp_path / "t.csv"
    assert invoke("export", files["base"], "--format", "csv", "-o", out).exit_code == 0
    assert list(pd.read_csv(out).columns) == ["run", "time", "variable", "entity", "value"]


@pytest.mark.parametrize("args", [
    ["report", "{missing}", "-o", "{tmp}/r.html"],
    ["report", "{base}", "-o", "{tmp}/r.txt"],
    ["report", "{base}", "-o", "{tmp}/nofolder/r.html"],
    ["plot", "{base}", "-v", "happiness", "-o", "{tmp}/f.png"],
    ["plot", "{base}", "-v", "leverage", "-e", "mars", "-o", "{tmp}/f.png"],
    ["plot", "{tmp}", "-v", "leverage", "-o", "{tmp}/f.png"],
    ["export", "{notours}", "-o", "{tmp}/x.csv"],
    ["export", "{base}", "--quantile", "1.5", "-o", "{tmp}/x.csv"],
])  # fmt: skip
def test_bad_input_exits_2_without_writing(files, tmp_path, args):
    notours = tmp_path / "plain.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(notours)
    subs = {"missing": tmp_path / "none.parquet", "tmp": tmp_path, "base": files["base"],
            "notours": notours}  # fmt: skip
    before = set(tmp_path.iterdir())
    r = invoke(*[a.format(**subs) for a in args])
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error:") and "Traceback" not in r.output
    assert set(tmp_path.iterdir()) == before
