"""``simulate new``: a commented starting file whose every example is valid when uncommented."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.io.shipped import resolve_scenario
from simulate.scenarios.scenario import load
from simulate.scenarios.starter import sections, starter


def _uncomment(text: str, lines: tuple[str, ...]) -> str:
    for line in lines:
        assert f"# {line}\n" in text, line
        text = text.replace(f"# {line}\n", f"{line}\n", 1)
    return text


@pytest.mark.parametrize("source", ["baseline", "middle_corridor", "cpc_disruption"])
def test_each_commented_example_is_a_valid_section_when_uncommented(source, tmp_path):
    loaded = load(resolve_scenario(source))
    text = starter("mine", loaded, source)
    parts = sections(loaded, source)
    assert [p.key for p in parts] == ["horizon", "runs", "seed", "parameters", "paths",
                                      "events", "uncertainties", "outputs", "expect"]
    target = tmp_path / "mine.yaml"
    for part in parts:
        target.write_text(_uncomment(text, part.lines))
        edited = load(target).scenario
        assert part.key in edited.model_fields_set, part.key
    target.write_text(_uncomment(text, tuple(x for p in parts for x in p.lines)))
    every = load(target).scenario
    assert every.name == "mine" and every.expect is not None


def test_the_starting_file_as_written_is_the_scenario_it_extends(tmp_path):
    text = starter("mine", load(resolve_scenario("middle_corridor")), "middle_corridor")
    (tmp_path / "mine.yaml").write_text(text)
    mine, base = load(tmp_path / "mine.yaml").scenario, load(resolve_scenario("middle_corridor"))
    for field in ("horizon", "runs", "seed", "paths", "uncertainties", "events"):
        assert getattr(mine, field) == getattr(base.scenario, field)
    assert mine.expect is None, "expectations are not inherited"


def test_new_writes_a_file_that_extends_the_shipped_scenario_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["new", "my_corridor", "--from", "middle_corridor"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "my_corridor.yaml").read_text()
    assert "\nextends: middle_corridor\n" in text and "\nname: my_corridor\n" in text
    r = CliRunner().invoke(main, ["run", "my_corridor.yaml", "-n", "2", "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "results" / "my_corridor.parquet").is_file()


def test_new_from_a_file_extends_it_by_a_relative_path(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "base.yaml").write_text("name: base\nhorizon: {start: 2024, end: 2026}\n")
    out = tmp_path / "out" / "mine.yaml"
    out.parent.mkdir()
    r = CliRunner().invoke(main, ["new", "mine", "--from", str(src / "base.yaml"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "\nextends: ../src/base.yaml\n" in out.read_text()
    assert load(out).scenario.horizon.end == 2026


def test_new_refuses_a_bad_name_an_existing_file_and_an_unknown_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.yaml").write_text("keep me\n")
    for args, words in ((["new", "9lives"], "plain identifier"),
                        (["new", "taken"], "--force"),
                        (["new", "x", "--from", "nonesuch"], "no shipped scenario")):  # fmt: skip
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output, r.output
    assert (tmp_path / "taken.yaml").read_text() == "keep me\n"
    assert not (tmp_path / "x.yaml").exists()
    r = CliRunner().invoke(main, ["new", "taken", "--force"])
    assert r.exit_code == 0 and "extends: baseline" in (tmp_path / "taken.yaml").read_text()
