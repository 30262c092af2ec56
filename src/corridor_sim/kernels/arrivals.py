"""Arrivals and deliveries: cargo finishing a leg, vehicles coming back, demand and what is still needed.

Cargo due today leaves each leg's pipeline ring for the next leg's queue, or is delivered at the
route's destination; vehicles due back rejoin their fleet; each destination's demand accrues, and
its requirement (demand not yet delivered nor on the way, less the lost cargo written off) is what
the shipper must send. A destination's demand may change by phase (docs/ODD.md 7.2). The
destination rows of the day's band stack are written here.
"""

from __future__ import annotations

from corridor_sim.kernels.contract import (
    CHUNK,
    N_ROUTE_QUANTITIES,
    ROW_BACKLOG,
    ROW_DEMAND,
    ROW_DEST_DELIVERED,
    TOTAL_INTERDICTED,
)


def _arrivals(d, r0, n, net, par, st, rows, sc):
    """Cargo finishing a leg moves to the next leg's queue or is delivered; vehicles come back; what is needed."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_next, leg_route, route_leg_start = net.leg_next, net.leg_route, net.route_leg_start
    dest_route_start, dest_route_idx = net.dest_route_start, net.dest_route_idx
    pipeline, queue, in_transit = st.pipeline, st.queue, st.in_transit
    fleet_busy, fleet_returns, fleet_count = st.fleet_busy, st.fleet_returns, par.fleet_count
    cum_demand, cum_delivered, demand, demand_start = st.cum_demand, st.cum_delivered, par.demand, par.demand_start
    totals, replacement_share = st.totals, par.replacement_share
    delivered, requirement, available = sc.delivered, sc.requirement, sc.available
    got, on_the_way, on_route, lost, busy = sc.a, sc.b, sc.c, sc.d, sc.busy
    r1 = r0 + n
    n_cargo = delivered.shape[1]
    busy[:] = False
    ring, rslot = net.leg_ring_start, d % fleet_returns.shape[0]
    for leg in range(leg_next.shape[0]):
        if net.leg_store_start[leg + 1] > net.leg_store_start[leg]:
            continue  # landing in an airport's storage: kernels/storage.py takes it from the pipeline
        nxt, k = leg_next[leg], leg_route[leg]
        slot = ring[leg] + d % (ring[leg + 1] - ring[leg])  # the leg's ring row of cargo due today
        for c in range(n_cargo):
            if not net.route_cargo[k, c]:
                continue  # a class the route does not carry: nothing in its pipeline
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
        if par.loses_vehicles[f]:
            _returns_and_replacements(f, r0, n, par, st, back, free)
            continue
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
                lost[i] = 0.0
            for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
                k = dest_route_idx[j]
                if not net.route_cargo[k, c]:
                    continue
                got_here, lost_here = delivered[k, c], totals[ch, TOTAL_INTERDICTED, k, c, :n]
                for i in range(n):
                    got[i] += got_here[i]
                    lost[i] += lost_here[i]  # lost on the route up to yesterday
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
            row = N_ROUTE_QUANTITIES * kc + dd * n_cargo + c  # the destination rows follow the routes'
            phase = 0  # the phase in force today: the last to have started
            for j in range(1, demand_start.shape[2]):
                if demand_start[dd, c, j] <= d:
                    phase = j
            sc.phase[dd, c] = phase  # the shipper's probes size themselves on it (kernels/choice.py)
            replaced = replacement_share[c, r0:r1]
            wanted, cum_wanted, cum_got, need = (
                demand[dd, c, phase, r0:r1],
                cum_demand[dd, c, r0:r1],
                cum_delivered[dd, c, r0:r1],
                requirement[dd, c],
            )
            out_demand, out_got, out_backlog = (
                rows[row + ROW_DEMAND * dc, r0:r1],
                rows[row + ROW_DEST_DELIVERED * dc, r0:r1],
                rows[row + ROW_BACKLOG * dc, r0:r1],
            )
            for i in range(n):
                cum_wanted[i] += wanted[i]
                cum_got[i] += got[i]
                # Lost cargo not replaced is written off: no longer owed (a share of 1 re-demands it all).
                x = cum_wanted[i] - cum_got[i] - on_the_way[i] - (1.0 - replaced[i]) * lost[i]
                need[i] = x if x > 0.0 else 0.0
                out_demand[i] = wanted[i]
                out_got[i] = got[i]
                out_backlog[i] = cum_wanted[i] - cum_got[i]


def _returns_and_replacements(f, r0, n, par, st, back, free):
    """A fleet that loses vehicles: today's returns and replacements, and the vehicles free (into ``free``).

    Returns due today first cancel lost vehicles still booked to return (``fleet_ghosts``: a lost
    vehicle never comes back); the fleet then replaces lost vehicles at its daily rate, and those
    still missing are kept out of its count.
    """
    r1 = r0 + n
    ghosts, lost, rate, away, count = (
        st.fleet_ghosts[f, r0:r1],
        st.fleet_lost[f, r0:r1],
        par.replacement_per_day[f, r0:r1],
        st.fleet_busy[f, r0:r1],
        par.fleet_count[f, r0:r1],
    )
    for i in range(n):
        cancelled = ghosts[i] if ghosts[i] < back[i] else back[i]
        ghosts[i] -= cancelled
        away[i] -= back[i] - cancelled
        back[i] = 0.0
        replaced = rate[i] if rate[i] < lost[i] else lost[i]
        lost[i] -= replaced
        x = count[i] - away[i] - lost[i]
        free[i] = x if x > 0.0 else 0.0
