"""The stages of a period, wiring the equations of :mod:`simulate.model.dynamics`.

A period runs: the powers' capacities move -> each power decides its pressure and
inducements -> Kazakhstan chooses its positions -> trade, investment and routes
respond -> leverage, alignment and outcomes are recorded. Per-power stages are
elementwise, so a Mesa agent calls them on its own slice (shapes ``(R,)`` and
``(R, I)``) and the batched driver on the whole arrays (``(R, P)`` and
``(R, P, I)``); coupled stages take every actor at once. Neither driver computes
anything that is not in this module or in ``dynamics``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from simulate.model import dynamics as dyn
from simulate.model.spec import RunSpec, StepParams

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
    effort: Array | None = None  # (..., J, I) effort by instrument and issue
    success: Array | None = None  # (..., J) probability that Kazakhstan gives way
    effect: Array | None = None  # (..., J) effectiveness of a unit of effort
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
    leverages recorded at the end of the last period. Efforts are (..., J, I): the
    instrument axis (:data:`dynamics.ALL_INSTRUMENTS`), then the issues.
    """
    stake = dyn.stakes(position, p["ideal"], p["salience"])
    shape = channels["trade"].shape
    bite = [channels[c] for c in dyn.INSTRUMENTS.values()]
    bite[dyn.INSTRUMENT_INDEX["secondary_sanctions"]] = (  # as hard as the West enforces
        bite[dyn.INSTRUMENT_INDEX["secondary_sanctions"]] * h["sanctions_intensity"])
    bite.append(np.broadcast_to(h["payoff_inducement"], shape))  # the pull of an offer
    pw.success = dyn.give_way(np.stack(bite, axis=-1), h["resolve"][..., None],
                              support[..., None])  # fmt: skip
    pw.effect = dyn.effectiveness(pw.success, h["backlash"][..., None] * dyn.COERCIVE)
    rule = dyn.effort(stake, pw.effect, p["instrument_cost"], p["reactivity"])
    # a coercion campaign (an event) holds the effort at least at its floor, beyond the
    # ceiling the power's own rule respects; only instruments the power holds
    floor = dyn.carried_out(p["instrument_floor"], p["instrument_max"])
    pw.effort = dyn.allot(rule, stake, p["instrument_max"] * pw.capacity[..., None], floor)


def action(p: dict[str, Array], instrument: str) -> Array:
    """The share of an instrument's reach a power carries out (a campaign), elementwise."""
    j = dyn.INSTRUMENT_INDEX[instrument]
    return dyn.carried_out(p["instrument_floor"][..., j], p["instrument_max"][..., j])


def used(pw: PowerState, instrument: str) -> Array:
    """The effort a power puts into an instrument, over all issues."""
    return dyn.last_sum(pw.effort[..., dyn.INSTRUMENT_INDEX[instrument], :])


def support(pw: PowerState, sp: StepParams) -> Array:
    """Third-party backing Kazakhstan has against each power (couples the powers).

    The powers' opposition to each other's agendas comes with the period's parameters
    (:meth:`RunSpec.params_at` computes it once per batch unless ideals change).
    """
    return dyn.backing(pw.capacity, sp.power["opposition"])


# --- stage 2: Kazakhstan chooses its positions (couples the powers) -----------------------


@dataclass
class Pulls:
    """Every pull on Kazakhstan's positions, grouped by target (docs/MODEL.md, 7.3).

    Ties, inducements and pressure of a power all pull towards its ideals, so they share
    the ``ideal`` target; the doctrine pulls towards the own preferred positions; the
    economic motives (transit risk, cost) towards their targets ``econ_t``.
    """

    own: Array  # (R, I) weight of the doctrine
    ties: Array  # (R, P, I)
    inducement: Array  # (R, P, I)
    pressure: Array  # (R, P, I)
    ideal: Array  # (R, P, I)
    econ_w: Array  # (R, 2, I): transit risk, cost
    econ_t: Array  # (R, 2, I)

    def _others(self) -> tuple[Array, Array]:
        """Total weight and weighted targets of every pull but the doctrine (R, I)."""
        powers = self.ties + self.inducement + self.pressure
        total = dyn.axis_sum(powers, 1) + dyn.axis_sum(self.econ_w, 1)
        num = dyn.axis_sum(powers * self.ideal, 1) + dyn.axis_sum(self.econ_w * self.econ_t, 1)
        return total, num

    def best(self, own_target: Array) -> Array:
        """The best response: the weighted mean of the targets, in [0, 1]."""
        total, num = self._others()
        return np.clip(dyn._div(self.own * own_target + num, self.own + total, 0.5), 0.0, 1.0)

    def own_ideal(self, position: Array) -> Array:
        """The own preferred positions that make ``position`` the best response."""
        total, num = self._others()
        solved = dyn._div(position * (self.own + total) - num, self.own, 0.0)
        return np.where(self.own > 0, solved, position)

    def shifts(self, own_target: Array, start: Array) -> Array:
        """Each mechanism's share of the best response, measured from ``start`` (R x M x I).

        own, ties:<p>..., inducement:<p>..., pressure:<p>..., economics (see
        :func:`dynamics.shifts`); they add up to x* - start before clipping.
        """
        total, _ = self._others()
        total = total + self.own
        n_p = self.ideal.shape[1]
        out = np.empty((len(start), 3 * n_p + 2, start.shape[-1]))
        towards = dyn._div(self.ideal - start[:, None, :], total[:, None, :])
        out[:, 0] = dyn._div(self.own * (own_target - start), total)
        np.multiply(self.ties, towards, out=out[:, 1 : 1 + n_p])
        np.multiply(self.inducement, towards, out=out[:, 1 + n_p : 1 + 2 * n_p])
        np.multiply(self.pressure, towards, out=out[:, 1 + 2 * n_p : 1 + 3 * n_p])
        econ = dyn.axis_sum(self.econ_w * (self.econ_t - start[:, None, :]), 1)
        out[:, -1] = dyn._div(econ, total)
        return out


def pulls(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> Pulls:
    """The pulls on Kazakhstan's positions this period.

    Ties: salience x (trade share + FDI-stock share); inducements: the offers; pressure:
    coercion_response x effort x effectiveness (P x (1 - backlash x (1 - P)), the
    quantity the power's own rule weighs: zero without vulnerability, and more
    vulnerability never moves Kazakhstan away from the presser). Economics: transit risk
    on the routing issue (towards the largest share the routes around the avoided power
    can carry); cost, on the routing issue towards the smallest share capacity forces
    around it (the routes across it are the cheapest) and on the enforcement issue
    towards none, in proportion to the trade with sanctioned partners at risk.
    """
    h, p = sp.hedger, sp.power
    ties = (h["payoff_trade"][:, None] * hs.trade_share
            + h["payoff_investment"][:, None] * hs.fdi_share)  # fmt: skip
    n_c = len(dyn.INSTRUMENTS)
    works = h["coercion_response"][:, None, None] * np.einsum(
        "...ji,...j->...i", pw.effort[..., :n_c, :], pw.effect[..., :n_c])
    econ_w = np.zeros((len(hs.position), 2, len(spec.issues)))
    econ_t = np.zeros_like(econ_w)
    if spec.enforcement is not None:  # enforcing costs trade with the sanctioned partners
        sanctioned = dyn.last_sum(p["sanctioned"] * hs.trade_share)
        econ_w[:, 1, spec.enforcement] = h["enforcement_cost_aversion"] * sanctioned
    if spec.routing is not None:
        lowest, highest = bypass_bounds(sp, spec)
        econ_w[:, 0, spec.routing] = h["route_risk_aversion"] * hs.risk
        econ_t[:, 0, spec.routing] = highest
        econ_w[:, 1, spec.routing] = h["route_cost_aversion"]
        econ_t[:, 1, spec.routing] = lowest
    return Pulls(
        own=h["balance_preference"][:, None] * h["salience"], ties=p["salience"] * ties[..., None],
        inducement=h["payoff_inducement"][:, None, None] * pw.effort[..., n_c, :],
        pressure=works, ideal=p["ideal"], econ_w=econ_w, econ_t=econ_t,
    )  # fmt: skip


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


def respond(
    hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec, shock: Array, dt: float
) -> None:
    """Kazakhstan moves its positions towards its noisy best response, and the move is
    decomposed into the mechanisms that made it."""
    h = sp.hedger
    pull = pulls(hs, pw, sp, spec)
    best = pull.best(hs.own)
    chosen = dyn.quantal(best, shock, h["choice_noise"])
    keep = (h["inertia"] ** dt)[:, None]
    hs.noise = keep * hs.noise + (1.0 - keep) * (chosen - best)
    hs.position = dyn.adjust(hs.position, chosen, h["inertia"], dt)
    if "contribution" not in spec.outputs:
        return  # the decomposition costs as much as the choice; skip it when not kept
    moved = pull.shifts(hs.own, hs.start)
    moved -= hs.base
    lag = hs.position - hs.start - dyn.axis_sum(moved, 1) - hs.noise
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
    campaign = np.clip(action(sp.power, "transit_disruption") @ spec.avoided, 0.0, 1.0)
    return np.clip(1.0 - outage * (1.0 - campaign), 0.0, 1.0)


def threat(pw: PowerState, sp: StepParams, spec: RunSpec) -> Array:
    """What the avoided power could withhold: its transit-disruption ceiling (R,).

    A hedger hedges against capabilities, not this period's intentions: the threat does
    not fall because the power chooses not to use it.
    """
    j = dyn.INSTRUMENT_INDEX["transit_disruption"]
    ceiling = sp.power["instrument_max"][..., j] * np.clip(pw.capacity, 0.0, None)
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
    """Every output variable the spec keeps as an (R, entities) array (one column when it
    has no entity); only the kept ones are computed."""
    col = lambda x: np.asarray(x, dtype=float).reshape(-1, 1)  # noqa: E731
    n = len(hs.position)

    def via_russia() -> Array:
        if "russia" not in spec.powers:
            return col(np.zeros(n))
        return col(hs.oil_transit[:, spec.powers.index("russia")])

    def route_share() -> Array:
        total = dyn.last_sum(hs.flows, keepdims=True)
        return np.divide(hs.flows, total, out=np.zeros_like(hs.flows), where=total > 0)

    def compliance() -> Array:
        if spec.enforcement is None:
            return col(np.zeros(n))
        return col(hs.position[:, spec.enforcement])

    def contribution() -> Array:
        return hs.contributions.transpose(0, 2, 1).reshape(n, -1)

    get: dict[str, Callable[[], Array]] = {
        "position": lambda: hs.position,
        "alignment": lambda: hs.alignment,
        "closeness": lambda: hs.close,
        "balance_index": lambda: col(dyn.balance_index(hs.alignment)),
        "outcome": lambda: hs.classes,
        "captured": lambda: col(hs.captured),
        "leverage": lambda: hs.leverage,
        "pressure": lambda: sum(used(pw, j) for j in dyn.INSTRUMENTS),
        "inducement": lambda: used(pw, "inducement"),
        "trade": lambda: pw.trade,
        "trade_share": lambda: hs.trade_share,
        "total_trade": lambda: col(dyn.last_sum(pw.trade) + sp.hedger["rest_of_world_trade"]),
        "oil_route_flow": lambda: hs.flows,
        "oil_route_share": route_share,
        "oil_transit_share": lambda: hs.oil_transit,
        "oil_via_russia_share": via_russia,
        "export_transit_share": lambda: hs.export_transit,
        "oil_export_income": lambda: col(hs.income),
        "corridor_volume": lambda: col(hs.corridor),
        "northern_volume": lambda: col(hs.northern),
        "corridor_transit_days": lambda: col(hs.transit_days),
        "fdi_inflow": lambda: pw.fdi_inflow,
        "capacity": lambda: pw.capacity,
        "compliance": compliance,
        "sanctions_exposure": lambda: col(hs.exposure),
        "contribution": contribution,
        "coercion_carried_out": lambda: sum(action(sp.power, j) for j in dyn.INSTRUMENTS),
    }
    get.update({f"leverage_{c}": (lambda c=c: hs.channels[c]) for c in dyn.CHANNELS})
    get.update({f"pressure_{j}": (lambda j=j: used(pw, j)) for j in dyn.INSTRUMENTS})
    return {k: get[k]() for k in spec.outputs}


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
