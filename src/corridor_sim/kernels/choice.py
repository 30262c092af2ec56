"""The shipper's choice: how much of each destination's requirement goes by which route today.

Per route and cargo, the expected cost of a delivered unit: transport, fees and vehicle time, the
urgency cost of transit and queue waits, and the cargo's value weighted by the believed loss (with
risk aversion), all over the believed survival (:mod:`.beliefs`); the queue wait is the one it
believes, following the observed one with a lag. A route is usable if it carries the cargo, its
expected cost is within the reservation cost, it has capacity and its believed loss is within the
loss tolerance. Shares follow a logit on relative cost among each destination's usable routes,
smoothed by inertia; a route dropped for its risk is re-tried now and then with a small probe
(:func:`_explore`); what a full fleet cannot take goes, in a second pass, to routes whose fleets
have vehicles to spare.
"""

from __future__ import annotations

from corridor_sim.kernels.beliefs import _believed_survival
from corridor_sim.kernels.contract import CHUNK, INF, libm_exp


def _destination_total(dd, c, n, x, net, total):
    """Into ``total[:n]``: x[k, c] summed over destination dd's routes k, in their order."""
    dest_route_start, dest_route_idx = net.dest_route_start, net.dest_route_idx
    for i in range(n):
        total[i] = 0.0
    for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
        y = x[dest_route_idx[j], c]
        for i in range(n):
            total[i] += y[i]


def _still_needed(dd, c, n, taken, need, net, total):
    """Into ``total[:n]``: what destination dd still needs of cargo c once ``taken`` is sent, at least 0."""
    _destination_total(dd, c, n, taken, net, total)
    for i in range(n):
        x = need[i] - total[i]
        total[i] = x if x > 0.0 else 0.0


def _normalise(n, c, shares, fallback, net, out, total):
    """Shares of each destination's routes scaled to sum to one (``fallback`` where they sum to zero)."""
    dest_route_start, dest_route_idx = net.dest_route_start, net.dest_route_idx
    for dd in range(dest_route_start.shape[0] - 1):
        _destination_total(dd, c, n, shares, net, total)
        for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
            k = dest_route_idx[j]
            if not net.route_cargo[k, c]:
                continue  # a class the route does not carry: its shares stay zero
            x, y, z = shares[k, c], fallback[k, c], out[k, c]
            for i in range(n):
                z[i] = x[i] / total[i] if total[i] > 0.0 else y[i]


def _fleet_limit(r0, n, want, available, net, st, sc, sent, left):
    """Scale wanted loads down to the vehicles each fleet has free: fills sent and left (vehicles left per fleet).

    ``left`` may be ``available`` itself.
    """
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    route_fleet, fleet_route_start, fleet_route_idx, inv_pf = (
        net.route_fleet,
        net.fleet_route_start,
        net.fleet_route_idx,
        net.inv_pf,
    )
    route_payload, vehicles, need, scale = st.route_payload, sc.vehicles, sc.need, sc.a
    n_cargo = inv_pf.shape[0]
    for k in range(route_fleet.shape[0]):
        v, payload = vehicles[k], route_payload[ch, k, :n]
        for i in range(n):
            v[i] = 0.0
        for c in range(n_cargo):
            if not net.route_cargo[k, c]:
                continue
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
                if not net.route_cargo[k, c]:
                    continue
                x, y = want[k, c], sent[k, c]
                for i in range(n):
                    y[i] = x[i] * scale[i]
        for i in range(n):
            x = free[i] - total[i] * scale[i]
            rest[i] = x if x > 0.0 else 0.0


def _decide(r0, n, net, par, st, sc):
    """The shipper's dispatch for the chunk, into sc.sent (see actors.Shipper)."""
    ch = r0 // CHUNK  # the chunk's block of the chunk-major arrays
    route_fleet = net.route_fleet
    route_transit, route_cargo, inv_pf = net.route_transit, net.route_cargo, net.inv_pf
    dest_route_start, dest_route_idx = net.dest_route_start, net.dest_route_idx
    cargo_value, reservation, temperature = par.cargo_value, par.reservation, par.choice_temperature
    r1 = r0 + n
    risk_aversion, inertia = par.risk_aversion[r0:r1], par.inertia[r0:r1]
    route_unit_cost, route_vehicle_cost, route_capacity = (
        st.route_unit_cost,
        st.route_vehicle_cost,
        st.route_capacity,
    )
    shares_state, expected_cost = st.shares, st.expected_cost
    ec, ok, target, shares, normed = sc.ec, sc.ok, sc.target, sc.shares, sc.normed
    sent, more, want, left = sc.sent, sc.more, sc.want, sc.left
    requirement, available, route_wait = sc.requirement, sc.available, sc.route_wait
    survive, best, total = sc.b, sc.c, sc.d
    n_routes, n_cargo, n_dest = route_fleet.shape[0], inv_pf.shape[0], dest_route_start.shape[0] - 1
    tolerance, wait_rate = par.loss_tolerance[r0:r1], par.wait_learning_rate[r0:r1]
    probe, probing = sc.more, False  # today's probes (sc.more is free until the second pass)
    for k in range(n_routes):
        _believed_survival(ch, k, n, net, par, st, survive)
        transit = route_transit[k]
        unit, vehicle, capacity, wait, seen = (
            route_unit_cost[ch, k, :n],
            route_vehicle_cost[ch, k, :n],
            route_capacity[ch, k, :n],
            st.believed_wait[ch, k, :n],
            route_wait[k],
        )
        for i in range(n):
            # The wait it believes follows the one it sees with a lag (rate 1: exactly the one it sees).
            wait[i] = (1.0 - wait_rate[i]) * wait[i] + wait_rate[i] * seen[i]
        for c in range(n_cargo):
            carries, w, urgency = route_cargo[k, c], inv_pf[c], par.cargo_urgency[c, r0:r1]
            value, limit, e_out, ec_kc, ok_kc, riskless = (
                cargo_value[c, r0:r1],
                reservation[c, r0:r1],
                expected_cost[ch, k, c, :n],
                ec[k, c],
                ok[k, c],
                target[k, c],  # free until the logit: the cost per unit if nothing were lost
            )
            for i in range(n):
                per_ton = unit[i] + vehicle[i] + urgency[i] * (transit + wait[i])
                riskless[i] = per_ton * w
                loss_weight = (1.0 - survive[i]) * (1.0 + risk_aversion[i])
                e = (per_ton * w + value[i] * loss_weight) / survive[i]
                ec_kc[i] = e
                e_out[i] = e
                ok_kc[i] = (
                    carries & (e <= limit[i]) & (capacity[i] > 0.0) & (1.0 - survive[i] <= tolerance[i])
                )  # no branches: & not and
            if carries:
                probing |= _explore(ch, k, c, r0, n, net, par, st, sc)
    # A logit on relative cost among each destination's usable routes, smoothed by inertia.
    for c in range(n_cargo):
        for dd in range(n_dest):
            lo, hi = dest_route_start[dd], dest_route_start[dd + 1]
            for i in range(n):
                best[i] = INF
                total[i] = 0.0
            for j in range(lo, hi):
                k = dest_route_idx[j]
                if not route_cargo[k, c]:
                    continue
                ec_kc, ok_kc = ec[k, c], ok[k, c]
                for i in range(n):
                    x = ec_kc[i]
                    best[i] = x if ok_kc[i] & (x < best[i]) else best[i]
            for j in range(lo, hi):
                k = dest_route_idx[j]
                if not route_cargo[k, c]:
                    continue
                ec_kc, ok_kc, z = ec[k, c], ok[k, c], target[k, c]
                for i in range(n):
                    x = 0.0
                    if ok_kc[i]:
                        gap = ec_kc[i] - best[i]
                        # The cheapest route's weight is exp(-0) = 1 exactly (temperature > 0): no call.
                        x = 1.0 if gap == 0.0 else libm_exp(-gap / (temperature * (best[i] if best[i] > 0.0 else 1.0)))
                    z[i] = x
                    total[i] += x
            for j in range(lo, hi):
                k = dest_route_idx[j]
                if not route_cargo[k, c]:
                    continue
                ok_kc, z, y, state = ok[k, c], target[k, c], shares[k, c], shares_state[ch, k, c, :n]
                for i in range(n):
                    x = z[i] / total[i] if total[i] > 0.0 else 0.0
                    z[i] = x
                    y[i] = inertia[i] * state[i] + (1.0 - inertia[i]) * x if ok_kc[i] else 0.0
        _normalise(n, c, shares, target, net, normed, total)
        for dd in range(n_dest):
            need = requirement[dd, c]
            if probing:  # the probes come out of the requirement, the rest is shared as chosen
                _still_needed(dd, c, n, probe, need, net, total)
            for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
                k = dest_route_idx[j]
                if not route_cargo[k, c]:
                    continue
                x, state, y, z = normed[k, c], shares_state[ch, k, c, :n], want[k, c], probe[k, c]
                for i in range(n):
                    state[i] = x[i]
                if probing:
                    for i in range(n):
                        y[i] = x[i] * total[i] + z[i]
                else:
                    for i in range(n):
                        y[i] = x[i] * need[i]
    _fleet_limit(r0, n, want, available, net, st, sc, sent, left)
    # Second pass: cargo a full fleet could not take goes to routes with spare vehicles.
    for c in range(n_cargo):
        for k in range(n_routes):
            if not route_cargo[k, c]:
                continue
            spare, state, y, z = left[route_fleet[k]], shares_state[ch, k, c, :n], shares[k, c], target[k, c]
            for i in range(n):
                y[i] = state[i] if spare[i] > 1e-9 else 0.0
                z[i] = 0.0
        _normalise(n, c, shares, target, net, normed, total)
        for dd in range(n_dest):
            _still_needed(dd, c, n, sent, requirement[dd, c], net, total)
            for j in range(dest_route_start[dd], dest_route_start[dd + 1]):
                k = dest_route_idx[j]
                if not route_cargo[k, c]:
                    continue
                x, y = normed[k, c], want[k, c]
                for i in range(n):
                    y[i] = x[i] * total[i]
    _fleet_limit(r0, n, want, left, net, st, sc, more, left)
    busy = sc.busy
    for k in range(n_routes):
        for c in range(n_cargo):
            if not route_cargo[k, c]:
                continue
            x, y = sent[k, c], more[k, c]
            sending = False
            for i in range(n):
                x[i] += y[i]
                sending |= x[i] != 0.0
            if sending:
                busy[k] = True


def _explore(ch, k, c, r0, n, net, par, st, sc):
    """Route k's probe of cargo c today, into ``sc.more[k, c]``: whether any replicate of the chunk probes.

    A route dropped for its believed risk alone (it carries the cargo, has capacity, and would be within
    the reservation cost if nothing were lost: ``sc.target[k, c]`` holds that cost) is re-tried with
    ``probe_demand_days`` days of the destination's daily demand (at most the requirement) once it has
    been out of use ``probe_wait`` days. When the next probe falls due, if the shipper saw loads lost on
    the route since the last one the wait is first multiplied by ``probe_backoff``; a route back in use
    starts again from ``probe_wait_days`` (docs/ODD.md 7.5).
    """
    r1 = r0 + n
    idle, wait, out_ = st.idle_days[ch, k, c, :n], st.probe_wait[ch, k, c, :n], st.probe_out[ch, k, c, :n]
    ok, riskless, out = sc.ok[k, c], sc.target[k, c], sc.more[k, c]
    first_wait, days, backoff = par.probe_wait_days[r0:r1], par.probe_demand_days[r0:r1], par.probe_backoff
    limit, capacity = par.reservation[c, r0:r1], st.route_capacity[ch, k, :n]
    dd = net.route_dest[k]
    need, demand = sc.requirement[dd, c], par.demand[dd, c, sc.phase[dd, c], r0:r1]  # today's phase
    lo, hi = net.route_leg_start[k], net.route_leg_start[k + 1]
    since = st.lost_since_probe
    any_probe = False
    for i in range(n):
        out[i] = 0.0
        if ok[i]:
            idle[i], wait[i], out_[i] = 0.0, first_wait[i], 0.0
            continue
        idle[i] += 1.0
        if days[i] <= 0.0 or capacity[i] <= 0.0 or idle[i] < wait[i] or riskless[i] > limit[i]:
            continue  # not due, closed, or dropped for its cost, not its risk: nothing to learn by probing
        if out_[i] > 0.0:  # judge the last probe: loads lost on the route since then mean it failed
            lost = 0.0
            for leg in range(lo, hi):
                lost += since[ch, leg, i]
            out_[i] = 0.0
            if lost > 0.0:
                wait[i] *= backoff
                if idle[i] < wait[i]:
                    continue
        amount = days[i] * demand[i]
        amount = amount if amount < need[i] else need[i]
        if amount > 0.0:
            out[i] = amount
            idle[i], out_[i] = 0.0, 1.0
            for leg in range(lo, hi):
                since[ch, leg, i] = 0.0
            any_probe = True
    return any_probe
