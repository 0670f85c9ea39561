"""The period schedule is written once, and both drivers run exactly it."""

from __future__ import annotations

import numpy as np

from simulate.model.agents import HedgerAgent, PowerAgent
from simulate.model.batch import Batch
from simulate.model.mesa_model import BalancingModel
from simulate.model.randomness import draw_runs
from simulate.model.schedule import PERIOD, Stage, run_period, stages_of
from simulate.running.runner import prepare


def test_every_stage_is_an_action_of_its_actors_in_both_drivers():
    for name in stages_of("powers"):
        assert callable(getattr(PowerAgent, name))
    for name in stages_of("hedger"):
        assert callable(getattr(HedgerAgent, name))
    for name in stages_of("world"):
        assert callable(getattr(BalancingModel, name))
    for stage in PERIOD:
        assert callable(getattr(Batch, stage.name))


class _Log:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def begin(self, period: int) -> None:
        self.calls.append(f"begin {period}")

    def act(self, stage: Stage) -> None:
        self.calls.append(stage.name)

    def end(self, period: int) -> None:
        self.calls.append(f"end {period}")


def test_a_period_runs_every_stage_once_in_order_between_begin_and_end():
    log = _Log()
    run_period(log, 4)
    assert log.calls == ["begin 4", *(s.name for s in PERIOD), "end 4"]


def test_the_mesa_model_activates_the_schedules_actors_in_its_order(small_scenario):
    model = BalancingModel(small_scenario, run=2)
    seen: list[tuple[str, str]] = []
    act = model.act

    def logged(stage: Stage) -> None:
        seen.append((stage.actor, stage.name))
        act(stage)

    model.act = logged  # type: ignore[method-assign]
    model.step()
    assert seen == [(s.actor, s.name) for s in PERIOD]


def test_a_batch_of_one_run_equals_the_mesa_model_of_that_run(small_scenario):
    spec = prepare(small_scenario)
    draws, noise = draw_runs(spec, 7, [5])
    batch = Batch(spec, draws, noise)
    model = BalancingModel(spec, seed=7, run=5)
    for t in range(len(spec.times)):
        run_period(batch, t)
        model.step()
        for var, arr in model.observation.items():
            np.testing.assert_allclose(batch.outputs[var][t], arr, rtol=0, atol=1e-9)
