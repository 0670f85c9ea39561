"""The four stages of a period, wiring the equations of :mod:`simulate.dynamics`.

Each stage is a pure function of arrays. Per-power stages are elementwise, so a
Mesa agent calls them on its own column (shape ``(R,)``) and the batched driver
on the whole ``(R, P)`` matrix; coupled stages take every actor at once. Neither
driver computes anything that is not in this module or in ``dynamics``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulate import dynamics as dyn
from simulate.spec import RunSpec, StepParams

Array = np.ndarray


@dataclass
class PowerState:
    """What the powers hold (R x P, or (R,) for one power)."""

    capacity: Array
    inducement: Array
    coercion: Array
    trade: Array
    fdi_inflow: Array
    fdi_stock: Array


@dataclass
class HedgerState:
    """What Kazakhstan holds and the outcomes recorded at the end of a period."""

    alignment: Array  # (R, P)
    reference: Array  # (R, P) initial alignment: powers react to drift from it
    compliance: Array  # (R,)
    flows: Array  # (R, K) oil flows by route
    corridor: Array  # (R,) corridor freight volume
    transit_days: Array  # (R,)
    reference_days: Array  # (R,)
    other_fdi: Array  # (R,) FDI stock from sources outside the modelled powers
    leverage: Array  # (R, P)
    channels: dict[str, Array]  # channel -> (R, P)
    oil_transit: Array  # (R, P)
    export_transit: Array  # (R, P)
    exposure: Array  # (R,)
    captured: Array  # (R,) bool


# --- initialisation -------------------------------------------------------------------------


def init_powers(p: dict[str, Array], stock_total: Array) -> PowerState:
    """Powers at the start: config capacity, trade and FDI (elementwise).

    ``stock_total`` is the hedger's FDI stock, shaped to broadcast against ``p``.
    """
    zero = np.zeros_like(p["capacity"])
    return PowerState(
        capacity=p["capacity"].copy(), inducement=zero, coercion=zero.copy(),
        trade=p["trade"].copy(), fdi_inflow=np.maximum(p["fdi_inflow"], 0.0),
        fdi_stock=np.maximum(p["fdi_share"], 0.0) * stock_total,
    )  # fmt: skip


def init_hedger(sp: StepParams, spec: RunSpec, pw: PowerState) -> HedgerState:
    """Kazakhstan at the start, with the outcomes of the initial state recorded."""
    w = np.maximum(sp.power["initial_alignment"], 0.0)
    wsum = dyn.last_sum(w, keepdims=True)
    n = w.shape[-1]
    align = np.divide(w, wsum, out=np.full_like(w, 1.0 / n), where=wsum > 0)
    h = sp.hedger
    stock_share = dyn.last_sum(np.clip(sp.power["fdi_share"], 0.0, None))
    runs = align.shape[0]
    hs = HedgerState(
        alignment=align, reference=align.copy(), compliance=np.clip(h["compliance"], 0.0, 1.0),
        flows=np.zeros((runs, len(spec.routes))), corridor=np.zeros(runs),
        transit_days=sp.corridor["transit_days"].copy(),
        reference_days=sp.corridor["transit_days"].copy(),
        other_fdi=h["fdi_stock"] * np.clip(1.0 - stock_share, 0.0, None),
        leverage=np.zeros_like(align), channels={}, oil_transit=np.zeros_like(align),
        export_transit=np.zeros_like(align), exposure=np.zeros(runs),
        captured=np.zeros(runs, dtype=bool),
    )  # fmt: skip
    routes_and_corridor(hs, sp)
    record(hs, pw, sp, spec)
    return hs


# --- stage 1: powers act (elementwise per power) ---------------------------------------------


def power_act(
    pw: PowerState, p: dict[str, Array], alignment: Array, reference: Array, dt: float
) -> None:
    """A power grows or loses capacity and sets its inducements and coercion."""
    pw.capacity = dyn.grow_capacity(pw.capacity, p["capacity_growth"], dt)
    prs = dyn.pressure(reference, alignment, p["reactivity"])
    pw.inducement, pw.coercion = dyn.instruments(pw.capacity, p["inducement"], p["coercion"], prs)


# --- stage 2: Kazakhstan responds (couples the powers) --------------------------------------


def hedger_respond(
    hs: HedgerState, trade: Array, fdi_stock: Array, inducement: Array, coercion: Array,
    sp: StepParams, noise: Array, dt: float,
) -> None:  # fmt: skip
    """Kazakhstan re-weights its alignment towards the powers that pay off."""
    h = sp.hedger
    u = dyn.utilities(
        trade_share=dyn.shares(trade, h["rest_of_world_trade"]),
        fdi_share=dyn.shares(fdi_stock, hs.other_fdi),
        inducement=inducement, coercion=coercion, leverage=hs.leverage,
        sanctioned=sp.power["sanctioned"], intensity=h["sanctions_intensity"],
        compliance=hs.compliance, noise=noise,
        weights={k: h[k] for k in ("payoff_trade", "payoff_investment", "payoff_inducement",
                                   "coercion_response", "sanctions_aversion", "choice_noise")},
    )  # fmt: skip
    hs.alignment = dyn.realign(
        hs.alignment, u, temperature=h["choice_temperature"],
        balance_preference=h["balance_preference"], inertia=h["inertia"], dt=dt,
    )  # fmt: skip


# --- stage 3: economy and routes ---------------------------------------------------------------


def power_economy(
    pw: PowerState, p: dict[str, Array], h: dict[str, Array], alignment: Array,
    reference: Array, compliance: Array, n_powers: int, old_capacity: Array, dt: float,
) -> None:  # fmt: skip
    """A power's trade and investment with Kazakhstan move (elementwise per power).

    ``compliance`` is Kazakhstan's compliance at the start of the period; it is
    updated in the same stage by :func:`hedger_economy`, which reads nothing
    this function writes.
    """
    pw.trade = dyn.grow_trade(
        pw.trade, growth=p["trade_growth"], alignment=alignment, n_powers=n_powers,
        elasticity=h["trade_alignment_elasticity"], drag=h["sanctions_trade_drag"],
        compliance=compliance, intensity=h["sanctions_intensity"], sanctioned=p["sanctioned"],
        capacity_ratio=np.divide(pw.capacity, old_capacity, out=np.ones_like(pw.capacity),
                                 where=old_capacity > 0), dt=dt,
    )  # fmt: skip
    pw.fdi_inflow = dyn.fdi_inflow(
        p["fdi_inflow"], capacity=pw.capacity, alignment=alignment,
        initial_alignment=reference, elasticity=h["fdi_alignment_elasticity"],
    )  # fmt: skip
    pw.fdi_stock = dyn.accumulate_stock(pw.fdi_stock, pw.fdi_inflow, h["fdi_depreciation"], dt)


def hedger_economy(hs: HedgerState, sp: StepParams, dt: float) -> None:
    """Kazakhstan's compliance, oil routes and corridor freight move."""
    h = sp.hedger
    hs.compliance = dyn.update_compliance(
        hs.compliance, intensity=h["sanctions_intensity"],
        sensitivity=h["compliance_sensitivity"], rate=h["compliance_rate"], dt=dt,
    )  # fmt: skip
    routes_and_corridor(hs, sp)


def routes_and_corridor(hs: HedgerState, sp: StepParams) -> None:
    """Oil flows by route and Middle Corridor freight from this period's capacities."""
    hs.flows = dyn.allocate_routes(
        sp.hedger["oil_exports"], sp.route["preference"], sp.route["capacity"]
    )
    c = sp.corridor
    hs.transit_days = c["transit_days"].copy()
    hs.corridor = dyn.corridor_volume(
        c["capacity"], c["demand"], c["transit_days"], hs.reference_days, c["time_elasticity"]
    )


# --- stage 4: outcomes ------------------------------------------------------------------------


def record(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> None:
    """Leverage per channel, balance, sanctions exposure and capture at the period's end."""
    h, p = sp.hedger, sp.power
    trade_share = dyn.shares(pw.trade, h["rest_of_world_trade"])
    fdi_share = dyn.shares(pw.fdi_stock, hs.other_fdi)
    hs.oil_transit, hs.export_transit = dyn.transit_shares(
        dyn.route_shares(hs.flows), spec.crosses, freight_crosses=spec.freight_crosses,
        northern_volume=sp.corridor["northern_volume"], corridor=hs.corridor,
        oil_weight=h["oil_export_weight"],
    )  # fmt: skip
    zero = np.zeros_like(trade_share)
    dependence = {
        "trade": (trade_share, p["partner_dependence"]),
        "transit": (hs.export_transit, p["transit_reliance"]),
        "investment": (fdi_share, zero),
        "security": (p["security_tie"], zero),
        "identity": (p["identity_tie"], zero),
    }
    hs.channels = {c: dyn.channel_leverage(d, r, pw.capacity) for c, (d, r) in dependence.items()}
    hs.leverage = dyn.leverage(hs.channels, {c: h[f"weight_{c}"] for c in dyn.CHANNELS})
    hs.exposure = dyn.sanctions_exposure(
        h["sanctions_intensity"], hs.compliance, p["sanctioned"], trade_share
    )
    hs.captured = dyn.is_captured(
        hs.captured, hs.alignment, hs.leverage,
        alignment_threshold=h["alignment_threshold"], leverage_threshold=h["leverage_threshold"],
    )  # fmt: skip


def observe(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> dict[str, Array]:
    """Every output variable as an (R, entities) array (one column when it has no entity)."""
    h = sp.hedger
    route_share = dyn.route_shares(hs.flows)
    powers = spec.powers
    via_russia = (
        hs.oil_transit[:, powers.index("russia")] if "russia" in powers
        else np.zeros(hs.oil_transit.shape[0])
    )  # fmt: skip
    col = lambda x: np.asarray(x, dtype=float).reshape(-1, 1)  # noqa: E731
    out = {
        "alignment": hs.alignment,
        "leverage": hs.leverage,
        "balance_index": col(dyn.balance_index(hs.alignment)),
        "trade": pw.trade,
        "trade_share": dyn.shares(pw.trade, h["rest_of_world_trade"]),
        "oil_route_share": route_share,
        "oil_transit_share": hs.oil_transit,
        "oil_via_russia_share": col(via_russia),
        "export_transit_share": hs.export_transit,
        "corridor_volume": col(hs.corridor),
        "corridor_transit_days": col(hs.transit_days),
        "fdi_inflow": pw.fdi_inflow,
        "capacity": pw.capacity,
        "compliance": col(hs.compliance),
        "sanctions_exposure": col(hs.exposure),
        "captured": col(hs.captured),
    }
    out.update({f"leverage_{c}": hs.channels[c] for c in dyn.CHANNELS})
    return {k: out[k] for k in spec.outputs}
