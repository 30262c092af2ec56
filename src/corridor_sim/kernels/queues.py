"""Capacity queues: the load waiting at each capacity group, and the wait it means on each route."""

from __future__ import annotations

from corridor_sim.kernels.contract import CHUNK


def _group_loads(r0, n, net, st, load):
    """Payload tons waiting at each capacity group."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    group_leg_start, group_leg_idx, inv_pf, queue = net.group_leg_start, net.group_leg_idx, net.inv_pf, st.queue
    for g in range(group_leg_start.shape[0] - 1):
        total = load[g]
        for i in range(n):
            total[i] = 0.0
        for j in range(group_leg_start[g], group_leg_start[g + 1]):
            leg = group_leg_idx[j]
            for c in range(inv_pf.shape[0]):
                if not net.route_cargo[net.leg_route[leg], c]:
                    continue  # a class the leg's route does not carry: nothing waits
                w, waiting = inv_pf[c], queue[ch, leg, c, :n]
                for i in range(n):
                    total[i] += waiting[i] * w


def _route_waits(r0, n, net, st, sc):
    """Days each route's cargo would wait in capacity-group queues (sum over its legs of the worst group)."""
    route_leg_start, leg_group_start, leg_group_idx = net.route_leg_start, net.leg_group_start, net.leg_group_idx
    group_capacity, load, route_wait, worst = st.group_capacity, sc.group, sc.route_wait, sc.a
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
