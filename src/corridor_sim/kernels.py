"""The daily loop as compiled kernels over the model's replicate arrays.

Everything a day does to the replicate arrays (lever effects on segments and
nodes, arrivals, the shipper's choice, queues and capacities, interdiction,
costs, belief updates, adaptive effort, totals and the day's band rows) runs
here, without a temporary array per step or a copy per day. The functions are
plain Python over numpy arrays: :func:`engine` returns them compiled with
Numba (``cache=True``, so compiled code is reused across processes) or, for
runs too small to repay loading the compiled code, as they are. Both give
bit-identical results: only IEEE arithmetic and libm's ``exp``/``log1p`` are
used, in the same order, without fast-math.

Arrays keep the model's layout (replicate axis last). Replicates go through
the day in chunks of :data:`CHUNK`: every step loops over a network entity
(leg, route, ...) outside and over the chunk's replicates inside, so the
inner loops are contiguous and vectorise, index look-ups are made once per
chunk, and the chunk's arrays stay in cache from one step to the next. Each
replicate's results depend only on its own values, never on its chunk-mates.
The arguments are grouped in tuples built by ``CorridorModel`` (see
``model.py``), their positions named by the constants below:

* ``net``: fixed index arrays of the network (legs, routes, groups, ...);
* ``fx``: lever effects compiled to chains (segment or node attribute ->
  effects applied to it, in order);
* ``par``: per-replicate parameters (fleets, cargo, demand, shipper, lever
  costs, adaptive levers);
* ``st``: levers, base and current attributes, and the state the days change.
"""

from __future__ import annotations

import functools
import math
import types

import numpy as np

INF = np.inf
# Effect kinds (how a lever's effect m changes an attribute).
PROBABILITY, CAPACITY, ADDITIVE = 0, 1, 2
# Rows of the segment attribute table (model.SEGMENT_FIELDS) and of the node table.
SEG_P, SEG_COST, SEG_FEE, SEG_CAP, SEG_PAYLOAD = 0, 1, 2, 3, 4
NODE_P, NODE_CAP = 0, 1
# What an adaptive effect can change from day to day, and so what is recomputed daily.
DERIVED_NONE, DERIVED_RISK, DERIVED_ALL = 0, 1, 2

# Positions in the ``net`` tuple.
(
    LEG_SEG,
    LEG_FROM,
    LEG_TRANSIT,
    LEG_NEXT,
    LEG_VEHICLE,
    LEG_OWN,
    LEG_ROUTE,
    ROUTE_LEG_START,
    ROUTE_FLEET,
    ROUTE_DEST,
    ROUTE_TURNAROUND,
    ROUTE_TRANSIT,
    ROUTE_CARGO,
    GROUP_LEG_START,
    GROUP_LEG_IDX,
    LEG_GROUP_START,
    LEG_GROUP_IDX,
    DEST_ROUTE_START,
    DEST_ROUTE_IDX,
    FLEET_ROUTE_START,
    FLEET_ROUTE_IDX,
    GROUP_IS_NODE,
    GROUP_INDEX,
    INV_PF,
    PF,
    N_SEGMENTS,
    N_NODES,
    LEG_RING_START,
) = range(28)
# Positions in the ``fx`` tuple.
(
    CHAIN_TABLE,
    CHAIN_ATTR,
    CHAIN_TARGET,
    CHAIN_START,
    CHAIN_ADAPTIVE,
    ENTRY_EFFECT,
    ENTRY_SLOT,
    ENTRY_NSLOTS,
    EFF_LEVER,
    EFF_INVERT,
    EFF_KIND,
    EFF_COEF,
    EFF_FACTOR_START,
    FACTOR_LEVER,
    FACTOR_COMPLEMENT,
    ADAPTIVE_DERIVED,
) = range(16)
# Positions in the ``par`` tuple.
(
    FLEET_PAYLOAD,
    FLEET_COUNT,
    FLEET_DAY_COST,
    CARGO_VALUE,
    RESERVATION,
    DEMAND,
    RISK_AVERSION,
    INERTIA,
    MEMORY,
    URGENCY,
    PRIOR_RISK,
    SHIPPER_CONSTS,
    LEVER_COST,
    ACTOR_LEVER_START,
    ACTOR_LEVER_IDX,
    AD_OFFSET,
    AD_N,
    AD_RATE,
    AD_FLOOR,
    SLOT_ON_NODES,
    SLOT_INDEX,
) = range(21)
# Positions in the ``st`` tuple.
(
    LEV,
    LEV_SEEN,
    ALLOC,
    SEG_BASE,
    NODE_BASE,
    SEG_NOW,
    NODE_NOW,
    LEG_RISK,
    LEG_PAYLOAD,
    GROUP_CAPACITY,
    ROUTE_UNIT_COST,
    ROUTE_PAYLOAD,
    ROUTE_VEHICLE_COST,
    ROUTE_CAPACITY,
    PIPELINE,
    QUEUE,
    IN_TRANSIT,
    FLEET_BUSY,
    FLEET_RETURNS,
    CUM_DEMAND,
    CUM_DELIVERED,
    WINDOW,
    SHARES,
    EXPECTED_COST,
    SENT_LOADS,
    LOST_LOADS,
    ACTOR_COST,
    TOTALS,
    CAPACITY_DAYS,
    LEG_TOTALS,
    LEG_WINDOW,
) = range(31)


CHUNK = 256  # replicates per pass: a chunk's working set stays in cache between the steps of its day


def chunked(shape, n):
    """Zeros for n replicates in chunk-major layout: (chunks, *shape, CHUNK).

    The per-leg state the day walks through leg by leg (pipeline, queues, cargo in transit, the
    shipper's load counts) is kept this way, so that a chunk's rows are one contiguous stretch of
    memory: the day then streams through it, where with the replicate axis last every row of a
    chunk is a separate 2 KB piece (a fresh start for the hardware prefetcher each time).
    """
    return np.zeros((-(-n // CHUNK), *shape, CHUNK))


def to_chunked(x):
    """A (*shape, replicates) array in chunk-major layout (the inverse of :func:`replicate_last`)."""
    n = x.shape[-1]
    out = chunked(x.shape[:-1], n)
    padded = np.zeros((*x.shape[:-1], out.shape[0] * CHUNK))
    padded[..., :n] = x
    out[...] = np.moveaxis(padded.reshape(*x.shape[:-1], out.shape[0], CHUNK), -2, 0)
    return out


def replicate_last(x, n):
    """A chunk-major array as (*shape, replicates): a copy."""
    return np.ascontiguousarray(np.moveaxis(x, 0, -2).reshape(*x.shape[1:-1], -1)[..., :n])


def replicate_last_property(attr, doc, replicates=lambda obj: obj.n_replicates):
    """A read-only property giving the chunk-major array ``obj.<attr>`` as (*shape, replicates) (a copy)."""
    return property(lambda obj: replicate_last(getattr(obj, attr), replicates(obj)), doc=doc)


def _levers(r0, n, full, net, fx, par, st, sc):
    """Today's attributes and the actors' lever costs, for replicates r0 .. r0 + n - 1.

    Attributes are recomputed from scratch where levers changed (or everywhere if ``full``), else only
    what adaptive effort moved.
    """
    lev, lev_seen, alloc = st[LEV], st[LEV_SEEN], st[ALLOC]
    chain_table, chain_attr, chain_target, chain_start = (
        fx[CHAIN_TABLE],
        fx[CHAIN_ATTR],
        fx[CHAIN_TARGET],
        fx[CHAIN_START],
    )
    chain_adaptive, entry_effect, entry_slot, entry_nslots = (
        fx[CHAIN_ADAPTIVE],
        fx[ENTRY_EFFECT],
        fx[ENTRY_SLOT],
        fx[ENTRY_NSLOTS],
    )
    eff_lever, eff_invert, eff_kind, eff_coef = fx[EFF_LEVER], fx[EFF_INVERT], fx[EFF_KIND], fx[EFF_COEF]
    factor_start, factor_lever, factor_complement = fx[EFF_FACTOR_START], fx[FACTOR_LEVER], fx[FACTOR_COMPLEMENT]
    seg_base, node_base, seg_now, node_now = st[SEG_BASE], st[NODE_BASE], st[SEG_NOW], st[NODE_NOW]
    changed, value, m = sc[S_CHANGED], sc[S_A], sc[S_B]
    r1 = r0 + n
    any_changed = full
    for i in range(n):
        changed[i] = full
    for li in range(lev.shape[0]):
        now, seen = lev[li, r0:r1], lev_seen[li, r0:r1]
        n_changed = 0
        for i in range(n):  # no branches: vectorised
            diff = now[i] != seen[i]
            changed[i] |= diff
            n_changed += diff
            seen[i] = now[i]
        any_changed |= n_changed > 0
    for ch in range(chain_attr.shape[0]):
        adaptive = chain_adaptive[ch]
        if not (adaptive or any_changed):
            continue
        attr, target, on_nodes = chain_attr[ch], chain_target[ch], chain_table[ch] == 1
        base = node_base[attr, target, r0:r1] if on_nodes else seg_base[attr, target, r0:r1]
        for i in range(n):
            value[i] = base[i]
        for j in range(chain_start[ch], chain_start[ch + 1]):
            e = entry_effect[j]
            invert, slot, coef, v = eff_invert[e], entry_slot[j], eff_coef[e, r0:r1], lev[eff_lever[e], r0:r1]
            if invert:
                for i in range(n):
                    m[i] = coef[i] * (1.0 - v[i])
            else:
                for i in range(n):
                    m[i] = coef[i] * v[i]
            for f in range(factor_start[e], factor_start[e + 1]):
                fv = lev[factor_lever[f], r0:r1]
                if factor_complement[f]:
                    for i in range(n):
                        m[i] = m[i] * (1.0 - fv[i])
                else:
                    for i in range(n):
                        m[i] = m[i] * fv[i]
            if slot >= 0:
                # Effort spread by allocation: an even split gives each target the full m.
                slots, share = entry_nslots[j], alloc[slot, r0:r1]
                for i in range(n):
                    m[i] = m[i] * share[i] * slots
            kind = eff_kind[e]
            if kind == PROBABILITY:
                for i in range(n):
                    x = -1.0 if m[i] < -1.0 else (1.0 if m[i] > 1.0 else m[i])
                    value[i] = 1.0 - (1.0 - value[i]) * (1.0 - x) if x >= 0.0 else value[i] * (1.0 + x)
            elif kind == CAPACITY:
                for i in range(n):
                    grow = 1.0 + m[i]
                    value[i] = value[i] * (grow if grow > 0.0 else 0.0)
            else:
                for i in range(n):
                    x = value[i] + m[i]
                    value[i] = x if x > 0.0 else 0.0
        out = node_now[attr, target, r0:r1] if on_nodes else seg_now[attr, target, r0:r1]
        if adaptive:
            for i in range(n):
                out[i] = value[i]
        else:
            for i in range(n):
                if changed[i]:
                    out[i] = value[i]
    derived = fx[ADAPTIVE_DERIVED]
    if any_changed or derived == DERIVED_ALL:
        _derived(r0, n, net, par, st, sc)
    elif derived == DERIVED_RISK:
        _leg_risk(r0, n, net, st)
    lever_cost, actor_lever_start, actor_lever_idx = par[LEVER_COST], par[ACTOR_LEVER_START], par[ACTOR_LEVER_IDX]
    actor_cost = st[ACTOR_COST]
    for a in range(actor_lever_start.shape[0] - 1):
        for i in range(n):
            value[i] = 0.0
        for j in range(actor_lever_start[a], actor_lever_start[a + 1]):
            li = actor_lever_idx[j]
            cost, v = lever_cost[li], lev[li, r0:r1]
            for i in range(n):
                value[i] += cost * v[i]
        paid = actor_cost[a, r0:r1]
        for i in range(n):
            paid[i] += value[i]


def _leg_risk(r0, n, net, st):
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, leg_from = net[LEG_SEG], net[LEG_FROM]
    seg_now, node_now, leg_risk = st[SEG_NOW], st[NODE_NOW], st[LEG_RISK]
    r1 = r0 + n
    for leg in range(leg_seg.shape[0]):
        out, p_seg, p_node = (
            leg_risk[ch, leg, :n],
            seg_now[SEG_P, leg_seg[leg], r0:r1],
            node_now[NODE_P, leg_from[leg], r0:r1],
        )
        for i in range(n):
            out[i] = 1.0 - (1.0 - p_seg[i]) * (1.0 - p_node[i])


def _derived(r0, n, net, par, st, sc):
    """Leg and route attributes that follow from today's segment and node attributes."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, leg_vehicle, leg_own, route_leg_start = net[LEG_SEG], net[LEG_VEHICLE], net[LEG_OWN], net[ROUTE_LEG_START]
    route_fleet, route_turnaround = net[ROUTE_FLEET], net[ROUTE_TURNAROUND]
    leg_group_start, leg_group_idx = net[LEG_GROUP_START], net[LEG_GROUP_IDX]
    group_is_node, group_index = net[GROUP_IS_NODE], net[GROUP_INDEX]
    fleet_payload, fleet_count, fleet_day_cost = par[FLEET_PAYLOAD], par[FLEET_COUNT], par[FLEET_DAY_COST]
    seg_now, node_now, group_capacity, leg_payload = st[SEG_NOW], st[NODE_NOW], st[GROUP_CAPACITY], st[LEG_PAYLOAD]
    payload, leg_cap, unit_cost = sc[S_A], sc[S_B], sc[S_C]
    r1 = r0 + n
    _leg_risk(r0, n, net, st)
    for leg in range(leg_seg.shape[0]):
        out, fleet, limit = (
            leg_payload[ch, leg, :n],
            fleet_payload[leg_vehicle[leg], r0:r1],
            seg_now[SEG_PAYLOAD, leg_seg[leg], r0:r1],
        )
        for i in range(n):
            out[i] = fleet[i] if fleet[i] < limit[i] else limit[i]
    for g in range(group_index.shape[0]):
        source = (
            node_now[NODE_CAP, group_index[g], r0:r1] if group_is_node[g] else seg_now[SEG_CAP, group_index[g], r0:r1]
        )
        out = group_capacity[g, r0:r1]
        for i in range(n):
            out[i] = source[i]
    for k in range(route_fleet.shape[0]):
        f = route_fleet[k]
        fleet = fleet_payload[f, r0:r1]
        for i in range(n):
            payload[i] = fleet[i]
            leg_cap[i] = INF
            unit_cost[i] = 0.0
        for leg in range(route_leg_start[k], route_leg_start[k + 1]):
            s = leg_seg[leg]
            cost, fee, limit = seg_now[SEG_COST, s, r0:r1], seg_now[SEG_FEE, s, r0:r1], seg_now[SEG_PAYLOAD, s, r0:r1]
            for i in range(n):
                unit_cost[i] += cost[i] + fee[i]
            if leg_own[leg]:
                for i in range(n):
                    payload[i] = limit[i] if limit[i] < payload[i] else payload[i]
            for j in range(leg_group_start[leg], leg_group_start[leg + 1]):
                cap = group_capacity[leg_group_idx[j], r0:r1]
                for i in range(n):
                    leg_cap[i] = cap[i] if cap[i] < leg_cap[i] else leg_cap[i]
        # The route's own vehicles carry the same load over all their legs (12 t trucks on the back-roads
        # routes from Tehran on), so their loads on every own-mode leg are the route payload.
        for leg in range(route_leg_start[k], route_leg_start[k + 1]):
            if leg_own[leg]:
                own = leg_payload[ch, leg, :n]
                for i in range(n):
                    own[i] = payload[i]
        turnaround = route_turnaround[k]
        day_cost, count = fleet_day_cost[f, r0:r1], fleet_count[f, r0:r1]
        out_unit, out_payload = st[ROUTE_UNIT_COST][ch, k, :n], st[ROUTE_PAYLOAD][ch, k, :n]
        out_vehicle, out_capacity = st[ROUTE_VEHICLE_COST][ch, k, :n], st[ROUTE_CAPACITY][ch, k, :n]
        for i in range(n):
            out_unit[i] = unit_cost[i]
            out_payload[i] = payload[i]
            # A vehicle is tied up for the route's turnaround and carries route_payload tons.
            out_vehicle[i] = day_cost[i] * turnaround / payload[i]
            fleet_cap = count[i] * payload[i] / turnaround
            out_capacity[i] = fleet_cap if fleet_cap < leg_cap[i] else leg_cap[i]


def attributes(net, fx, par, st):
    """Every replicate's attributes from scratch (at set-up); records the lever values they were made with."""
    st[SEG_NOW][...] = st[SEG_BASE]
    st[NODE_NOW][...] = st[NODE_BASE]
    st[LEV_SEEN][...] = st[LEV]
    sc = _scratch(net, CHUNK)
    n_reps = st[LEV].shape[1]
    for r0 in range(0, n_reps, CHUNK):
        _levers(r0, min(CHUNK, n_reps - r0), True, net, fx, par, st, sc)
    st[ACTOR_COST][...] = 0.0


# The binomial draw's weights are taken relative to the mode's, which is set to 2^900: the terms that
# decide a draw at any u down to the smallest double then stay normal numbers (full precision), and a
# total of up to 2^120 modes' worth cannot overflow.
_MODE_WEIGHT = 2.0**900
# A tail term below this fraction of u (or 1 - u) times the mode's weight is lost in the tail's sum.
_NEGLIGIBLE = 1e-17


def _binomial(n, p, u):
    """Binomial(n, p) by inverting the CDF at u: the smallest k whose CDF reaches u (one uniform per draw).

    Where P(k = 0) = (1 - p)^n is a normal double and u is not within 1e-6 of 1, the CDF is summed
    from 0 (few terms: the mean is at most about 700). Elsewhere the sum from 0 would underflow or
    take O(n) terms, and the draw starts from the mode (``_binomial_from_mode``).
    """
    if u <= 0.0 or n <= 0.0 or p <= 0.0:
        return 0.0
    if u <= 1.0 - n * p:  # P(k = 0) = (1 - p)^n >= 1 - np: no load lost, without computing the power
        return 0.0
    if p >= 1.0:
        return n
    log_p0 = n * math.log1p(-p)
    # Below e^-700, P(0) nears the subnormal range (a bit of precision lost per halving); next to u = 1, the
    # rounding of a CDF summed up to nearly 1 could move the answer by several loads, or never reach u.
    if log_p0 < -700.0 or u > 1.0 - 1e-6:
        return _binomial_from_mode(n, p, u)
    pmf = math.exp(log_p0)  # P(k = 0)
    if u <= pmf:
        return 0.0
    ratio = p / (1.0 - p)
    cdf = pmf
    k = 0.0
    while True:
        k += 1.0
        pmf *= (n - k + 1.0) / k * ratio
        cdf += pmf
        if not (u > cdf and k < n):
            return k


def _binomial_from_mode(n, p, u):
    """Binomial(n, p) at u in (0, 1), for 0 < p < 1, in O(sqrt(np(1 - p))) steps whatever n.

    Each probability is taken relative to the mode's, from ratios of neighbours only: no factorials,
    so nothing underflows, and the compiled and plain-Python kernels agree to the bit (no lgamma,
    whose last bit differs between CPython and libm). Summing outward from the mode until the terms
    no longer count gives the total and the CDF at the mode, which says on which side of the mode
    the answer lies. That side's tail is then summed again from its far end, smallest terms first,
    up to the answer, and compared with u (or 1 - u) times the total: exact to rounding (about 1e-11
    relative at n = 1e8), even for u next to 0 or 1, where a CDF walked from the mode would not be.
    """
    q = 1.0 - p
    up, down = p / q, q / p  # P(k + 1) / P(k) = (n - k) / (k + 1) * up
    mode = float(math.floor((n + 1.0) * p))
    if mode > n:
        mode = n
    cut = _NEGLIGIBLE * _MODE_WEIGHT * u
    w, lower, low = _MODE_WEIGHT, _MODE_WEIGHT, mode
    while low > 0.0 and w >= cut:
        w *= low / (n - low + 1.0) * down
        low -= 1.0
        lower += w
    w_low = w
    cut = _NEGLIGIBLE * _MODE_WEIGHT * (1.0 - u)
    w, upper, high = _MODE_WEIGHT, 0.0, mode
    while high < n and w >= cut:
        w *= (n - high) / (high + 1.0) * up
        high += 1.0
        upper += w
    w_high = w
    total = lower + upper
    if u * total <= lower:
        # At or below the mode: the first k whose lower tail P(X <= k) reaches u.
        target = u * total
        k, w, tail = low, w_low, w_low
        while tail < target and k < mode:
            w *= (n - k) / (k + 1.0) * up
            k += 1.0
            tail += w
        return k
    # Above the mode: the last k whose upper tail P(X >= k) exceeds 1 - u (exact for u >= 1/2).
    target = (1.0 - u) * total
    k, w, tail = high, w_high, w_high
    while tail <= target and k > mode + 1.0:
        w *= k / (n - k + 1.0) * down
        k -= 1.0
        tail += w
    return k


# Positions of the per-chunk work arrays.
(
    S_CHANGED,
    S_A,
    S_B,
    S_C,
    S_D,
    S_E,
    S_DELIVERED,
    S_REQUIREMENT,
    S_AVAILABLE,
    S_ROUTE_WAIT,
    S_GROUP,
    S_EC,
    S_OK,
    S_TARGET,
    S_SHARES,
    S_NORMED,
    S_SENT,
    S_MORE,
    S_WANT,
    S_LEFT,
    S_VEHICLES,
    S_NEED,
    S_SERVED,
    S_TONS,
    S_FRAC,
    S_SEG_TRAFFIC,
    S_NODE_TRAFFIC,
    S_BUSY,
    S_HITS,
    S_F,
) = range(30)


def _scratch(net, n):
    """Work arrays for a chunk of n replicates (indexed by the S_* positions)."""
    legs, routes, cargo = net[LEG_SEG].shape[0], net[ROUTE_FLEET].shape[0], net[INV_PF].shape[0]
    dests, fleets, groups = (
        net[DEST_ROUTE_START].shape[0] - 1,
        net[FLEET_ROUTE_START].shape[0] - 1,
        net[GROUP_INDEX].shape[0],
    )
    return (
        np.zeros(n, dtype=np.bool_),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros((routes, cargo, n)),
        np.zeros((dests, cargo, n)),
        np.zeros((fleets, n)),
        np.zeros((routes, n)),
        np.zeros((groups, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n), dtype=np.bool_),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((fleets, n)),
        np.zeros((routes, n)),
        np.zeros((fleets, n)),
        np.zeros((legs, cargo, n)),
        np.zeros((legs, n)),
        np.zeros((legs, n)),
        np.zeros((net[N_SEGMENTS], n)),
        np.zeros((net[N_NODES], n)),
        np.zeros(routes, dtype=np.bool_),
        np.zeros(n + 1, dtype=np.intp),
        np.zeros(n),
    )


def _arrivals(d, r0, n, net, par, st, out, sc):
    """Cargo finishing a leg moves to the next leg's queue or is delivered; vehicles come back; what is needed."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_next, leg_route, route_leg_start = net[LEG_NEXT], net[LEG_ROUTE], net[ROUTE_LEG_START]
    dest_route_start, dest_route_idx = net[DEST_ROUTE_START], net[DEST_ROUTE_IDX]
    pipeline, queue, in_transit = st[PIPELINE], st[QUEUE], st[IN_TRANSIT]
    fleet_busy, fleet_returns, fleet_count = st[FLEET_BUSY], st[FLEET_RETURNS], par[FLEET_COUNT]
    cum_demand, cum_delivered, demand = st[CUM_DEMAND], st[CUM_DELIVERED], par[DEMAND]
    delivered, requirement, available = sc[S_DELIVERED], sc[S_REQUIREMENT], sc[S_AVAILABLE]
    got, on_the_way, on_route, busy = sc[S_A], sc[S_B], sc[S_C], sc[S_BUSY]
    stack = out[0]
    r1 = r0 + n
    n_cargo = delivered.shape[1]
    busy[:] = False
    ring, rslot = net[LEG_RING_START], d % fleet_returns.shape[0]
    for leg in range(leg_next.shape[0]):
        nxt, k = leg_next[leg], leg_route[leg]
        slot = ring[leg] + d % (ring[leg + 1] - ring[leg])  # the leg's ring row of cargo due today
        for c in range(n_cargo):
            arrived, moving = pipeline[ch, slot, c, :n], in_transit[ch, leg, c, :n]
            for i in range(n):
                moving[i] -= arrived[i]
            if nxt >= 0:
                waiting = queue[ch, nxt, c, :n]
                for i in range(n):
                    waiting[i] += arrived[i]
            else:
                got_here = delivered[k, c]
                arriving = False
                for i in range(n):
                    got_here[i] = arrived[i]
                    arriving |= arrived[i] != 0.0
                if arriving:
                    busy[k] = True
            for i in range(n):
                arrived[i] = 0.0
    for f in range(fleet_busy.shape[0]):
        in_use, back, count, free = (
            fleet_busy[f, r0:r1],
            fleet_returns[rslot, f, r0:r1],
            fleet_count[f, r0:r1],
            available[f],
        )
        for i in range(n):
            in_use[i] -= back[i]
            back[i] = 0.0
            x = count[i] - in_use[i]
            free[i] = x if x > 0.0 else 0.0
    n_dest = dest_route_start.shape[0] - 1
    kc, dc = (route_leg_start.shape[0] - 1) * n_cargo, n_dest * n_cargo
    for dd in range(n_dest):
        for c in range(n_cargo):
            for i in range(n):
                got[i] = 0.0
                on_the_way[i] = 0.0
            for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
                k = dest_route_idx[j]
                got_here = delivered[k, c]
                for i in range(n):
                    got[i] += got_here[i]
                    on_route[i] = 0.0
                loaded = False
                for leg in range(route_leg_start[k], route_leg_start[k + 1]):
                    waiting, moving = queue[ch, leg, c, :n], in_transit[ch, leg, c, :n]
                    for i in range(n):
                        on_route[i] += waiting[i] + moving[i]
                        # Any cargo (or rounding residue) at all: then the route is worked through in full.
                        loaded |= (waiting[i] != 0.0) | (moving[i] != 0.0)
                for i in range(n):
                    on_the_way[i] += on_route[i]
                if loaded:
                    busy[k] = True
            row = 6 * kc + dd * n_cargo + c
            wanted, cum_wanted, cum_got, need = (
                demand[dd, c, r0:r1],
                cum_demand[dd, c, r0:r1],
                cum_delivered[dd, c, r0:r1],
                requirement[dd, c],
            )
            out_demand, out_got, out_backlog = stack[row, r0:r1], stack[row + dc, r0:r1], stack[row + 2 * dc, r0:r1]
            for i in range(n):
                cum_wanted[i] += wanted[i]
                cum_got[i] += got[i]
                x = cum_wanted[i] - cum_got[i] - on_the_way[i]
                need[i] = x if x > 0.0 else 0.0
                out_demand[i] = wanted[i]
                out_got[i] = got[i]
                out_backlog[i] = cum_wanted[i] - cum_got[i]


def _group_loads(r0, n, net, st, load):
    """Payload tons waiting at each capacity group."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    group_leg_start, group_leg_idx, inv_pf, queue = net[GROUP_LEG_START], net[GROUP_LEG_IDX], net[INV_PF], st[QUEUE]
    for g in range(group_leg_start.shape[0] - 1):
        total = load[g]
        for i in range(n):
            total[i] = 0.0
        for j in range(group_leg_start[g], group_leg_start[g + 1]):
            leg = group_leg_idx[j]
            for c in range(inv_pf.shape[0]):
                w, waiting = inv_pf[c], queue[ch, leg, c, :n]
                for i in range(n):
                    total[i] += waiting[i] * w


def _route_waits(r0, n, net, st, sc):
    """Days each route's cargo would wait in capacity-group queues (sum over its legs of the worst group)."""
    route_leg_start, leg_group_start, leg_group_idx = net[ROUTE_LEG_START], net[LEG_GROUP_START], net[LEG_GROUP_IDX]
    group_capacity, load, route_wait, worst = st[GROUP_CAPACITY], sc[S_GROUP], sc[S_ROUTE_WAIT], sc[S_A]
    _group_loads(r0, n, net, st, load)
    for k in range(route_leg_start.shape[0] - 1):
        wait_k = route_wait[k]
        for i in range(n):
            wait_k[i] = 0.0
        for leg in range(route_leg_start[k], route_leg_start[k + 1]):
            if leg_group_start[leg] == leg_group_start[leg + 1]:
                continue
            for i in range(n):
                worst[i] = 0.0
            for j in range(leg_group_start[leg], leg_group_start[leg + 1]):
                g = leg_group_idx[j]
                cap, x = group_capacity[g, r0 : r0 + n], load[g]
                for i in range(n):
                    wait = x[i] / cap[i] if cap[i] > 0.0 else (1e6 if x[i] > 0.0 else 0.0)
                    worst[i] = wait if wait > worst[i] else worst[i]
            for i in range(n):
                wait_k[i] += worst[i]


def _normalise(n, c, shares, fallback, net, out, total):
    """Shares of each destination's routes scaled to sum to one (``fallback`` where they sum to zero)."""
    dest_route_start, dest_route_idx = net[DEST_ROUTE_START], net[DEST_ROUTE_IDX]
    for dd in range(dest_route_start.shape[0] - 1):
        for i in range(n):
            total[i] = 0.0
        for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
            x = shares[dest_route_idx[j], c]
            for i in range(n):
                total[i] += x[i]
        for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
            k = dest_route_idx[j]
            x, y, z = shares[k, c], fallback[k, c], out[k, c]
            for i in range(n):
                z[i] = x[i] / total[i] if total[i] > 0.0 else y[i]


def _fleet_limit(r0, n, want, available, net, st, sc, sent, left):
    """Scale wanted loads down to the vehicles each fleet has free: fills sent and left (vehicles left per fleet).

    ``left`` may be ``available`` itself.
    """
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    route_fleet, fleet_route_start, fleet_route_idx, inv_pf = (
        net[ROUTE_FLEET],
        net[FLEET_ROUTE_START],
        net[FLEET_ROUTE_IDX],
        net[INV_PF],
    )
    route_payload, vehicles, need, scale = st[ROUTE_PAYLOAD], sc[S_VEHICLES], sc[S_NEED], sc[S_A]
    n_cargo = inv_pf.shape[0]
    for k in range(route_fleet.shape[0]):
        v, payload = vehicles[k], route_payload[ch, k, :n]
        for i in range(n):
            v[i] = 0.0
        for c in range(n_cargo):
            w, x = inv_pf[c], want[k, c]
            for i in range(n):
                v[i] += x[i] * w
        for i in range(n):
            v[i] = v[i] / payload[i]
    for f in range(fleet_route_start.shape[0] - 1):
        total, free, rest = need[f], available[f], left[f]
        for i in range(n):
            total[i] = 0.0
        for j in range(fleet_route_start[f], fleet_route_start[f + 1]):
            v = vehicles[fleet_route_idx[j]]
            for i in range(n):
                total[i] += v[i]
        for i in range(n):
            x = free[i] / total[i] if total[i] > 0.0 else 1.0
            scale[i] = 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)
        for j in range(fleet_route_start[f], fleet_route_start[f + 1]):
            k = fleet_route_idx[j]
            for c in range(n_cargo):
                x, y = want[k, c], sent[k, c]
                for i in range(n):
                    y[i] = x[i] * scale[i]
        for i in range(n):
            x = free[i] - total[i] * scale[i]
            rest[i] = x if x > 0.0 else 0.0


def _decide(r0, n, net, par, st, sc):
    """The shipper's dispatch for the chunk, into sc[S_SENT] (see actors.Shipper)."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    route_leg_start, route_fleet, route_dest = net[ROUTE_LEG_START], net[ROUTE_FLEET], net[ROUTE_DEST]
    route_transit, route_cargo, inv_pf = net[ROUTE_TRANSIT], net[ROUTE_CARGO], net[INV_PF]
    dest_route_start, dest_route_idx = net[DEST_ROUTE_START], net[DEST_ROUTE_IDX]
    cargo_value, reservation, prior_risk = par[CARGO_VALUE], par[RESERVATION], par[PRIOR_RISK]
    prior_weight, temperature = par[SHIPPER_CONSTS][0], par[SHIPPER_CONSTS][1]
    r1 = r0 + n
    risk_aversion, urgency, inertia = par[RISK_AVERSION][r0:r1], par[URGENCY][r0:r1], par[INERTIA][r0:r1]
    route_unit_cost, route_vehicle_cost, route_capacity = (
        st[ROUTE_UNIT_COST],
        st[ROUTE_VEHICLE_COST],
        st[ROUTE_CAPACITY],
    )
    shares_state, expected_cost, sent_loads, lost_loads = st[SHARES], st[EXPECTED_COST], st[SENT_LOADS], st[LOST_LOADS]
    ec, ok, target, shares, normed = sc[S_EC], sc[S_OK], sc[S_TARGET], sc[S_SHARES], sc[S_NORMED]
    sent, more, want, left = sc[S_SENT], sc[S_MORE], sc[S_WANT], sc[S_LEFT]
    requirement, available, route_wait = sc[S_REQUIREMENT], sc[S_AVAILABLE], sc[S_ROUTE_WAIT]
    survive, best, total = sc[S_B], sc[S_C], sc[S_D]
    n_routes, n_cargo, n_dest = route_fleet.shape[0], inv_pf.shape[0], dest_route_start.shape[0] - 1
    for k in range(n_routes):
        for i in range(n):
            survive[i] = 1.0
        for leg in range(route_leg_start[k], route_leg_start[k + 1]):
            lost, prior, sent_l = lost_loads[ch, leg, :n], prior_risk[ch, leg, :n], sent_loads[ch, leg, :n]
            for i in range(n):
                # The shipper's belief: a Beta-Bernoulli estimate of the leg's loss rate.
                q = (lost[i] + prior_weight * prior[i]) / (sent_l[i] + prior_weight)
                q = q if q < 1.0 - 1e-9 else 1.0 - 1e-9
                survive[i] *= 1.0 - q
        transit = route_transit[k]
        unit, vehicle, capacity, wait = (
            route_unit_cost[ch, k, :n],
            route_vehicle_cost[ch, k, :n],
            route_capacity[ch, k, :n],
            route_wait[k],
        )
        for c in range(n_cargo):
            carries, w = route_cargo[k, c], inv_pf[c]
            value, limit, e_out, ec_kc, ok_kc = (
                cargo_value[c, r0:r1],
                reservation[c, r0:r1],
                expected_cost[ch, k, c, :n],
                ec[k, c],
                ok[k, c],
            )
            for i in range(n):
                per_ton = unit[i] + vehicle[i] + urgency[i] * (transit + wait[i])
                loss_weight = (1.0 - survive[i]) * (1.0 + risk_aversion[i])
                e = (per_ton * w + value[i] * loss_weight) / survive[i]
                ec_kc[i] = e
                e_out[i] = e
                ok_kc[i] = carries & (e <= limit[i]) & (capacity[i] > 0.0)  # no branches: & not and
    # A logit on relative cost among each destination's usable routes, smoothed by inertia.
    for c in range(n_cargo):
        for dd in range(n_dest):
            lo, hi = dest_route_start[dd], dest_route_start[dd + 1]
            for i in range(n):
                best[i] = INF
                total[i] = 0.0
            for j in range(lo, hi):
                k = dest_route_idx[j]
                ec_kc, ok_kc = ec[k, c], ok[k, c]
                for i in range(n):
                    x = ec_kc[i]
                    best[i] = x if ok_kc[i] & (x < best[i]) else best[i]
            for j in range(lo, hi):
                k = dest_route_idx[j]
                ec_kc, ok_kc, z = ec[k, c], ok[k, c], target[k, c]
                for i in range(n):
                    x = 0.0
                    if ok_kc[i]:
                        gap = ec_kc[i] - best[i]
                        # The cheapest route's weight is exp(-0) = 1 exactly (temperature > 0): no call.
                        x = 1.0 if gap == 0.0 else math.exp(-gap / (temperature * (best[i] if best[i] > 0.0 else 1.0)))
                    z[i] = x
                    total[i] += x
            for j in range(lo, hi):
                k = dest_route_idx[j]
                ok_kc, z, y, state = ok[k, c], target[k, c], shares[k, c], shares_state[ch, k, c, :n]
                for i in range(n):
                    x = z[i] / total[i] if total[i] > 0.0 else 0.0
                    z[i] = x
                    y[i] = inertia[i] * state[i] + (1.0 - inertia[i]) * x if ok_kc[i] else 0.0
        _normalise(n, c, shares, target, net, normed, total)
        for k in range(n_routes):
            x, state, need, y = normed[k, c], shares_state[ch, k, c, :n], requirement[route_dest[k], c], want[k, c]
            for i in range(n):
                state[i] = x[i]
                y[i] = x[i] * need[i]
    _fleet_limit(r0, n, want, available, net, st, sc, sent, left)
    # Second pass: cargo a full fleet could not take goes to routes with spare vehicles.
    for c in range(n_cargo):
        for k in range(n_routes):
            spare, state, y, z = left[route_fleet[k]], shares_state[ch, k, c, :n], shares[k, c], target[k, c]
            for i in range(n):
                y[i] = state[i] if spare[i] > 1e-9 else 0.0
                z[i] = 0.0
        _normalise(n, c, shares, target, net, normed, total)
        for dd in range(n_dest):
            for i in range(n):
                total[i] = 0.0
            for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
                x = sent[dest_route_idx[j], c]
                for i in range(n):
                    total[i] += x[i]
            need = requirement[dd, c]
            for i in range(n):
                rest = need[i] - total[i]
                total[i] = rest if rest > 0.0 else 0.0
            for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
                k = dest_route_idx[j]
                x, y = normed[k, c], want[k, c]
                for i in range(n):
                    y[i] = x[i] * total[i]
    _fleet_limit(r0, n, want, left, net, st, sc, more, left)
    busy = sc[S_BUSY]
    for k in range(n_routes):
        for c in range(n_cargo):
            x, y = sent[k, c], more[k, c]
            sending = False
            for i in range(n):
                x[i] += y[i]
                sending |= x[i] != 0.0
            if sending:
                busy[k] = True


def _move(d, r0, n, uniforms, net, par, st, sc):
    """Dispatch, then what each leg moves under its capacities and what interdiction takes of it.

    ``uniforms`` holds the chunk's interdiction uniforms today, (n, legs).
    """
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, leg_from, leg_transit = net[LEG_SEG], net[LEG_FROM], net[LEG_TRANSIT]
    route_leg_start, route_fleet, route_turnaround = net[ROUTE_LEG_START], net[ROUTE_FLEET], net[ROUTE_TURNAROUND]
    leg_group_start, leg_group_idx = net[LEG_GROUP_START], net[LEG_GROUP_IDX]
    fleet_route_start, fleet_route_idx, inv_pf = net[FLEET_ROUTE_START], net[FLEET_ROUTE_IDX], net[INV_PF]
    r1 = r0 + n
    memory = par[MEMORY][r0:r1]
    leg_risk, leg_payload, group_capacity, route_payload = (
        st[LEG_RISK],
        st[LEG_PAYLOAD],
        st[GROUP_CAPACITY],
        st[ROUTE_PAYLOAD],
    )
    pipeline, queue, in_transit, fleet_busy, fleet_returns = (
        st[PIPELINE],
        st[QUEUE],
        st[IN_TRANSIT],
        st[FLEET_BUSY],
        st[FLEET_RETURNS],
    )
    sent_loads, lost_loads = st[SENT_LOADS], st[LOST_LOADS]
    dispatched, vehicles, ratio, load = sc[S_SENT], sc[S_VEHICLES], sc[S_A], sc[S_GROUP]
    served, tons, frac, seg_traffic, node_traffic = (
        sc[S_SERVED],
        sc[S_TONS],
        sc[S_FRAC],
        sc[S_SEG_TRAFFIC],
        sc[S_NODE_TRAFFIC],
    )
    n_legs, n_routes, n_cargo = leg_seg.shape[0], route_fleet.shape[0], inv_pf.shape[0]
    busy, leg_route, hit_list, ring = sc[S_BUSY], net[LEG_ROUTE], sc[S_HITS], net[LEG_RING_START]
    # Vehicles leave for their round trip; the cargo joins its first leg's queue.
    for k in range(n_routes):
        v, payload = vehicles[k], route_payload[ch, k, :n]
        for i in range(n):
            v[i] = 0.0
        if not busy[k]:
            continue
        for c in range(n_cargo):
            w, x, waiting = inv_pf[c], dispatched[k, c], queue[ch, route_leg_start[k], c, :n]
            for i in range(n):
                waiting[i] += x[i]
                v[i] += x[i] * w
        for i in range(n):
            v[i] = v[i] / payload[i]
    for f in range(fleet_route_start.shape[0] - 1):
        for i in range(n):
            ratio[i] = 0.0
        for j in range(fleet_route_start[f], fleet_route_start[f + 1]):
            v = vehicles[fleet_route_idx[j]]
            for i in range(n):
                ratio[i] += v[i]
        in_use = fleet_busy[f, r0:r1]
        for i in range(n):
            in_use[i] += ratio[i]
    for k in range(n_routes):
        v, back = (
            vehicles[k],
            fleet_returns[int(d + route_turnaround[k]) % fleet_returns.shape[0], route_fleet[k], r0:r1],
        )
        for i in range(n):
            back[i] += v[i]
    # Each leg moves what its capacity groups allow; the rest waits in the queue.
    _group_loads(r0, n, net, st, load)
    for g in range(load.shape[0]):
        x, cap = load[g], group_capacity[g, r0:r1]
        for i in range(n):
            y = cap[i] / x[i] if x[i] > 0.0 else 1.0
            x[i] = y if y < 1.0 else 1.0
    seg_traffic[...] = 0.0
    node_traffic[...] = 0.0
    for leg in range(n_legs):
        sent_l, lost_l = sent_loads[ch, leg, :n], lost_loads[ch, leg, :n]
        if not busy[leg_route[leg]]:
            # Every entry of this route is exactly zero in the chunk today, so working it through would
            # change nothing for any replicate: the shipper's counts only fade.
            for i in range(n):
                sent_l[i] = sent_l[i] * memory[i]
                lost_l[i] = lost_l[i] * memory[i]
            continue
        for i in range(n):
            ratio[i] = 1.0
        for j in range(leg_group_start[leg], leg_group_start[leg + 1]):
            x = load[leg_group_idx[j]]
            for i in range(n):
                ratio[i] = x[i] if x[i] < ratio[i] else ratio[i]
        t = tons[leg]
        for i in range(n):
            t[i] = 0.0
        for c in range(n_cargo):
            w, waiting, x = inv_pf[c], queue[ch, leg, c, :n], served[leg, c]
            for i in range(n):
                q = waiting[i]
                y = q * ratio[i]
                x[i] = y
                waiting[i] = q - y
                t[i] += y * w
        # Interdiction: each vehicle load on the leg is lost with the leg's probability.
        risk, payload, share, loads = leg_risk[ch, leg, :n], leg_payload[ch, leg, :n], frac[leg], sc[S_B]
        seen_s, seen_n = seg_traffic[leg_seg[leg]], node_traffic[leg_from[leg]]
        for i in range(n):
            loads[i] = math.ceil(t[i] / payload[i] - 1e-9) if t[i] > 0.0 else 0.0
            share[i] = 0.0
        # _binomial's own first test, u > 1 - np, is false where no load moves or the risk is nil, and
        # for most loads that do move: list the replicates that pass it without a branch, then draw.
        hits = 0
        for i in range(n):
            hit_list[hits] = i
            hits += uniforms[i, leg] > 1.0 - loads[i] * risk[i]
        for h in range(hits):
            i = hit_list[h]
            share[i] = _binomial(loads[i], risk[i], uniforms[i, leg])
        for i in range(n):
            lost = share[i]
            share[i] = lost / loads[i] if loads[i] > 0.0 else 0.0
            sent_l[i] = sent_l[i] * memory[i] + loads[i]
            lost_l[i] = lost_l[i] * memory[i] + lost
            seen_s[i] += t[i]
            seen_n[i] += t[i]
        # The leg's ring has transit + 1 rows: the row due on day d + transit is the one emptied yesterday.
        arrive = ring[leg] + (d + leg_transit[leg]) % (ring[leg + 1] - ring[leg])
        for c in range(n_cargo):
            x, later, moving = served[leg, c], pipeline[ch, arrive, c, :n], in_transit[ch, leg, c, :n]
            for i in range(n):
                y = x[i] - x[i] * share[i]
                later[i] += y
                moving[i] += y


def _account(d, r0, n, net, par, st, out, sc):
    """The day's flows, costs and totals per route, and the adaptive actors' new allocations."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, route_leg_start, inv_pf, pf = net[LEG_SEG], net[ROUTE_LEG_START], net[INV_PF], net[PF]
    cargo_value, seg_now, route_vehicle_cost, route_capacity = (
        par[CARGO_VALUE],
        st[SEG_NOW],
        st[ROUTE_VEHICLE_COST],
        st[ROUTE_CAPACITY],
    )
    queue, in_transit, window, totals, capacity_days = (
        st[QUEUE],
        st[IN_TRANSIT],
        st[WINDOW],
        st[TOTALS],
        st[CAPACITY_DAYS],
    )
    leg_totals, leg_window = st[LEG_TOTALS], st[LEG_WINDOW]
    dispatched, delivered, served, frac = sc[S_SENT], sc[S_DELIVERED], sc[S_SERVED], sc[S_FRAC]
    running, fees, lost, moving, waiting, spoiled = sc[S_A], sc[S_B], sc[S_C], sc[S_D], sc[S_E], sc[S_F]
    got_tons, lost_tons, busy = sc[S_VEHICLES], sc[S_ROUTE_WAIT], sc[S_BUSY]
    stack, parts = out[0], out[1]
    want_parts = parts.shape[0] > 0  # the cost parts are kept only for observers; else parts is empty
    r1 = r0 + n
    n_routes, n_cargo = route_leg_start.shape[0] - 1, inv_pf.shape[0]
    keep_window = window.shape[0] > 0  # the 30-day window, kept only when a rule reads it
    kc, wslot = n_routes * n_cargo, d % window.shape[0] if keep_window else 0
    for k in range(n_routes):
        got_k, lost_k = got_tons[k], lost_tons[k]
        for i in range(n):
            got_k[i] = 0.0
            lost_k[i] = 0.0
        vehicle = route_vehicle_cost[ch, k, :n]
        if keep_window:
            # Each leg's payload tons entering and lost today (the 30-day interdiction rate's product-limit).
            for leg in range(route_leg_start[k], route_leg_start[k + 1]):
                for q in range(2):
                    leg_window[wslot, q, leg, r0:r1] = 0.0
        for c in range(n_cargo):
            if not busy[k]:
                # Nothing on the route in the chunk today: its rows would be zeros and its totals stay. The
                # rows are left as they are, flagged in out[2] (the recorder zeroes them where they are read).
                if want_parts:
                    for q in range(3):
                        parts[q, k, c, r0:r1] = 0.0
                continue
            for i in range(n):
                running[i], fees[i], lost[i], moving[i], waiting[i] = 0.0, 0.0, 0.0, 0.0, 0.0
            unit = pf[c]
            for leg in range(route_leg_start[k], route_leg_start[k + 1]):
                s = leg_seg[leg]
                x, share, cost, fee = served[leg, c], frac[leg], seg_now[SEG_COST, s, r0:r1], seg_now[SEG_FEE, s, r0:r1]
                moving_l, waiting_l = in_transit[ch, leg, c, :n], queue[ch, leg, c, :n]
                # Loops over a few arrays each: LLVM vectorises them (one loop over all eleven stays scalar).
                for i in range(n):
                    units = x[i] / unit
                    running[i] += units * cost[i]
                    fees[i] += units * fee[i]
                # With the route's losses, the tons entering the leg's draw and the tons lost in it, per leg:
                # the interdiction rate's product-limit estimator reads them (cargo still in transit has not
                # reached later legs).
                entered_l, lost_l = leg_totals[ch, 0, leg, c, :n], leg_totals[ch, 1, leg, c, :n]
                for i in range(n):
                    taken = x[i] * share[i]
                    lost[i] += taken
                    entered_l[i] += x[i]
                    lost_l[i] += taken
                if keep_window:
                    entered_w, lost_w = leg_window[wslot, 0, leg, r0:r1], leg_window[wslot, 1, leg, r0:r1]
                    w = inv_pf[c]
                    for i in range(n):
                        entered_w[i] += x[i] * w
                        lost_w[i] += x[i] * share[i] * w
                for i in range(n):
                    moving[i] += moving_l[i]
                    waiting[i] += waiting_l[i]
            row, w = k * n_cargo + c, inv_pf[c]
            sent_kc, got_kc, value = dispatched[k, c], delivered[k, c], cargo_value[c, r0:r1]
            rows = (
                stack[row, r0:r1],
                stack[kc + row, r0:r1],
                stack[2 * kc + row, r0:r1],
                stack[3 * kc + row, r0:r1],
                stack[4 * kc + row, r0:r1],
                stack[5 * kc + row, r0:r1],
            )
            tot = (
                totals[ch, 0, k, c, :n],
                totals[ch, 1, k, c, :n],
                totals[ch, 2, k, c, :n],
                totals[ch, 3, k, c, :n],
                totals[ch, 4, k, c, :n],
                totals[ch, 5, k, c, :n],
                totals[ch, 6, k, c, :n],
            )
            # Again loops over a few arrays each, so that they vectorise. running becomes the transport cost.
            for i in range(n):
                running[i] = running[i] + sent_kc[i] / unit * vehicle[i]
            for i in range(n):
                spoiled[i] = lost[i] * value[i]
            cost = rows[5]
            for i in range(n):
                cost[i] = running[i] + fees[i] + spoiled[i]
            for q, source in enumerate((sent_kc, got_kc, lost, moving, waiting)):
                row_q = rows[q]
                for i in range(n):
                    row_q[i] = source[i]
            for q, source in enumerate((sent_kc, got_kc, lost, cost, running, fees, spoiled)):
                total_q = tot[q]
                for i in range(n):
                    total_q[i] += source[i]
            for i in range(n):
                got_k[i] += got_kc[i] * w
                lost_k[i] += lost[i] * w
            if want_parts:
                for q, source in enumerate((running, fees, spoiled)):
                    part_q = parts[q, k, c, r0:r1]
                    for i in range(n):
                        part_q[i] = source[i]
        cap_days, cap = capacity_days[k, r0:r1], route_capacity[ch, k, :n]
        sent_tons = 0.0
        got_sum, lost_sum = 0.0, 0.0
        for i in range(n):
            cap_days[i] += cap[i]
            got_sum += got_k[i]
            lost_sum += lost_k[i]
        if keep_window:
            got_w, lost_w = window[wslot, 0, k, r0:r1], window[wslot, 1, k, r0:r1]
            for i in range(n):
                got_w[i] = got_k[i]
                lost_w[i] = lost_k[i]
        if busy[k]:
            for c in range(n_cargo):
                x, w = dispatched[k, c], inv_pf[c]
                for i in range(n):
                    sent_tons += x[i] * w
        # The chunk's sums of today's payload tons per route (the DataCollector's ensemble means).
        ensemble = out[2]
        ensemble[r0 // CHUNK, 0, k] = sent_tons
        ensemble[r0 // CHUNK, 1, k] = got_sum
        ensemble[r0 // CHUNK, 2, k] = lost_sum
        ensemble[r0 // CHUNK, 3, k] = 1.0 if busy[k] else 0.0  # 0: the route's rows were not written
    # Adaptive actors shift effort toward the targets where they saw traffic today.
    ad_offset, ad_n, ad_rate, ad_floor = par[AD_OFFSET], par[AD_N], par[AD_RATE], par[AD_FLOOR]
    slot_on_nodes, slot_index, alloc = par[SLOT_ON_NODES], par[SLOT_INDEX], st[ALLOC]
    seg_traffic, node_traffic, total = sc[S_SEG_TRAFFIC], sc[S_NODE_TRAFFIC], sc[S_A]
    for a in range(ad_offset.shape[0]):
        lo, n_slots, rate, floor = ad_offset[a], ad_n[a], ad_rate[a], ad_floor[a]
        for i in range(n):
            total[i] = 0.0
        for j in range(lo, lo + n_slots):
            seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
            for i in range(n):
                total[i] += seen[i]
        for j in range(lo, lo + n_slots):
            seen = node_traffic[slot_index[j]] if slot_on_nodes[j] else seg_traffic[slot_index[j]]
            effort = alloc[j, r0:r1]
            for i in range(n):
                seen_all = total[i]
                target = floor / n_slots + (1.0 - floor) * (seen[i] / (seen_all if seen_all > 0.0 else 1.0))
                effort[i] = effort[i] + rate * (target - effort[i]) if seen_all > 0.0 else effort[i]


def day(d, u, net, fx, par, st, out, r_start, r_stop):
    """Simulate day d for replicates r_start .. r_stop - 1, after the day's rules and timed changes set the levers.

    ``u`` holds the day's interdiction uniforms, (blocks, BLOCK, legs): replicate r's are ``u[r // BLOCK,
    r % BLOCK]``. ``out`` receives the day's flows: ``out[0]``, the band rows x replicates (the route
    quantities, then the destination ones, in outputs.Recorder's order), ``out[1]``, transport, fees
    and losses per route and cargo (3, routes, cargo, replicates; or an empty (0, ...) array when no
    one reads them, and they are not computed), and ``out[2]``, (chunks, 4, routes): each chunk's
    sums of payload tons dispatched, delivered and interdicted per route, then 1 where the chunk
    wrote the route's rows and 0 where it had nothing on the route and left its rows as they were
    (they are zeros: whoever reads them zeroes them first). Replicates go in chunks, each through
    the whole day; r_start must be a multiple of CHUNK. Replicates never read each other's values, so
    disjoint ranges can run at the same time on different threads (the kernels release the GIL).
    """
    sc = _scratch(net, CHUNK)
    n_chunks = (r_stop - r_start + CHUNK - 1) // CHUNK
    for j in range(n_chunks):
        # Odd days walk the chunks backwards: the chunks a day touched last are still in the cache
        # when the next day starts with them (replicates are independent, so the order is free).
        r0 = r_start + CHUNK * (n_chunks - 1 - j if d % 2 else j)
        n = min(CHUNK, r_stop - r0)
        # The chunk's uniforms: a chunk lies within one block of the draws (CHUNK divides BLOCK).
        b, i = r0 // u.shape[1], r0 % u.shape[1]
        _chunk_day(d, r0, n, u[b, i : i + n], net, fx, par, st, out, sc)


def span(d0, days, u, net, fx, par, st, rows, parts, sums, r_start, r_stop):
    """Days d0 .. d0 + days - 1 for replicates r_start .. r_stop - 1: each chunk through every day, then the next.

    The same results as :func:`day` called for each day in turn (a replicate's days run in order,
    and replicates never read each other's values), but a chunk's state stays in the cache from one
    day to the next instead of being streamed from memory every day. Day d0 + k's uniforms are
    ``u[:, k]``, laid out as :func:`day`'s ``u`` but for the blocks from r_start's on (r_start must
    be a multiple of the block), and its ``out`` is ``(rows[k], parts[k], sums[k])``. Nothing outside
    the kernel may act between these days: the model spans only days on which no lever changes (see
    ``CorridorModel``).
    """
    sc = _scratch(net, CHUNK)
    for r0 in range(r_start, r_stop, CHUNK):
        n = min(CHUNK, r_stop - r0)
        b, i = (r0 - r_start) // u.shape[2], (r0 - r_start) % u.shape[2]
        for k in range(days):
            _chunk_day(d0 + k, r0, n, u[b, k, i : i + n], net, fx, par, st, (rows[k], parts[k], sums[k]), sc)


def _chunk_day(d, r0, n, uniforms, net, fx, par, st, out, sc):
    """Day d for the chunk of n replicates from r0, whose uniforms are (n, legs): every step in order."""
    _levers(r0, n, False, net, fx, par, st, sc)
    _arrivals(d, r0, n, net, par, st, out, sc)
    _route_waits(r0, n, net, st, sc)
    _decide(r0, n, net, par, st, sc)
    _move(d, r0, n, uniforms, net, par, st, sc)
    _account(d, r0, n, net, par, st, out, sc)


# ---------------------------------------------------------------------- bands


def _select(a, lo, hi, k):
    """Partially order a[lo:hi] in place so that a[k] holds its order statistic (quickselect, Hoare partition)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        x, y, z = a[lo], a[mid], a[hi - 1]
        # Median of three as pivot.
        pivot = y if (x <= y <= z or z <= y <= x) else (x if (y <= x <= z or z <= x <= y) else z)
        i, j = lo, hi - 1
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j + 1
        elif k >= i:
            lo = i
        else:
            return


BUCKETS = 2048  # most histogram buckets of the bands' selection (fewer for fewer values: see _buckets_for)
SMALL = 48  # a bucket this small is ordered by quickselect rather than split again
_SIGN = np.uint64(1) << np.uint64(63)
_ONES = ~np.uint64(0)
_ZERO, _ONE = np.uint64(0), np.uint64(1)


def _key(u):
    """A double's bits (as uint64) made an unsigned integer in the doubles' own order.

    Positive doubles get the sign bit set, negative ones have every bit flipped. Buckets of equal
    width in this key are roughly equal ratios of the value (a few per power of two), so heavy-tailed
    rows (costs of 10 to 10 million dollars) spread over many buckets where equal-width value
    buckets would put nearly all of them in the first.
    """
    return u ^ (_ONES if u & _SIGN else _SIGN)


def _buckets_for(m):
    """Buckets for m values: about one per four values, a power of two from 16 to BUCKETS.

    Zeroing and summing the counts costs per bucket, so small ensembles (and small regions being
    split again) use few.
    """
    nb = 16
    while nb < BUCKETS and 4 * nb < m:
        nb *= 2
    return nb


def _bucket(u, base, shift, top):
    """The bucket of a middle value's bits (the row's minimum and maximum land anywhere: callers skip them)."""
    k = _key(u)
    k = k if k > base else base  # a select, then an unconditional shift: the loop stays free of branches
    b = (k - base) >> shift
    return b if b < top else top


def _from_key(k):
    """The double whose :func:`_key` is k."""
    u = k ^ _SIGN if k & _SIGN else ~k
    return np.array([u]).view(np.float64)[0]


def _range(row):
    """Minimum, maximum and sum of a row, then the keys of the minimum and maximum.

    The extremes are taken over the values' keys (:func:`_key`: integers in the doubles' order),
    whose minimum and maximum LLVM vectorises where those of doubles stay scalar; the sum runs in
    four interleaved running values (so the loop pipelines), which fixes the mean's summation order.
    """
    n = row.shape[0]
    bits = row.view(np.uint64)
    k_lo = _key(bits[0])
    k_hi = k_lo
    for j in range(n):
        k = _key(bits[j])
        k_lo = k if k < k_lo else k_lo
        k_hi = k if k > k_hi else k_hi
    s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
    j = 0
    while j + 4 <= n:
        s0 += row[j]
        s1 += row[j + 1]
        s2 += row[j + 2]
        s3 += row[j + 3]
        j += 4
    while j < n:
        s0 += row[j]
        j += 1
    return _from_key(k_lo), _from_key(k_hi), (s0 + s1) + (s2 + s3), k_lo, k_hi


def _mid_range(row, k_lo, k_hi):
    """The keys of the smallest value above the minimum and of the largest below the maximum.

    k_lo and k_hi are the minimum's and maximum's keys; where there is no such value, k_hi and k_lo.
    """
    bits = row.view(np.uint64)
    m_lo, m_hi = k_hi, k_lo
    for j in range(row.shape[0]):  # integer minimum and maximum: vectorised
        k = _key(bits[j])
        x = k if k != k_lo else k_hi
        m_lo = x if x < m_lo else m_lo
        y = k if k != k_hi else k_lo
        m_hi = y if y > m_hi else m_hi
    return m_lo, m_hi


def _shift(span, nb):
    """The right shift that maps a key span onto nb buckets."""
    shift = _ZERO
    while (span >> shift) >= np.uint64(nb):
        shift += _ONE
    return shift


def _select_keyed(a, begin, size, t, counts):
    """The value of rank t among a[begin:begin + size], which it reorders.

    Splits the region by key buckets, keeps the bucket holding rank t (moved to the front), and so on
    until few values are left; then quickselect.
    """
    bits = a.view(np.uint64)
    while size > SMALL:
        k_lo = _key(bits[begin])
        k_hi = k_lo
        for j in range(begin, begin + size):
            k = _key(bits[j])
            k_lo = k if k < k_lo else k_lo
            k_hi = k if k > k_hi else k_hi
        if k_lo == k_hi:
            return a[begin]
        nb = _buckets_for(size)
        shift = _shift(k_hi - k_lo, nb)
        counts[:nb] = 0
        for j in range(begin, begin + size):
            counts[(_key(bits[j]) - k_lo) >> shift] += 1
        b, below = 0, 0
        while below + counts[b] <= t:
            below += counts[b]
            b += 1
        w = begin
        for j in range(begin, begin + size):
            if (_key(bits[j]) - k_lo) >> shift == b:
                x = a[j]
                a[j] = a[w]
                a[w] = x
                w += 1
        size, t = w - begin, t - below
    _select(a, begin, begin + size, begin + t)
    return a[begin + t]


def band_work(n, n_quantiles):
    """The work arrays :func:`bands` needs for rows of n values: made once per thread, reused row after row."""
    nb = _buckets_for(n)
    return (
        np.zeros(n),  # the values of the buckets gathered (at most a row)
        np.zeros((4, nb + 1), dtype=np.int32),  # four interleaved counts per bucket; zero between rows
        np.zeros(nb + 1, dtype=np.intp),  # each bucket's first rank among the middle values
        np.full(nb + 1, -1, dtype=np.intp),  # where a gathered bucket's values go, or -1; -1 between rows
        np.zeros(n, dtype=np.int32),  # each value's bucket
        np.zeros(2 * n_quantiles, dtype=np.intp),  # the ranks wanted
        np.zeros(2 * n_quantiles, dtype=np.intp),  # their buckets
        np.zeros(2 * n_quantiles),  # their values
        np.zeros(BUCKETS, dtype=np.intp),  # _select_keyed's counts
    )


def bands(stack, positions, fractions, stats, work, first_row, row_step, known):
    """Quantiles (at ascending order-statistic positions, interpolated) and mean of each row of ``stack``.

    ``stats`` receives (len(positions) + 1, rows): the quantiles, then the mean; ``work`` is
    :func:`band_work`'s (one per thread: the rows leave it ready for the next). Exact order
    statistics, interpolated as below + fraction x (above - below), numpy's default 'linear' method.
    Only rows first_row, first_row + row_step, ... are done, so threads can share the rows (each
    with its own work arrays), and of those only rows whose ``known`` is false (the caller has their
    statistics already).

    Per row: one pass for the minimum, maximum and sum (a row whose replicates all agree, a route
    nobody uses, stops there), one for the extremes of the values strictly between (the middle
    values), one counting the minimum and maximum (zero flows, mostly) and the middle values per key
    bucket (see :func:`_key`), then one gathering only the buckets that hold the wanted ranks, which
    are split further or selected (:func:`_select_keyed`). The loops avoid unpredictable branches:
    rows mix zeros and flows at random.
    """
    n_rows, n = stack.shape
    n_q = positions.shape[0]
    n_r = 2 * n_q
    nb = _buckets_for(n)
    top = np.uint64(nb - 1)
    # Bucket nb holds the row's minimum and maximum values: counted apart, never gathered. Four
    # interleaved counts per bucket, so that equal buckets in a row do not stall on each other.
    scratch, lanes, first, where, code, ranks, bucket, values, counts = work
    for i in range(first_row, n_rows, row_step):
        if known[i]:
            continue
        row = stack[i]
        lo, hi, total, k_lo, k_hi = _range(row)
        stats[n_q, i] = total / n
        if lo == hi:
            for q in range(n_q):
                stats[q, i] = lo
            continue
        bits = row.view(np.uint64)
        base, mid_hi = _mid_range(row, k_lo, k_hi)  # keys
        shift = _shift(mid_hi - base if base <= mid_hi else _ZERO, nb)
        n_lo, n_hi = 0, 0
        for j in range(n):  # no branches and no scattered writes: vectorised
            x = row[j]
            at_lo, at_hi = x == lo, x == hi
            n_lo += at_lo
            n_hi += at_hi
            code[j] = nb if at_lo | at_hi else _bucket(bits[j], base, shift, top)
        for j in range(n):
            lanes[j & 3, code[j]] += 1
        m = n - n_lo - n_hi
        start = 0
        for b in range(nb):  # the buckets' first ranks, leaving the counts at zero for the next row
            first[b] = start
            start += lanes[0, b] + lanes[1, b] + lanes[2, b] + lanes[3, b]
            lanes[0, b], lanes[1, b], lanes[2, b], lanes[3, b] = 0, 0, 0, 0
        lanes[0, nb], lanes[1, nb], lanes[2, nb], lanes[3, nb] = 0, 0, 0, 0
        first[nb] = m
        for q in range(n_q):
            k = positions[q]
            ranks[2 * q] = k - n_lo
            ranks[2 * q + 1] = (k + 1 if k + 1 < n else k) - n_lo
        end, gather = 0, False
        for r in range(n_r):
            t = ranks[r]
            bucket[r] = -1
            if t < 0 or t >= m:
                continue
            left, right = 0, nb  # the bucket holding rank t: the last whose first rank is <= t
            while right - left > 1:
                mid = (left + right) // 2
                if first[mid] <= t:
                    left = mid
                else:
                    right = mid
            bucket[r] = left
            if where[left] < 0:
                where[left] = end
                end += first[left + 1] - first[left]
                gather = True
        if gather:
            for j in range(n):
                b = code[j]
                if where[b] >= 0:  # rarely true, so the branch predicts well (never for the minimum and maximum)
                    scratch[where[b]] = row[j]
                    where[b] += 1
        for r in range(n_r):
            t, b = ranks[r], bucket[r]
            if t < 0:
                values[r] = lo
            elif t >= m:
                values[r] = hi
            else:
                size = first[b + 1] - first[b]
                values[r] = _select_keyed(scratch, where[b] - size, size, t - first[b], counts)
        for r in range(n_r):
            if bucket[r] >= 0:
                where[bucket[r]] = -1
        for q in range(n_q):
            below, above = values[2 * q], values[2 * q + 1]
            stats[q, i] = below + fractions[q] * (above - below)


# ---------------------------------------------------------------------- compilation

# The helpers a chunk's day calls, in dependency order; none allocates, so they are compiled without
# Numba's reference counting (see _compiled).
_WITHOUT_REFCOUNTS = (
    "_leg_risk",
    "_derived",
    "_levers",
    "_binomial_from_mode",
    "_binomial",
    "_arrivals",
    "_group_loads",
    "_route_waits",
    "_normalise",
    "_fleet_limit",
    "_decide",
    "_move",
    "_account",
    "_chunk_day",
)
# Every helper, each after those it calls.
_HELPERS = (
    "_scratch",
    *_WITHOUT_REFCOUNTS,
    "_select",
    "_key",
    "_buckets_for",
    "_bucket",
    "_from_key",
    "_range",
    "_mid_range",
    "_shift",
    "_select_keyed",
)
_ENTRY_POINTS = ("attributes", "day", "span", "bands")


@functools.cache
def _compiled() -> types.SimpleNamespace:
    """Every helper and entry point compiled with Numba (``engine(True)`` hands out the entry points)."""
    import numba
    from numba.core import event

    class CompileNotices(_CompileNotices, event.Listener):
        pass

    event.register("numba:compile", CompileNotices())
    options = {"cache": True, "nogil": True, "error_model": "numpy"}
    namespace = dict(globals())
    # Compile helpers first, in dependency order, each seeing the compiled versions of those before it.
    for name in _HELPERS + _ENTRY_POINTS:
        py = globals()[name]
        func = types.FunctionType(py.__code__, namespace, name, py.__defaults__, py.__closure__)
        func.__module__, func.__qualname__, func.__doc__ = py.__module__, py.__qualname__, py.__doc__
        # The day's helpers make hundreds of array views per chunk and day, and Numba counts references
        # to each (two atomic calls per view: 5-6% of a run). Their callers (span, day) hold every
        # array for the whole call and the helpers allocate nothing, so they are compiled without
        # Numba's reference counting: the same machine code less those calls (bit-identical results).
        # ``_nrt`` is a private Numba option (numba 0.68, pinned): a helper that allocated would fail to compile.
        flags = {"_nrt": False} if name in _WITHOUT_REFCOUNTS else {}
        namespace[name] = numba.njit(**options, **flags)(func)
    return types.SimpleNamespace(**{name: namespace[name] for name in _HELPERS + _ENTRY_POINTS})


def engine(compiled: bool) -> types.SimpleNamespace:
    """The kernels, compiled with Numba or as plain Python (identical results)."""
    functions = vars(_compiled()) if compiled else globals()
    return types.SimpleNamespace(**{name: functions[name] for name in _ENTRY_POINTS})


def numba_available() -> bool:
    """Whether Numba is installed (without importing it: that alone takes a quarter of a second)."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


# ---------------------------------------------------------------------- compilation notices

# The first compiled run on a machine compiles the kernels (then cached next to this file): about 75 s
# of CPU time, 2.5 to 3 minutes on a busy 2-core machine (docs/performance.md). Said up front.
FIRST_COMPILE = "75 s of CPU time, 2 to 3 minutes on a busy machine"
NOTICE_EVERY = 30.0  # seconds between "still compiling" lines
_notices: list = []  # the stream compilation notices go to (none: silent)


def report_compilation(stream) -> None:
    """Write a notice and progress lines to ``stream`` (e.g. ``sys.stderr``) while the kernels compile.

    Compilation happens only on a machine's first compiled run (or after the kernels change); loading
    them from the cache says nothing. ``None`` silences the notices (the default: the library is quiet,
    the command line turns them on).
    """
    _notices[:] = [] if stream is None else [stream]


class _CompileNotices:
    """A Numba event listener: one line when compiling starts, one per entry point done, ticks between.

    Numba sends a ``numba:compile`` event only when a function is really compiled, not when it is
    loaded from the cache. Helpers compile inside their callers, so only the outermost compile counts.
    """

    def __init__(self):
        self.depth = 0
        self.started = None
        self.stop = None

    def on_start(self, event) -> None:
        if _ours(event):
            self.depth += 1
            if self.depth == 1:
                self._begin()

    def on_end(self, event) -> None:
        if _ours(event):
            self.depth -= 1
            if self.depth == 0:
                self._end(event.data["dispatcher"].py_func.__name__)

    def _say(self, text: str) -> None:
        if _notices:
            print(text, file=_notices[0], flush=True)

    def _begin(self) -> None:
        import threading
        import time

        if self.started is None:
            self.started = time.perf_counter()
            self._say(f"Compiling the simulation kernels, once: about {FIRST_COMPILE} (cached afterwards)...")
        self.stop = threading.Event()
        threading.Thread(target=self._tick, args=(self.stop,), daemon=True, name="compile-notices").start()

    def _end(self, name: str) -> None:
        import time

        self.stop.set()
        self._say(f"  compiled {name} ({time.perf_counter() - self.started:.0f} s so far)")

    def _tick(self, stop) -> None:
        import time

        while not stop.wait(NOTICE_EVERY):
            self._say(f"  still compiling ({time.perf_counter() - self.started:.0f} s)...")


def _ours(event) -> bool:
    """Whether a Numba event concerns one of these kernels (not another library's function)."""
    return getattr(event.data["dispatcher"].py_func, "__module__", None) == __name__
