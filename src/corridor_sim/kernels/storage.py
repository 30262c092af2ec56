"""Airport storage and strikes on it: flown-in cargo waits at the airport, where a strike takes a share of it all.

A node with a ``storage:`` block (Damascus International Airport, T4) keeps the cargo an air leg
lands there for ``dwell_days`` before it joins the route's next leg's queue. Each storing leg has a
ring of days (``leg_store_start``): cargo landing on day a is due out on day a + dwell (a fractional
dwell splits it between the two days around it, so the mean wait is the dwell). Cargo in storage
stays counted in its air leg's ``in_transit``.

Each day, before today's landings join it, each storage is struck with its probability (the node's
``strike_probability``, which levers change), one uniform per storage, replicate and day from the
``storage_strikes`` stream. A strike destroys the same share of everything waiting there, on every
leg and for every cargo at once (a correlated loss, not one draw per load); the loss counts as
interdicted on the air leg (route totals, the leg flows of the interdiction rate) and the shipper
counts its loads' worth as lost on that leg (:mod:`.beliefs`). A strike also closes the airport to
landings for ``closure_days``: while closed, air legs into it move nothing (:func:`_landing`, called
from :mod:`.movement`) and the cargo waits in its queue at the origin; the shipper sees the closure
left and the dwell as days of wait on the route (:func:`_storage_waits`).
"""

from __future__ import annotations

import math

from corridor_sim.kernels.beliefs import _learn_struck
from corridor_sim.kernels.contract import CHUNK, NODE_STRIKE


def _storage(d, r0, n, strikes, net, par, st, sc):
    """Day d's strikes on each storage, then the cargo landing in storage and the cargo due out of it.

    ``strikes`` is the chunk's strike uniforms today, (n, storages): storage s's is column s.
    """
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    r1 = r0 + n
    store_node, leg_land, store_start = net.store_node, net.leg_land, net.leg_store_start
    ring, leg_next, inv_pf = net.leg_ring_start, net.leg_next, net.inv_pf
    pipeline, queue, in_transit, store = st.pipeline, st.queue, st.in_transit, st.store
    n_legs, n_cargo = leg_land.shape[0], inv_pf.shape[0]
    keep, tons = sc.a, sc.b
    for s in range(store_node.shape[0]):
        p, share, closure = (
            st.node_now[NODE_STRIKE, store_node[s], r0:r1],
            par.destroyed_share[s, r0:r1],
            par.closure_days[s, r0:r1],
        )
        left, count = st.closed[s, r0:r1], st.strikes[s, r0:r1]
        hit = False
        for i in range(n):
            struck = strikes[i, s] < p[i]
            x = left[i] - 1.0  # a day of yesterday's closure has passed
            x = x if x > 0.0 else 0.0
            left[i] = closure[i] if struck and closure[i] > x else x
            count[i] += 1.0 if struck else 0.0
            keep[i] = 1.0 - share[i] if struck else 1.0
            hit |= struck
        for leg in range(n_legs):
            if leg_land[leg] != s or store_start[leg + 1] == store_start[leg]:
                continue
            for c in range(n_cargo):
                gone = sc.struck[leg, c]
                for i in range(n):
                    gone[i] = 0.0
            if not hit:
                continue
            # The same share of everything waiting, whatever the day it is due out and the cargo.
            for i in range(n):
                tons[i] = 0.0
            for c in range(n_cargo):
                if not net.route_cargo[net.leg_route[leg], c]:
                    continue  # a class the route does not carry: nothing stored
                gone, moving, w = sc.struck[leg, c], in_transit[ch, leg, c, :n], inv_pf[c]
                for row in range(store_start[leg], store_start[leg + 1]):
                    y = store[ch, row, c, :n]
                    for i in range(n):
                        remain = y[i] * keep[i]
                        gone[i] += y[i] - remain
                        y[i] = remain
                for i in range(n):
                    moving[i] -= gone[i]
                    tons[i] += gone[i] * w
            payload = st.leg_payload[ch, leg, :n]
            for i in range(n):
                tons[i] = tons[i] / payload[i]
            _learn_struck(ch, leg, n, tons, st)
    for leg in range(n_legs):
        lo, hi = store_start[leg], store_start[leg + 1]
        if hi == lo:
            continue
        rows, nxt, dwell = hi - lo, leg_next[leg], par.dwell_days[leg_land[leg], r0:r1]
        slot, out = ring[leg] + d % (ring[leg + 1] - ring[leg]), lo + d % rows
        for c in range(n_cargo):
            if not net.route_cargo[net.leg_route[leg], c]:
                continue
            arrived, rows_c, moving, waiting = (
                pipeline[ch, slot, c, :n],
                store[ch, :, c, :n],
                in_transit[ch, leg, c, :n],
                queue[ch, nxt, c, :n],
            )
            # Today's landings into storage, due out after the dwell (still in transit on the air leg). Rows
            # (d + days) % rows and the next, found without a division: days + 1 < rows (a ring holds the
            # longest dwell plus one), so one wrap at most.
            today = d % rows
            for i in range(n):
                days = math.floor(dwell[i])
                late = arrived[i] * (dwell[i] - days)
                due = today + days
                due = due - rows if due >= rows else due
                after = due + 1
                after = after - rows if after >= rows else after
                rows_c[lo + due, i] += arrived[i] - late
                rows_c[lo + after, i] += late
                arrived[i] = 0.0
            # What is due out today joins the next leg's queue.
            due = rows_c[out]
            for i in range(n):
                moving[i] -= due[i]
                waiting[i] += due[i]
                due[i] = 0.0


def _landing(s, r0, n, st, ratio):
    """Scale ``ratio[:n]``, the share of an air leg's queue that moves today, by how open storage s's airport is."""
    left = st.closed[s, r0 : r0 + n]
    for i in range(n):
        x = left[i]
        ratio[i] = ratio[i] * (1.0 - (x if x < 1.0 else 1.0))


def _storage_waits(r0, n, net, par, st, sc):
    """Add to each route's wait the dwell at the airports it lands at and the days of closure left there."""
    r1 = r0 + n
    route_leg_start, leg_land, store_start, route_wait = (
        net.route_leg_start,
        net.leg_land,
        net.leg_store_start,
        sc.route_wait,
    )
    for k in range(route_leg_start.shape[0] - 1):
        wait_k = route_wait[k]
        for leg in range(route_leg_start[k], route_leg_start[k + 1]):
            s = leg_land[leg]
            if s < 0:
                continue
            left = st.closed[s, r0:r1]
            for i in range(n):
                wait_k[i] += left[i]
            if store_start[leg + 1] > store_start[leg]:
                dwell = par.dwell_days[s, r0:r1]
                for i in range(n):
                    wait_k[i] += dwell[i]
