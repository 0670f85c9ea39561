"""simulate report and simulate plot: contents, formats, colours, and bad input."""

from __future__ import annotations

import base64
import re

import pytest
from click.testing import CliRunner

from simulate.analysis import plots
from simulate.cli.main import main
from simulate.results.files import load_results

from .analysis_files import assert_bad_input, broken_files, listing, make


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rep")
    out = {"base": make(tmp, "base"), "mc": make(tmp, "mc", scenario="middle_corridor.yaml"),
           "summary": make(tmp, "mcs", scenario="middle_corridor.yaml", keep="summary")}
    return out | broken_files(tmp, out["base"])


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_report_is_one_self_contained_file_with_every_figure(files, tmp_path):
    out = tmp_path / "report.html"
    r = invoke("report", files["base"], files["mc"], "-o", out)
    assert r.exit_code == 0, r.output
    html = out.read_text()
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    # outcome classes, failure risk, 8 fan charts, the 5 issues' mechanisms of mc against
    # base, one route chart per file
    assert len(images) == 1 + 1 + 8 + 5 + 2
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "http://" not in html and "https://" not in html and "<script" not in html
    for text in ("<h3>mc</h3>", "<td>seed</td><td>5</td>", "test mc", "2024-2027 by quarter",
                 "time path", "trans_caspian.capacity", "Outcomes at the horizon",
                 "P(ever aligned: balancing failed)", "P(balanced)",
                 "What moved Kazakhstan's positions", "Parameters and their sources",
                 "000_b3f79e21aa4277ac.txt", "assumption:"):  # fmt: skip
        assert text in html


def test_report_reads_summary_files(files, tmp_path):
    out = tmp_path / "s.html"
    assert invoke("report", files["summary"], files["base"], "-o", out).exit_code == 0
    html = out.read_text()
    assert "summary statistics" in html and html.count("data:image/png") == 17


def test_report_finds_the_config_the_file_was_made_with(files):
    from simulate.analysis.report import find_config
    from simulate.scenarios.parameters import DEFAULT_CONFIG

    path, note = find_config(load_results(files["base"]))
    assert path == str(DEFAULT_CONFIG) and note == ""


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_writes_one_figure(files, tmp_path, suffix, magic):
    out = tmp_path / f"fig{suffix}"
    r = invoke("plot", files["mc"], "-v", "leverage", "-e", "russia", "-o", out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(magic)
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("variable", ["oil_route_share", "captured", "balance_index"])
def test_plot_draws_routes_risk_and_fans_from_runs_and_summaries(files, tmp_path, variable):
    for name in ("mc", "summary"):
        out = tmp_path / f"{name}_{variable}.png"
        assert invoke("plot", files[name], "-v", variable, "-o", out).exit_code == 0
        assert out.stat().st_size > 5_000


def test_every_actor_keeps_one_colour_from_the_okabe_ito_palette():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}  # fmt: skip
    powers = ["russia", "china", "eu"]
    assert len({plots.colour(p) for p in powers}) == 3
    assert {plots.colour(p) for p in powers + ["cpc", "druzhba", "trans_caspian", ""]} <= okabe_ito
    assert plots.colour("newcomer") == plots.colour("newcomer")


def test_scenarios_differ_by_line_style_and_marker_not_only_colour(files):
    res = [load_results(files["base"]), load_results(files["mc"])]
    fig = plots.fan_figure(res, "leverage", "russia")
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() not in (None, "None", "")]
    assert len({(ln.get_linestyle(), ln.get_marker()) for ln in lines}) == 2
    plots.to_bytes(fig)  # closes it


def test_plotting_has_no_import_time_side_effects():
    import subprocess
    import sys

    code = ("import matplotlib, simulate.analysis.plots, simulate.analysis.report; "
            "import sys; print('matplotlib.pyplot' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("case, args, expected", [
    ("missing", ["report", "{missing}", "-o", "{tmp}/r.html"], ["none.parquet", "not found"]),
    ("directory", ["report", "{directory}", "-o", "{tmp}/r.html"], ["adir.parquet"]),
    ("not_ours", ["report", "{base}", "{not_ours}", "-o", "{tmp}/r.html"], ["plain.parquet"]),
    ("truncated", ["report", "{truncated}", "-o", "{tmp}/r.html"], ["cut.parquet"]),
    ("old_version", ["report", "{old_version}", "-o", "{tmp}/r.html"], ["schema_version"]),
    ("wrong_suffix", ["report", "{base}", "-o", "{tmp}/r.txt"], ["--output", ".html"]),
    ("no_folder", ["report", "{base}", "-o", "{tmp}/nofolder/r.html"], ["--output", "nofolder"]),
    ("folder_is_a_file", ["report", "{base}", "-o", "{not_ours}/r.html"], ["--output"]),
    ("output_is_a_folder", ["report", "{base}", "-o", "{tmp}/d.html"], ["--output", "directory"]),
    ("plot_missing", ["plot", "{missing}", "-v", "leverage", "-o", "{tmp}/f.png"], ["none"]),
    ("plot_directory", ["plot", "{directory}", "-v", "leverage", "-o", "{tmp}/f.png"], ["adir"]),
    ("plot_not_ours", ["plot", "{not_ours}", "-v", "leverage", "-o", "{tmp}/f.png"], ["plain"]),
    ("plot_truncated", ["plot", "{truncated}", "-v", "leverage", "-o", "{tmp}/f.png"], ["cut"]),
    ("plot_unknown_variable", ["plot", "{base}", "-v", "happiness", "-o", "{tmp}/f.png"],
     ["--variable", "happiness"]),
    ("plot_missing_variable", ["plot", "{lacks_balance_index}", "-v", "balance_index", "-o",
                               "{tmp}/f.png"], ["partial.parquet", "balance_index"]),
    ("plot_unknown_entity", ["plot", "{base}", "-v", "leverage", "-e", "mars", "-o",
                             "{tmp}/f.png"], ["--entity", "mars"]),
    ("plot_wrong_suffix", ["plot", "{base}", "-v", "leverage", "-o", "{tmp}/f.pdf"], [".png"]),
    ("plot_no_folder", ["plot", "{base}", "-v", "leverage", "-o", "{tmp}/no/f.png"],
     ["--output"]),
])  # fmt: skip
def test_bad_input_exits_2_without_writing(files, tmp_path, case, args, expected):
    if case == "output_is_a_folder":
        (tmp_path / "d.html").mkdir()
    before = listing(tmp_path)
    r = invoke(*[a.format(tmp=tmp_path, **files) for a in args])
    assert_bad_input(r, *expected)
    assert listing(tmp_path) == before
