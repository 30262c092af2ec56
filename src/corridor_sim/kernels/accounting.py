"""Accounting: the day's flows, costs and totals per route and cargo.

Per route and cargo: dispatched, delivered, interdicted, in transit and queued (the route rows of
the day's band stack, :data:`contract.ROUTE_QUANTITIES`), the day's cost (transport by vehicle
time and running cost, fees, and the value of cargo lost), the run's totals
(:data:`contract.TOTAL_QUANTITIES`), each leg's tons entering and lost for the interdiction
rate, the 30-day windows the flow metrics read, and each chunk's sums for the ensemble means.
"""

from __future__ import annotations

from corridor_sim.kernels.contract import (
    CHUNK,
    LEG_ENTERED,
    LEG_FLOWS,
    LEG_LOST,
    N_COST_PARTS,
    PART_FEES,
    PART_LOSSES,
    PART_TRANSPORT,
    ROW_COST,
    ROW_DELIVERED,
    ROW_DISPATCHED,
    ROW_IN_TRANSIT,
    ROW_INTERDICTED,
    ROW_QUEUED,
    SEG_COST,
    SEG_FEE,
    SUM_DELIVERED,
    SUM_DISPATCHED,
    SUM_INTERDICTED,
    SUM_WRITTEN,
    TOTAL_COST,
    TOTAL_DELIVERED,
    TOTAL_DISPATCHED,
    TOTAL_FEES,
    TOTAL_INTERDICTED,
    TOTAL_LOSSES,
    TOTAL_TRANSPORT,
    WINDOW_DELIVERED,
    WINDOW_INTERDICTED,
)


def _account(d, r0, n, net, par, st, rows, parts, sums, sc):
    """The day's flows, costs and totals per route: the route rows of the band stack, the cost parts and sums."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    leg_seg, route_leg_start, inv_pf, pf = net.leg_seg, net.route_leg_start, net.inv_pf, net.pf
    cargo_value, seg_now, route_vehicle_cost, route_capacity = (
        par.cargo_value,
        st.seg_now,
        st.route_vehicle_cost,
        st.route_capacity,
    )
    queue, in_transit, window, totals, capacity_days = (
        st.queue,
        st.in_transit,
        st.window,
        st.totals,
        st.capacity_days,
    )
    leg_totals, leg_window = st.leg_totals, st.leg_window
    dispatched, delivered, served, frac = sc.sent, sc.delivered, sc.served, sc.frac
    running, fees, lost, moving, waiting, spoiled = sc.a, sc.b, sc.c, sc.d, sc.e, sc.f
    got_tons, lost_tons, busy = sc.vehicles, sc.route_wait, sc.busy
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
                for q in range(len(LEG_FLOWS)):
                    leg_window[wslot, q, leg, r0:r1] = 0.0
        for c in range(n_cargo):
            if not net.route_cargo[k, c]:
                # A class the route does not carry: every flow, cost and total of the pair is zero, and its
                # rows and parts are never written (the recorder counts them as known zeros).
                continue
            if not busy[k]:
                # Nothing on the route in the chunk today: its rows would be zeros and its totals stay. The
                # rows are left as they are, flagged in ``sums`` (the recorder zeroes them where they are read).
                if want_parts:
                    for q in range(N_COST_PARTS):
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
                entered_l, lost_l = leg_totals[ch, LEG_ENTERED, leg, c, :n], leg_totals[ch, LEG_LOST, leg, c, :n]
                for i in range(n):
                    taken = x[i] * share[i]
                    lost[i] += taken
                    entered_l[i] += x[i]
                    lost_l[i] += taken
                if keep_window:
                    entered_w, lost_w = (
                        leg_window[wslot, LEG_ENTERED, leg, r0:r1],
                        leg_window[wslot, LEG_LOST, leg, r0:r1],
                    )
                    w = inv_pf[c]
                    for i in range(n):
                        entered_w[i] += x[i] * w
                        lost_w[i] += x[i] * share[i] * w
                if net.leg_store_start[leg + 1] > net.leg_store_start[leg]:
                    # Destroyed in the airport's storage today (kernels/storage.py): lost on the air leg.
                    gone = sc.struck[leg, c]
                    for i in range(n):
                        lost[i] += gone[i]
                        lost_l[i] += gone[i]
                    if keep_window:
                        lost_w = leg_window[wslot, LEG_LOST, leg, r0:r1]
                        for i in range(n):
                            lost_w[i] += gone[i] * inv_pf[c]
                for i in range(n):
                    moving[i] += moving_l[i]
                    waiting[i] += waiting_l[i]
            row, w = k * n_cargo + c, inv_pf[c]
            sent_kc, got_kc, value = dispatched[k, c], delivered[k, c], cargo_value[c, r0:r1]
            # Again loops over a few arrays each, so that they vectorise. running becomes the transport cost.
            for i in range(n):
                running[i] = running[i] + sent_kc[i] / unit * vehicle[i]
            for i in range(n):
                spoiled[i] = lost[i] * value[i]
            cost = rows[ROW_COST * kc + row, r0:r1]
            for i in range(n):
                cost[i] = running[i] + fees[i] + spoiled[i]
            # The rows of the day's band stack and the run's totals, each by its name in the contract.
            for q, source in (
                (ROW_DISPATCHED, sent_kc),
                (ROW_DELIVERED, got_kc),
                (ROW_INTERDICTED, lost),
                (ROW_IN_TRANSIT, moving),
                (ROW_QUEUED, waiting),
            ):
                row_q = rows[q * kc + row, r0:r1]
                for i in range(n):
                    row_q[i] = source[i]
            for q, source in (
                (TOTAL_DISPATCHED, sent_kc),
                (TOTAL_DELIVERED, got_kc),
                (TOTAL_INTERDICTED, lost),
                (TOTAL_COST, cost),
                (TOTAL_TRANSPORT, running),
                (TOTAL_FEES, fees),
                (TOTAL_LOSSES, spoiled),
            ):
                total_q = totals[ch, q, k, c, :n]
                for i in range(n):
                    total_q[i] += source[i]
            for i in range(n):
                got_k[i] += got_kc[i] * w
                lost_k[i] += lost[i] * w
            if want_parts:
                for q, source in ((PART_TRANSPORT, running), (PART_FEES, fees), (PART_LOSSES, spoiled)):
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
            got_w, lost_w = window[wslot, WINDOW_DELIVERED, k, r0:r1], window[wslot, WINDOW_INTERDICTED, k, r0:r1]
            for i in range(n):
                got_w[i] = got_k[i]
                lost_w[i] = lost_k[i]
        if busy[k]:
            for c in range(n_cargo):
                x, w = dispatched[k, c], inv_pf[c]
                for i in range(n):
                    sent_tons += x[i] * w
        # The chunk's sums of today's payload tons per route (the DataCollector's ensemble means).
        sums[ch, SUM_DISPATCHED, k] = sent_tons
        sums[ch, SUM_DELIVERED, k] = got_sum
        sums[ch, SUM_INTERDICTED, k] = lost_sum
        sums[ch, SUM_WRITTEN, k] = 1.0 if busy[k] else 0.0  # 0: the route's rows were not written
