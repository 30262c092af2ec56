"""Levers that respond: the militias' toll, escorts and informal crossing move with traffic and pressure.

A lever with a response (docs/ODD.md 7.16) watches some segments. Each day, after the day's
movement, it observes there the days of queue left (queued payload tons / capacity), the share of
capacity unused and the share of the tons moved that were lost; each observation reaches the actor
through a first-order delay of mean ``delay`` days (obs <- obs + (today - obs) / delay; days with
nothing moved leave the loss share as it was). Its target is

    base + gain_congestion x congestion + gain_idle x idle + gain_loss x loss share
         + sum of term gains x (product of other levers' values),

clipped to the lever's [min, max], and the lever moves a share ``rate`` of the way there, except in
replicates where a timeline or rule has set it (pinned). The lever's effects follow the next day
(kernels/effects.py sees the value change).
"""

from __future__ import annotations

from corridor_sim.kernels.contract import CHUNK, OBS_CONGESTION, OBS_IDLE, OBS_LOSS, SEG_CAP

MAX_CONGESTION = 30.0  # days of queue: beyond this a longer queue tells the militia nothing more


def _observe(q, r0, n, net, par, st, sc):
    """Into sc.a, sc.b, sc.c, sc.d: payload tons queued, moved and lost at response q's segments, and their capacity."""
    ch, r1 = r0 // CHUNK, r0 + n
    queued, moved, lost, cap = sc.a, sc.b, sc.c, sc.d
    for i in range(n):
        queued[i] = 0.0
        moved[i] = 0.0
        lost[i] = 0.0
        cap[i] = 0.0
    for j in range(par.resp_seg_start[q], par.resp_seg_start[q + 1]):
        c_s = st.seg_now[SEG_CAP, par.resp_seg_idx[j], r0:r1]
        for i in range(n):
            cap[i] += c_s[i]
    for j in range(par.resp_leg_start[q], par.resp_leg_start[q + 1]):
        leg = par.resp_leg_idx[j]
        route = net.leg_route[leg]
        if not sc.busy[route]:
            continue  # nothing on the route in the chunk today (and its scratch rows are stale)
        t, share = sc.tons[leg], sc.frac[leg]
        for i in range(n):
            moved[i] += t[i]
            lost[i] += t[i] * share[i]
        for c in range(net.inv_pf.shape[0]):
            if not net.route_cargo[route, c]:
                continue
            w, waiting = net.inv_pf[c], st.queue[ch, leg, c, :n]
            for i in range(n):
                queued[i] += waiting[i] * w


def _respond(r0, n, net, par, st, sc):
    """Today's observations and step of every responding lever, for replicates r0 .. r0 + n - 1."""
    r1 = r0 + n
    queued, moved, lost, cap, target = sc.a, sc.b, sc.c, sc.d, sc.e
    for q in range(par.resp_lever.shape[0]):
        _observe(q, r0, n, net, par, st, sc)
        obs, delay = st.resp_obs[q, :, r0:r1], par.resp_delay[q, r0:r1]
        for i in range(n):
            c, finite = cap[i], cap[i] < 1e300
            congestion = queued[i] / c if c > 0.0 else (MAX_CONGESTION if queued[i] > 0.0 else 0.0)
            congestion = congestion if congestion < MAX_CONGESTION else MAX_CONGESTION
            use = moved[i] / c if (c > 0.0 and finite) else 1.0
            idle = 1.0 - use if use < 1.0 else 0.0
            k = 1.0 / delay[i]
            obs[OBS_CONGESTION, i] += k * (congestion - obs[OBS_CONGESTION, i])
            obs[OBS_IDLE, i] += k * (idle - obs[OBS_IDLE, i])
            if moved[i] > 0.0:
                obs[OBS_LOSS, i] += k * (lost[i] / moved[i] - obs[OBS_LOSS, i])
        base, gain = par.resp_base[q, r0:r1], par.resp_gain[q, :, r0:r1]
        for i in range(n):
            target[i] = (
                base[i]
                + gain[OBS_CONGESTION, i] * obs[OBS_CONGESTION, i]
                + gain[OBS_IDLE, i] * obs[OBS_IDLE, i]
                + gain[OBS_LOSS, i] * obs[OBS_LOSS, i]
            )
        for t in range(par.resp_term_start[q], par.resp_term_start[q + 1]):
            g, m = par.term_gain[t, r0:r1], sc.f
            for i in range(n):
                m[i] = g[i]
            for f in range(par.term_factor_start[t], par.term_factor_start[t + 1]):
                fv = st.lev[par.term_factor_lever[f], r0:r1]
                if par.term_factor_complement[f]:
                    for i in range(n):
                        m[i] = m[i] * (1.0 - fv[i])
                else:
                    for i in range(n):
                        m[i] = m[i] * fv[i]
            for i in range(n):
                target[i] += m[i]
        li, low, high = par.resp_lever[q], par.resp_low[q], par.resp_high[q]
        value, pinned, rate = st.lev[li, r0:r1], st.lev_pinned[li, r0:r1], par.resp_rate[q, r0:r1]
        for i in range(n):
            aim = min(max(target[i], low), high)
            value[i] = value[i] if pinned[i] else value[i] + rate[i] * (aim - value[i])
