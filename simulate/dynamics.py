"""The model's equations, as pure functions over numpy arrays.

Arrays carry a leading *run* axis ``R`` and, where it applies, an *actor* axis
``P`` (powers) or ``K`` (routes). Functions that act on one actor at a time are
elementwise, so a Mesa agent can call them on its own column and the batched
driver on the whole matrix and both get bit-identical numbers. Functions that
couple actors (the softmax over powers, the route allocation) take the whole
actor axis. Every equation here is written out in ``docs/MODEL.md``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
CHANNELS = ("trade", "transit", "investment", "security", "identity")


def last_sum(x: Array, keepdims: bool = False) -> Array:
    """Sum over the last (actor or route) axis, one column at a time.

    Equivalent to ``x.sum(axis=-1)``, but many times faster for the handful of
    actors a config has, and the numbers do not depend on how many runs share
    the array.
    """
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape[:-1])
    for j in range(x.shape[-1]):
        out = out + x[..., j]
    return out[..., None] if keepdims else out


def last_max(x: Array, keepdims: bool = False) -> Array:
    """Maximum over the last axis, one column at a time (see :func:`last_sum`)."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape[:-1], -np.inf)
    for j in range(x.shape[-1]):
        out = np.maximum(out, x[..., j])
    return out[..., None] if keepdims else out


# --- stage 1: powers act -----------------------------------------------------------


def grow_capacity(capacity: ArrayLike, growth: ArrayLike, dt: float) -> Array:
    """Capacity after one period of exponential growth (erosion if ``growth`` < 0)."""
    return np.asarray(capacity) * np.exp(np.asarray(growth) * dt)


def pressure(initial_alignment: ArrayLike, alignment: ArrayLike, reactivity: ArrayLike) -> Array:
    """How hard a power reacts: reactivity times the drift away from it (never negative)."""
    drift = np.maximum(np.asarray(initial_alignment) - np.asarray(alignment), 0.0)
    return np.asarray(reactivity) * drift


def instruments(
    capacity: ArrayLike, inducement: ArrayLike, coercion: ArrayLike, pressure_: ArrayLike
) -> tuple[Array, Array]:
    """Inducements offered and coercion applied by a power this period.

    Inducements are a standing offer that grows with the drift pressure;
    coercion is applied only in reaction to drift. Both scale with capacity.
    """
    cap = np.asarray(capacity)
    prs = np.asarray(pressure_)
    return cap * np.asarray(inducement) * (1.0 + prs), cap * np.asarray(coercion) * prs


# --- stage 2: the hedger re-weights its alignment ------------------------------------


def shares(amounts: Array, other: ArrayLike) -> Array:
    """Each partner's share of a total that also includes ``other`` (rest of world)."""
    total = last_sum(amounts, keepdims=True) + np.asarray(other)[..., None]
    return np.divide(amounts, total, out=np.zeros_like(amounts), where=total > 0)


def sanctions_exposure(
    intensity: ArrayLike, compliance: ArrayLike, sanctioned: Array, trade_share: Array
) -> Array:
    """Exposure to secondary sanctions: enforcement x non-compliance x sanctioned trade."""
    sanctioned_trade = np.clip(last_sum(sanctioned * trade_share), 0.0, 1.0)
    return np.asarray(intensity) * (1.0 - np.asarray(compliance)) * sanctioned_trade


def utilities(
    *,
    trade_share: Array,
    fdi_share: Array,
    inducement: Array,
    coercion: Array,
    leverage: Array,
    sanctioned: Array,
    intensity: ArrayLike,
    compliance: ArrayLike,
    noise: Array,
    weights: dict[str, ArrayLike],
) -> Array:
    """The hedger's payoff from leaning towards each power (R x P).

    Trade and investment shares and inducements pay off; expected coercion
    (coercion weighted by the power's leverage) pulls towards the coercer;
    leaning towards a sanctioned power costs in proportion to the enforcement
    it is not covered against; ``noise`` adds the period's random shocks.
    """
    exposure = (np.asarray(intensity) * (1.0 - np.asarray(compliance)))[..., None] * sanctioned
    w = {k: np.asarray(v)[..., None] for k, v in weights.items()}
    return (
        w["payoff_trade"] * trade_share
        + w["payoff_investment"] * fdi_share
        + w["payoff_inducement"] * inducement
        + w["coercion_response"] * leverage * coercion
        - w["sanctions_aversion"] * exposure
        + w["choice_noise"] * noise
    )


def softmax(u: Array, temperature: ArrayLike) -> Array:
    """Logit (quantal-response) choice probabilities over the last axis."""
    z = u / np.asarray(temperature)[..., None]
    z = z - last_max(z, keepdims=True)
    e = np.exp(z)
    return e / last_sum(e, keepdims=True)


def realign(
    alignment: Array, utility: Array, *, temperature: ArrayLike, balance_preference: ArrayLike,
    inertia: ArrayLike, dt: float,
) -> Array:  # fmt: skip
    """New alignment: a convex mix of the old one and a balance-tempered logit target.

    target = (1 - lam) * softmax(u / tau) + lam / P; new = k * old + (1 - k) * target
    with k = inertia ** dt. Convex combinations of simplex points stay on the simplex.
    """
    n = alignment.shape[-1]
    lam = np.asarray(balance_preference)[..., None]
    target = (1.0 - lam) * softmax(utility, temperature) + lam / n
    keep = (np.asarray(inertia) ** dt)[..., None]
    new = keep * alignment + (1.0 - keep) * target
    return new / last_sum(new, keepdims=True)


# --- stage 3: trade, investment, compliance, routes ----------------------------------


def grow_trade(
    trade: ArrayLike, *, growth: ArrayLike, alignment: ArrayLike, n_powers: int,
    elasticity: ArrayLike, drag: ArrayLike, compliance: ArrayLike, intensity: ArrayLike,
    sanctioned: ArrayLike, capacity_ratio: ArrayLike, dt: float,
) -> Array:  # fmt: skip
    """Bilateral trade after one period (elementwise per power).

    Trade grows at its trend, faster the more the hedger leans towards the
    partner than an even split, slower with sanctions compliance against a
    sanctioned partner, and moves with the partner's capacity.
    """
    rate = (
        np.asarray(growth)
        + np.asarray(elasticity) * (np.asarray(alignment) - 1.0 / n_powers)
        - np.asarray(drag) * np.asarray(compliance) * np.asarray(intensity) * np.asarray(sanctioned)
    )
    return np.asarray(trade) * np.exp(rate * dt) * np.asarray(capacity_ratio)


def fdi_inflow(
    base_inflow: ArrayLike, *, capacity: ArrayLike, alignment: ArrayLike,
    initial_alignment: ArrayLike, elasticity: ArrayLike,
) -> Array:  # fmt: skip
    """Gross FDI inflow from a source (elementwise): base x capacity (<= 1) x alignment pull."""
    pull = np.exp(np.asarray(elasticity) * (np.asarray(alignment) - np.asarray(initial_alignment)))
    return np.maximum(np.asarray(base_inflow), 0.0) * np.minimum(np.asarray(capacity), 1.0) * pull


def accumulate_stock(
    stock: ArrayLike, inflow: ArrayLike, depreciation: ArrayLike, dt: float
) -> Array:
    """FDI stock after one period: depreciated stock plus the period's inflow."""
    return np.asarray(stock) * np.exp(-np.asarray(depreciation) * dt) + np.asarray(inflow) * dt


def update_compliance(
    compliance: ArrayLike, *, intensity: ArrayLike, sensitivity: ArrayLike, rate: ArrayLike,
    dt: float,
) -> Array:  # fmt: skip
    """Sanctions compliance moves towards ``clip(sensitivity x intensity, 0, 1)``."""
    target = np.clip(np.asarray(sensitivity) * np.asarray(intensity), 0.0, 1.0)
    step = 1.0 - np.exp(-np.asarray(rate) * dt)
    return np.clip(np.asarray(compliance) + step * (target - np.asarray(compliance)), 0.0, 1.0)


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


def corridor_volume(
    capacity: ArrayLike, demand: ArrayLike, transit_days: ArrayLike, reference_days: ArrayLike,
    elasticity: ArrayLike,
) -> Array:  # fmt: skip
    """Middle Corridor freight: demand rises as transit time falls, capped by capacity."""
    ratio = np.asarray(reference_days) / np.maximum(np.asarray(transit_days), 1e-9)
    wanted = np.maximum(np.asarray(demand), 0.0) * ratio ** np.asarray(elasticity)
    return np.minimum(np.maximum(np.asarray(capacity), 0.0), wanted)


# --- stage 4: outcomes ---------------------------------------------------------------------


def route_shares(flows: Array) -> Array:
    """Each route's share of oil exports (zeros when nothing flows)."""
    total = last_sum(flows, keepdims=True)
    return np.divide(flows, total, out=np.zeros_like(flows), where=total > 0)


def transit_shares(
    route_share: Array, crosses: Array, *, freight_crosses: Array, northern_volume: ArrayLike,
    corridor: ArrayLike, oil_weight: ArrayLike,
) -> tuple[Array, Array]:  # fmt: skip
    """Share of oil, and of all exports, crossing each power's territory (R x P each).

    ``crosses`` is a K x P 0/1 matrix; ``freight_crosses`` a P vector marking the
    powers the northern freight route crosses. Non-oil freight splits between the
    northern route and the Middle Corridor by volume.
    """
    oil = np.clip(route_share @ crosses, 0.0, 1.0)
    north = np.maximum(np.asarray(northern_volume), 0.0)
    total = north + np.maximum(np.asarray(corridor), 0.0)
    north_share = np.divide(north, total, out=np.zeros_like(total, dtype=float), where=total > 0)
    freight = north_share[..., None] * freight_crosses
    w = np.asarray(oil_weight)[..., None]
    return oil, np.clip(w * oil + (1.0 - w) * freight, 0.0, 1.0)


def channel_leverage(dependence: Array, reverse: Array, capacity: Array) -> Array:
    """Asymmetric interdependence in one channel: max(dep - reverse dep, 0) x min(capacity, 1)."""
    asym = np.clip(dependence - reverse, 0.0, 1.0)
    return asym * np.clip(capacity, 0.0, 1.0)


def leverage(channels: dict[str, Array], weights: dict[str, ArrayLike]) -> Array:
    """Total leverage: the weighted mean of the channel leverages, in [0, 1]."""
    w = {c: np.maximum(np.asarray(weights[c]), 0.0)[..., None] for c in CHANNELS}
    wsum = sum(w.values())
    total = sum(w[c] * channels[c] for c in CHANNELS)
    return np.clip(np.divide(total, wsum, out=np.zeros_like(total), where=wsum > 0), 0.0, 1.0)


def balance_index(alignment: Array) -> Array:
    """Normalised Shannon entropy of alignment: 1 = even split, 0 = one power only."""
    n = alignment.shape[-1]
    if n < 2:
        return np.zeros(alignment.shape[:-1])
    a = np.clip(alignment, 0.0, 1.0)
    plogp = np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)
    return np.clip(-last_sum(plogp) / np.log(n), 0.0, 1.0)


def is_captured(
    captured: ArrayLike, alignment: Array, leverage_: Array, *, alignment_threshold: ArrayLike,
    leverage_threshold: ArrayLike,
) -> Array:  # fmt: skip
    """Balancing failure, once reached, stays: any power past either threshold."""
    past = (last_max(alignment) > np.asarray(alignment_threshold)) | (
        last_max(leverage_) > np.asarray(leverage_threshold)
    )
    return np.asarray(captured, dtype=bool) | past
