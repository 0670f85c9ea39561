"""The dashboard's policy panel: the declared levers, a policy from the page, against the
baseline policy on the same runs, and saved."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import simulate
from simulate.dashboard import app, fans
from simulate.dashboard import policy as pp
from simulate.dashboard.levers import Changes
from simulate.dashboard.save import save
from simulate.errors import InputError
from simulate.model.modelspec import loaded_scenario
from simulate.scenarios import levers as lv

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline():
    return loaded_scenario(str(SCENARIOS / "baseline.yaml"))


def test_the_panel_offers_every_declared_lever_the_hedgers_first(baseline):
    offered = pp.panel(baseline)
    assert {p.name for p in offered} == set(baseline.scenario.levers)
    assert offered[0].actor == "kazakhstan" and offered[-1].actor != "kazakhstan"
    by = {p.name: p for p in offered}
    assert by["caspian_buildout"].options is None and by["caspian_buildout"].step == 0.1
    assert by["cpc_expansion"].options == (0.0, 1.0) and by["cpc_expansion"].first == 2025
    assert not by["export_controls"].later and by["export_controls"].status_quo == 0.5
    assert by["china_investment"].status_quo == 0.0


def test_a_policy_from_the_page_keeps_the_moved_levers_and_refuses_bad_settings(baseline):
    chosen = pp.policy(baseline, {"caspian_buildout": 1.5, "export_controls": 0.5},
                       {"caspian_buildout": 2031})  # fmt: skip
    assert chosen == {"caspian_buildout": lv.Setting(1.5, 2031.0)}, "a status quo is no move"
    with pytest.raises(InputError, match="not one of the lever's options"):
        pp.policy(baseline, {"cpc_expansion": 0.5})
    with pytest.raises(InputError, match="outside 2025-2040"):
        pp.policy(baseline, {"caspian_buildout": 1.0}, {"caspian_buildout": 2024})


def test_the_page_compares_a_policy_with_the_baseline_policy_on_the_same_runs(baseline):
    view = app.compute(str(SCENARIOS / "baseline.yaml"), {}, 60, {},
                       {"caspian_buildout": 2.0}, {"caspian_buildout": 2026})  # fmt: skip
    under, reference = pp.scenarios(baseline, view.policy)
    want_base = fans.ensemble(reference, {}, 60)
    want = fans.ensemble(under, {}, 60)
    np.testing.assert_array_equal(view.base.fans["outcome"].values,
                                  want_base.fans["outcome"].values)  # fmt: skip
    np.testing.assert_array_equal(view.modified.fans["leverage"].values,
                                  want.fans["leverage"].values)  # fmt: skip
    line = app.changes_line(view)
    assert "against the baseline policy" in line and "leverage of russia" in line
    early = view.modified.times < 2026
    np.testing.assert_array_equal(view.modified.fans["position"].values[:, early],
                                  view.base.fans["position"].values[:, early])  # fmt: skip


def test_a_policy_saved_from_the_page_runs_what_the_page_showed(baseline, tmp_path):
    chosen = {"caspian_buildout": lv.Setting(2.0, 2026.0), "security_stance": lv.Setting(0.4, 2024)}
    under = dataclasses.replace(pp.scenarios(baseline, chosen)[0], file="<policy>")
    path = save(under, Changes(), tmp_path / "fleet.yaml", runs=20)
    res = simulate.run_scenario(path)
    shown = fans.ensemble(pp.scenarios(baseline, chosen)[0], {}, 20)
    np.testing.assert_allclose(np.median(res.at("leverage", "russia").to_numpy()),
                               shown.fans["leverage"].median()[-1, 0])  # fmt: skip
