"""The model's equations, as pure functions over numpy arrays.

Arrays carry a leading *run* axis ``R`` and, where it applies, a *power* axis ``P``,
a *route* axis ``K`` and, last, an *issue* axis ``I``. Functions that act on one power
at a time are elementwise over the power axis, so a Mesa agent can call them on its
own slice and the batched driver on the whole array and both get bit-identical
numbers (sums over the short last axes go column by column, :func:`last_sum`).
Functions that couple the powers (alignment, backing, the hedger's best response)
take every power at once. Every equation is written out in ``docs/MODEL.md``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from simulate.scenarios.instruments import (  # noqa: F401  (the equations' vocabulary, re-exported)
    ALL_INSTRUMENTS,
    CHANNELS,
    INSTRUMENT_INDEX,
    INSTRUMENTS,
)

Array = NDArray[np.float64]
#: 1 for the coercive instruments, 0 for the inducement (on the instrument axis).
COERCIVE = np.array([1.0] * len(INSTRUMENTS) + [0.0])
#: Smallest position used in logits, so that a target of exactly 0 or 1 stays finite.
EPS = 1e-6


def axis_sum(x: ArrayLike, axis: int = -1, keepdims: bool = False) -> Array:
    """Sum over a short axis (actors, issues, routes, mechanisms), one slice at a time.

    Sequential in the axis' order, so a Mesa agent's slice and the batched driver's
    whole array give identical numbers; and for the handful of elements an axis holds
    here several times faster than ``np.sum``, which reduces row by row.
    """
    x = np.asarray(x, dtype=float)
    axis = axis % x.ndim
    head = (slice(None),) * axis
    if x.shape[axis] == 0:
        out = np.zeros(x.shape[:axis] + x.shape[axis + 1 :])
    else:
        out = x[(*head, 0)].copy()
        for j in range(1, x.shape[axis]):
            out += x[(*head, j)]
    return np.expand_dims(out, axis) if keepdims else out


def last_sum(x: ArrayLike, keepdims: bool = False) -> Array:
    """Sum over the last axis (see :func:`axis_sum`)."""
    return axis_sum(x, -1, keepdims)


def last_max(x: ArrayLike, keepdims: bool = False) -> Array:
    """Maximum over the last axis, one column at a time (see :func:`axis_sum`)."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape[:-1], -np.inf)
    for j in range(x.shape[-1]):
        out = np.maximum(out, x[..., j])
    return out[..., None] if keepdims else out


def _div(a: ArrayLike, b: ArrayLike, default: float = 0.0) -> Array:
    """``a / b`` where ``b > 0``, else ``default`` (broadcast)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.full(np.broadcast_shapes(a.shape, b.shape), default)
    return np.divide(a, b, out=out, where=b > 0)


# --- positions and alignment -------------------------------------------------------------


def gap(position: ArrayLike, ideal: ArrayLike, salience: ArrayLike) -> Array:
    """What a power has at stake: sum over issues of salience x |position - ideal|."""
    return last_sum(np.asarray(salience) * np.abs(np.asarray(position) - np.asarray(ideal)))


def closeness(position: ArrayLike, ideal: ArrayLike, salience: ArrayLike) -> Array:
    """Salience-weighted closeness of positions to a power's ideals, in [0, 1]."""
    return np.clip(1.0 - _div(gap(position, ideal, salience), last_sum(salience)), 0.0, 1.0)


def issue_closeness(position: ArrayLike, ideal: ArrayLike, issue: int) -> Array:
    """Closeness on one issue, 1 - |position - ideal| (elementwise per power)."""
    return 1.0 - np.abs(np.asarray(position)[..., issue] - np.asarray(ideal)[..., issue])


def alignment(close: Array, sharpness: ArrayLike) -> Array:
    """Alignment over the powers (R x P): closeness ** sharpness, normalised to the simplex."""
    w = np.clip(close, 0.0, 1.0) ** np.asarray(sharpness)[..., None]
    total = last_sum(w, keepdims=True)
    n = close.shape[-1]
    return np.divide(w, total, out=np.full_like(w, 1.0 / n), where=total > 0)


def balance_index(align: Array) -> Array:
    """Normalised Shannon entropy of alignment: 1 = even split, 0 = one power only."""
    n = align.shape[-1]
    if n < 2:
        return np.zeros(align.shape[:-1])
    a = np.clip(align, 0.0, 1.0)
    plogp = np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)
    return np.clip(-last_sum(plogp) / np.log(n), 0.0, 1.0)


def following(position: Array, ideal: Array, distance: ArrayLike) -> Array:
    """Whether Kazakhstan follows each power on each issue (R x P x I, 0/1): what an analyst
    can see in its positions.

    It follows power p on issue i when its position lies within ``distance`` of p's ideal
    and farther than ``distance`` from the ideal of every power that wants something else
    (an ideal more than ``distance`` from p's): on an issue where the powers agree nobody is
    followed in particular, and a position between two camps follows neither.
    """
    d = np.asarray(distance, dtype=float)[..., None, None]
    x = np.asarray(position)[..., None, :]
    near = np.abs(x - ideal) <= d  # (R, P, I)
    # rival[..., p, q, i]: q wants something else than p on i (never p itself: |0| > d is
    # false for d >= 0)
    rival = np.abs(ideal[..., None, :, :] - ideal[..., :, None, :]) > d[..., None]
    crowded = np.any(rival & near[..., None, :, :], axis=-2)  # another camp near the position
    return (near & ~crowded).astype(float)


def agenda_share(follow: Array, salience: Array) -> Array:
    """The share of each power's agenda Kazakhstan follows, by the power's own salience (R x P)."""
    return _div(last_sum(follow * salience), last_sum(salience), 0.0)


def outcome_class(align: Array, lean: ArrayLike, aligned: ArrayLike) -> Array:
    """One-hot outcome class (R x (1 + 2P)): balanced, leaning:<p>..., aligned:<p>....

    ``align`` is a score per power (the share of its agenda Kazakhstan follows,
    :func:`agenda_share`). The power with the largest score decides: at or above
    ``aligned`` the run is aligned with it (balancing failed), at or above ``lean`` it
    leans towards it, otherwise it is balanced. Ties go to the power listed first.
    """
    n = align.shape[-1]
    top = last_max(align, keepdims=True)
    first = np.cumsum(align >= top, axis=-1) == 1
    is_top = (align >= top) & first
    a = np.asarray(aligned)[..., None]
    lo = np.asarray(lean)[..., None]
    out = np.zeros(align.shape[:-1] + (1 + 2 * n,))
    out[..., 1 : 1 + n] = is_top & (align >= lo) & (align < a)
    out[..., 1 + n :] = is_top & (align >= a)
    out[..., 0] = 1.0 - last_sum(out[..., 1:])
    return out


def is_captured(captured: ArrayLike, classes: Array, n_powers: int) -> Array:
    """Balancing failure, once reached, stays: the run was ever aligned with a power."""
    return np.asarray(captured, dtype=bool) | (last_sum(classes[..., 1 + n_powers :]) > 0)


# --- stage 1: the powers decide -----------------------------------------------------------


def grow_capacity(capacity: ArrayLike, growth: ArrayLike, dt: float) -> Array:
    """Capacity after one period of exponential growth (erosion if ``growth`` < 0)."""
    return np.asarray(capacity) * np.exp(np.asarray(growth) * dt)


def opposition(ideal: Array, salience: Array) -> Array:
    """How much each power opposes each other's agenda (R x P x P), in [0, 1].

    ``out[..., q, p]`` is power q's salience-weighted distance between its own ideals
    and power p's: how hard q would back Kazakhstan against p's demands.
    """
    n = ideal.shape[-2]
    out = np.empty(ideal.shape[:-2] + (n, n))
    for q in range(n):
        s_q = salience[..., q, :]
        for p in range(n):
            out[..., q, p] = _div(gap(ideal[..., p, :], ideal[..., q, :], s_q), last_sum(s_q))
    return out


def backing(capacity: Array, opposed: Array) -> Array:
    """Third-party backing Kazakhstan has against each power (R x P).

    backing_p = mean over q != p of min(capacity_q, 1) x opposition_qp: the others'
    weight behind Kazakhstan when p presses (the supporters in Bueno de Mesquita's
    probability of success). The mean keeps its scale when a config adds powers.
    """
    n = capacity.shape[-1]
    cap = np.clip(capacity, 0.0, 1.0)
    out = np.zeros_like(cap)
    for p in range(n):
        for q in range(n):
            if q != p:
                out[..., p] = out[..., p] + cap[..., q] * opposed[..., q, p]
    return out / max(n - 1, 1)


def give_way(vulnerability: ArrayLike, resolve: ArrayLike, support: ArrayLike) -> Array:
    """Probability that Kazakhstan gives way to a demand: v / (v + resolve + backing)."""
    v = np.clip(np.asarray(vulnerability, dtype=float), 0.0, None)
    return _div(v, v + np.asarray(resolve) + np.asarray(support))


def stakes(position: ArrayLike, ideal: ArrayLike, salience: ArrayLike) -> Array:
    """What a power has at stake on each issue: salience x |position - ideal| (..., I)."""
    return np.asarray(salience) * np.abs(np.asarray(position) - np.asarray(ideal))


def effectiveness(success: ArrayLike, backlash: ArrayLike) -> Array:
    """What a unit of pressure achieves: P x (1 - backlash x (1 - P)), in [0, 1].

    Kazakhstan gives way with probability P; where it resists, a share ``backlash`` of
    the pressure is lost as it leans on the others. Zero without vulnerability (P = 0),
    and never lower for a more vulnerable Kazakhstan.
    """
    p = np.clip(np.asarray(success, dtype=float), 0.0, 1.0)
    return p * (1.0 - np.asarray(backlash) * (1.0 - p))


def effort(stake: ArrayLike, effect: ArrayLike, cost: ArrayLike, reactivity: ArrayLike) -> Array:
    """A power's effort with each instrument on each issue, by its expected-utility rule.

    net = stake x effectiveness - cost: the expected gain of moving Kazakhstan on the
    issue, net of the backlash, against the instrument's own cost per unit of effort.
    effort = max(reactivity x net, 0). ``stake`` is (..., I); ``effect`` and ``cost``
    are (..., J) over the instruments; the result is (..., J, I).
    """
    r = np.asarray(reactivity, dtype=float)[..., None]
    out = (r * np.asarray(stake))[..., None, :] * np.asarray(effect)[..., :, None]
    out -= (r * np.asarray(cost))[..., :, None]
    return np.maximum(out, 0.0, out=out)


def allot(effort_: Array, stake: Array, ceiling: ArrayLike, floor: ArrayLike) -> Array:
    """Efforts (..., J, I) within each instrument's ceiling and above an imposed floor (..., J).

    Above the ceiling every issue's effort shrinks in proportion; below a floor (a
    coercion campaign) the shortfall is spread over the issues by stake.
    """
    cap = np.maximum(np.asarray(ceiling), 0.0)
    out = effort_ * np.minimum(1.0, _div(cap, last_sum(effort_), 1.0))[..., None]
    floor = np.asarray(floor)
    if np.any(floor > 0):
        short = np.maximum(floor - last_sum(out), 0.0)
        weight = _div(stake, last_sum(stake, keepdims=True), 0.0)
        out += short[..., None] * weight[..., None, :]
    return out


# --- stage 2: Kazakhstan chooses its positions --------------------------------------------


def best_response(weights: Array, targets: Array) -> Array:
    """The positions Kazakhstan prefers (R x I): the weighted mean of the pulls' targets.

    ``weights`` and ``targets`` have a mechanism axis before the issue axis
    (R x M x I). Maximising sum_m W_m x -(x - target_m)^2 gives
    x* = sum_m W_m target_m / sum_m W_m, a convex combination: it stays in [0, 1].
    """
    total = axis_sum(weights, -2)
    return np.clip(_div(axis_sum(weights * targets, -2), total, 0.5), 0.0, 1.0)


def own_ideal(position: Array, own_weight: Array, weights: Array, targets: Array) -> Array:
    """Kazakhstan's own preferred positions that make ``position`` a rest point.

    Solves position = (w_own x own + sum_m W_m target_m) / (w_own + sum_m W_m) for
    ``own`` (revealed preference): the doctrine's ideal, inferred from where
    Kazakhstan stands at the start given every outside pull on it. Where the
    doctrine has no weight, ``own`` is the position itself.
    """
    total = axis_sum(weights, -2)
    num = axis_sum(weights * targets, -2)
    solved = _div(position * (own_weight + total) - num, own_weight, 0.0)
    return np.where(own_weight > 0, solved, position)


def shifts(weights: Array, targets: Array, start: Array) -> Array:
    """Each mechanism's share of the best response, measured from the start (R x M x I).

    shift_m = W_m / sum W x (target_m - x_start). The shifts add up to x* - x_start;
    at the rest point they cancel, so their change since the start says which
    mechanism moved the best response, and by how much.
    """
    total = axis_sum(weights, -2)
    return _div(weights * (targets - start[..., None, :]), total[..., None, :])


def quantal(best: Array, shock: Array, scale: ArrayLike) -> Array:
    """The chosen target: the best response perturbed in logit space (quantal response).

    target = logistic(logit(x*) + scale x shock): always inside (0, 1), with the best
    response as its median.
    """
    b = np.clip(best, EPS, 1.0 - EPS)
    z = np.log(b) - np.log1p(-b) + np.asarray(scale)[..., None] * shock
    return 1.0 / (1.0 + np.exp(-z))


def smoothed_noise(noise: Array, chosen: Array, best: Array, inertia: ArrayLike,
                   dt: float) -> Array:  # fmt: skip
    """The smoothed effect of the choice shocks: N' = k N + (1 - k) (chosen - best).

    k = inertia ** dt, the lag of the position itself. The position follows the chosen
    target with the same lag (:func:`adjust`), so N is the part of the position's change
    since the start that the shocks made.
    """
    keep = (np.asarray(inertia) ** dt)[..., None]
    return keep * noise + (1.0 - keep) * (chosen - best)


def adjust(position: Array, target: Array, inertia: ArrayLike, dt: float) -> Array:
    """Positions after one period: k x old + (1 - k) x target, with k = inertia ** dt."""
    keep = (np.asarray(inertia) ** dt)[..., None]
    return np.clip(keep * position + (1.0 - keep) * target, 0.0, 1.0)


# --- stage 3: economy and routes ----------------------------------------------------------


def political_factor(close: ArrayLike, close_ref: ArrayLike, elasticity: ArrayLike) -> Array:
    """exp(elasticity x (closeness - closeness at the start)): ties follow politics."""
    return np.exp(np.asarray(elasticity) * (np.asarray(close) - np.asarray(close_ref)))


def sanctions_factor(
    sanctioned: ArrayLike, enforcement: ArrayLike, intensity: ArrayLike, reference: ArrayLike,
    drag: ArrayLike,
) -> Array:  # fmt: skip
    """Trade lost with a sanctioned partner as enforcement x intensity rises above the start."""
    level = np.asarray(intensity) * np.asarray(enforcement) - np.asarray(reference)
    return np.exp(-np.asarray(drag) * np.asarray(sanctioned) * level)


def carried_out(floor: ArrayLike, ceiling: ArrayLike) -> Array:
    """The share of an instrument's reach a power carries out: a campaign's floor, in [0, 1].

    A power's rule-chosen effort is a threat that acts on Kazakhstan's choices; an action
    that cuts capacity, trade or investment is what a scenario says a power does (a
    coercion campaign), and only for instruments the power holds (``ceiling`` > 0).
    """
    return np.where(np.asarray(ceiling) > 0, np.clip(floor, 0.0, 1.0), 0.0)


def shares(amounts: Array, other: ArrayLike) -> Array:
    """Each partner's share of a total that also includes ``other`` (rest of world)."""
    total = last_sum(amounts, keepdims=True) + np.asarray(other)[..., None]
    return np.divide(amounts, total, out=np.zeros_like(amounts), where=total > 0)


def steady_stock(inflow: ArrayLike, depreciation: ArrayLike, dt: float) -> Array:
    """The stock at which depreciation balances the inflow (the update's fixed point)."""
    decay = 1.0 - np.exp(-np.asarray(depreciation) * dt)
    return _div(np.asarray(inflow) * dt, decay, 0.0)


def accumulate_stock(
    stock: ArrayLike, inflow: ArrayLike, depreciation: ArrayLike, dt: float
) -> Array:
    """A stock after one period: depreciated stock plus the period's inflow."""
    return np.asarray(stock) * np.exp(-np.asarray(depreciation) * dt) + np.asarray(inflow) * dt


def counterweight(ideal: Array, capacity: Array) -> Array:
    """What the others want, for each power (R x P x I): the mean of the other powers'
    ideals weighted by their capacity (min(K, 1)); a power's own ideal where it is alone.

    The target of balancing against a power (Walt 1987): leaning on the others pulls
    Kazakhstan's positions towards what they want.
    """
    n = ideal.shape[-2]
    cap = np.clip(capacity, 0.0, 1.0)
    out = np.empty_like(ideal)
    for p in range(n):
        num = np.zeros_like(ideal[..., p, :])
        den = np.zeros_like(cap[..., p])
        for q in range(n):
            if q != p:
                num = num + cap[..., q, None] * ideal[..., q, :]
                den = den + cap[..., q]
        out[..., p, :] = np.where(den[..., None] > 0, _div(num, den[..., None]), ideal[..., p, :])
    return out


def revealed_intent(intent: ArrayLike, shown: ArrayLike, memory: ArrayLike, dt: float) -> Array:
    """What Kazakhstan believes a power is willing to withhold, after one period.

    max(intent x exp(-dt / memory), shown): a deliberate act (a coercion campaign carried
    out) reveals at once the share the power is willing to withhold, and the belief fades
    with the time constant ``memory``; threat is capability times perceived intent (Walt
    1987), and an accident reveals no intent.
    """
    fade = np.exp(-dt / np.maximum(np.asarray(memory, dtype=float), 1e-9))
    return np.maximum(np.asarray(intent) * fade, np.clip(shown, 0.0, 1.0))


def remembered(memory: ArrayLike, shock: ArrayLike, span: ArrayLike, dt: float) -> Array:
    """An exponentially weighted memory of shocks: m' = f m + (1 - f) shock, f = exp(-dt/span)."""
    fade = np.exp(-dt / np.maximum(np.asarray(span, dtype=float), 1e-9))
    return fade * np.asarray(memory) + (1.0 - fade) * np.asarray(shock)


def reexports(potential: ArrayLike, sanctioned: ArrayLike, intensity: ArrayLike,
              enforcement: ArrayLike) -> Array:  # fmt: skip
    """Trade diverted through Kazakhstan to a sanctioned partner (USD bn/yr).

    potential x sanctioned x intensity x (1 - enforcement): the more the West sanctions
    the partner, the more of its trade with the West seeks a way through Kazakhstan, and
    what Kazakhstan lets through is what its enforcement (re-export controls) leaves.
    """
    return (np.asarray(potential) * np.asarray(sanctioned) * np.asarray(intensity)
            * (1.0 - np.clip(enforcement, 0.0, 1.0)))  # fmt: skip


def price_factor(oil_share: ArrayLike, price: ArrayLike, reference: ArrayLike) -> Array:
    """How the value of a partner's trade moves with the oil price: (1 - o) + o x p / p_ref.

    ``oil_share`` is the share of the trade that is oil and gas, priced at the oil price;
    the rest keeps its value. 1 at the reference price.
    """
    ratio = _div(np.asarray(price), np.asarray(reference), 1.0)
    o = np.clip(np.asarray(oil_share, dtype=float), 0.0, 1.0)
    return (1.0 - o) + o * ratio


def oil_income(shipped: ArrayLike, price: ArrayLike, barrels_per_tonne: ArrayLike) -> Array:
    """Export income (USD bn/yr) of oil shipped (Mt/yr) at a price in USD per barrel."""
    return np.asarray(shipped) * np.asarray(barrels_per_tonne) * np.asarray(price) / 1000.0


def scale_factor(capacity: ArrayLike, reference: ArrayLike, exponent: ArrayLike) -> Array:
    """Unit cost of a route system relative to the start: (capacity / reference) ** -exponent.

    Infrastructure cost grows less than in proportion to capacity (the six-tenths rule,
    cost ~ capacity ** 0.6: Williams 1947), so a unit of capacity costs
    capacity ** -0.4 as the system grows. 1 at the reference; 1 where either is zero.
    """
    cap = np.asarray(capacity, dtype=float)
    ref = np.asarray(reference, dtype=float)
    ratio = _div(cap, ref, 1.0)
    ratio = np.where(cap > 0, ratio, 1.0)
    return np.maximum(ratio, 1e-9) ** -np.asarray(exponent)


# --- routes: construction, take-up and contracts ------------------------------------------

#: Stages of the construction delay (a third-order material delay).
BUILD_STAGES = 3


def construction(pipeline: Array, orders: ArrayLike, lag: ArrayLike, dt: float
                 ) -> tuple[Array, Array]:  # fmt: skip
    """Capacity under construction after one period, and the capacity completed in it.

    A third-order material delay (Sterman 2000, *Business Dynamics*, DELAY3): capacity
    ordered (``orders``, Mt/yr of capacity per year) passes three stages of ``lag``/3
    years each, so it starts to arrive slowly and on average ``lag`` years after the
    order. Each stage is solved exactly over the period for orders spread evenly over
    it, so the delay holds for yearly steps as for monthly ones. ``pipeline`` has the
    stage axis first (3, ...).
    """
    span = np.maximum(np.asarray(lag, dtype=float), 1e-9) / BUILD_STAGES
    keep = np.exp(-dt / span)
    new = np.empty_like(pipeline)
    inflow = np.asarray(orders, dtype=float) * dt  # what enters the stage over the period
    for s in range(pipeline.shape[0]):
        # each stage solved exactly over the period for an even inflow: s' = s k + i T (1 - k)
        new[s] = pipeline[s] * keep + inflow / dt * span * (1.0 - keep)
        inflow = pipeline[s] + inflow - new[s]
    return new, np.asarray(inflow, dtype=float)


def contract(contracted: ArrayLike, desired: ArrayLike, contract_time: ArrayLike,
             dt: float) -> Array:  # fmt: skip
    """Flows under contract after one period: k x desired + (1 - k) x contracted.

    Exports move between routes as contracts, nominations and shipping are rebooked,
    k = 1 - exp(-dt / contract_time); what is shipped is the contracted flow within the
    capacity available now (:func:`numpy.minimum`), so an outage loses exports at once
    and rerouting onto spare capacity elsewhere takes time.
    """
    k = 1.0 - np.exp(-dt / np.maximum(np.asarray(contract_time, dtype=float), 1e-9))
    k = np.asarray(k)[..., None] if np.ndim(k) == 1 and np.ndim(desired) == 2 else k
    return k * np.asarray(desired) + (1.0 - k) * np.asarray(contracted)


def route_preferences(share_avoiding: ArrayLike, base: Array, avoids: Array) -> Array:
    """Preferred split of oil exports over routes (R x K) from the routing position.

    Routes crossing the avoided power share 1 - x, the others share x, each group in
    proportion to the routes' base preferences.
    """
    base = np.maximum(base, 0.0)
    x = np.asarray(share_avoiding)[..., None]
    cross = base * avoids
    free = base * (1.0 - avoids)
    return x * _div(free, last_sum(free, keepdims=True)) + (1.0 - x) * _div(
        cross, last_sum(cross, keepdims=True)
    )


def allocate_routes(demand: ArrayLike, preference: Array, capacity: Array) -> Array:
    """Oil flows by route (R x K): preferred split, capped by capacity, overflow re-routed.

    1. desired flow d_k = demand x preference_k / sum(preference);
    2. f_k = min(d_k, c_k);
    3. the unplaced remainder goes to routes with spare capacity s_k = c_k - f_k in
       proportion to that spare capacity, never past it.
    Flows are non-negative, never exceed capacity, and add up to min(demand, sum(c)).
    More capacity on one route never increases the flow on any other.
    """
    pref = np.maximum(preference, 0.0)
    cap = np.maximum(capacity, 0.0)
    psum = last_sum(pref, keepdims=True)
    desired = np.asarray(demand)[..., None] * np.divide(
        pref, psum, out=np.full_like(pref, 1.0 / pref.shape[-1]), where=psum > 0
    )
    flow = np.minimum(desired, cap)
    spare = cap - flow
    remainder = np.maximum(np.asarray(demand) - last_sum(flow), 0.0)[..., None]
    spare_sum = last_sum(spare, keepdims=True)
    extra = np.where(
        remainder >= spare_sum,
        spare,
        remainder * np.divide(spare, spare_sum, out=np.zeros_like(spare), where=spare_sum > 0),
    )
    return flow + extra


def corridor_share(
    base: ArrayLike, time_weight: ArrayLike, corridor_days: ArrayLike, northern_days: ArrayLike,
    risk_weight: ArrayLike, risk: ArrayLike,
) -> Array:  # fmt: skip
    """Share of China-Europe overland freight choosing the Middle Corridor (logit).

    u = base + time_weight x (northern days - corridor days) + risk_weight x risk,
    where risk is the sanctions risk premium of the northern route through Russia.
    """
    u = (np.asarray(base)
         + np.asarray(time_weight) * (np.asarray(northern_days) - np.asarray(corridor_days))
         + np.asarray(risk_weight) * np.asarray(risk))  # fmt: skip
    return 1.0 / (1.0 + np.exp(-u))


def corridor_base(
    start_share: ArrayLike, time_weight: ArrayLike, corridor_days: ArrayLike,
    northern_days: ArrayLike, risk_weight: ArrayLike, risk: ArrayLike,
) -> Array:  # fmt: skip
    """The constant of :func:`corridor_share` that reproduces the start's split."""
    s = np.clip(np.asarray(start_share, dtype=float), EPS, 1.0 - EPS)
    return (np.log(s) - np.log1p(-s)
            - np.asarray(time_weight) * (np.asarray(northern_days) - np.asarray(corridor_days))
            - np.asarray(risk_weight) * np.asarray(risk))  # fmt: skip


# --- stage 4: leverage and outcomes -------------------------------------------------------


def through(amounts: Array, crosses: ArrayLike) -> Array:
    """``amounts`` (R x K) weighted by ``crosses`` (K x P, or R x K x P per run), summed over
    the routes (R x P), one route at a time (see :func:`axis_sum`)."""
    return axis_sum(np.asarray(amounts)[..., :, None] * np.asarray(crosses), -2)


def crossing(flows: Array, crosses: ArrayLike) -> Array:
    """Share of a commodity's flows crossing (or within reach of) each actor (R x P).

    ``crosses`` is routes x actors, 1 where a route crosses an actor (or the share of the
    route an actor can withhold), for all runs or per run (R x K x P).
    """
    total = last_sum(flows, keepdims=True)
    return np.clip(through(_div(flows, total), crosses), 0.0, 1.0)


def substitution(flows: Array, capacity: Array, crosses: ArrayLike) -> Array:
    """How much of the flow crossing each actor could switch to other routes at once (R x P).

    min(1, spare capacity on routes not crossing p / flow crossing p), in [0, 1].
    """
    spare = np.maximum(capacity - flows, 0.0)
    around = through(spare, 1.0 - np.asarray(crosses))
    across = through(flows, crosses)
    return np.where(across > 0, np.clip(_div(around, across, 1.0), 0.0, 1.0), 1.0)


def channel_leverage(
    dependence: ArrayLike, reverse: ArrayLike, difficulty: ArrayLike, capacity: ArrayLike
) -> Array:
    """Vulnerability in one channel: asymmetric dependence x difficulty x capacity, in [0, 1].

    clip(dependence - reverse dependence, 0, 1) x clip(difficulty of substituting within
    a year, 0, 1) x min(capacity, 1).
    """
    asym = np.clip(np.asarray(dependence) - np.asarray(reverse), 0.0, 1.0)
    return asym * np.clip(difficulty, 0.0, 1.0) * np.clip(capacity, 0.0, 1.0)


def leverage(channels: dict[str, Array], weights: dict[str, ArrayLike]) -> Array:
    """Total leverage: the weighted mean of the channel leverages, in [0, 1]."""
    w = {c: np.maximum(np.asarray(weights[c]), 0.0) for c in CHANNELS}
    shape = np.shape(channels[CHANNELS[0]])
    w = {c: v.reshape(v.shape + (1,) * (len(shape) - v.ndim)) for c, v in w.items()}
    wsum = sum(w.values())
    total = sum(w[c] * channels[c] for c in CHANNELS)
    return np.clip(np.divide(total, wsum, out=np.zeros(shape), where=wsum > 0), 0.0, 1.0)
