"""Movement and interdiction: vehicles leave, each leg moves what its capacity allows, and loads are lost.

The day's dispatch joins each route's first queue and sends its vehicles away for the route's
turnaround. Each capacity group lets through the share of its waiting load its capacity allows
(the smallest share over a leg's groups), the rest waits. Each vehicle load moving on a leg is
lost with the leg's risk: the loads lost are one Binomial draw per leg and replicate
(:mod:`.binomial`), from the day's uniforms; with convoys, strikes fall on convoys and then each
vehicle left is seized at inspection (the segment's ``inspection_probability``) at the same uniform's
position (docs/ODD.md 7.4.1, 7.4.3); the shipper sees what was sent and lost
(:mod:`.beliefs`), the actors see the traffic on their targets, and what survives enters the leg's
pipeline ring, due when its transit ends.
"""

from __future__ import annotations

import math

from corridor_sim.kernels.beliefs import _fade, _learn
from corridor_sim.kernels.binomial import _binomial, _binomial_at
from corridor_sim.kernels.contract import CHUNK, SEG_INSPECT
from corridor_sim.kernels.queues import _group_loads
from corridor_sim.kernels.storage import _landing


def _move(d, r0, n, uniforms, net, par, st, sc):
    """Dispatch, then what each leg moves under its capacities and what interdiction takes of it.

    ``uniforms`` holds the chunk's interdiction uniforms today, (n, legs).
    """
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, leg_from, leg_transit = net.leg_seg, net.leg_from, net.leg_transit
    route_leg_start, route_fleet, route_turnaround = net.route_leg_start, net.route_fleet, net.route_turnaround
    leg_group_start, leg_group_idx = net.leg_group_start, net.leg_group_idx
    fleet_route_start, fleet_route_idx, inv_pf = net.fleet_route_start, net.fleet_route_idx, net.inv_pf
    r1 = r0 + n
    memory, idle = par.belief_memory[r0:r1], par.idle_memory[r0:r1]
    leg_risk, leg_payload, group_capacity, route_payload = (
        st.leg_risk,
        st.leg_payload,
        st.group_capacity,
        st.route_payload,
    )
    pipeline, queue, in_transit, fleet_busy, fleet_returns = (
        st.pipeline,
        st.queue,
        st.in_transit,
        st.fleet_busy,
        st.fleet_returns,
    )
    dispatched, vehicles, ratio, load = sc.sent, sc.vehicles, sc.a, sc.group
    served, tons, frac, seg_traffic, node_traffic = (
        sc.served,
        sc.tons,
        sc.frac,
        sc.seg_traffic,
        sc.node_traffic,
    )
    n_legs, n_routes, n_cargo = leg_seg.shape[0], route_fleet.shape[0], inv_pf.shape[0]
    busy, leg_route, hit_list, ring = sc.busy, net.leg_route, sc.hits, net.leg_ring_start
    leg_vehicle, leg_own, in_convoys, loses_vehicles = net.leg_vehicle, net.leg_own, par.in_convoys, par.loses_vehicles
    route_cargo = net.route_cargo
    # Vehicles leave for their round trip; the cargo joins its first leg's queue.
    for k in range(n_routes):
        v, payload = vehicles[k], route_payload[ch, k, :n]
        for i in range(n):
            v[i] = 0.0
        if not busy[k]:
            continue
        for c in range(n_cargo):
            if not route_cargo[k, c]:
                continue  # a class the route does not carry: its cargo is zero throughout (and so skipped)
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
    # The traffic adaptive effort reads: only its targets' rows are kept (made from zero each day).
    seg_watched, node_watched = par.seg_watched, par.node_watched
    for j in range(par.slot_index.shape[0]):
        seen = node_traffic[par.slot_index[j]] if par.slot_on_nodes[j] else seg_traffic[par.slot_index[j]]
        for i in range(n):
            seen[i] = 0.0
    for leg in range(n_legs):
        if not busy[leg_route[leg]]:
            # Every entry of this route is exactly zero in the chunk today, so working it through would
            # change nothing for any replicate: the shipper's counts only fade.
            _fade(ch, leg, n, memory, idle, st)
            continue
        for i in range(n):
            ratio[i] = 1.0
        for j in range(leg_group_start[leg], leg_group_start[leg + 1]):
            x = load[leg_group_idx[j]]
            for i in range(n):
                ratio[i] = x[i] if x[i] < ratio[i] else ratio[i]
        if net.leg_land[leg] >= 0:
            _landing(net.leg_land[leg], r0, n, st, ratio)  # a struck airport closed to landings
        t = tons[leg]
        for i in range(n):
            t[i] = 0.0
        for c in range(n_cargo):
            if not route_cargo[leg_route[leg], c]:
                continue
            w, waiting, x = inv_pf[c], queue[ch, leg, c, :n], served[leg, c]
            for i in range(n):
                q = waiting[i]
                y = q * ratio[i]
                x[i] = y
                waiting[i] = q - y
                t[i] += y * w
        # Interdiction: each vehicle load on the leg is lost with the leg's probability.
        risk, payload, share, loads = leg_risk[ch, leg, :n], leg_payload[ch, leg, :n], frac[leg], sc.b
        inspect = st.seg_now[SEG_INSPECT, leg_seg[leg], r0:r1]
        seen_s, seen_n = seg_traffic[leg_seg[leg]], node_traffic[leg_from[leg]]
        for i in range(n):
            loads[i] = math.ceil(t[i] / payload[i] - 1e-9) if t[i] > 0.0 else 0.0
            share[i] = 0.0
        # _binomial's own first test, u > 1 - np, is false where no load moves or the risk is nil, and
        # for most loads that do move: list the replicates that pass it without a branch, then draw.
        fleet, struck = leg_vehicle[leg], st.leg_strikes[leg, r0:r1]
        if in_convoys[fleet]:
            _convoys_struck(leg, fleet, r0, n, uniforms, par, sc, loads, risk, share, struck)
            _inspected(leg, n, uniforms, sc, loads, risk, inspect, share)
        else:
            # Struck or seized at inspection, independently per load: 1 - (1 - risk)(1 - inspect), written
            # so that it is the risk to the bit where nothing is inspected.
            either, hits = sc.d, 0
            for i in range(n):
                either[i] = risk[i] + inspect[i] * (1.0 - risk[i])
                hit_list[hits] = i
                hits += uniforms[i, leg] > 1.0 - loads[i] * either[i]
            for h in range(hits):
                i = hit_list[h]
                share[i] = _binomial(loads[i], either[i], uniforms[i, leg])
                struck[i] += share[i]  # each load lost alone is a strike (or a seizure, where it is inspected)
        _learn(ch, leg, n, loads, share, memory, idle, st)  # share holds the loads lost, until made a fraction here
        for i in range(n):
            share[i] = share[i] / loads[i] if loads[i] > 0.0 else 0.0
        if seg_watched[leg_seg[leg]]:
            for i in range(n):
                seen_s[i] += t[i]
        if node_watched[leg_from[leg]]:
            for i in range(n):
                seen_n[i] += t[i]
        if leg_own[leg] and loses_vehicles[fleet]:
            _vehicles_lost(fleet, r0, n, t, payload, share, st)
        # The leg's ring has transit + 1 rows: the row due on day d + transit is the one emptied yesterday.
        arrive = ring[leg] + (d + leg_transit[leg]) % (ring[leg + 1] - ring[leg])
        for c in range(n_cargo):
            if not route_cargo[leg_route[leg], c]:
                continue
            x, later, moving = served[leg, c], pipeline[ch, arrive, c, :n], in_transit[ch, leg, c, :n]
            for i in range(n):
                y = x[i] - x[i] * share[i]
                later[i] += y
                moving[i] += y


def _convoys_struck(leg, fleet, r0, n, uniforms, par, sc, loads, risk, lost, count):
    """Into ``lost[:n]``: the vehicle loads lost on the leg today when the fleet travels in convoys.

    The leg's loads go in ``ceil(loads / size)`` convoys of equal size; each is struck with the leg's
    risk (one binomial draw over the convoys at the day's uniform, as over loads without convoys).
    Of the convoys struck, a Binomial(struck, targeted share) number are targeted strikes, drawn at
    where the uniform fell within the first draw's step (independent of it: no second stream), and
    each takes ``targeted_vehicles`` (at most the convoy); the others take the whole convoy. The
    convoys struck are added to ``count[:n]``, the leg's strikes so far.
    """
    r1 = r0 + n
    size, aimed, taken = (
        par.convoy_size[fleet, r0:r1],
        par.targeted_share[fleet, r0:r1],
        par.targeted_vehicles[fleet, r0:r1],
    )
    convoys, hit_list, at = sc.c, sc.hits, sc.d
    hits = 0
    for i in range(n):
        convoys[i] = math.ceil(loads[i] / size[i] - 1e-9) if loads[i] > 0.0 else 0.0
        lost[i] = 0.0
        at[i] = -1.0  # no draw past the first test: u's position is worked out only if inspections need it
        hit_list[hits] = i
        hits += uniforms[i, leg] > 1.0 - convoys[i] * risk[i]
    for h in range(hits):
        i = hit_list[h]
        struck, position = _binomial_at(convoys[i], risk[i], uniforms[i, leg])
        count[i] += struck
        if struck > 0.0:
            whole = loads[i] / convoys[i]  # vehicles in a convoy
            picked = taken[i] if taken[i] < whole else whole
            targeted, position = _binomial_at(struck, aimed[i], position)
            lost[i] = targeted * picked + (struck - targeted) * whole
        at[i] = position


def _inspected(leg, n, uniforms, sc, loads, risk, inspect, lost):
    """Adds to ``lost[:n]`` the vehicle loads seized at inspection on the leg, after convoy strikes.

    Each vehicle left after the strikes is inspected and seized with the segment's inspection
    probability, independently of the others: a Binomial(vehicles left, inspect) count, drawn at the
    position of the leg's uniform left by the strike draws (``sc.d``, from :func:`_convoys_struck`;
    where no convoy draw was needed it is u's position in the step of no convoy struck). A vehicle
    part struck (a targeted strike's fraction of one) counts as a whole vehicle left, and the count
    seized takes the loads left in proportion, so the expected share seized is ``inspect`` exactly.
    """
    convoys, at = sc.c, sc.d
    for i in range(n):
        left = loads[i] - lost[i]
        if inspect[i] > 0.0 and left > 1e-9:
            position = at[i] if at[i] >= 0.0 else _binomial_at(convoys[i], risk[i], uniforms[i, leg])[1]
            vehicles = float(math.ceil(left - 1e-9))
            lost[i] += _binomial(vehicles, inspect[i], position) * left / vehicles


def _vehicles_lost(fleet, r0, n, tons, payload, share, st):
    """The vehicles that carried the cargo lost on an own-mode leg leave the fleet until replaced.

    They are taken off the vehicles away (``fleet_busy``) and held as ``fleet_ghosts`` until as many
    returns of the fleet's return ring have been cancelled (:mod:`.arrivals`): a lost vehicle never comes
    back. Vehicles whose round trip had already ended on the books (cargo that queued longer than the
    turnaround) are lost all the same.
    """
    r1 = r0 + n
    away, ghosts, lost, total = (
        st.fleet_busy[fleet, r0:r1],
        st.fleet_ghosts[fleet, r0:r1],
        st.fleet_lost[fleet, r0:r1],
        st.fleet_lost_total[fleet, r0:r1],
    )
    for i in range(n):
        x = share[i] * tons[i] / payload[i]
        y = x if x < away[i] else away[i]
        y = y if y > 0.0 else 0.0
        away[i] -= y
        ghosts[i] += y
        lost[i] += x
        total[i] += x
