"""The dashboard page: a solara app whose levers are Mesa's visualisation inputs.

Served by :mod:`simulate.dashboard.server` (``simulate dashboard``), which passes the
scenario, the number of runs and the folder to save into through the environment
variables below. Each change of scenario, runs or a lever starts the ensemble in a
background thread; while it runs the page keeps the last charts and shows a progress
bar, and a newer change supersedes an older one that has not started yet.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import solara
from mesa.visualization import Slider
from mesa.visualization.solara_viz import UserInputs

from simulate.dashboard.charts import all_charts
from simulate.dashboard.fans import Ensemble, ensemble, headline
from simulate.dashboard.levers import departures, levers_of, setting
from simulate.dashboard.save import save
from simulate.errors import InputError
from simulate.io.shipped import scenario_names
from simulate.model.modelspec import loaded_scenario

ENV_SCENARIO = "MULTIVECTOR_DASHBOARD_SCENARIO"
ENV_RUNS = "MULTIVECTOR_DASHBOARD_RUNS"
ENV_SAVE_DIR = "MULTIVECTOR_DASHBOARD_SAVE_DIR"
DEFAULT_RUNS = 400
#: A change waits this long (seconds) before it runs, so a slider dragged through many
#: values runs the ensemble for the value it stops at.
SETTLE = 0.15

_LOCK = threading.Lock()  # one ensemble at a time
_BASE: dict[tuple[str, int], Ensemble] = {}  # unmodified ensembles, by (scenario, runs)


@dataclass(frozen=True)
class View:
    """What the page shows for one setting of the levers."""

    modified: Ensemble
    base: Ensemble
    charts: dict[str, bytes]
    headline: list[tuple[str, float, float]]
    chart_seconds: float


def compute(source: str, values: dict[str, float], runs: int) -> View:
    """The ensemble of ``source`` with the moved levers ``values``, against the scenario."""
    loaded = loaded_scenario(source)
    overrides = departures(loaded, values)
    key = (source, runs)
    if key not in _BASE:
        _BASE[key] = ensemble(loaded, {}, runs)
    base = _BASE[key]
    modified = ensemble(loaded, overrides, runs) if overrides else base
    t0 = time.perf_counter()
    charts = all_charts(modified, base)
    return View(modified, base, charts, headline(modified, base), time.perf_counter() - t0)


def choices(default: str) -> list[str]:
    """The scenarios the page offers: the one it was started with, then the shipped ones."""
    return [default, *(n for n in scenario_names() if n != default)]


@solara.component
def Levers(source: str, values: dict[str, float], on_change) -> None:  # noqa: ANN001
    """The sliders, each built as Mesa's ``Slider`` and drawn by Mesa's ``UserInputs``,
    under a caption with its value and the scenario's."""
    loaded = loaded_scenario(source)
    for lever in levers_of(loaded):
        s = setting(loaded, lever.path)
        value = min(max(values.get(lever.path, s.value), lever.low), lever.high)
        moved = " (moved)" if lever.path in values else ""
        solara.Markdown(f"{lever.label}: **{value:g}**{moved} · scenario: {s.note}",
                        style={"font-size": "0.85em", "margin-bottom": "-18px"})  # fmt: skip
        slider = Slider("", value=value, min=lever.low, max=lever.high, step=lever.step,
                        dtype=float)  # fmt: skip
        UserInputs({lever.path: slider}, on_change=on_change)


@solara.component
def SaveCard(source: str, overrides: dict[str, float]) -> None:
    """A file name and a button that saves the settings as a scenario YAML file."""
    loaded = loaded_scenario(source)
    folder = Path(os.environ.get(ENV_SAVE_DIR) or Path.cwd())
    default = str(folder / f"{loaded.scenario.name}_dashboard.yaml")
    target, set_target = solara.use_state(default)
    message, set_message = solara.use_state(("", ""))

    def do_save() -> None:
        try:
            path = save(loaded, overrides, target)
        except InputError as exc:
            set_message(("error", exc.format()))
        else:
            set_message(("ok", f"saved {path}"))

    solara.InputText("Scenario file", value=target, on_value=set_target)
    solara.Button("Save as scenario YAML", on_click=do_save, color="primary")
    kind, text = message
    if kind == "ok":
        solara.Success(text)
    elif kind == "error":
        solara.Error(text)


@solara.component
def Charts(view: View, pending: bool) -> None:
    """Status, the headline numbers and the four charts."""
    m = view.modified
    moved = ", ".join(f"{p} = {v:g}" for p, v in m.overrides.items()) or "none"
    solara.Markdown(
        f"**{m.runs} runs** of *{m.scenario}* (seed {m.seed}) on the batched driver in "
        f"**{m.seconds:.2f} s**, charts in {view.chart_seconds:.2f} s. Levers moved: {moved}. "
        "Coloured: these settings (median, 25-75% and 5-95%); dashed and dotted: the "
        "unmodified scenario."
    )
    if pending:
        solara.ProgressLinear(True)
    year = f"{m.times[-1]:g}"
    rows = " · ".join(f"{what} {a:.3f} (scenario {b:.3f})" for what, a, b in view.headline)
    solara.Markdown(f"Median at {year}: {rows}")
    with solara.GridFixed(columns=2):
        for name in ("alignment", "leverage", "position", "outcome"):
            solara.Image(view.charts[name], format="png", width="100%")


@solara.component
def Page() -> None:
    """The dashboard."""
    default = os.environ.get(ENV_SCENARIO, "baseline")
    source, set_source = solara.use_state(default)
    values, set_values = solara.use_state({})
    runs, set_runs = solara.use_state(int(os.environ.get(ENV_RUNS, DEFAULT_RUNS)))

    def run() -> View | None:
        time.sleep(SETTLE)
        with _LOCK:
            if not task.is_current():
                return None  # superseded by a newer change while it waited
            return compute(source, values, runs)

    key = tuple(sorted(values.items()))
    task = solara.lab.use_task(run, dependencies=[source, key, runs], raise_error=False)

    def pick(name: str) -> None:
        set_values({})
        set_source(name)

    def move(path: str, value: float) -> None:
        set_values(lambda old: {**old, path: float(value)})

    with solara.AppBar():
        solara.AppBarTitle("multivector: ensemble dashboard")
    with solara.Columns([1, 2.4]):
        with solara.Column():
            with solara.Card("Scenario"):
                solara.Select("Scenario", value=source, values=choices(default), on_value=pick)
                solara.SliderInt("Runs", value=runs, min=100, max=1000, step=50,
                                 on_value=set_runs)  # fmt: skip
                solara.Button("Back to the scenario's values", on_click=lambda: set_values({}),
                              text=True)  # fmt: skip
            with solara.Card("Levers and key assumptions"):
                Levers(source, values, move)
            with solara.Card("Save"):
                overrides = departures(loaded_scenario(source), values)
                SaveCard(source, overrides).key(f"save:{source}")
        with solara.Column():
            if task.error:
                solara.Error(str(task.exception))
            view = task.latest
            if view is None:
                solara.Markdown("Running the ensemble ...")
                solara.ProgressLinear(True)
            else:
                Charts(view, task.pending)
