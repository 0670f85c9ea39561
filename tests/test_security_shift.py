"""The security_shift event: a power's security tie rises for a while, and only then."""

from __future__ import annotations

import numpy as np
import pytest

from simulate.errors import InputError
from simulate.model.batch import simulate_runs
from simulate.running.runner import prepare
from simulate.scenarios.scenario import load

BASE = {"name": "s", "horizon": {"start": 2024, "end": 2026, "step": "month"}, "runs": 3,
        "seed": 5}  # fmt: skip
SHIFT = {"type": "security_shift", "target": "russia", "at": 2025.0, "duration": 0.25,
         "magnitude": 0.3}  # fmt: skip


def _run(data):
    spec = prepare(data)
    return spec, simulate_runs(spec, range(3), 5)


def test_security_shift_raises_the_tie_only_while_it_lasts():
    spec, quiet = _run(BASE)
    _, shifted = _run({**BASE, "events": [SHIFT]})
    j = spec.powers.index("russia")
    before = spec.times < 2025.0
    during = (spec.times >= 2025.0) & (spec.times < 2025.25)
    lev_a, lev_b = quiet["leverage_security"][..., j], shifted["leverage_security"][..., j]
    np.testing.assert_array_equal(lev_a[:, before], lev_b[:, before])
    assert np.all(lev_b[:, during] > lev_a[:, during] + 0.1)
    # other powers' security ties are untouched while it lasts
    k = spec.powers.index("eu")
    sec_a, sec_b = quiet["leverage_security"][..., k], shifted["leverage_security"][..., k]
    assert np.all(np.abs(sec_b[:, during] - sec_a[:, during]) < 0.05)


def test_security_shift_pulls_security_integration_towards_russia():
    spec, quiet = _run(BASE)
    _, shifted = _run({**BASE, "events": [SHIFT]})
    i = spec.issues.index("security_integration")
    after = spec.times >= 2025.25
    # Russia's ideal on the issue is 1: its higher leverage can only pull upwards
    assert np.all(shifted["position"][:, after, i] >= quiet["position"][:, after, i] - 1e-12)
    assert shifted["position"][:, after, i].mean() > quiet["position"][:, after, i].mean()


def test_security_shift_needs_a_power_and_a_share():
    with pytest.raises(InputError, match="target power"):
        load({**BASE, "events": [{**SHIFT, "target": "cpc"}]})
    with pytest.raises(InputError, match=r"in \[-1, 1\]"):
        load({**BASE, "events": [{**SHIFT, "magnitude": 1.5}]})
