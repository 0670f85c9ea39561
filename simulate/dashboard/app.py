"""The dashboard page: a solara app whose levers are Mesa's visualisation inputs, and a
policy panel of the scenario's declared levers (:mod:`simulate.dashboard.policy`).

Served by :mod:`simulate.dashboard.server` (``simulate dashboard``), which passes the
scenario, the number of runs and the folder to save into through the environment
variables below. Each change of scenario, runs, a lever or the year it applies from
starts the ensemble in a background thread; while it runs the page keeps the last charts
and shows a progress bar, and a newer change supersedes an older one that has not
started yet.

Text is plain HTML (:func:`Prose`), not ``solara.Markdown``: that component loads a
math typesetter (KaTeX) and a diagram library into the page on every use, and the
typesetter is not among the offline assets (``solara-assets`` does not ship the KaTeX
version solara asks for), so the page would request files it cannot have.
"""

from __future__ import annotations

import dataclasses
import html
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import solara
import solara.settings

from simulate.dashboard.charts import all_charts
from simulate.dashboard.fans import Change, Ensemble, changes, ensemble, headline
from simulate.dashboard.levers import Changes, can_start_later, levers_of, setting
from simulate.dashboard.levers import changes as lever_changes
from simulate.dashboard.policy import describe, panel, policy, scenarios
from simulate.dashboard.save import save
from simulate.errors import InputError
from simulate.io.shipped import scenario_names
from simulate.model.modelspec import loaded_scenario


def _import_mesa_inputs():  # noqa: ANN202 - Mesa's types
    """Mesa's ``Slider`` and ``UserInputs``, imported with solara's hook check off.

    Solara checks the rules of hooks of every component as it is defined and warns
    about a break; Mesa 3.3's ``ComponentsView`` (defined when Mesa's visualisation is
    imported, and not used here) calls ``use_state`` after an early return, so the check
    would warn on every start of the server about code that is not ours. It stays on for
    this module's components.
    """
    before = solara.settings.main.check_hooks
    solara.settings.main.check_hooks = "off"
    try:
        from mesa.visualization import Slider
        from mesa.visualization.solara_viz import UserInputs
    finally:
        solara.settings.main.check_hooks = before
    return Slider, UserInputs


Slider, UserInputs = _import_mesa_inputs()

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
    changes: list[Change]
    moved: Changes
    chart_seconds: float
    policy: dict = dataclasses.field(default_factory=dict)


def compute(source: str, values: dict[str, float], runs: int,
            starts: dict[str, int] | None = None, settings: dict[str, float] | None = None,
            years: dict[str, int] | None = None) -> View:  # fmt: skip
    """The ensemble of ``source`` with the moved levers ``values`` (each from its year in
    ``starts``), against the unmodified scenario on the same runs; with a policy (the
    declared levers' ``settings``, each from its year in ``years``), the scenario under the
    policy against it under the baseline policy, both with the moved levers."""
    loaded = loaded_scenario(source)
    moved = lever_changes(loaded, values, starts)
    chosen = policy(loaded, settings or {}, years)
    if chosen:
        under, reference = scenarios(loaded, chosen)
        key = (source, runs, "baseline policy", tuple(sorted(moved.parameters.items())),
               repr(sorted(moved.paths.items())))  # fmt: skip
        if key not in _BASE:
            _BASE[key] = ensemble(reference, moved.parameters, runs, moved.paths)
        base = _BASE[key]
        modified = ensemble(under, moved.parameters, runs, moved.paths)
    else:
        key = (source, runs)
        if key not in _BASE:
            _BASE[key] = ensemble(loaded, {}, runs)
        base = _BASE[key]
        modified = ensemble(loaded, moved.parameters, runs, moved.paths) if moved else base
    t0 = time.perf_counter()
    charts = all_charts(modified, base)
    return View(modified, base, charts, headline(modified, base), changes(modified, base), moved,
                time.perf_counter() - t0, chosen)  # fmt: skip


def choices(default: str) -> list[str]:
    """The scenarios the page offers: the one it was started with, then the shipped ones."""
    return [default, *(n for n in scenario_names() if n != default)]


def _b(x: object) -> str:
    """``x`` escaped, in bold."""
    return f"<b>{html.escape(str(x))}</b>"


@solara.component
def Prose(text: str, style: str = "") -> None:
    """A paragraph of HTML text (callers escape what is not theirs)."""
    solara.HTML(tag="div", unsafe_innerHTML=text, style=style)


def lever_caption(label: str, value: float, moved: bool, note: str, start: int,
                  first: int, later: bool) -> str:  # fmt: skip
    """A lever's caption: its value, the scenario's, and the year it applies from."""
    when = (f"applies from {_b(start)}" + (" (before: as the scenario)" if start > first else "")
            if later else f"applies from {_b(first)}: the scenario draws it per run, so a "
            "lever fixes it for the whole horizon")  # fmt: skip
    return (f"{html.escape(label)}: {_b(f'{value:g}')}{' (moved)' if moved else ''} · scenario: "
            f"{html.escape(note)} · {when}")


@solara.component
def Levers(source: str, values: dict[str, float], starts: dict[str, int], on_change,
           on_start) -> None:  # noqa: ANN001
    """The sliders, each built as Mesa's ``Slider`` and drawn by Mesa's ``UserInputs``,
    under a caption with its value, the scenario's and the year it applies from, with a
    slider for that year.

    A slider whose scenario value lies off its step grid (a range's midpoint, 5.9 Mt/yr on
    a slider of whole Mt/yr) is snapped by the browser, which reports the snapped value
    back; that report, before the user has moved the lever, is not a move (:func:`snapped`).
    """
    loaded = loaded_scenario(source)
    hz = loaded.scenario.horizon
    for lever in levers_of(loaded):
        s = setting(loaded, lever.path)
        value = min(max(values.get(lever.path, s.value), lever.low), lever.high)
        later = can_start_later(loaded, lever.path)
        start = starts.get(lever.path, hz.start) if later else hz.start
        Prose(lever_caption(lever.label, value, lever.path in values, s.note, start, hz.start,
                            later), style="font-size: 0.85em; margin-bottom: -18px")  # fmt: skip
        slider = Slider("", value=value, min=lever.low, max=lever.high, step=lever.step,
                        dtype=float)  # fmt: skip
        UserInputs({lever.path: slider}, on_change=lambda path, v, low=lever.low,
                   step=lever.step, at=value: None if path not in values and snapped(
                       at, v, low, step) else on_change(path, v))  # fmt: skip
        solara.SliderInt(f"from {start}", value=start, min=hz.start, max=hz.end, step=1,
                         on_value=lambda y, p=lever.path: on_start(p, y), disabled=not later,
                         thumb_label=True)  # fmt: skip


def snapped(shown: float, reported: float, low: float, step: float) -> bool:
    """Whether ``reported`` is the browser's snap of ``shown`` to a slider's step grid."""
    grid = low + round((shown - low) / step) * step
    return abs(float(reported) - grid) <= step * 1e-6 and abs(grid - shown) > step * 1e-6


def policy_caption(label: str, value: float, status_quo: float, start: int, first: int,
                   later: bool) -> str:  # fmt: skip
    """A declared lever's caption: its setting, its status quo and the year it acts from."""
    moved = abs(value - status_quo) > 1e-12
    when = (f"from {_b(start)}" if later else f"in {_b(first)} only (the model reads it at the "
            "start)")  # fmt: skip
    return (f"{html.escape(label)}: {_b(f'{value:g}')}{' (moved)' if moved else ''} · status "
            f"quo {status_quo:g} · {when}")


@solara.component
def PolicyLevers(source: str, values: dict[str, float], starts: dict[str, int], on_value,
                 on_start) -> None:  # noqa: ANN001
    """The scenario's declared levers, one actor's at a time: a choice among a lever's
    options (or a slider over its range) and a slider for the year it acts from."""
    loaded = loaded_scenario(source)
    offered = panel(loaded)
    actors = list(dict.fromkeys(p.actor for p in offered))
    actor, set_actor = solara.use_state(actors[0] if actors else "")
    if not offered:
        Prose("This scenario declares no levers (a <code>levers:</code> section).")
        return
    solara.Select("Whose levers", value=actor if actor in actors else actors[0], values=actors,
                  on_value=set_actor)  # fmt: skip
    end = loaded.scenario.horizon.end
    for p in offered:
        if p.actor != (actor if actor in actors else actors[0]):
            continue
        value = values.get(p.name, p.status_quo)
        start = starts.get(p.name, p.first)
        Prose(policy_caption(p.label, value, p.status_quo, start, p.first, p.later),
              style="font-size: 0.85em; margin-top: 6px")  # fmt: skip
        if p.options is not None:
            choices = [f"{v:g}" for v in dict.fromkeys((p.status_quo, *p.options))]
            solara.Select("setting", value=f"{value:g}", values=choices,
                          on_value=lambda v, n=p.name: on_value(n, float(v)))  # fmt: skip
        else:
            solara.SliderFloat("setting", value=value, min=p.low, max=p.high, step=p.step,
                               on_value=lambda v, n=p.name: on_value(n, float(v)),
                               thumb_label=True)  # fmt: skip
        solara.SliderInt(f"from {start}", value=start, min=p.first, max=end, step=1,
                         on_value=lambda y, n=p.name: on_start(n, int(y)), disabled=not p.later,
                         thumb_label=True)  # fmt: skip


@solara.component
def SaveCard(source: str, moved: Changes, runs: int, chosen: dict | None = None) -> None:
    """A file name and a button that saves the settings (and the runs) as a scenario; under
    a policy, the scenario with the policy applied, resolved."""
    loaded = loaded_scenario(source)
    folder = Path(os.environ.get(ENV_SAVE_DIR) or Path.cwd())
    default = str(folder / f"{loaded.scenario.name}_dashboard.yaml")
    target, set_target = solara.use_state(default)
    message, set_message = solara.use_state(("", ""))

    def do_save() -> None:
        try:
            under = loaded if not chosen else dataclasses.replace(
                scenarios(loaded, chosen)[0], file=f"{loaded.file} ({describe(chosen)})")
            path = save(under, moved, target, runs=runs)
        except InputError as exc:
            set_message(("error", exc.format()))
        else:
            set_message(("ok", f"saved {path} ({runs} runs)"))

    solara.InputText("Scenario file", value=target, on_value=set_target)
    solara.Button("Save as scenario YAML", on_click=do_save, color="primary")
    kind, text = message
    if kind == "ok":
        solara.Success(text)
    elif kind == "error":
        solara.Error(text)


def _signed(x: float) -> str:
    return f"{x:+.3f}" if abs(x) >= 5e-4 or x == 0 else f"{x:+.1e}"


def changes_line(view: View) -> str:
    """The headline: the largest paired changes at the horizon's end, with their intervals."""
    m = view.modified
    year = f"{m.times[-1]:g}"
    against = "the baseline policy" if view.policy else "the scenario"
    if not view.moved and not view.policy:
        return f"No lever moved: the charts show {html.escape(m.scenario)} as it is."
    if not view.changes:
        return (f"Largest changes at {year} against {against}: none whose 95% interval "
                f"excludes zero ({m.runs} paired runs).")  # fmt: skip
    items = [f"{html.escape(c.what)} {_b(_signed(c.difference.mean))} "
             f"[{_signed(c.difference.low)}, {_signed(c.difference.high)}]"
             for c in view.changes]  # fmt: skip
    return (f"Largest changes at {year} against {against} ({m.runs} paired runs, 95% "
            f"interval): " + " · ".join(items))


@solara.component
def Charts(view: View, pending: bool) -> None:
    """Status, the headline (largest changes, then medians) and the four charts."""
    m = view.modified
    Prose(f"{_b(f'{m.runs} runs')} of <i>{html.escape(m.scenario)}</i> (seed {m.seed}) on the "
          f"batched driver in {_b(f'{m.seconds:.2f} s')}, charts in {view.chart_seconds:.2f} s. "
          f"Levers moved: {html.escape(view.moved.describe())}. Policy: "
          f"{html.escape(describe(view.policy))}. Coloured: these settings (median, 25-75% and "
          "5-95%); dashed and dotted: " + ("the baseline policy (every lever at its status quo)"
                                          if view.policy else "the unmodified scenario") + ".")
    if pending:
        solara.ProgressLinear(True)
    Prose(changes_line(view), style="margin-top: 6px")
    year = f"{m.times[-1]:g}"
    ref = "baseline policy" if view.policy else "scenario"
    rows = " · ".join(f"{html.escape(what)} {a:.3f} ({ref} {b:.3f})"
                      for what, a, b in view.headline)  # fmt: skip
    Prose(f"Median at {year}: {rows}", style="margin: 6px 0")
    with solara.GridFixed(columns=2):
        for name in ("alignment", "leverage", "position", "outcome"):
            solara.Image(view.charts[name], format="png", width="100%")


@solara.component
def Page() -> None:
    """The dashboard."""
    default = os.environ.get(ENV_SCENARIO, "baseline")
    source, set_source = solara.use_state(default)
    values, set_values = solara.use_state({})
    starts, set_starts = solara.use_state({})
    settings, set_settings = solara.use_state({})
    years, set_years = solara.use_state({})
    runs, set_runs = solara.use_state(int(os.environ.get(ENV_RUNS, DEFAULT_RUNS)))

    def run() -> View | None:
        time.sleep(SETTLE)
        with _LOCK:
            if not task.is_current():
                return None  # superseded by a newer change while it waited
            return compute(source, values, runs, starts, settings, years)

    key = (tuple(sorted(values.items())), tuple(sorted(starts.items())),
           tuple(sorted(settings.items())), tuple(sorted(years.items())))
    task = solara.lab.use_task(run, dependencies=[source, key, runs], raise_error=False)

    def pick(name: str) -> None:
        reset()
        set_source(name)

    def move(path: str, value: float) -> None:
        set_values(lambda old: {**old, path: float(value)})

    def start_at(path: str, year: int) -> None:
        set_starts(lambda old: {**old, path: int(year)})

    def reset() -> None:
        set_values({})
        set_starts({})
        set_settings({})
        set_years({})

    def set_lever(name: str, value: float) -> None:
        set_settings(lambda old: {**old, name: float(value)})

    def set_year(name: str, year: int) -> None:
        set_years(lambda old: {**old, name: int(year)})

    with solara.AppBar():
        solara.AppBarTitle("multivector: ensemble dashboard")
    with solara.Columns([1, 2.4]):
        with solara.Column():
            with solara.Card("Scenario"):
                solara.Select("Scenario", value=source, values=choices(default), on_value=pick)
                solara.SliderInt(f"Runs per ensemble: {runs}", value=runs, min=100, max=1000,
                                 step=50, on_value=set_runs, thumb_label=True)  # fmt: skip
                solara.Button("Back to the scenario's values", on_click=reset, text=True)
            with solara.Card("Policy: the scenario's levers"):
                PolicyLevers(source, settings, years, set_lever, set_year).key(f"policy:{source}")
            with solara.Card("Levers and key assumptions"):
                Levers(source, values, starts, move, start_at)
            with solara.Card("Save"):
                try:
                    moved = lever_changes(loaded_scenario(source), values, starts)
                    chosen = policy(loaded_scenario(source), settings, years)
                except InputError:
                    moved, chosen = Changes(), {}
                SaveCard(source, moved, runs, chosen).key(f"save:{source}")
        with solara.Column():
            if task.error:
                solara.Error(str(task.exception))
            view = task.latest
            if view is None:
                Prose("Running the ensemble ...")
                solara.ProgressLinear(True)
            else:
                Charts(view, task.pending)
