"""docs/decide.md: the worked example prints what the doc shows; every shipped lever is listed."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from simulate.cli.main import main
from simulate.scenarios import scenario

from .conftest import ROOT, SCENARIOS

DOC = ROOT / "docs" / "decide.md"


def test_the_worked_example_prints_what_the_doc_shows(monkeypatch):
    pytest.importorskip("ema_workbench")  # the example shows where the best policy fails
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## A worked example"):]
    command = re.search(r"^\$ simulate (.+)$", section, re.M).group(1)
    shown = re.search(r"Output:\n\n```\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(ROOT)  # the policies file is named relative to the repository
    r = CliRunner().invoke(main, shlex.split(command))
    assert r.exit_code == 0, r.output
    assert r.output == shown


def test_every_shipped_lever_is_in_the_docs_table():
    text = DOC.read_text(encoding="utf-8")
    for name, lever in scenario.load(SCENARIOS / "baseline.yaml").scenario.levers.items():
        row = re.search(rf"^\| `{name}` \| (\w+) \| (\w+) \|", text, re.M)
        assert row, name
        assert row.groups() == (lever.actor, lever.kind), name
