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
from numpy.typing import ArrayLike

from simulate.model import dynamics as dyn
from simulate.model.spec import RunSpec, StepParams
from simulate.scenarios.variables import VARIABLES

Array = np.ndarray


@dataclass
class PowerState:
    """What the powers hold: arrays (R,) for one power, (R, P) for all of them."""

    capacity: Array
    trade_base: Array  # trade before politics, sanctions and coercion (trend x capacity)
    trade_potential: Array  # trade before coercion: what Kazakhstan depends on
    trade: Array  # realised trade
    reexport: Array  # trade diverted through Kazakhstan to a sanctioned partner (in trade)
    fdi_inflow: Array
    fdi_stock: Array
    effort: Array | None = None  # (..., J, I) effort by instrument and issue
    success: Array | None = None  # (..., J) probability that Kazakhstan gives way
    effect: Array | None = None  # (..., J) effectiveness of a unit of effort
    # fixed at the rest point of the start:
    capacity_ref: Array | None = None
    price_ref: Array | None = None  # the oil price at the start, per power (for trade values)
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
    classes: Array  # (R, 1 + 2P) from the agenda shares (observable positions)
    follow: Array  # (R, P, I) 0/1: Kazakhstan follows the power on the issue
    agenda: Array  # (R, P) share of the power's agenda (by its salience) Kazakhstan follows
    captured: Array  # (R,) bool
    trade_share: Array  # (R, P) realised
    fdi_share: Array  # (R, P)
    flows: Array  # (R, K) Kazakh oil shipped
    nominal: Array  # (R, K) Kazakh oil the routes would carry undisrupted (for leverage)
    capacity: Array  # (R, K) capacity of each route (all shippers), orders completed included
    built: Array  # (R, K) capacity completed since the start (orders that arrived)
    pipeline: Array  # (3, R, K) capacity under construction, by stage of the delay
    contracted: Array  # (R, K) Kazakh oil under contract on each route
    own_capacity: Array  # (R, K) usable capacity left for Kazakh oil, undisrupted
    available: Array  # (R, K) capacity Kazakh oil can use this period (after outages, cuts)
    transit: Array  # (R, K) other shippers' oil on each route (transit, partners' oil)
    orders: Array  # (R, K) capacity ordered this period (Mt/yr per year)
    corridor: Array  # (R,) Middle Corridor freight
    northern: Array  # (R,) northern-route freight
    transit_days: Array  # (R,)
    corridor_const: Array  # (R,) constant of the freight split, fixed at the start
    corridor_capacity: Array  # (R,) usable Middle Corridor capacity
    corridor_built: Array  # (R,) corridor capacity completed since the start
    corridor_pipeline: Array  # (3, R) corridor capacity under construction
    risk: Array  # (R,) transit risk Kazakhstan perceives on routes crossing the avoided power
    loss: Array  # (R,) remembered share of the capacity across it that outages took out
    intent: Array  # (R, P) share each power has shown it is willing to withhold (remembered)
    investment: Array  # (R,) capital committed to new route capacity (USD bn/yr)
    leverage: Array  # (R, P)
    channels: dict[str, Array]  # channel -> (R, P)
    oil_transit: Array  # (R, P) share of oil exports crossing each power
    reached: Array  # (R, P) share of pipeline exports within each power's reach
    export_transit: Array  # (R, P)
    exposure: Array  # (R,)
    income: Array  # (R,) oil export income
    sanction_ref: Array  # (R,) intensity x enforcement at the start
    risk_ref: Array  # (R,) transit risk at the start
    price_ref: Array  # (R,) oil price at the start
    around_ref: Array  # (R,) capacity around the avoided power at the start (Kazakh oil)


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
    """Every pull on Kazakhstan's positions: a weight and a target per mechanism and issue.

    ``weights`` and ``targets`` (R x M x I) hold the outside pulls in the order of
    :data:`OUTSIDE`: ties, inducements, pressure and threat of each power, then the two
    economic motives (transit risk, route and enforcement cost); ``own`` (R x I) is the
    weight of the doctrine, whose target is the own preferred positions. The equations
    are :func:`dynamics.best_response`, :func:`dynamics.own_ideal` and
    :func:`dynamics.shifts` (docs/MODEL.md, 7.3-7.4).
    """

    own: Array  # (R, I) weight of the doctrine
    weights: Array  # (R, M, I) the outside pulls
    targets: Array  # (R, M, I)

    def _all(self, own_target: Array) -> tuple[Array, Array]:
        """Weights and targets with the doctrine first (R x (1 + M) x I), built once per
        target (the best response and the shifts read the same arrays)."""
        cached = getattr(self, "_joined", None)
        if cached is not None and cached[0] is own_target:
            return cached[1], cached[2]
        w = np.concatenate([self.own[:, None, :], self.weights], axis=1)
        t = np.concatenate([own_target[:, None, :], self.targets], axis=1)
        self._joined = (own_target, w, t)
        return w, t

    def best(self, own_target: Array) -> Array:
        """The best response: the weighted mean of the targets, in [0, 1]."""
        return dyn.best_response(*self._all(own_target))

    def own_ideal(self, position: Array) -> Array:
        """The own preferred positions that make ``position`` the best response."""
        return dyn.own_ideal(position, self.own, self.weights, self.targets)

    def shifts(self, own_target: Array, start: Array) -> Array:
        """Each reported mechanism's share of the best response, from ``start`` (R x M' x I).

        own, ties:<p>..., inducement:<p>..., pressure:<p>..., threat:<p>..., economics
        (transit risk and cost together); they add up to x* - start before clipping.
        """
        each = dyn.shifts(*self._all(own_target), start)
        return np.concatenate([each[:, :-2], each[:, -2:-1] + each[:, -1:]], axis=1)


#: The outside pulls, per power (in power order each), then the economic motives.
OUTSIDE = ("ties", "inducement", "pressure", "threat")


def pulls(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> Pulls:
    """The pulls on Kazakhstan's positions this period.

    Ties: salience x (trade share + FDI-stock share); inducements: the offers; pressure:
    coercion_response x effort x effectiveness (P x (1 - backlash x (1 - P)), the
    quantity the power's own rule weighs: zero without vulnerability, and more
    vulnerability never moves Kazakhstan away from the presser). Threat: a power that has
    shown it will withhold (a campaign carried out, remembered) pushes Kazakhstan towards
    what the others want, threat_response x intent x backing x the power's salience:
    balancing against threat, as far as the others' weight lets it (Walt 1987).
    Economics: transit risk on the routing issue (towards the largest share the routes
    around the avoided power can carry); cost, on the routing issue towards the smallest
    share capacity forces around it (the routes across it are the cheapest), weighed by
    how dear the routes around are at today's oil price and scale, and on the enforcement
    issue towards none, in proportion to the trade with sanctioned partners at risk.
    """
    h, p = sp.hedger, sp.power
    runs, n_i = hs.position.shape
    n_p = len(spec.powers)
    ties = (h["payoff_trade"][:, None] * hs.trade_share
            + h["payoff_investment"][:, None] * hs.fdi_share)  # fmt: skip
    n_c = len(dyn.INSTRUMENTS)
    weights = np.zeros((runs, 4 * n_p + 2, n_i))
    targets = np.zeros_like(weights)
    weights[:, :n_p] = p["salience"] * ties[..., None]
    weights[:, n_p : 2 * n_p] = h["payoff_inducement"][:, None, None] * pw.effort[..., n_c, :]
    weights[:, 2 * n_p : 3 * n_p] = h["coercion_response"][:, None, None] * np.einsum(
        "...ji,...j->...i", pw.effort[..., :n_c, :], pw.effect[..., :n_c])
    backed = dyn.backing(pw.capacity, p["opposition"])  # the others' weight behind Kazakhstan
    weights[:, 3 * n_p : 4 * n_p] = (h["threat_response"][:, None, None]
                                     * (hs.intent * backed)[..., None] * p["salience"])  # fmt: skip
    targets[:, : 3 * n_p] = np.tile(p["ideal"], (1, 3, 1))
    targets[:, 3 * n_p : 4 * n_p] = dyn.counterweight(p["ideal"], pw.capacity)
    risk, cost = 4 * n_p, 4 * n_p + 1
    if spec.enforcement is not None:  # enforcing costs trade with the sanctioned partners
        sanctioned = dyn.last_sum(p["sanctioned"] * hs.trade_share)
        weights[:, cost, spec.enforcement] = h["enforcement_cost_aversion"] * sanctioned
    if spec.routing is not None:
        lowest, highest = bypass_bounds(hs, sp, spec)
        weights[:, risk, spec.routing] = h["route_risk_aversion"] * hs.risk
        targets[:, risk, spec.routing] = highest
        weights[:, cost, spec.routing] = h["route_cost_aversion"] * route_cost(hs, sp, spec)
        targets[:, cost, spec.routing] = lowest
    return Pulls(own=h["balance_preference"][:, None] * h["salience"], weights=weights,
                 targets=targets)  # fmt: skip


def route_cost(hs: HedgerState, sp: StepParams, spec: RunSpec) -> Array:
    """How dear the routes around the avoided power are against the start (R,).

    Their extra transport cost weighs against the oil price (the netback: the same
    cost per tonne is a larger share of a cheaper barrel) and falls as the system
    around grows (:func:`dynamics.scale_factor`).
    """
    h = sp.hedger
    around = dyn.last_sum(hs.own_capacity * spec.around)
    price = dyn._div(hs.price_ref, h["oil_price"], 1.0)
    return price * dyn.scale_factor(around, hs.around_ref, h["scale_exponent"])


def bypass_bounds(hs: HedgerState, sp: StepParams, spec: RunSpec) -> tuple[Array, Array]:
    """Smallest and largest share of oil exports that can avoid the avoided power (R,).

    The largest is what the routes around it can carry for Kazakh oil now; the smallest
    is what the routes across it cannot (capacity usable by Kazakh oil, after outages).
    """
    cap = hs.available
    demand = sp.hedger["oil_exports"]
    around = dyn.last_sum(cap * spec.around)
    across = dyn.last_sum(cap * spec.across)
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
    hs.noise = dyn.smoothed_noise(hs.noise, chosen, best, h["inertia"], dt)
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
    pw.trade_base = (pw.trade_base * np.exp(p["trade_growth"] * dt)
                     * ratio ** h["trade_capacity_elasticity"])  # fmt: skip
    close = dyn.closeness(position, p["ideal"], p["salience"])
    pw.reexport = dyn.reexports(p["reexport_potential"], p["sanctioned"],
                                h["sanctions_intensity"], enforcement)  # fmt: skip
    pw.trade_potential = (
        pw.trade_base * dyn.political_factor(close, pw.close_ref, h["trade_alignment_elasticity"])
        * dyn.sanctions_factor(p["sanctioned"], enforcement, h["sanctions_intensity"],
                               sanction_ref, h["sanctions_trade_drag"])
        * dyn.price_factor(p["oil_trade_share"], h["oil_price"], pw.price_ref)
    ) + pw.reexport  # fmt: skip
    sanctions = action(p, "secondary_sanctions")
    pw.trade = pw.trade_potential * (1.0 - sanctions * (1.0 - enforcement))
    pull = 1.0 if investment is None else dyn.political_factor(
        dyn.issue_closeness(position, p["ideal"], investment), pw.invest_ref,
        h["fdi_alignment_elasticity"])
    scale = np.minimum(pw.capacity, 1.0) / np.maximum(np.minimum(pw.capacity_ref, 1.0), 1e-9)
    pw.fdi_inflow = (np.maximum(p["fdi_inflow"], 0.0) * scale * pull
                     * (1.0 - action(p, "investment_freeze")))  # fmt: skip
    pw.fdi_stock = dyn.accumulate_stock(pw.fdi_stock, pw.fdi_inflow, h["fdi_depreciation"], dt)


def routes(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec, dt: float) -> None:
    """Route capacity, flows, income, perceived transit risk and freight for the period.

    Capacity ordered (the scenario's ``build_rate`` and the diversification Kazakhstan's
    perceived risk calls for) arrives after a construction delay; other shippers' oil
    (transit) keeps its share of a route; Kazakh exports of each pipeline commodity take
    up new capacity and move between its routes as contracts allow (the ramp), towards
    the capacity shippers expect (a power's cut is meant to last and is rebooked around;
    an outage is repaired and is not); what is shipped is the contracted flow within the
    capacity available now.
    """
    h, r = sp.hedger, sp.route
    hs.orders = r["build_rate"] + diversification(hs, sp, spec)
    hs.pipeline, done = dyn.construction(hs.pipeline, hs.orders, r["build_lag"], dt)
    hs.built = hs.built + done
    hs.capacity = np.maximum(r["capacity_nominal"] + hs.built, 0.0)
    withheld = usable_capacity(hs, sp, spec)
    pref = preferences(hs, sp, spec)
    hs.nominal = allocate(spec, h, pref, hs.own_capacity)
    # contracts follow the capacity shippers expect: a power's cut is meant to last, an
    # outage is repaired (nobody rebooks for a storm)
    desired = allocate(spec, h, pref, hs.own_capacity * (1.0 - withheld))
    hs.contracted = dyn.contract(hs.contracted, desired, h["contract_time"], dt)
    hs.flows = np.minimum(hs.contracted, hs.available)
    hs.loss = dyn.remembered(hs.loss, disrupted(sp, spec), h["loss_memory"], dt)
    hs.intent = dyn.revealed_intent(hs.intent, shown(hs, sp), h["intent_memory"][:, None], dt)
    hs.income = dyn.oil_income(dyn.last_sum(hs.flows * spec.is_oil), h["oil_price"],
                               h["barrels_per_tonne"])  # fmt: skip
    hs.risk = h["transit_risk"] + threat(pw, sp, spec) + hs.loss + hs.intent @ spec.avoided
    hs.investment = (dyn.last_sum(r["build_cost"] * hs.orders)
                     + sp.corridor["build_cost"] * sp.corridor["build_rate"])  # fmt: skip
    hs.transit_days = sp.corridor["transit_days"].copy()
    freight(hs, sp, spec, dt)


def allocate(spec: RunSpec, h: dict[str, Array], preference: Array, capacity: Array) -> Array:
    """Each pipeline commodity's exports over its routes (R x K, :func:`dynamics.allocate_routes`):
    the hedger's ``oil_exports`` over the oil routes, ``<commodity>_exports`` over the others."""
    out = np.empty_like(capacity)
    for c, k in spec.groups:
        out[:, k] = dyn.allocate_routes(h[f"{c}_exports"], preference[:, k], capacity[:, k])
    return out


def cut(sp: StepParams, reach: Array) -> Array:
    """The share of each route the powers' transit cuts withhold (R x routes), in [0, 1]: each
    power's campaign carried out times its reach over the route (``reach`` R x routes x P)."""
    done = action(sp.power, "transit_disruption")
    return np.clip(dyn.last_sum(done[:, None, :] * reach), 0.0, 1.0)


def usable_capacity(hs: HedgerState, sp: StepParams, spec: RunSpec) -> Array:
    """Split each route's capacity between other shippers and Kazakh exports; returns the
    share of each route the powers withhold this period (R x K).

    Other shippers (``other_use``: transit oil, partners' own oil) keep their volume
    within the capacity; outages (events) and the powers' transit cuts (on the routes
    within their reach) take their share of everyone's capacity.
    """
    r = sp.route
    outage = np.divide(r["capacity"], r["capacity_nominal"], out=np.ones_like(r["capacity"]),
                       where=r["capacity_nominal"] > 0)  # fmt: skip
    withheld = cut(sp, r["reach"])
    factor = np.clip(outage, 0.0, 1.0) * (1.0 - withheld)
    others = np.minimum(np.maximum(r["other_use"], 0.0), hs.capacity)
    hs.own_capacity = hs.capacity - others
    hs.available = hs.own_capacity * factor
    hs.transit = others * factor
    return withheld


def preferences(hs: HedgerState, sp: StepParams, spec: RunSpec) -> Array:
    """Preferred split of each pipeline commodity's exports over its routes (R x K), from
    the routing position (the share avoiding the avoided power, for every commodity)."""
    avoid = 0.0 if spec.routing is None else hs.position[:, spec.routing]
    base = sp.route["preference"]
    out = np.empty_like(base)
    for _, k in spec.groups:
        out[:, k] = dyn.route_preferences(avoid, base[:, k], spec.avoids[k])
    return out


def diversification(hs: HedgerState, sp: StepParams, spec: RunSpec) -> Array:
    """Capacity Kazakhstan orders on the oil routes avoiding the avoided power (R x K, Mt/yr a
    year).

    diversification_response x (transit risk - its level at the start), when positive,
    spread over the routes around by their base preference: a risk that outlasts its
    shock is what makes a diversification programme (the Kuryk terminal, seed 001).
    """
    free = np.maximum(sp.route["preference"], 0.0) * spec.around
    split = dyn._div(free, dyn.last_sum(free, keepdims=True))
    excess = np.maximum(hs.risk - hs.risk_ref, 0.0)
    return (sp.hedger["diversification_response"] * excess)[:, None] * split


def disrupted(sp: StepParams, spec: RunSpec) -> Array:
    """Share of the oil capacity across the avoided power that outages take out now (R,).

    Outages are what the scenario imposes on a route (``route_disruption``): they reveal
    a risk whether or not the exports find another route, and Kazakhstan remembers them
    for ``loss_memory`` years. A power's deliberate cuts are remembered apart, as intent
    (:func:`shown`).
    """
    across = dyn.last_sum(sp.route["capacity_nominal"] * spec.across)
    left = dyn.last_sum(sp.route["capacity"] * spec.across)
    outage = np.divide(left, across, out=np.ones_like(left), where=across > 0)
    return np.clip(1.0 - outage, 0.0, 1.0)


def shown(hs: HedgerState, sp: StepParams) -> Array:
    """Share each power withholds this period by a coercion campaign, its largest (R x P).

    Only a cut that reaches something counts: exports within the power's reach (transit
    disruption), trade with it (secondary sanctions), its investment (investment freeze).
    Security pressure cuts nothing. A power with no such tie shows nothing by pressing,
    so its pressure moves nothing.
    """
    reach = {"transit_disruption": hs.reached, "secondary_sanctions": hs.trade_share,
             "investment_freeze": hs.fdi_share}  # fmt: skip
    out = np.zeros(sp.power["capacity"].shape)
    for j, tie in reach.items():
        out = np.maximum(out, np.where(tie > 0, action(sp.power, j), 0.0))
    return out


def threat(pw: PowerState, sp: StepParams, spec: RunSpec) -> Array:
    """What the avoided power could withhold: its transit-disruption ceiling (R,).

    A hedger hedges against capabilities, not this period's intentions: the threat does
    not fall because the power chooses not to use it.
    """
    j = dyn.INSTRUMENT_INDEX["transit_disruption"]
    ceiling = sp.power["instrument_max"][..., j] * np.clip(pw.capacity, 0.0, None)
    return ceiling @ spec.avoided


def freight_risk(sp: StepParams, spec: RunSpec) -> Array:
    """The northern route's sanctions risk premium over the freight route's (R,): intensity x
    the sanctioned powers each crosses."""
    n_p = len(spec.powers)
    crossed = np.clip(sp.power["sanctioned"] @ spec.freight_crossing[:, :n_p].T, 0.0, 1.0)
    return sp.hedger["sanctions_intensity"] * (crossed[:, 1] - crossed[:, 0])


def freight(hs: HedgerState, sp: StepParams, spec: RunSpec, dt: float) -> None:
    """China-Europe overland freight: the Middle Corridor's share by time and risk.

    The freight the corridor would carry (its share of the total, within its capacity,
    which orders raise after their construction delay and the powers' cuts lower) is
    taken up over the corridor's ``ramp_time``: shippers, forwarders and ferry schedules
    move over months, which is why the corridor's tonnage doubled each year after 2022
    rather than at once.
    """
    c = sp.corridor
    hs.corridor_pipeline, done = dyn.construction(hs.corridor_pipeline, c["build_rate"],
                                                  c["build_lag"], dt)  # fmt: skip
    hs.corridor_built = hs.corridor_built + done
    hs.corridor_capacity = np.maximum(c["capacity"] + hs.corridor_built, 0.0)
    usable = hs.corridor_capacity * (1.0 - cut(sp, c["reach"][:, :1])[:, 0])
    total = np.maximum(c["demand"] + c["northern_volume"], 0.0)
    share = dyn.corridor_share(hs.corridor_const, c["time_weight"], c["transit_days"],
                               c["northern_days"], c["risk_weight"], freight_risk(sp, spec))
    desired = np.minimum(usable, total * share)
    hs.corridor = np.minimum(dyn.contract(hs.corridor, desired, c["ramp_time"], dt), usable)
    hs.northern = total - hs.corridor


# --- stage 4: outcomes ---------------------------------------------------------------------


@dataclass
class Ties:
    """What each dependence channel measures, for :data:`CHANNEL_TERMS` (arrays R x P)."""

    hs: HedgerState
    pw: PowerState
    sp: StepParams
    spec: RunSpec
    trade_potential: Array  # share of trade potential (before coercion)
    transit: Array  # transit dependence (exports within reach that cannot switch)


def _trade(t: Ties) -> tuple:
    return (t.trade_potential, t.sp.power["partner_dependence"],
            1.0 - t.sp.hedger["trade_substitution"][:, None])  # fmt: skip


def _transit(t: Ties) -> tuple:
    return t.transit, t.sp.power["transit_reliance"], 1.0


def _investment(t: Ties) -> tuple:
    return t.hs.fdi_share, 0.0, 1.0 - t.sp.hedger["investment_substitution"][:, None]


def _finance(t: Ties) -> tuple:
    return t.sp.power["finance_tie"], 0.0, 1.0 - t.sp.hedger["finance_substitution"][:, None]


def _security(t: Ties) -> tuple:
    p, tie = t.sp.power, t.sp.power["security_tie"]
    if t.spec.security is not None:
        close = dyn.issue_closeness(t.hs.position[:, None, :], p["ideal"], t.spec.security)
        tie = tie * np.divide(close, t.pw.security_ref, out=np.ones_like(close),
                              where=t.pw.security_ref > 0)  # fmt: skip
    return np.clip(tie, 0.0, 1.0), 0.0, 1.0


def _identity(t: Ties) -> tuple:
    return t.sp.power["identity_tie"], 0.0, 1.0


#: Each dependence channel (:data:`simulate.scenarios.instruments.CHANNELS`): its
#: (dependence, reverse dependence, difficulty of substitution), docs/MODEL.md 7.5.
CHANNEL_TERMS: dict[str, Callable[[Ties], tuple]] = {
    "trade": _trade, "transit": _transit, "investment": _investment, "finance": _finance,
    "security": _security, "identity": _identity,
}  # fmt: skip
if tuple(CHANNEL_TERMS) != dyn.CHANNELS:
    raise AssertionError(f"every declared channel needs its terms: {dyn.CHANNELS}")


def exports_crossing(hs: HedgerState, sp: StepParams, spec: RunSpec, flows: Array,
                     matrix: Array, freight: Array | None = None) -> dict[str, Array]:  # fmt: skip
    """The share of each commodity's exports crossing (or within reach of) each column of
    ``matrix`` (R x columns per commodity); ``matrix`` is routes x columns or per run, and
    ``freight`` the freight route's and northern route's rows (default: the same columns
    of the spec's freight crossing)."""
    out = {c: dyn.crossing(flows[:, k], matrix[..., k, :]) for c, k in spec.groups}
    total = np.stack([hs.corridor, hs.northern], axis=-1)
    rows = spec.freight_crossing[:, : matrix.shape[-1]] if freight is None else freight
    out["freight"] = dyn.crossing(total, rows)
    return out


def weights(sp: StepParams, spec: RunSpec) -> dict[str, Array]:
    """Each commodity's weight in Kazakhstan's exports across others' territory (R x 1): the
    hedger's ``<commodity>_export_weight`` for pipeline commodities, the rest for freight."""
    w = {c: sp.hedger[f"{c}_export_weight"][:, None] for c, _ in spec.groups}
    w["freight"] = np.maximum(1.0 - sum(w.values()), 0.0)
    return w


def record(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> None:
    """Shares, leverage per channel, alignment, outcome class and capture at the period's end."""
    h, p = sp.hedger, sp.power
    hs.trade_share = dyn.shares(pw.trade, h["rest_of_world_trade"])
    other = dyn.steady_stock(h["other_fdi_inflow"], h["fdi_depreciation"], spec.dt)
    hs.fdi_share = dyn.shares(pw.fdi_stock, other)
    w = weights(sp, spec)
    # transit dependence: exports within each power's reach that could not switch at once,
    # on undisrupted capacities and the split Kazakhstan would want on them
    transit = np.zeros_like(hs.trade_share)
    hs.reached = np.zeros_like(hs.trade_share)
    for c, k in spec.groups:
        reach = sp.route["reach"][:, k]
        held = dyn.crossing(hs.nominal[:, k], reach)
        free = dyn.substitution(hs.nominal[:, k], hs.own_capacity[:, k], reach)
        transit = transit + w[c] * held * (1.0 - free)
        hs.reached = hs.reached + dyn.crossing(hs.flows[:, k], reach)
    flows = np.stack([hs.corridor, hs.northern], axis=-1)
    room = np.stack([hs.corridor_capacity, hs.northern], axis=-1)  # the northern route: no spare
    held = dyn.crossing(flows, sp.corridor["reach"])
    free = dyn.substitution(flows, room, sp.corridor["reach"])
    transit = transit + w["freight"] * held * (1.0 - free)
    crossing = exports_crossing(hs, sp, spec, hs.flows, spec.crosses)
    hs.oil_transit = crossing.get("oil", np.zeros_like(hs.trade_share))
    hs.export_transit = np.clip(sum(w[c] * crossing[c] for c in crossing), 0.0, 1.0)
    ties = Ties(hs, pw, sp, spec, dyn.shares(pw.trade_potential, h["rest_of_world_trade"]),
                transit)  # fmt: skip
    hs.channels = {}
    for c, terms in CHANNEL_TERMS.items():
        d, r, k = terms(ties)
        hs.channels[c] = dyn.channel_leverage(d, r, k, pw.capacity)
    hs.leverage = dyn.leverage(hs.channels, {c: h[f"weight_{c}"][:, None] for c in dyn.CHANNELS})
    hs.close = dyn.closeness(hs.position[:, None, :], p["ideal"], p["salience"])
    hs.alignment = dyn.alignment(hs.close, h["alignment_sharpness"])
    hs.follow = dyn.following(hs.position, p["ideal"], h["follow_distance"])
    hs.agenda = dyn.agenda_share(hs.follow, p["salience"])
    hs.classes = dyn.outcome_class(hs.agenda, h["lean_threshold"], h["alignment_threshold"])
    hs.captured = dyn.is_captured(hs.captured, hs.classes, len(spec.powers))
    enforcement = 0.0 if spec.enforcement is None else hs.position[:, spec.enforcement]
    sanctioned_trade = np.clip(dyn.last_sum(p["sanctioned"] * hs.trade_share), 0.0, 1.0)
    hs.exposure = h["sanctions_intensity"] * (1.0 - enforcement) * sanctioned_trade


def crossing_shares(hs: HedgerState, sp: StepParams, spec: RunSpec) -> Array:
    """The share of each commodity crossing each actor's territory (R x commodities*actors),
    in the order of the ``commodity_actor`` entities: ``oil/russia``, ... ``freight/georgia``."""
    shares = exports_crossing(hs, sp, spec, hs.flows, spec.crossing, spec.freight_crossing)
    return np.concatenate([shares[c] for c in spec.commodities], axis=-1)


@dataclass
class Seen:
    """What an observer reads at the end of a period: the states, the parameters, the spec."""

    hs: HedgerState
    pw: PowerState
    sp: StepParams
    spec: RunSpec


def _col(x: ArrayLike) -> Array:
    """One column (R, 1)."""
    return np.asarray(x, dtype=float).reshape(-1, 1)


def _compliance(o: Seen) -> Array:
    e = o.spec.enforcement
    return _col(np.zeros(len(o.hs.position)) if e is None else o.hs.position[:, e])


#: How each output variable (:data:`simulate.scenarios.variables.VARIABLES`) is computed
#: from what a period leaves: an (R, entities) array, one column when it has no entity. A
#: view (``view=`` in its declaration) needs none: it is a column of the variable it views.
OBSERVERS: dict[str, Callable[[Seen], Array]] = {
    "position": lambda o: o.hs.position,
    "alignment": lambda o: o.hs.alignment,
    "agenda_share": lambda o: o.hs.agenda,
    "closeness": lambda o: o.hs.close,
    "balance_index": lambda o: _col(dyn.balance_index(o.hs.alignment)),
    "outcome": lambda o: o.hs.classes,
    "captured": lambda o: _col(o.hs.captured),
    "leverage": lambda o: o.hs.leverage,
    "pressure": lambda o: sum(used(o.pw, j) for j in dyn.INSTRUMENTS),
    "inducement": lambda o: used(o.pw, "inducement"),
    "trade": lambda o: o.pw.trade,
    "trade_share": lambda o: o.hs.trade_share,
    "total_trade": lambda o: _col(dyn.last_sum(o.pw.trade) + o.sp.hedger["rest_of_world_trade"]),
    "oil_route_flow": lambda o: o.hs.flows,
    "oil_route_share": lambda o: route_shares(o.hs, o.spec),
    "oil_transit_share": lambda o: o.hs.oil_transit,
    "transit_share": lambda o: crossing_shares(o.hs, o.sp, o.spec),
    "export_transit_share": lambda o: o.hs.export_transit,
    "oil_export_income": lambda o: _col(o.hs.income),
    "oil_price": lambda o: _col(o.sp.hedger["oil_price"]),
    "oil_route_capacity": lambda o: o.hs.capacity,
    "oil_route_available": lambda o: o.hs.available,
    "oil_route_utilisation": lambda o: dyn._div(o.hs.flows + o.hs.transit, o.hs.capacity),
    "oil_transit_flow": lambda o: o.hs.transit,
    "capacity_investment": lambda o: _col(o.hs.investment),
    "transit_risk": lambda o: _col(o.hs.risk),
    "revealed_intent": lambda o: o.hs.intent,
    "reexport_trade": lambda o: o.pw.reexport,
    "corridor_capacity": lambda o: _col(o.hs.corridor_capacity),
    "corridor_utilisation": lambda o: _col(dyn._div(o.hs.corridor, o.hs.corridor_capacity)),
    "corridor_volume": lambda o: _col(o.hs.corridor),
    "northern_volume": lambda o: _col(o.hs.northern),
    "corridor_transit_days": lambda o: _col(o.hs.transit_days),
    "fdi_inflow": lambda o: o.pw.fdi_inflow,
    "capacity": lambda o: o.pw.capacity,
    "compliance": _compliance,
    "sanctions_exposure": lambda o: _col(o.hs.exposure),
    "contribution": lambda o: o.hs.contributions.transpose(0, 2, 1).reshape(
        len(o.hs.position), -1),
    "coercion_carried_out": lambda o: sum(action(o.sp.power, j) for j in dyn.INSTRUMENTS),
    **{f"leverage_{c}": (lambda o, c=c: o.hs.channels[c]) for c in dyn.CHANNELS},
    **{f"pressure_{j}": (lambda o, j=j: used(o.pw, j)) for j in dyn.INSTRUMENTS},
}  # fmt: skip


def observe(hs: HedgerState, pw: PowerState, sp: StepParams, spec: RunSpec) -> dict[str, Array]:
    """Every output variable the spec keeps as an (R, entities) array (one column when it
    has no entity), by its :data:`OBSERVERS` entry; only the kept ones are computed. A view
    (``oil_via_russia_share``) is a column of the variable it views, and 0 where its entity
    is not in the config."""
    seen = Seen(hs, pw, sp, spec)
    out: dict[str, Array] = {}
    for k in spec.outputs:
        view = VARIABLES[k].view
        if view is None:
            out[k] = OBSERVERS[k](seen)
            continue
        of, entity = view
        entities = spec.entities_of(of)
        out[k] = (_col(OBSERVERS[of](seen)[:, entities.index(entity)]) if entity in entities
                  else _col(np.zeros(len(hs.position))))  # fmt: skip
    return out


def route_shares(hs: HedgerState, spec: RunSpec) -> Array:
    """Each route's share of its commodity's exports (R x K)."""
    out = np.empty_like(hs.flows)
    for _, k in spec.groups:
        out[:, k] = dyn.shares(hs.flows[:, k], 0.0)
    return out


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
