"""The event registry: every part that handles events derives from its declarations.

A throwaway kind registered here (with the registry monkeypatched) must be accepted by
the schema, checked against the config, applied by the spec on its own axis, drawn by
the strategies and listed in the docs' tables, with no other change anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import find
from hypothesis import strategies as st

from simulate.errors import InputError
from simulate.model import spec
from simulate.scenarios import events, scenario, schema
from simulate.testing import hostile, strategies

ROOT = Path(__file__).resolve().parent.parent
HEAD = "name: upgrade\nhorizon: {start: 2024, end: 2027, step: quarter}\nruns: 3\n"


def _upgrade(sp: spec.StepParams, ev: events.CompiledEvent, on: np.ndarray) -> None:
    events.shift(sp, ev, "capacity", mul=np.where(on, 1.0 + ev.magnitude, 1.0))


UPGRADE = events.EventKind(
    "route_upgrade", "route", _upgrade, duration="required",
    magnitude=events.Bounds(0.0, 2.0, "an upgrade adds a share of capacity, in [0, 2]"),
    sample=(0.0, 1.0), target_doc="a route", magnitude_doc="share of capacity added",
    effect_doc="capacity × (1 + m)",
)  # fmt: skip


def _misplaced(sp: spec.StepParams, ev: events.CompiledEvent, on: np.ndarray) -> None:
    events.shift(sp, ev, "fdi_inflow", add=np.where(on, ev.magnitude, 0.0))


@pytest.fixture
def upgrade(monkeypatch: pytest.MonkeyPatch) -> events.EventKind:
    """The registry with one more kind, ``route_upgrade``, for the length of a test."""
    monkeypatch.setitem(events.KINDS, UPGRADE.name, UPGRADE)
    return UPGRADE


def _write(tmp_path: Path, event: str) -> Path:
    path = tmp_path / "upgrade.yaml"
    path.write_text(HEAD + "events:\n  - " + event + "\n")
    return path


def test_a_registered_kind_is_accepted_checked_and_applied(upgrade, tmp_path):
    text = "{type: route_upgrade, target: druzhba, at: 2025.0, duration: 1.0, magnitude: 0.5}"
    loaded = scenario.load(_write(tmp_path, text))
    enum = json.loads(schema.json_schema())["$defs"]["Event"]["properties"]["type"]["enum"]
    assert enum[-1] == "route_upgrade"

    s = spec.build(loaded)
    occurs = np.array([[True], [False], [True]])
    draws = spec.Draws(values={}, occurs=occurs)
    k = s.routes.index("druzhba")
    during = s.params_at(int(np.searchsorted(s.times, 2025.0)), draws)
    before = s.params_at(0, spec.Draws(values={}, occurs=occurs))
    nominal = during.route["capacity_nominal"]
    np.testing.assert_array_equal(during.route["capacity"][:, k], nominal[:, k] * [1.5, 1, 1.5])
    others = [j for j in range(len(s.routes)) if j != k]
    np.testing.assert_array_equal(during.route["capacity"][:, others], nominal[:, others])
    np.testing.assert_array_equal(before.route["capacity"], before.route["capacity_nominal"])
    for name, arr in during.power.items():  # the power axis is untouched
        np.testing.assert_array_equal(arr, before.power[name], err_msg=name)


@pytest.mark.parametrize(("event", "field", "words"), [
    ("{type: route_upgrade, target: russia, at: 2025.0, duration: 1, magnitude: 0.5}",
     "events.0.target", "route_upgrade needs a target route"),
    ("{type: route_upgrade, at: 2025.0, duration: 1, magnitude: 0.5}",
     "events.0.target", "route_upgrade needs a target route"),
    ("{type: route_upgrade, target: cpc, at: 2025.0, duration: 1, magnitude: 3}",
     "events.0.magnitude", "an upgrade adds a share of capacity, in [0, 2]"),
    ("{type: route_upgrade, target: cpc, at: 2025.0, magnitude: 0.5}",
     "events.0.duration", "a route upgrade needs a duration in years"),
    ("{type: route_upgrade, target: cpc, at: 2025.0, duration: 1, magnitude: 0.5, "
     "instrument: trade}", "events.0.instrument", "only a coercion_campaign names an instrument"),
    ("{type: route_upgrade, target: cpc, at: 2040.0, duration: 1, magnitude: 0.5}",
     "events.0.at", "after the horizon"),
])  # fmt: skip
def test_a_registered_kind_is_checked_against_the_config(upgrade, tmp_path, event, field, words):
    with pytest.raises(InputError) as err:
        scenario.load(_write(tmp_path, event))
    assert err.value.field == field
    assert err.value.line == 5
    assert words in err.value.message


def test_an_unregistered_kind_is_refused_with_the_registered_ones(tmp_path):
    text = "{type: route_upgrade, target: cpc, at: 2025.0, duration: 1, magnitude: 0.5}"
    with pytest.raises(InputError) as err:
        scenario.load(_write(tmp_path, text))
    assert err.value.field == "events.0.type"
    assert "'security_shift'" in err.value.message and "(got 'route_upgrade')" in err.value.message


def test_strategies_and_hostile_generators_draw_a_registered_kind(upgrade):
    cfg = strategies._config(None)
    horizon = {"start": 2024, "end": 2027, "step": "quarter"}
    ev = find(strategies.events(horizon), lambda e: e["type"] == "route_upgrade")
    assert ev["target"] in cfg.route_names and 0.0 <= ev["magnitude"] <= 1.0
    data = {"horizon": horizon}
    valid = st.composite(lambda draw: hostile.valid_event(draw, data))()
    ev = find(valid, lambda e: e["type"] == "route_upgrade")
    assert ev["target"] == cfg.route_names[0]
    assert scenario.load({"name": "x", "horizon": horizon, "events": [ev]})


def test_the_docs_tables_list_a_registered_kind(upgrade, tmp_path):
    assert "| `route_upgrade` | a route | share of capacity added |" in events.scenarios_table()
    assert "| `route_upgrade` | route | capacity × (1 + m) |" in events.model_table()
    (tmp_path / "docs").mkdir()
    for name in ("scenarios.md", "MODEL.md"):
        (tmp_path / "docs" / name).write_text((ROOT / "docs" / name).read_text())
    events.write_docs(tmp_path)
    assert "`route_upgrade`" in (tmp_path / "docs" / "MODEL.md").read_text()


def test_the_docs_tables_are_current():
    assert events.scenarios_table() in (ROOT / "docs" / "scenarios.md").read_text()
    assert events.model_table() in (ROOT / "docs" / "MODEL.md").read_text()


def test_an_effect_on_another_axis_raises(monkeypatch, tmp_path):
    monkeypatch.setitem(events.KINDS, "misplaced", events.EventKind("misplaced", "route",
                                                                    _misplaced))  # fmt: skip
    text = "{type: misplaced, target: cpc, at: 2024.0, duration: 1, magnitude: 0.5}"
    s = spec.build(scenario.load(_write(tmp_path, text)))
    with pytest.raises(events.EventError, match="route axis has no parameter 'fdi_inflow'"):
        s.params_at(0, spec.Draws(values={}, occurs=np.ones((2, 1), bool)))


def test_a_target_of_another_kind_is_never_resolved_on_another_axis(upgrade):
    cfg = strategies._config(None)
    ev = SimpleNamespace(type="route_upgrade", target="russia", at=2025.0, duration=1.0,
                         magnitude=0.5, probability=1.0)  # fmt: skip
    with pytest.raises(events.EventError, match="needs a target route"):
        events.compile_event(ev, cfg, 0.25)
    free = events.compile_event(SimpleNamespace(
        type="sanctions_package", target=None, at=2025.0, duration=None, magnitude=0.1,
        probability=1.0), cfg, 0.25)  # fmt: skip
    assert free.index == -1 and free.end == np.inf
    sp = SimpleNamespace(power={"fdi_inflow": np.zeros((1, len(cfg.powers)))})
    with pytest.raises(events.EventError, match="names no power"):
        events.shift(sp, free, "fdi_inflow", add=1.0)


def test_an_option_declared_by_a_kind_becomes_an_event_field(monkeypatch):
    cfg = strategies._config(None)
    issue = events.Option("issue", "the issue pressed", choices=lambda c: c.issue_names)
    lobby = events.EventKind("lobby", "power", _misplaced, options=(issue,))
    model = schema.event_model([*events.KINDS.values(), lobby])
    assert model.model_fields["issue"].description == "the issue pressed"
    monkeypatch.setitem(events.KINDS, "lobby", lobby)
    ev = model.model_validate({"type": "lobby", "target": "china", "at": 2025.0,
                               "magnitude": 0.1, "issue": "nope"})  # fmt: skip
    assert list(events.problems(ev, cfg)) == [
        (f"unknown issue 'nope'; expected one of {cfg.issue_names}", "issue")]
    other = model.model_validate({"type": "trade_shift", "target": "china", "at": 2025.0,
                                  "magnitude": 0.1, "issue": cfg.issue_names[0]})  # fmt: skip
    assert list(events.problems(other, cfg)) == [("only a lobby names an issue", "issue")]
    with pytest.raises(ValueError, match="a field of every event"):
        schema.event_model([events.EventKind("bad", "power", _misplaced,
                                             options=(events.Option("at", "", list),))])


def test_a_declaration_is_checked_when_registered(upgrade):
    with pytest.raises(ValueError, match="not a new identifier"):
        events.register(UPGRADE)
    with pytest.raises(ValueError, match="target 'issue'"):
        events.register(events.EventKind("lobby", "issue", _misplaced))


def test_the_shipped_kinds_keep_their_order_and_targets():
    assert list(events.KINDS) == ["route_disruption", "sanctions_package", "investment_pledge",
                                  "capacity_shift", "coercion_campaign", "trade_shift",
                                  "security_shift"]  # fmt: skip
    enum = json.loads(schema.json_schema())["$defs"]["Event"]["properties"]["type"]["enum"]
    assert enum == list(events.KINDS)
    assert {k.name for k in events.KINDS.values() if k.target == "route"} == {"route_disruption"}
    assert [k.name for k in events.KINDS.values() if not k.needs_target] == ["sanctions_package"]
