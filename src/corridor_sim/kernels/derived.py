"""Derived attributes: what follows from today's segment and node attributes.

Each leg's risk (its segment's and its start node's, independent), each leg's and route's payload
(the fleet's, capped by any payload limit on the route's own legs), each capacity group's capacity,
each route's cost per cargo unit, its vehicle-day cost per payload ton and its daily capacity
(the fleet's, capped by the smallest capacity group on its legs).

Each is made again only where an attribute it follows was made today (``sc.seg_derive``,
``sc.node_derive``, set by :mod:`.effects`): the rest would come out as they are.
"""

from __future__ import annotations

from corridor_sim.kernels.contract import (
    CHUNK,
    DERIVED_ALL,
    DERIVED_RISK,
    INF,
    NODE_CAP,
    NODE_P,
    SEG_CAP,
    SEG_COST,
    SEG_FEE,
    SEG_HAZARD,
    SEG_P,
    SEG_PAYLOAD,
    libm_exp,
)


def _leg_risk(r0, n, net, st, sc):
    """Each leg's loss probability per vehicle load (per convoy passage, for a fleet in convoys) today.

    The segment's and start node's chances per passage, and the segment's hazard per day at risk over
    the leg's days in transit (exposure: 1 - exp(-hazard x days)), as independent risks. Only legs
    whose segment's or start node's risk was made today.
    """
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, leg_from, leg_transit = net.leg_seg, net.leg_from, net.leg_transit
    seg_now, node_now, leg_risk = st.seg_now, st.node_now, st.leg_risk
    r1 = r0 + n
    for leg in range(leg_seg.shape[0]):
        if sc.seg_derive[leg_seg[leg]] < DERIVED_RISK and sc.node_derive[leg_from[leg]] < DERIVED_RISK:
            continue
        out, p_seg, p_node, hazard = (
            leg_risk[ch, leg, :n],
            seg_now[SEG_P, leg_seg[leg], r0:r1],
            node_now[NODE_P, leg_from[leg], r0:r1],
            seg_now[SEG_HAZARD, leg_seg[leg], r0:r1],
        )
        days = float(leg_transit[leg])
        for i in range(n):
            survive = libm_exp(-hazard[i] * days) if hazard[i] > 0.0 else 1.0
            out[i] = 1.0 - (1.0 - p_seg[i]) * (1.0 - p_node[i]) * survive


def _group_made(g, net, sc):
    """Whether capacity group g's capacity (its node's or segment's) was made today."""
    derive = sc.node_derive if net.group_is_node[g] else sc.seg_derive
    return derive[net.group_index[g]] == DERIVED_ALL


def _route_made(k, net, sc):
    """Whether an attribute of route k's legs (their segments' or capacity groups') was made today."""
    for leg in range(net.route_leg_start[k], net.route_leg_start[k + 1]):
        if sc.seg_derive[net.leg_seg[leg]] == DERIVED_ALL:
            return True
        for j in range(net.leg_group_start[leg], net.leg_group_start[leg + 1]):
            if _group_made(net.leg_group_idx[j], net, sc):
                return True
    return False


def _derived(r0, n, net, par, st, sc):
    """Leg and route attributes that follow from the segment and node attributes made today."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, leg_vehicle, leg_own, route_leg_start = net.leg_seg, net.leg_vehicle, net.leg_own, net.route_leg_start
    route_fleet, route_turnaround = net.route_fleet, net.route_turnaround
    leg_group_start, leg_group_idx = net.leg_group_start, net.leg_group_idx
    group_is_node, group_index = net.group_is_node, net.group_index
    fleet_payload, fleet_count, fleet_day_cost = par.fleet_payload, par.fleet_count, par.fleet_day_cost
    seg_now, node_now, group_capacity, leg_payload = st.seg_now, st.node_now, st.group_capacity, st.leg_payload
    payload, leg_cap, unit_cost = sc.a, sc.b, sc.c
    r1 = r0 + n
    _leg_risk(r0, n, net, st, sc)
    for leg in range(leg_seg.shape[0]):
        if sc.seg_derive[leg_seg[leg]] < DERIVED_ALL:
            continue
        out, fleet, limit = (
            leg_payload[ch, leg, :n],
            fleet_payload[leg_vehicle[leg], r0:r1],
            seg_now[SEG_PAYLOAD, leg_seg[leg], r0:r1],
        )
        for i in range(n):
            out[i] = fleet[i] if fleet[i] < limit[i] else limit[i]
    for g in range(group_index.shape[0]):
        if not _group_made(g, net, sc):
            continue
        source = (
            node_now[NODE_CAP, group_index[g], r0:r1] if group_is_node[g] else seg_now[SEG_CAP, group_index[g], r0:r1]
        )
        out = group_capacity[g, r0:r1]
        for i in range(n):
            out[i] = source[i]
    for k in range(route_fleet.shape[0]):
        if not _route_made(k, net, sc):
            continue
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
        out_unit, out_payload = st.route_unit_cost[ch, k, :n], st.route_payload[ch, k, :n]
        out_vehicle, out_capacity = st.route_vehicle_cost[ch, k, :n], st.route_capacity[ch, k, :n]
        for i in range(n):
            out_unit[i] = unit_cost[i]
            out_payload[i] = payload[i]
            # A vehicle is tied up for the route's turnaround and carries route_payload tons.
            out_vehicle[i] = day_cost[i] * turnaround / payload[i]
            fleet_cap = count[i] * payload[i] / turnaround
            out_capacity[i] = fleet_cap if fleet_cap < leg_cap[i] else leg_cap[i]
