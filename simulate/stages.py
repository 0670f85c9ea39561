"""The stages of a period, wiring the equations of :mod:`simulate.dynamics`.

A period runs: the powers' capacities move -> each power decides its pressure and
inducements -> Kazakhstan chooses its positions -> trade, investment and routes
respond -> leverage, alignment and outcomes are recorded. Per-power stages are
elementwise, so a Mesa agent calls them on its own slice (shapes ``(R,)`` and
``(R, I)``) and the batched driver on the whole arrays (``(R, P)`` and
``(R, P, I)``); coupled stages take every actor at once. Neither driver computes
anything that is not in this module or in ``dynamics``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from simulate import dynamics as dyn
from simulate.spec import RunSpec, StepParams

Array = np.ndarray


@dataclass
class PowerState:
    """What the powers hold: arrays (R,) for one power, (R, P) for all of them."""

    capacity: Array
    trade_base: Array  # trade before politics, sanctions and coercion (trend x capacity)
    trade_potential: Array  # trade before coercion: what Kazakhstan depends on
    trade: Array  # realised trade
    fdi_inflow: Array
    fdi_stock: Array
    effort: dict[str, Array] = field(default_factory=dict)  # instrument -> effort by issue
    success: dict[str, Array] = field(default_factory=dict)  # instrument -> P(give way)
    # fixed at the rest point of the start:
    capacity_ref: Array | None = None
    close_ref: Array | None = None  # closeness of Kazakhstan's positions to the power
    invest_ref: Array | None = None  # closeness on the investment issue
    security_ref: Array | None = None  # closeness on the security issue


@dataclass
class HedgerState:
    """What Kazakhstan holds and the outcomes recorded at the end of a period."""

    position: Array  # (R, I)
    start: Array  # (R, I) positions at the start (the rest point)
    own: Array  # (R, I) own preferred positions (revealed at the rest point)
    base: Array  # (R, M, I) the mechanisms' shifts at the rest point
    noise: Array  # (R, I) the smoothed effect of the quantal-response shocks
    contributions: Array  # (R, M + 2, I) mechanisms, inertia, noise: sum = position - start
    close: Array  # (R, P)
    alignment: Array  # (R, P)
    classes: Array  # (R, 1 + 2P)
    captured: Array  # (R,) bool
    trade_share: Array  # (R, P) realised
    fdi_share: Array  # (R, P)
    flows: Array  # (R, K) realised oil flows
    nominal: Array  # (R, K) oil flows on undisrupted capacity (for leverage)
    corridor: Array  # (R,) Middle Corridor freight
    northern: Array  # (R,) northern-route freight
    transit_days: Array  # (R,)
    corridor_const: Array  # (R,) constant of the freight split, fixed at the start
    risk: Array  # (R,) transit risk Kazakhstan perceives on routes crossing the avoided power
    loss: Array  # (R,) remembered share of the capacity across it that shocks took out
    leverage: Array  # (R, P)
    channels: dict[str, Array]  # channel -> (R, P)
    oil_transit: Array  # (R, P)
    export_transit: Array  # (R, P)
    exposure: Array  # (R,)
    income: Array  # (R,) oil export income
    sanction_ref: Array  # (R,) intensity x enforcement at the start


# --- stage 1: the powers -------------------------------------------------------------------


def grow(pw: PowerState, p: dict[str, Array], dt: float) -> Array:
    """A power's capacity moves; returns the capacity it had before (elementwise)."""
    before = pw.capacity
    pw.capacity = dyn.grow_capacity(pw.capacity, p["capacity_growth"], dt)
    return before


def decide(
    pw: PowerState, p: dict[str, Array], h: dict[str, Array], position: Array,
    channels: dict[str, Array], support: Array,
) -> None:  # fmt: skip
    """A power sets its effort with every instrument on every issue (elementwise per power).

    ``position`` broadcasts against the power's ideals; ``h`` holds the hedger's
    parameters shaped to broadcast against the power's arrays; ``channels`` are the
    leverages recorded at the end of the last period. Efforts have the issue axis last.
    """
    stake = dyn.stakes(position, p["ideal"], p["salience"])
    for name, channel in dyn.INSTRUMENTS.items():
        bite = channels[channel]
        if name == "secondary_sanctions":  # they bite as hard as the West enforces
            bite = bite * h["sanctions_intensity"]
        pw.success[name] = dyn.give_way(bite, h["resolve"], support)
        rule = dyn.effort(stake, pw.success[name], h["backlash"], p[f"{name}_cost"],
                          p["reactivity"])
        # a coercion campaign (an event) holds the effort at least at its floor, beyond
        # the ceiling the power's own rule respects; only instruments the power holds
        floor = np.where(p[f"{name}_max"] > 0, np.clip(p[f"{name}_floor"], 0.0, 1.0), 0.0)
        pw.effort[name] = dyn.allot(rule, stake, p[f"{name}_max"] * pw.capacity, floor)
    pw.success["inducement"] = dyn.give_way(h["payoff_inducement"], h["resolve"], support)
    rule = dyn.effort(stake, pw.success["inducement"], np.zeros_like(support),
                      p["inducement_cost"], p["reactivity"])
    pw.effort["inducement"] = dyn.allot(rule, stake, p["inducement_max"] * pw.capacity, 0.0)


def action(p: dict[str, Array], instrument: str) -> Array:
    """The share of an instrument's reach a power carries out (a campaign), elementwise."""
    return dyn.carried_out(p[f"{instrument}_floor"], p[f"{instrument}_max"])


def used(pw: PowerState, instrument: str) -> Array:
    """The effort a power puts into an instrument, over all issues: the action taken."""
    return dyn.last_sum(pw.effort[instrument])


def support(pw: PowerState, sp: StepParams) -> Array:
    """Third-party backing Kazakhstan has against each power (couples the powers)."""
    return dyn.backing(pw.capacity, dyn.opposition(sp.power["ideal"], sp.power["salience"]))


# --- stage 2: Kazakhstan chooses its positions (couples the powers) -----------------------


def components(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> tuple:
    """Every pull on Kazakhstan's positions: weights and targets (R x C x I), in order

    own doctrine; ties to each power (trade and investment); each power's inducements;
    each power's pressure, as far as it works (towards its ideals); economics: transit
    risk on the routing issue (towards the largest share the routes around the avoided
    power can carry); cost, on the routing issue towards the smallest share capacity
    forces around it (the routes across it are the cheapest) and on the enforcement
    issue towards none, in proportion to the trade with sanctioned partners that
    enforcement puts at risk.

    A unit of pressure works with weight effectiveness(P, backlash), the quantity the
    power's own rule weighs: zero without vulnerability, and more vulnerability never
    moves Kazakhstan away from the presser.
    """
    h, p = sp.hedger, sp.power
    s = p["salience"]  # (R, P, I)
    ideal = p["ideal"]
    ties = (h["payoff_trade"][:, None] * hs.trade_share
            + h["payoff_investment"][:, None] * hs.fdi_share)  # fmt: skip
    phi = h["coercion_response"][:, None, None]
    works = phi * sum(pw.effort[j] * dyn.effectiveness(pw.success[j],
                                                       h["backlash"][:, None])[..., None]
                      for j in dyn.INSTRUMENTS)  # fmt: skip
    risk_w, risk_t = np.zeros_like(hs.position), hs.position.copy()
    cost_w, cost_t = np.zeros_like(hs.position), hs.position.copy()
    if spec.enforcement is not None:  # enforcing costs trade with the sanctioned partners
        sanctioned = dyn.last_sum(p["sanctioned"] * hs.trade_share)
        cost_w[:, spec.enforcement] = h["enforcement_cost_aversion"] * sanctioned
        cost_t[:, spec.enforcement] = 0.0
    if spec.routing is not None:
        lowest, highest = bypass_bounds(sp, spec)
        risk_w[:, spec.routing] = h["route_risk_aversion"] * hs.risk
        risk_t[:, spec.routing] = highest
        cost_w[:, spec.routing] = h["route_cost_aversion"]
        cost_t[:, spec.routing] = lowest
    weights = [(h["balance_preference"][:, None] * h["salience"])[:, None, :],
               s * ties[..., None],
               h["payoff_inducement"][:, None, None] * pw.effort["inducement"],
               works, risk_w[:, None, :], cost_w[:, None, :]]  # fmt: skip
    targets = [hs.own[:, None, :], ideal, ideal, ideal, risk_t[:, None, :],
               cost_t[:, None, :]]
    return np.concatenate(weights, axis=1), np.concatenate(targets, axis=1)


def bypass_bounds(sp: StepParams, spec: RunSpec) -> tuple[Array, Array]:
    """Smallest and largest share of oil exports that can avoid the avoided power (R,).

    The largest is what the routes around it can carry; the smallest is what the routes
    across it cannot.
    """
    cap = sp.route["capacity"]
    demand = sp.hedger["oil_exports"]
    around = dyn.last_sum(cap * (1.0 - spec.avoids))
    across = dyn.last_sum(cap * spec.avoids)
    share = lambda x: np.clip(np.divide(x, demand, out=np.ones_like(x),  # noqa: E731
                                        where=demand > 0), 0.0, 1.0)
    return np.clip(1.0 - share(across), 0.0, 1.0), share(around)


def mechanism_shifts(weights: Array, targets: Array, start: Array, n_powers: int) -> Array:
    """The components' shifts grouped into the reported mechanisms (R x M x I).

    own, ties:<p>..., inducement:<p>..., pressure:<p>..., economics.
    """
    raw = dyn.shifts(weights, targets, start)
    n = n_powers
    own, ties, ind = raw[:, :1], raw[:, 1 : 1 + n], raw[:, 1 + n : 1 + 2 * n]
    pressure = raw[:, 1 + 2 * n : 1 + 3 * n]
    economics = raw[:, -2:-1] + raw[:, -1:]
    return np.concatenate([own, ties, ind, pressure, economics], axis=1)


def respond(
    hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec, shock: Array, dt: float
) -> None:
    """Kazakhstan moves its positions towards its noisy best response, and the move is
    decomposed into the mechanisms that made it."""
    h = sp.hedger
    weights, targets = components(hs, pw, sp, spec)
    best = dyn.best_response(weights, targets)
    chosen = dyn.quantal(best, shock, h["choice_noise"])
    keep = (h["inertia"] ** dt)[:, None]
    hs.noise = keep * hs.noise + (1.0 - keep) * (chosen - best)
    hs.position = dyn.adjust(hs.position, chosen, h["inertia"], dt)
    moved = mechanism_shifts(weights, targets, hs.start, len(spec.powers)) - hs.base
    lag = hs.position - hs.start - dyn.last_sum(moved.transpose(0, 2, 1)) - hs.noise
    hs.contributions = np.concatenate([moved, lag[:, None, :], hs.noise[:, None, :]], axis=1)


# --- stage 3: economy and routes -----------------------------------------------------------


def economy(
    pw: PowerState, p: dict[str, Array], h: dict[str, Array], position: Array,
    enforcement: Array, sanction_ref: Array, before: Array, investment: int | None,
    dt: float,
) -> None:  # fmt: skip
    """A power's trade and investment with Kazakhstan respond (elementwise per power).

    ``position`` broadcasts against the power's ideals; ``enforcement`` (Kazakhstan's
    position on sanctions enforcement), ``sanction_ref`` (intensity x enforcement at the
    start) and ``h`` against its (R,) or (R, P) arrays; ``before`` is its capacity before
    this period's growth; ``investment`` the investment issue's index.
    """
    ratio = np.divide(pw.capacity, before, out=np.ones_like(pw.capacity), where=before > 0)
    pw.trade_base = pw.trade_base * np.exp(p["trade_growth"] * dt) * ratio
    close = dyn.closeness(position, p["ideal"], p["salience"])
    pw.trade_potential = (
        pw.trade_base * dyn.political_factor(close, pw.close_ref, h["trade_alignment_elasticity"])
        * dyn.sanctions_factor(p["sanctioned"], enforcement, h["sanctions_intensity"],
                               sanction_ref, h["sanctions_trade_drag"])
    )  # fmt: skip
    sanctions = action(p, "secondary_sanctions")
    pw.trade = pw.trade_potential * (1.0 - sanctions * (1.0 - enforcement))
    pull = 1.0 if investment is None else dyn.political_factor(
        issue_closeness(position, p, investment), pw.invest_ref, h["fdi_alignment_elasticity"])
    scale = np.minimum(pw.capacity, 1.0) / np.maximum(np.minimum(pw.capacity_ref, 1.0), 1e-9)
    pw.fdi_inflow = (np.maximum(p["fdi_inflow"], 0.0) * scale * pull
                     * (1.0 - action(p, "investment_freeze")))  # fmt: skip
    pw.fdi_stock = dyn.accumulate_stock(pw.fdi_stock, pw.fdi_inflow, h["fdi_depreciation"], dt)


def issue_closeness(position: Array, p: dict[str, Array], issue: int) -> Array:
    """1 - |position - ideal| on one issue (elementwise per power)."""
    return 1.0 - np.abs(position[..., issue] - p["ideal"][..., issue])


def routes(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec, dt: float) -> None:
    """Oil flows by route (nominal and disrupted), freight, income and perceived transit risk."""
    h, c = sp.hedger, sp.corridor
    avoid = 0.0 if spec.routing is None else hs.position[:, spec.routing]
    pref = dyn.route_preferences(avoid, sp.route["preference"], spec.avoids)
    nominal_cap = sp.route["capacity_nominal"]
    hs.nominal = dyn.allocate_routes(h["oil_exports"], pref, nominal_cap)
    withheld = np.clip(action(sp.power, "transit_disruption") @ spec.crosses.T, 0.0, 1.0)
    capacity = sp.route["capacity"] * (1.0 - withheld)
    hs.flows = dyn.allocate_routes(h["oil_exports"], pref, capacity)
    fade = np.exp(-dt / np.maximum(h["loss_memory"], 1e-9))
    hs.loss = fade * hs.loss + (1.0 - fade) * disrupted(sp, spec)
    hs.income = dyn.last_sum(hs.flows) * h["oil_price"]
    hs.risk = h["transit_risk"] + threat(pw, sp, spec) + hs.loss
    hs.transit_days = c["transit_days"].copy()
    freight(hs, sp, spec)


def disrupted(sp: StepParams, spec: RunSpec) -> Array:
    """Share of the capacity across the avoided power that a shock takes out now (R,).

    Shocks are what the scenario imposes: outages (route disruptions) and the avoided
    power's coercion campaigns. They reveal a risk whether or not the exports find
    another route, and Kazakhstan remembers them. The power's own rule-chosen pressure
    is already in the threat (its capability) and in its pull on the positions.
    """
    across = dyn.last_sum(sp.route["capacity_nominal"] * spec.avoids)
    left = dyn.last_sum(sp.route["capacity"] * spec.avoids)
    outage = np.divide(left, across, out=np.ones_like(left), where=across > 0)
    campaign = np.clip(sp.power["transit_disruption_floor"] @ spec.avoided, 0.0, 1.0)
    return np.clip(1.0 - outage * (1.0 - campaign), 0.0, 1.0)


def threat(pw: PowerState, sp: StepParams, spec: RunSpec) -> Array:
    """What the avoided power could withhold: its transit-disruption ceiling (R,).

    A hedger hedges against capabilities, not this period's intentions: the threat does
    not fall because the power chooses not to use it.
    """
    ceiling = sp.power["transit_disruption_max"] * np.clip(pw.capacity, 0.0, None)
    return ceiling @ spec.avoided


def freight_risk(sp: StepParams, spec: RunSpec) -> Array:
    """Sanctions risk premium of the northern freight route: intensity x sanctioned crossed."""
    crossed = np.clip(sp.power["sanctioned"] @ spec.freight_crosses, 0.0, 1.0)
    return sp.hedger["sanctions_intensity"] * crossed


def freight(hs: HedgerState, sp: StepParams, spec: RunSpec) -> None:
    """China-Europe overland freight: the Middle Corridor's share by time and risk, capped."""
    c = sp.corridor
    total = np.maximum(c["demand"] + c["northern_volume"], 0.0)
    share = dyn.corridor_share(hs.corridor_const, c["time_weight"], c["transit_days"],
                               c["northern_days"], c["risk_weight"], freight_risk(sp, spec))
    hs.corridor = np.minimum(np.maximum(c["capacity"], 0.0), total * share)
    hs.northern = total - hs.corridor


# --- stage 4: outcomes ---------------------------------------------------------------------


def record(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> None:
    """Shares, leverage per channel, alignment, outcome class and capture at the period's end."""
    h, p = sp.hedger, sp.power
    hs.trade_share = dyn.shares(pw.trade, h["rest_of_world_trade"])
    other = dyn.steady_stock(h["other_fdi_inflow"], h["fdi_depreciation"], spec.dt)
    hs.fdi_share = dyn.shares(pw.fdi_stock, other)
    potential_share = dyn.shares(pw.trade_potential, h["rest_of_world_trade"])
    oil_cross = dyn.crossing(hs.nominal, spec.crosses)
    oil_free = dyn.substitution(hs.nominal, sp.route["capacity_nominal"], spec.crosses)
    total = np.maximum(hs.corridor + hs.northern, 0.0)
    north = np.divide(hs.northern, total, out=np.zeros_like(total), where=total > 0)
    spare = np.maximum(sp.corridor["capacity"] - hs.corridor, 0.0)
    freight_free = np.clip(np.divide(spare, hs.northern, out=np.ones_like(spare),
                                     where=hs.northern > 0), 0.0, 1.0)  # fmt: skip
    w = h["oil_export_weight"][:, None]
    freight_cross = north[:, None] * spec.freight_crosses
    hs.oil_transit = dyn.crossing(hs.flows, spec.crosses)
    hs.export_transit = np.clip(w * hs.oil_transit + (1.0 - w) * freight_cross, 0.0, 1.0)
    transit_dep = w * oil_cross * (1.0 - oil_free) + (1.0 - w) * freight_cross * (
        1.0 - freight_free[:, None])
    security = p["security_tie"]
    if spec.security is not None:
        close = issue_closeness(hs.position[:, None, :], p, spec.security)
        security = security * np.divide(close, pw.security_ref, out=np.ones_like(close),
                                        where=pw.security_ref > 0)  # fmt: skip
    zero = np.zeros_like(potential_share)
    one = np.ones_like(potential_share)
    dependence = {
        "trade": (potential_share, p["partner_dependence"], 1.0 - h["trade_substitution"]),
        "transit": (transit_dep, p["transit_reliance"], one),
        "investment": (hs.fdi_share, zero, 1.0 - h["investment_substitution"]),
        "finance": (p["finance_tie"], zero, 1.0 - h["finance_substitution"]),
        "security": (np.clip(security, 0.0, 1.0), zero, one),
        "identity": (p["identity_tie"], zero, one),
    }
    hs.channels = {
        c: dyn.channel_leverage(d, r, k[:, None] if np.ndim(k) == 1 else k, pw.capacity)
        for c, (d, r, k) in dependence.items()
    }
    hs.leverage = dyn.leverage(hs.channels, {c: h[f"weight_{c}"][:, None] for c in dyn.CHANNELS})
    hs.close = dyn.closeness(hs.position[:, None, :], p["ideal"], p["salience"])
    hs.alignment = dyn.alignment(hs.close, h["alignment_sharpness"])
    hs.classes = dyn.outcome_class(hs.alignment, h["lean_threshold"], h["alignment_threshold"])
    hs.captured = dyn.is_captured(hs.captured, hs.classes, len(spec.powers))
    enforcement = 0.0 if spec.enforcement is None else hs.position[:, spec.enforcement]
    sanctioned_trade = np.clip(dyn.last_sum(p["sanctioned"] * hs.trade_share), 0.0, 1.0)
    hs.exposure = h["sanctions_intensity"] * (1.0 - enforcement) * sanctioned_trade


def observe(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> dict[str, Array]:
    """Every output variable as an (R, entities) array (one column when it has no entity)."""
    col = lambda x: np.asarray(x, dtype=float).reshape(-1, 1)  # noqa: E731
    powers = spec.powers
    via_russia = (hs.oil_transit[:, powers.index("russia")] if "russia" in powers
                  else np.zeros(hs.oil_transit.shape[0]))  # fmt: skip
    total = dyn.last_sum(hs.flows, keepdims=True)
    coercive = sum(used(pw, j) for j in dyn.INSTRUMENTS)
    enforcement = (hs.position[:, spec.enforcement] if spec.enforcement is not None
                   else np.zeros(hs.position.shape[0]))  # fmt: skip
    out = {
        "position": hs.position,
        "alignment": hs.alignment,
        "closeness": hs.close,
        "balance_index": col(dyn.balance_index(hs.alignment)),
        "outcome": hs.classes,
        "captured": col(hs.captured),
        "leverage": hs.leverage,
        "pressure": coercive,
        "inducement": used(pw, "inducement"),
        "trade": pw.trade,
        "trade_share": hs.trade_share,
        "total_trade": col(dyn.last_sum(pw.trade) + sp.hedger["rest_of_world_trade"]),
        "oil_route_flow": hs.flows,
        "oil_route_share": np.divide(hs.flows, total, out=np.zeros_like(hs.flows),
                                     where=total > 0),
        "oil_transit_share": hs.oil_transit,
        "oil_via_russia_share": col(via_russia),
        "export_transit_share": hs.export_transit,
        "oil_export_income": col(hs.income),
        "corridor_volume": col(hs.corridor),
        "northern_volume": col(hs.northern),
        "corridor_transit_days": col(hs.transit_days),
        "fdi_inflow": pw.fdi_inflow,
        "capacity": pw.capacity,
        "compliance": col(enforcement),
        "sanctions_exposure": col(hs.exposure),
        "contribution": hs.contributions.transpose(0, 2, 1).reshape(len(hs.position), -1),
    }  # fmt: skip
    out.update({f"leverage_{c}": hs.channels[c] for c in dyn.CHANNELS})
    out.update({f"pressure_{j}": used(pw, j) for j in dyn.INSTRUMENTS})
    out["coercion_carried_out"] = sum(action(sp.power, j) for j in dyn.INSTRUMENTS)
    return {k: out[k] for k in spec.outputs}


def stack_powers(states: list[PowerState]) -> PowerState:
    """Powers' states side by side (R, P[, I]), from one state per power (R[, I])."""
    kw = {}
    for f in fields(PowerState):
        values = [getattr(s, f.name) for s in states]
        if isinstance(values[0], dict):
            kw[f.name] = {k: np.stack([v[k] for v in values], axis=1) for k in values[0]}
        else:
            kw[f.name] = np.stack(values, axis=1)
    return PowerState(**kw)
