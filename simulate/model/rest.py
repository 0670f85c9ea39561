"""The state at the start, calibrated to be a rest point.

Kazakhstan's positions at the start are observed (config data); its own preferred
positions are not. They are inferred, run by run, as the positions that make the
observed ones its best response to every pull on it at the start (revealed
preference), and every stock and reference level is set to its steady state. With
no trend and no event nothing then moves: every change in a run comes from
something the scenario or the trends say.

The rest point is computed from the *rest* parameters (config, the scenario's
``initial`` values, the run's draws). A scenario's ``parameters``, paths and events
are departures from it, applied from the first period.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulate.model import dynamics as dyn
from simulate.model import stages
from simulate.model.spec import RunSpec, StepParams

State = tuple[stages.PowerState, stages.HedgerState]


def start(spec: RunSpec, rest: StepParams, now: StepParams) -> State:
    """The powers' and Kazakhstan's state at the start of a run (the same for both drivers).

    Args:
        spec: The run specification.
        rest: Parameters of the rest point (:meth:`RunSpec.rest_params`).
        now: Parameters in force in the first period (:meth:`RunSpec.params_at`).

    Returns:
        The powers' state (R x P) and Kazakhstan's, with the rest point's references and
        stocks (routes, contracts, capacity under construction, memories) and the levels
        of ``now``; when ``now`` departs from nothing, the rest point itself. Departures
        act from the first period: a route built larger is taken up over its ramp.
    """
    pw_rest, hs_rest = settle(spec, rest)
    pw = _powers(now, spec, now.hedger["position"])
    for name in ("capacity_ref", "close_ref", "invest_ref", "security_ref", "price_ref"):
        setattr(pw, name, getattr(pw_rest, name))
    pw.effort, pw.success, pw.effect = pw_rest.effort, pw_rest.success, pw_rest.effect
    hs = replace(hs_rest, position=now.hedger["position"].copy())
    stages.record(hs, pw, now, spec)
    return pw, hs


def settle(spec: RunSpec, sp: StepParams) -> State:
    """The rest point of ``sp``: steady stocks, routes under contract at their desired
    split, the powers' standing efforts, and the own preferred positions that make the
    start's positions Kazakhstan's best response."""
    x0 = sp.hedger["position"]
    pw = _powers(sp, spec, x0)
    hs = _hedger(sp, spec, x0)
    hs.risk_ref = sp.hedger["transit_risk"] + stages.threat(pw, sp, spec)
    hs.risk = hs.risk_ref.copy()
    withheld = stages.usable_capacity(hs, sp, spec)
    hs.around_ref = dyn.last_sum(hs.own_capacity * spec.around)
    hs.contracted = stages.allocate(spec, sp.hedger, stages.preferences(hs, sp, spec),
                                    hs.own_capacity * (1.0 - withheld))
    hs.corridor = np.minimum(hs.corridor_capacity, np.maximum(sp.corridor["demand"], 0.0))
    stages.routes(hs, pw, sp, spec, spec.dt)
    stages.record(hs, pw, sp, spec)
    stages.decide(pw, sp.power, hedger_columns(sp), x0[:, None, :], hs.channels,
                  stages.support(pw, sp))  # fmt: skip
    stages.routes(hs, pw, sp, spec, spec.dt)
    pull = stages.pulls(hs, pw, sp, spec)
    hs.own = pull.own_ideal(x0)
    hs.base = pull.shifts(hs.own, x0)
    return pw, hs


def hedger_columns(sp: StepParams) -> dict[str, np.ndarray]:
    """The hedger's (R,) parameters shaped (R, 1), to broadcast against (R, P) power arrays."""
    return {k: v[:, None] for k, v in sp.hedger.items() if v.ndim == 1}


def _powers(sp: StepParams, spec: RunSpec, x: np.ndarray) -> stages.PowerState:
    p, h = sp.power, sp.hedger
    zero = np.zeros_like(p["capacity"])
    by_instrument = np.zeros_like(p["instrument_max"])
    inflow = np.maximum(p["fdi_inflow"], 0.0)
    at = x[:, None, :]
    roles = {}
    for idx, key in ((spec.investment, "invest_ref"), (spec.security, "security_ref")):
        roles[key] = np.ones_like(zero) if idx is None else dyn.issue_closeness(at, p["ideal"], idx)
    enforcement = zero if spec.enforcement is None else x[:, spec.enforcement][:, None]
    reexport = dyn.reexports(p["reexport_potential"], p["sanctioned"],
                             h["sanctions_intensity"][:, None], enforcement)  # fmt: skip
    return stages.PowerState(
        capacity=p["capacity"].copy(), trade_base=np.maximum(p["trade"] - reexport, 0.0),
        trade_potential=p["trade"].copy(), trade=p["trade"].copy(), reexport=reexport,
        fdi_inflow=inflow,
        fdi_stock=dyn.steady_stock(inflow, h["fdi_depreciation"][:, None], spec.dt),
        effort=by_instrument[..., None] * p["ideal"][..., None, :],
        success=by_instrument.copy(), effect=by_instrument.copy(),
        capacity_ref=p["capacity"].copy(),
        price_ref=np.broadcast_to(h["oil_price"][:, None], p["capacity"].shape).copy(),
        close_ref=dyn.closeness(at, p["ideal"], p["salience"]),
        **roles,
    )  # fmt: skip


def _hedger(sp: StepParams, spec: RunSpec, x: np.ndarray) -> stages.HedgerState:
    h, c, r = sp.hedger, sp.corridor, sp.route
    runs, n_i, n_p = x.shape[0], x.shape[1], len(spec.powers)
    n_m = len(spec.mechanisms)
    n_k = len(spec.routes)
    zero = np.zeros(runs)
    enforcement = x[:, spec.enforcement] if spec.enforcement is not None else zero
    total = c["demand"] + c["northern_volume"]
    share = np.divide(c["demand"], total, out=np.zeros_like(total), where=total > 0)
    const = dyn.corridor_base(share, c["time_weight"], c["transit_days"], c["northern_days"],
                              c["risk_weight"], stages.freight_risk(sp, spec))  # fmt: skip
    empty = np.zeros((runs, n_p))
    routes = np.zeros((runs, n_k))
    return stages.HedgerState(
        position=x.copy(), start=x.copy(), own=x.copy(),
        base=np.zeros((runs, n_m - 2, n_i)), noise=np.zeros((runs, n_i)),
        contributions=np.zeros((runs, n_m, n_i)), close=empty, alignment=empty,
        classes=np.zeros((runs, 1 + 2 * n_p)), captured=np.zeros(runs, dtype=bool),
        follow=np.zeros((runs, n_p, n_i)), agenda=empty,
        trade_share=empty, fdi_share=empty, flows=routes, nominal=routes,
        capacity=np.maximum(r["capacity_nominal"], 0.0).copy(), built=routes,
        pipeline=np.zeros((dyn.BUILD_STAGES, runs, n_k)), contracted=routes,
        own_capacity=routes, available=routes, transit=routes, orders=routes,
        corridor=zero, northern=zero, transit_days=c["transit_days"].copy(),
        corridor_const=const, corridor_capacity=np.maximum(c["capacity"], 0.0).copy(),
        corridor_built=zero, corridor_pipeline=np.zeros((dyn.BUILD_STAGES, runs)),
        risk=h["transit_risk"].copy(), loss=zero, intent=empty, investment=zero,
        leverage=empty, channels={}, oil_transit=empty, reached=empty, export_transit=empty,
        exposure=zero,
        income=zero, sanction_ref=h["sanctions_intensity"] * enforcement, risk_ref=zero,
        price_ref=h["oil_price"].copy(), around_ref=zero,
    )  # fmt: skip
